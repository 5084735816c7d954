"""Time one `namenorm resolve` call from a cold start (a new process).

Runs the installed console script N times for an exact name and for a garbled
one (which also loads the rival-place lexicon), interleaved, beside
`python -c pass` as the floor that any Python command pays. Prints medians.

    python bench/cold_start.py [N]
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    script = shutil.which("namenorm") or os.path.join(os.path.dirname(sys.executable), "namenorm")
    commands = {
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        "namenorm resolve Hadrut (exact)": [script, "resolve", "Hadrut"],
        "namenorm resolve Kinrut (phonetic)": [script, "resolve", "Kinrut"],
    }
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(runs):  # interleaved, so that the machine's drift hits every command alike
        for label, command in commands.items():
            times[label].append(timed(command))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {runs} runs each"
    )
    print(f"{'command':40} {'median ms':>10} {'min ms':>8}")
    for label, values in times.items():
        print(f"{label:40} {statistics.median(values) * 1000:10.0f} {min(values) * 1000:8.0f}")


if __name__ == "__main__":
    main()
