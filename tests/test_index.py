from __future__ import annotations

from namenorm import Entity
from namenorm._index import Index
from namenorm._keys import name_keys

NEAR = ["Persicet", "Persiceta", "Perziceto", "Bersiceto", "Persicelo"]
LONG = "San Giovanni in Persiceto"


def _index() -> Index:
    names = [*NEAR, LONG]
    return Index(Entity(id=f"place:{n}", name=n, kind="place") for n in names)


def test_lookup_keeps_the_most_alike_up_to_its_limit() -> None:
    found = [n.text for n in _index().lookup(name_keys("Persiceto"), limit=3, covering=0)]
    assert len(found) == 3 and LONG not in found


def test_lookup_keeps_a_long_name_that_holds_the_query_beyond_its_limit() -> None:
    # Far by Dice and by Jaro-Winkler, San Giovanni in Persiceto has every gram of "Persiceto".
    found = [n.text for n in _index().lookup(name_keys("Persiceto"), limit=3, covering=1)]
    assert len(found) == 4 and LONG in found
