"""Run render jobs in forked children, in parallel on the machine's cores, in dependency order.

A job waits for the jobs whose deployed outputs it reads (serving after network, per env and side);
the rest run as cores free up. Each outcome becomes a :class:`RenderResult`; a child that ended
without a result, timed out or sent garbage is a program error named by its stack and env.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tooling.mock_runtime import RegisteredResource
from tooling.plan import isolation, render_job
from tooling.plan.render_job import RenderJob
from tooling.plan.transport import BadPayload, decode_payload, resources_of


@dataclass
class RenderResult:
    resources: list[RegisteredResource] | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    """The preview's stack outputs."""
    deployed_outputs: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    debug: str = ""
    """For ``--debug``: the program's traceback, or what the render printed before it ended."""
    seconds: float = 0.0


@dataclass
class Planned:
    """A job to run once the jobs it depends on have their results."""

    job: RenderJob
    needs: dict[str, str] = field(default_factory=dict)
    """StackReference name -> key of the job whose deployed outputs it reads."""
    failed: str | None = None
    """Known to fail before running (its config could not be read)."""


def default_jobs() -> int:
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return max(os.cpu_count() or 1, 1)


def run_jobs(
    planned: Sequence[Planned],
    *,
    timeout: float,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, RenderResult]:
    """Every job's result by key; a job whose dependency failed is not run and says so."""
    results: dict[str, RenderResult] = {}
    pending = list(planned)
    started: dict[str, float] = {}
    supervisor = isolation.Supervisor()
    limit = jobs or default_jobs()
    try:
        while pending or supervisor.running:
            for item in list(pending):
                if len(supervisor.running) >= limit:
                    break
                if not all(key in results for key in item.needs.values()):
                    continue
                pending.remove(item)
                result = _blocked(item, results)
                if result is not None:
                    results[item.job.key] = result
                    continue
                job = replace(
                    item.job,
                    stack_outputs={
                        name: results[key].deployed_outputs for name, key in item.needs.items()
                    },
                )
                if progress:
                    progress(
                        f"rendering {job.stack}/{job.env}"
                        + (" (base)" if job.side == "base" else "")
                    )
                started[job.key] = time.monotonic()
                supervisor.add(isolation.spawn(job.key, _work(job), timeout=timeout))
            if not supervisor.running:
                if pending and not any(_ready(p, results) for p in pending):
                    raise RuntimeError(
                        f"render jobs wait on each other: {[p.job.key for p in pending]}"
                    )
                continue
            for child, outcome in supervisor.wait():
                result = result_of(outcome, timeout=timeout)
                result.seconds = round(time.monotonic() - started[child.key], 3)
                results[child.key] = result
    finally:
        supervisor.stop_all()
    return results


def _ready(item: Planned, results: dict[str, RenderResult]) -> bool:
    return all(key in results for key in item.needs.values())


def _work(job: RenderJob) -> Callable[[], bytes]:
    return lambda: render_job.run(job)


def _blocked(item: Planned, results: dict[str, RenderResult]) -> RenderResult | None:
    if item.failed:
        return RenderResult(error=item.failed)
    for key in item.needs.values():
        error = results[key].error
        if error:
            stack = key.partition(":")[2].partition("/")[0]
            return RenderResult(
                error=f"not planned: the {stack} stack it references failed ({error})"
            )
    return None


def result_of(outcome: isolation.Outcome, *, timeout: float) -> RenderResult:
    """What a child's outcome means for the plan."""
    if outcome.status == "timeout":
        return RenderResult(
            error=f"the program did not finish within {timeout:g}s; its render was killed",
            debug=outcome.output,
        )
    if outcome.status == "too-large":
        limit = isolation.MAX_RESULT_BYTES // 2**20
        return RenderResult(
            error=f"the render sent more than {limit} MiB; it was killed", debug=outcome.output
        )
    if outcome.status == "no-result":
        return RenderResult(
            error=f"the render ended ({outcome.how}) before the program finished",
            debug=outcome.output,
        )
    try:
        payload = decode_payload(outcome.payload)
    except BadPayload as exc:
        return RenderResult(error=str(exc), debug=outcome.output)
    if payload.error is not None:
        return RenderResult(error=payload.error, debug=payload.traceback or outcome.output)
    if payload.preview is None and payload.deployed_outputs is None:
        return RenderResult(error="the render sent an empty result", debug=outcome.output)
    return RenderResult(
        resources=resources_of(payload.preview) if payload.preview else None,
        outputs=dict(payload.preview.outputs) if payload.preview else {},
        deployed_outputs=dict(payload.deployed_outputs or {}),
        debug=outcome.output,
    )
