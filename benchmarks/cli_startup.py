"""How long the command line takes to start: ``lifecircle --version`` and ``--help``.

``python -m benchmarks.cli_startup [--runs 15]`` runs each command in a fresh interpreter (as a
user's shell does) and prints the median and spread of the wall time, plus the modules the bare
start imports that the lazy CLI must not need. Target (issue 12): under 0.5 s; the
import-free start itself is held by ``tests/cli/test_cli_startup.py``, the time only here.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = (["--version"], ["--help"], ["demo", "--help"])


def time_command(args: list[str], runs: int) -> list[float]:
    """Wall seconds of ``runs`` fresh interpreters each running ``lifecircle ARGS``."""
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", f"from lifecircle.cli import main; main({args!r})"],
            check=False,
            capture_output=True,
        )
        found.append(time.perf_counter() - started)
    return found


def main() -> None:
    """Time each command and print a small table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    time_command(["--version"], 2)  # warm the file cache
    print("| command | median s | min s | max s |")
    print("| --- | ---: | ---: | ---: |")
    for command in COMMANDS:
        times = time_command(command, args.runs)
        line = f"{statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f}"
        print(f"| lifecircle {' '.join(command)} | {line} |")


if __name__ == "__main__":
    main()
