"""``make bench``: what the offline gate costs, side by side in one run, as ratios to its floor.

Prints figures and asserts nothing (speed goals live here, never in tests). Each figure is the
median of a few runs, interleaved so that a busy machine weighs on all of them alike:

- floor: a bare process that imports the ``pulumi_aws`` modules the stacks use (what every
  render needs; ``tooling.plan.preload`` finds them);
- the full plan (2 stacks x 3 envs, with the pack): target <= 2x the floor;
- the plan with a base revision in which every stack x env differs: target <= 1.6x the plan
  (and with ``--base HEAD``, where nothing differs, for comparison);
- the serving plan with 1/10/50/100 models: linear in resources, 100 models <= 10 s.

Another figure is one more :class:`Measure` in :func:`measures` (issue 14 adds ``make test``).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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
MODEL_COUNTS = (1, 10, 50, 100)
INSTANCES = ["i-0d3c5e7a9b1f24680", "i-0e4d6f8b0c2a35791", "i-0f5e7a9c1d3b46802"]


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, cwd=REPO_ROOT, check=False, capture_output=True, stdin=subprocess.DEVNULL
    )
    return time.perf_counter() - started


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
    seconds: list[float] | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds or [float("nan")])


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


def measures(folder: Path) -> list[Measure]:
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
    for measure in found:
        measure.seconds = []
    for round_ in range(RUNS):
        for measure in found:
            progress(f"round {round_ + 1}/{RUNS}: {measure.name}")
            assert measure.seconds is not None
            measure.seconds.append(timed(measure.command))


def table(found: list[Measure], resources: dict[str, int]) -> Table:
    by_name = {m.name: m for m in found}
    out = Table(
        title=f"Offline gate, median of {RUNS} interleaved runs (wall seconds)",
        title_justify="left",
    )
    for column in (
        "figure",
        "seconds",
        "ratio",
        "target",
        "",
        "resources",
        "ms / extra resource",
    ):
        out.add_column(column, justify="left" if column == "figure" else "right")
    first = f"serving/dev, {MODEL_COUNTS[0]} models"
    for m in found:
        ratio = m.median / by_name[m.compare_to].median if m.compare_to else None
        value = ratio if ratio is not None else m.median
        ok = "" if m.target is None else ("[green]ok[/]" if value <= m.target else "[red]over[/]")
        target = (
            ""
            if m.target is None
            else (f"≤ {m.target:g}x" if m.compare_to else f"≤ {m.target:g} s")
        )
        count = str(resources[m.name]) if m.name in resources else ""
        marginal = ""
        if m.name in resources and m.name != first:
            # What each resource beyond the 1-model plan costs: flat across rows means linear.
            extra = resources[m.name] - resources[first]
            marginal = f"{1000 * (m.median - by_name[first].median) / max(extra, 1):.1f}"
        out.add_row(
            m.name, f"{m.median:.2f}", f"{ratio:.2f}x" if ratio else "", target, ok, count, marginal
        )
    return out


def main() -> int:
    console = console_for(sys.stdout)
    err = Console(stderr=True)
    with tempfile.TemporaryDirectory(prefix="plan-bench-") as tmp:
        folder = Path(tmp)
        found = measures(folder)
        run(found, lambda line: err.print(f"[dim]… {line}[/]") if err.is_terminal else None)
        resources = {f"serving/dev, {n} models": resources_of(n, folder) for n in MODEL_COUNTS}
        console.print(table(found, resources))
    console.print(
        "floor: a bare process importing the pulumi_aws modules the stacks use; "
        "ms / extra resource: what each resource beyond the 1-model plan costs (flat from 10 to "
        "100 models: linear growth); every figure ran on this machine's cores (2 in CI)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
