"""Where the reports go, written so that only the gate's own verdict is ever left there.

The gate removes the previous reports before any program runs and writes the new ones when every
render child has ended, each atomically (a temporary file renamed over the old), so a report file
is either absent or entirely the gate's. (A sandboxed program cannot write them at all; see
``landlock``.)
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from tooling.plan.markdown import markdown
from tooling.plan.report import PlanReport


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as stream:
            stream.write(text)
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


def write_json(report: PlanReport, path: Path) -> None:
    write_atomically(path, report.model_dump_json(indent=2) + "\n")


def report_paths(
    report_stacks: list[tuple[str, str]], *, json: Path | None, md: Path | None, out_dir: Path
) -> tuple[list[Path], Path]:
    """The JSON files (one, or one per stack x env) and the Markdown file."""
    if json is not None:
        jsons = [json]
    else:
        jsons = [out_dir / env / f"{stack}.json" for stack, env in report_stacks]
    return jsons, md or out_dir / "plan.md"


def remove_stale(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def write_reports(
    report: PlanReport, *, json: Path | None, md: Path | None, out_dir: Path
) -> list[Path]:
    """Write the JSON (one file, or one per stack x env) and the Markdown; the paths written."""
    pairs = [(s.stack, s.env) for s in report.stacks]
    jsons, md_path = report_paths(pairs, json=json, md=md, out_dir=out_dir)
    if json is not None:
        write_json(report, json)
    else:
        for stack_plan, path in zip(report.stacks, jsons, strict=True):
            write_json(report.model_copy(update={"stacks": [stack_plan]}), path)
    write_atomically(md_path, markdown(report))
    return [*jsons, md_path]
