"""Two revisions of the planner on the same PSPLIB instances, side by side in one run.

    python bench/psplib_compare.py --base c37c413 [--j30-every 16] [--j60-every 16]
                                   [--j120-every 2] [--time-limit 10] [--workers 2]
                                   [--sets j30,j60,j120] [--extra j60:j6029_5,...]

On a shared machine, figures from different runs do not compare: this runs the
planner of ``--base`` (a git revision, extracted with ``git archive`` to a temporary
folder) and the working tree's, each instance by both one after the other (who goes
first alternates), each solve in a process of its own. The sample is fixed: every
``--j30-every``-th instance of j30 (plus j3029_8, the one the planner missed), every
``--j60-every``-th of j60, every ``--j120-every``-th of bench/psplib.py's 60-instance
j120 sample, only the sets of ``--sets``, and the instances of ``--extra`` (set:name,
for instance the ones an earlier run left above the reference). The wall-clock safety
net is lifted in both (as in bench/psplib.py's measured runs): the searches are
limited in deterministic time, so a loaded machine cannot change a makespan, only the
wall time. Rows go to
bench/results/psplib-compare-<time>.json; the summary per set gives, for each
revision, the share at the reference, the share proven, the mean gap and the processor
time per worker (the process's, over the workers), and how many instances each won.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from planner import psplib

ROOT = Path(__file__).resolve().parents[1]
# Run in each revision's child process: one solve, one JSON line.
ONE = """
import json, sys, time
from pathlib import Path
from planner import psplib, search
import planner.solve as solving
tune = search.tune
def lifted(parameters, problem, limit, deterministic):
    tune(parameters, problem, limit, deterministic)
    if search.rigid_only(problem):
        parameters.max_time_in_seconds = 1e4
solving.search.tune = lifted
set_name, name, root, limit, workers = sys.argv[1:6]
problem = psplib.to_problem(psplib.load_instance(set_name, name, Path(root)))
began = time.process_time()
result = solving.solve(problem, time_limit_s=float(limit), workers=int(workers), seed=0,
                       explain=False)
makespan = max(p.finish + 1 for p in result.placements) if result.has_plan else None
print(json.dumps({"makespan": makespan, "status": result.status.value,
                  "cpu_s": time.process_time() - began}))
"""


def sample(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The instances, the sets interleaved so that a partial run stays balanced."""
    names = {s: psplib.instance_names(s, args.root) for s in ("j30", "j60", "j120")}
    chosen = set(random.Random(0).sample(names["j120"], 60))
    j120 = [n for n in names["j120"] if n in chosen][:: args.j120_every]
    j60 = names["j60"][:: args.j60_every]
    j30 = names["j30"][:: args.j30_every]
    j30 += [] if "j3029_8" in j30 else ["j3029_8"]
    lists = [("j120", j120), ("j60", j60), ("j30", j30)]
    for item in filter(None, args.extra.split(",")):
        set_name, name = item.split(":")
        found = dict(lists)[set_name]
        found += [] if name in found else [name]
    wanted = set(args.sets.split(","))
    lists = [(s, found) for s, found in lists if s in wanted]
    longest = max(len(found) for _, found in lists)
    return [(s, found[i]) for i in range(longest) for s, found in lists if i < len(found)]


def solve(tree: Path, set_name: str, name: str, args: argparse.Namespace) -> dict[str, Any]:
    """One solve by the planner of ``tree``, in a process of its own."""
    command = [sys.executable, "-c", ONE, set_name, name, str(args.root),
               str(args.time_limit), str(args.workers)]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run(command, env=env, cwd=tree, capture_output=True, text=True, check=True)
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return row


def summary(rows: list[dict[str, Any]]) -> None:
    for set_name in ("j30", "j60", "j120"):
        mine = [r for r in rows if r["set"] == set_name]
        if not mine:
            continue
        print(f"{set_name}: {len(mine)} instances")
        for tag in ("base", "head"):
            at = sum(r[tag]["makespan"] == r["reference"] for r in mine) / len(mine)
            proven = sum(r[tag]["status"] == "optimal" for r in mine) / len(mine)
            gap = statistics.fmean(
                100 * (r[tag]["makespan"] - r["reference"]) / r["reference"] for r in mine
            )
            cpu = [r[tag]["cpu_s"] / r["workers"] for r in mine]
            print(f"  {tag}: at reference {at:.1%}, proven {proven:.1%}, gap {gap:.3f} %,"
                  f" cpu s per worker {statistics.fmean(cpu):.2f} / {max(cpu):.1f}")  # fmt: skip
        wins = sum(r["head"]["makespan"] < r["base"]["makespan"] for r in mine)
        losses = sum(r["head"]["makespan"] > r["base"]["makespan"] for r in mine)
        print(f"  head better on {wins}, worse on {losses}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="git revision to compare with")
    parser.add_argument("--j30-every", type=int, default=16)
    parser.add_argument("--j60-every", type=int, default=16)
    parser.add_argument("--j120-every", type=int, default=2)
    parser.add_argument("--sets", default="j30,j60,j120", help="comma-separated set names")
    parser.add_argument("--extra", default="", help="more instances: set:name,set:name")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--root", type=Path, default=psplib.DEFAULT_ROOT, help="PSPLIB files")
    args = parser.parse_args()
    started = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        archive = subprocess.run(["git", "archive", args.base, "planner"], cwd=ROOT,
                                 capture_output=True, check=True).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        for k, (set_name, name) in enumerate(sample(args)):
            reference = psplib.reference(set_name, args.root)[name]
            row: dict[str, Any] = {"set": set_name, "instance": name, "workers": args.workers,
                                   "reference": reference}  # fmt: skip
            order = [("base", base), ("head", ROOT)]
            for tag, tree in order if k % 2 == 0 else reversed(order):
                row[tag] = solve(tree, set_name, name, args)
            rows.append(row)
            print(f"{set_name} {name}: {row['reference']} base {row['base']['makespan']}"
                  f" head {row['head']['makespan']}", flush=True)  # fmt: skip
    summary(rows)
    folder = Path(__file__).parent / "results"
    folder.mkdir(exist_ok=True)
    path = folder / f"psplib-compare-{started:%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps({"options": vars(args), "rows": rows}, indent=1, default=str))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
