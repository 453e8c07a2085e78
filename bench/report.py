"""Runs every benchmark and writes BENCHMARKS.md: the figures, the machine, how to redo it.

Each benchmark is its own script under bench/, run in its own process; its printed figures
go into the report verbatim, with its exit status (1 when a target was missed).
Run: ``make bench`` (every benchmark at its full size, several minutes) or ``make bench-quick``
(smaller runs, for a quick look; the report says so).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "BENCHMARKS.md"


@dataclass(frozen=True)
class Bench:
    """One benchmark script, what it measures, and its smaller options for --quick."""

    script: str
    measures: str
    quick: tuple[str, ...] = ()


BENCHES = (
    Bench("render.py", "render time per briefing, bundled data and 1,000 articles",
          ("--runs", "30")),
    Bench("fanout.py", "a digest to 10,000 chats through a rate-limited network",
          ("--chats", "2000")),
    Bench("telegram.py", "reply latency under 50 users, against a PTB echo bot",
          ("--seconds", "5")),
    Bench("matrix.py", "Matrix round trip against a nio echo bot (real Synapse)",
          ("--runs", "20")),
    Bench("startup.py", "cold start to ready (/healthz 200)", ("--runs", "3")),
    Bench("memory.py", "resident memory with 100,000 subscriptions",
          ("--subscriptions", "20000")),
    Bench("scale.py", "SQLite and PostgreSQL: idle ticks at 100,000 and 1,000,000 "
          "subscriptions, memory, a two-replica fan-out to 100,000 chats, failover",
          ("--quick",)),
    Bench("extract.py", "`bilat draft` against the annotated development set: precision, "
          "recall, articles/s", ("--rounds", "5")),
    Bench("newsroom.py", "a new feed item to the editor's review message, 50 items from 10 "
          "feeds, and the poller's memory", ("--interval", "5", "--rounds", "3")),
)


@dataclass(frozen=True)
class Result:
    """What one benchmark printed, how it ended, how long it took."""

    bench: Bench
    output: str
    status: int
    seconds: float


def run(bench: Bench, quick: bool) -> Result:
    """Run one benchmark script."""
    args = [sys.executable, str(ROOT / "bench" / bench.script), *(bench.quick if quick else ())]
    print(f"== {' '.join(['bench/' + bench.script, *args[2:]])}", flush=True)
    started = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    # A crash (or a script that printed nothing) shows its error rather than an empty section.
    crashed = done.returncode not in (0, 1) or not done.stdout.strip()
    output = (done.stdout + (done.stderr if crashed else "")).strip()
    print(output, flush=True)
    return Result(bench, output, done.returncode, time.perf_counter() - started)


def machine() -> list[str]:
    """The machine the figures come from."""
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{total_kb / 1024 / 1024:.1f} GiB"
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    return [f"- processors (nproc): {os.cpu_count()}, {cpu}",
            f"- memory: {memory}",
            f"- Python {platform.python_version()} ({platform.python_implementation()}), "
            f"{platform.system()} {platform.release()}"]


MISSED = ("NOT met", "over target", "over the")


def verdict(result: Result) -> str:
    """What the script said of its target (from its exit status and its words)."""
    if result.status not in (0, 1):
        return f"failed (exit {result.status})"
    if result.status == 1 or any(word in result.output for word in MISSED):
        return "target **not** met"
    return "target met"


def kept(fresh: list[Result]) -> list[Result]:
    """The results of the current report for the benchmarks not run again."""
    if not REPORT.exists():
        return []
    text = REPORT.read_text(encoding="utf-8")
    rerun = {r.bench.script for r in fresh}
    out = []
    for bench in BENCHES:
        if bench.script in rerun:
            continue
        section = re.search(rf"^## bench/{re.escape(bench.script)}.*?\n\n```\n(.*?)\n```",
                            text, re.S | re.M)
        row = re.search(rf"^\| `bench/{re.escape(bench.script)}` \|.*\| ([0-9.]+) s \|$",
                        text, re.M)
        if section and row:
            out.append(Result(bench, section.group(1), _status(text, bench), float(row.group(1))))
    return out


def _status(text: str, bench: Bench) -> int:
    """The exit status a kept summary row stands for (0 met, 1 missed, 2 failed)."""
    row = re.search(rf"^\| `bench/{re.escape(bench.script)}` \|.*$", text, re.M)
    line = row.group(0) if row else ""
    return 2 if "failed" in line else 1 if "not** met" in line else 0


def report(results: list[Result], quick: bool) -> str:
    """BENCHMARKS.md."""
    command = "make bench-quick" if quick else "make bench"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Benchmarks", "",
             f"Written by `{command}` (bench/report.py) on {stamp}"
             + (", in quick mode: smaller runs than the targets are stated for." if quick
                else "."),
             "Each figure below is what the benchmark script printed. To reproduce them:",
             "", "```sh", command, "```", "",
             "or one at a time, e.g. `.venv/bin/python bench/startup.py --runs 7`.", "",
             "## Machine", "", *machine(), "", "## Summary", "",
             "| benchmark | measures | result | time |", "| --- | --- | --- | --- |"]
    for r in results:
        lines.append(f"| `bench/{r.bench.script}` | {r.bench.measures} | {verdict(r)} | "
                     f"{r.seconds:.0f} s |")
    for r in results:
        options = " ".join(r.bench.quick) if quick else ""
        lines += ["", f"## bench/{r.bench.script} {options}".rstrip(), "", "```",
                  r.output or "(no output)", "```"]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Run every benchmark, write the report; exit 1 when any target was missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs, for a quick look")
    parser.add_argument("--only", nargs="*", help="run these scripts only (e.g. startup.py)")
    args = parser.parse_args()
    chosen = [b for b in BENCHES if not args.only or b.script in args.only]
    results = [run(bench, args.quick) for bench in chosen]
    if args.only:  # a partial run updates its own sections and keeps the others' figures
        results = kept(results) + results
        results.sort(key=lambda r: [b.script for b in BENCHES].index(r.bench.script))
    REPORT.write_text(report(results, args.quick), encoding="utf-8")
    print(f"wrote {REPORT.relative_to(ROOT)}")
    return 0 if all(verdict(r) == "target met" for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
