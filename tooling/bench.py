"""``make bench``: how long the offline gate takes, and how it grows with the number of models.

Prints figures, asserts nothing (speed goals live here, not in tests). Targets: the full plan
(2 stacks x 3 envs) under 5 s on a 2-core machine, and linear growth with models/targets.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import tracemalloc
from typing import Any

from rich.console import Console
from rich.table import Table

from shared.stacks import REPO_ROOT
from tooling.mock_runtime import FakeAwsAccount, render
from tooling.plan.policy import PolicyPackStackAnalyzer
from tooling.plan.runner import PlanRequest, plan
from tooling.policy.client import PolicyPackAnalyzer

MODEL_COUNTS = (1, 10, 50, 100)
INSTANCES = ["i-0d3c5e7a9b1f24680", "i-0e4d6f8b0c2a35791", "i-0f5e7a9c1d3b46802"]


def models_config(count: int) -> dict[str, Any]:
    """A dev serving config with ``count`` models, each on the three seed instances."""
    models = [
        {"name": f"model-{i:03d}", "route": {"pathPrefix": f"/models/{i}"}, "instances": INSTANCES}
        for i in range(count)
    ]
    return {"serving:models": models}


def cold_full_plan() -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "tooling.plan", "--quiet", "--out-dir", out],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - started


def main() -> int:
    console = Console()
    console.print("[bold]Offline plan benchmark[/] (wall time; 2 cores)")
    account = FakeAwsAccount()

    cold = cold_full_plan()
    with PolicyPackStackAnalyzer() as analyzer:
        plan(PlanRequest(), analyzer)  # warm the imports and the pack
        started = time.perf_counter()
        report = plan(PlanRequest(), analyzer)
        warm = time.perf_counter() - started

    summary = Table(title="Full plan: 2 stacks x 3 envs")
    summary.add_column("run")
    summary.add_column("seconds", justify="right")
    summary.add_column("resources", justify="right")
    total = sum(s.resource_count for s in report.stacks)
    summary.add_row(
        "cold (new process: imports, pack start, render, analyze)", f"{cold:.2f}", str(total)
    )
    summary.add_row("warm (in process)", f"{warm:.2f}", str(total))
    console.print(summary)

    growth = Table(title="Serving stack (dev) by number of models, each on 3 instances")
    for column in (
        "models",
        "resources",
        "render s",
        "analyze s",
        "ms / resource (policy)",
        "peak MiB (render)",
    ):
        growth.add_column(column, justify="right")
    with PolicyPackAnalyzer() as pack:
        pack.configure_env("dev")
        for count in MODEL_COUNTS:
            tracemalloc.start()
            started = time.perf_counter()
            rendered = render(
                "serving", "dev", overrides=models_config(count), account=account, preview=True
            )
            render_s = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            managed = rendered.created
            started = time.perf_counter()
            pack.analyze_all(managed)
            analyze_s = time.perf_counter() - started
            growth.add_row(
                str(count),
                str(len(managed)),
                f"{render_s:.2f}",
                f"{analyze_s:.2f}",
                f"{1000 * analyze_s / max(len(managed), 1):.2f}",
                f"{peak / 2**20:.0f}",
            )
    console.print(growth)
    console.print(
        f"target: full plan < 5 s cold -> [{'green' if cold < 5 else 'red'}]{cold:.2f} s[/]; "
        "growth should be linear in resources (compare ms / resource across rows)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
