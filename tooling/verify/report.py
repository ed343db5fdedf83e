"""The report: a rich table of the checks on stdout, and the same as JSON (``--json PATH``).

JSON shape::

    {
      "env": "prod",
      "alb_arn": "arn:aws:elasticloadbalancing:...",
      "passed": true,                      # no check failed (warnings allowed)
      "summary": {"pass": 31, "warn": 1, "fail": 0},
      "waited_seconds": 0.0,               # time spent in --wait
      "checks": [{"group": "model llm-chat", "name": "health check matcher", "status": "fail",
                  "detail": "200-499 (expected 200)",   # one line, as in the table
                  "actual": "200-499",                  # what AWS has
                  "expected": "200",                    # what the stack's outputs ask for
                  "fix": "redeploy the serving stack (`make deploy`), which sets it back"}],
      "probes": [{"model": "llm-chat", "url": "https://...", "host": "...", "requests": 20,
                  "outcomes": {"200": 20}, "latency_ms": {"p50": 41.0, "p90": 55.2, "p99": 80.3}}]
    }

``actual`` and ``expected`` are null where there is nothing to compare, ``fix`` on a pass; ``probes``
is empty without ``--probe``; ``latency_ms`` is null when no request got a response.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tooling.verify.checks import Check
from tooling.verify.probe import ProbeResult

STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red"}


def summary(checks: list[Check]) -> dict[str, int]:
    counts = Counter(c.status for c in checks)
    return {status: counts[status] for status in ("pass", "warn", "fail")}


def passed(checks: list[Check]) -> bool:
    return not any(c.failed for c in checks)


def render_table(checks: list[Check], console: Console, *, env: str, alb_arn: str) -> None:
    table = Table(title=f"serving/{env}: {alb_arn}", title_justify="left")
    table.add_column("group", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("detail", overflow="fold")
    for c in checks:
        detail = escape(c.detail)
        if c.fix and c.status != "pass":
            detail += f"\n[dim]fix: {escape(c.fix)}[/]"
        table.add_row(escape(c.group), escape(c.name), f"[{STYLE[c.status]}]{c.status}[/]", detail)
    console.print(table)
    counts = summary(checks)
    verdict = "[green]OK[/]" if passed(checks) else "[bold red]FAILED[/]"
    console.print(
        f"{verdict}: {len(checks)} checks, {counts['pass']} passed, "
        f"{counts['warn']} warnings, {counts['fail']} failed"
    )


def to_json(
    checks: list[Check],
    probes: list[ProbeResult],
    *,
    env: str,
    alb_arn: str,
    waited_seconds: float,
) -> dict[str, Any]:
    return {
        "env": env,
        "alb_arn": alb_arn,
        "passed": passed(checks),
        "summary": summary(checks),
        "waited_seconds": round(waited_seconds, 1),
        "checks": [c.to_json() for c in checks],
        "probes": [p.to_json() for p in probes],
    }


def write_json(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
