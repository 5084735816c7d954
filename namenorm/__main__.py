from namenorm.cli import main

raise SystemExit(main())
