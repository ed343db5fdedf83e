"""``make bench``: what the offline gate costs, side by side in one run, as ratios to its floor.

Prints figures and asserts nothing (speed goals live here, never in tests). Each figure is the
median of a few runs, interleaved so that a busy machine weighs on all of them alike:

- floor: a bare process that imports the ``pulumi_aws`` modules the stacks use (what every
  render needs; ``tooling.plan.preload`` finds them);
- the full plan (2 stacks x 3 envs, with the pack): target <= 2x the floor;
- the plan with a base revision in which every stack x env differs: target <= 1.6x the plan
  (and with ``--base HEAD``, where nothing differs, for comparison);
- the serving plan with 1/10/50/100 models: linear in resources, 100 models <= 10 s;
- ``make test`` (lint, type check, the test suite): target <= 90 s, timed once (it takes minutes)
  after the plan rounds; ``--skip-tests`` leaves it out.

Each figure has its wall seconds and the CPU seconds of its processes (user + system). Another
figure is one more :class:`Measure` in :func:`measures`.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

from shared.stacks import REPO_ROOT
from tooling.plan import preload
from tooling.plan.terminal import console_for

RUNS = 3
FLOOR = "floor: SDK import"
PLAN = "full plan (2 x 3, pack)"
MAKE_TEST = "make test"
MAKE_TEST_TARGET = 90.0
MODEL_COUNTS = (1, 10, 50, 100)
INSTANCES = ["i-0d3c5e7a9b1f24680", "i-0e4d6f8b0c2a35791", "i-0f5e7a9c1d3b46802"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system of every waited-for descendant) and exit code."""
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=REPO_ROOT, check=False, capture_output=True, stdin=subprocess.DEVNULL
    )
    return time.perf_counter() - started, _children_cpu() - cpu, done.returncode


def gate(*args: str) -> list[str]:
    return [sys.executable, "-m", "tooling.plan", "--quiet", *args]


def floor_command() -> list[str]:
    modules = preload.sdk_modules([REPO_ROOT / "stacks", REPO_ROOT / "shared"])
    code = f"from tooling.plan import preload; preload.load({modules!r})"
    return [sys.executable, "-c", code]


@dataclass
class Measure:
    name: str
    command: list[str]
    compare_to: str | None = None
    """Another measure's name: the ratio is printed beside this one's seconds."""
    target: float | None = None
    """The ratio (or, with no ``compare_to``, the seconds) to stay at or below."""
    runs: int = RUNS
    """How many rounds time it (``make test`` once: it takes minutes)."""
    seconds: list[float] | None = None
    cpu: list[float] | None = None
    failed: bool = False
    """A run exited non-zero (a figure of ``make test`` that failed is no figure)."""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds or [float("nan")])

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu or [float("nan")])


def models_config(count: int, folder: Path) -> Path:
    """The dev serving config with ``count`` models on the three seed instances, as a file."""
    data = yaml.safe_load((REPO_ROOT / "stacks" / "serving" / "Pulumi.dev.yaml").read_text())
    data["config"]["serving:models"] = [
        {"name": f"model-{i:03d}", "route": {"pathPrefix": f"/models/{i}"}, "instances": INSTANCES}
        for i in range(count)
    ]
    path = folder / f"models-{count}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def changed_base(folder: Path) -> Path:
    """This checkout's stacks/ and shared/ with a change in shared/: every stack x env differs."""
    base = folder / "base"
    shutil.copytree(
        REPO_ROOT / "stacks", base / "stacks", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(
        REPO_ROOT / "shared", base / "shared", ignore=shutil.ignore_patterns("__pycache__")
    )
    with (base / "shared" / "__init__.py").open("a") as init:
        init.write("\n# bench: a change every render reads\n")
    return base


def measures(folder: Path, *, with_tests: bool = True) -> list[Measure]:
    out = str(folder / "out")
    found = [
        Measure(FLOOR, floor_command()),
        Measure(PLAN, gate("--out-dir", out), FLOOR, 2.0),
        Measure("plan + base, all differ", gate("--out-dir", out, "--base-dir", str(changed_base(folder))), PLAN, 1.6),
        Measure("plan + --base HEAD", gate("--out-dir", out, "--base", "HEAD"), PLAN, 1.6),
    ]  # fmt: skip
    for count in MODEL_COUNTS:
        config = models_config(count, folder)
        found.append(
            Measure(
                f"serving/dev, {count} models",
                gate("--out-dir", out, "--env", "dev", "--stack", "serving", "--config", f"serving:dev={config}"),
                target=10.0 if count == 100 else None,
            )
        )  # fmt: skip
    if with_tests:
        make = ["make", "--no-print-directory", "test"]
        found.append(Measure(MAKE_TEST, make, target=MAKE_TEST_TARGET, runs=1))
    return found


def resources_of(count: int, folder: Path) -> int:
    config = models_config(count, folder)
    report = folder / f"report-{count}.json"
    subprocess.run(
        gate("--env", "dev", "--stack", "serving", "--config", f"serving:dev={config}", "--json", str(report), "--out-dir", str(folder / "out")),
        cwd=REPO_ROOT, check=False, capture_output=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    data: dict[str, Any] = json.loads(report.read_text())
    return int(data["stacks"][0]["resource_count"])


def run(found: list[Measure], progress: Callable[[str], None]) -> None:
    """The plan figures ``RUNS`` times, interleaved; then those timed once (``make test``)."""
    for measure in found:
        measure.seconds, measure.cpu = [], []
    interleaved = [m for m in found if m.runs == RUNS]
    for round_ in range(RUNS):
        for measure in interleaved:
            progress(f"round {round_ + 1}/{RUNS}: {measure.name}")
            _time(measure)
    for measure in (m for m in found if m.runs != RUNS):
        for _ in range(measure.runs):
            progress(f"{measure.name} (takes minutes)")
            _time(measure)


def _time(measure: Measure) -> None:
    assert measure.seconds is not None and measure.cpu is not None
    wall, cpu, code = timed(measure.command)
    measure.failed = measure.failed or (code != 0 and measure.name == MAKE_TEST)
    measure.seconds.append(wall)
    measure.cpu.append(cpu)


def _row(m: Measure, by_name: dict[str, Measure], resources: dict[str, int]) -> list[str]:
    ratio = m.median / by_name[m.compare_to].median if m.compare_to else None
    value = ratio if ratio is not None else m.median
    ok = "" if m.target is None else ("[green]ok[/]" if value <= m.target else "[red]over[/]")
    if m.failed:
        ok = "[red]failed[/]"
    target = (
        "" if m.target is None else (f"≤ {m.target:g}x" if m.compare_to else f"≤ {m.target:g} s")
    )
    first = f"serving/dev, {MODEL_COUNTS[0]} models"
    count = str(resources[m.name]) if m.name in resources else ""
    marginal = ""
    if m.name in resources and m.name != first:
        # What each resource beyond the 1-model plan costs: flat across rows means linear.
        extra = resources[m.name] - resources[first]
        marginal = f"{1000 * (m.median - by_name[first].median) / max(extra, 1):.1f}"
    runs = "" if m.runs == RUNS else f" ({m.runs} run)" if m.runs == 1 else f" ({m.runs} runs)"
    seconds = f"{m.median:.2f}"
    cpu = f"{m.median_cpu:.2f}"
    return [
        m.name + runs,
        seconds,
        cpu,
        f"{ratio:.2f}x" if ratio else "",
        target,
        ok,
        count,
        marginal,
    ]


def table(found: list[Measure], resources: dict[str, int]) -> Table:
    by_name = {m.name: m for m in found}
    out = Table(
        title=f"Offline gate and make test, median of {RUNS} interleaved runs (seconds)",
        title_justify="left",
    )
    columns = ("figure", "wall", "cpu", "ratio", "target", "", "resources", "ms / extra resource")
    for column in columns:
        out.add_column(column, justify="left" if column == "figure" else "right")
    for m in found:
        out.add_row(*_row(m, by_name, resources))
    return out


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="make bench", description="What the offline gate and make test cost."
    )
    parser.add_argument(
        "--skip-tests",
        action="store_true",
        help=f"leave out the `make test` figure (it takes minutes; target {MAKE_TEST_TARGET:g} s)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console = console_for(sys.stdout)
    err = Console(stderr=True)
    with tempfile.TemporaryDirectory(prefix="plan-bench-") as tmp:
        folder = Path(tmp)
        found = measures(folder, with_tests=not args.skip_tests)
        run(found, lambda line: err.print(f"[dim]… {line}[/]") if err.is_terminal else None)
        resources = {f"serving/dev, {n} models": resources_of(n, folder) for n in MODEL_COUNTS}
        console.print(table(found, resources))
    console.print(
        "floor: a bare process importing the pulumi_aws modules the stacks use; "
        "ms / extra resource: what each resource beyond the 1-model plan costs (flat from 10 to "
        "100 models: linear growth); cpu: user + system seconds of the run's processes; make "
        f"test: lint, type check and the suite, once, target {MAKE_TEST_TARGET:g} s wall; every "
        "figure ran on this machine's cores (2 in CI)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
