"""Machine instructions per scenario of each pass of ``benchmarks/run.py``: a figure that does
not swing with the machine's load, to tell whether a change made the model faster.

    python benchmarks/count.py                    # sweep, typed and single over every scenario
    python benchmarks/count.py --passes single --limit 2000
    python benchmarks/count.py --quick            # 300 scenarios: a few minutes

The timings of ``run.py`` move by a fifth from one run to the next on a shared machine, more
than most single changes are worth.  This script runs each pass in a child interpreter under
Valgrind's ``callgrind`` tool, which counts the instructions executed, and subtracts a child
that does everything but the pass (start-up, imports, a warm-up, building the same
scenarios).  The count is the same from one run to the next to within a few tenths of a per
cent (``PYTHONHASHSEED`` is fixed), so two checkouts compared with it
(``git worktree add``, then this script in each) differ only by their code.  It counts work,
not time: a change that trades instructions for memory traffic or collector pauses shows here
only as its instructions.  One JSON line; needs ``valgrind`` (Debian: ``apt-get install
valgrind``); the passes take 50–100 times as long as natively (about a quarter of an hour for
all three over every scenario).  docs/architecture.md#speed says how the figures are used.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PASSES = ("sweep", "typed", "single")
_COLLECTED = re.compile(r"Collected : (\d+)")


def child(name: str, limit: int | None) -> None:
    """Warm up, build the scenarios, and run pass ``name`` (``none``: no pass)."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT.parent))
    import run

    run.single_pass(run.distinct_scenarios(50))  # imports and first-use work, in both children
    scenarios = run.distinct_scenarios(limit)
    # What building them left behind is collected before the pass, as run.py does before it
    # times one: otherwise the pass child's collector promotes every new scenario object
    # (about 5 000 instructions a scenario) and the count charges it to the pass.
    gc.collect()
    if name != "none":
        {"sweep": run.sweep_pass, "typed": run.typed_pass, "single": run.single_pass}[name](
            scenarios
        )


def instructions(valgrind: str, name: str, limit: int | None) -> int:
    """Instructions a child running pass ``name`` executes, start to exit."""
    command = [
        valgrind,
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        name,
    ]
    if limit is not None:
        command += ["--limit", str(limit)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
    found = _COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"count.py: the {name} child failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--passes", default=",".join(PASSES), help="comma-separated passes")
    parser.add_argument("--limit", type=int, default=None, help="scenarios (default: all)")
    parser.add_argument("--quick", action="store_true", help="300 scenarios")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    limit = 300 if args.quick else args.limit
    if args.child is not None:
        child(args.child, limit)
        return 0
    passes = [p.strip() for p in args.passes.split(",") if p.strip()]
    unknown = sorted(set(passes) - set(PASSES))
    if unknown or not passes:
        parser.error(f"--passes takes {', '.join(PASSES)}; not {', '.join(unknown) or 'nothing'}")
    if limit is not None and limit < 1:
        parser.error("--limit must be at least 1")
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("count.py: needs valgrind (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT.parent))
    import run

    n = len(run.distinct_scenarios(limit))
    base = instructions(valgrind, "none", limit)
    report: dict[str, object] = {"scenarios": n}
    for name in passes:
        report[f"{name}_kinstr"] = round((instructions(valgrind, name, limit) - base) / n / 1e3, 1)
    report["python"] = sys.version.split()[0]
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
