"""Plan stacks x envs: render each in its own child, then (no program running) analyze and diff.

1. The gate reads every config file and lets the pack read its code, before any program runs.
2. Each stack x env (and, for a diff, the base revision's where it differs) renders in a forked
   child; independent ones in parallel, network before serving (serving reads its outputs).
3. Once every child has ended (and whatever they left behind is gone: ``after_renders``), the
   pack serves and judges each render, and each is compared with its base.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from shared.environments import ENVIRONMENTS
from shared.serving_outputs import FailoverFigures
from shared.stacks import (
    ACCOUNT_STACK,
    ACCOUNT_STACKS,
    REPO_ROOT,
    STACKS,
    StackSpec,
    deploy_order,
    spec_of,
)
from tooling.mock_runtime import RegisteredResource, load_stack_config
from tooling.mock_runtime.render import ORGANIZATION, config_text
from tooling.plan.base import BaseTree, differs
from tooling.plan.diff import diff_resources
from tooling.plan.policy import Verdicts
from tooling.plan.render_job import RenderJob
from tooling.plan.report import (
    Failover,
    PlanReport,
    ResourceRow,
    StackDiff,
    StackPlan,
    exit_code_of,
    status_of,
)
from tooling.plan.scheduler import Planned, RenderResult, run_jobs
from tooling.plan.summary import settings_of
from tooling.stack_config import ConfigFileError, shown_path

DEFAULT_TIMEOUT = 120.0


class StackAnalyzer(Protocol):
    """Runs the policy pack over one stack's resources with the env's policy config."""

    def prepare(self, envs: Sequence[str]) -> None:
        """Read what analysis needs; called before any program runs."""
        ...

    def analyze(
        self, stack: str, env: str, resources: Sequence[RegisteredResource]
    ) -> Verdicts: ...


@dataclass(frozen=True)
class PlanRequest:
    envs: tuple[str, ...] = ENVIRONMENTS
    stacks: tuple[str, ...] = (*ACCOUNT_STACKS, *STACKS)
    config_overrides: dict[tuple[str, str], dict[str, Any]] | None = None
    """Per (stack, env): config keys set on top of the committed ``Pulumi.<env>.yaml``."""
    config_files: dict[tuple[str, str], str] | None = None
    """Per (stack, env): a config file to use instead of the committed one."""
    programs: dict[str, str] | None = None
    """Per stack: a folder whose ``__main__.py`` replaces the stack's program."""
    base: BaseTree | None = None
    """Compare with this revision (a plan diff)."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds a render may take before its child is killed."""
    jobs: int | None = None
    """Renders at once (default: the machine's cores)."""


Progress = Callable[[str], None]


@dataclass
class _Side:
    """One side's jobs (the change, or the base) for one env."""

    root: Path
    name: str
    planned: dict[str, Planned] = field(default_factory=dict)


def _specs(env: str) -> list[StackSpec]:
    """The stacks of ``env`` in deploy order; the account's (bootstrap) form an env of their own."""
    return list(ACCOUNT_STACKS.values()) if env == ACCOUNT_STACK else deploy_order()


def envs_of(request: PlanRequest) -> tuple[str, ...]:
    """The account's stacks first (once, not per env), then the requested envs."""
    account = any(s in ACCOUNT_STACKS for s in request.stacks)
    return (ACCOUNT_STACK, *request.envs) if account else request.envs


def _wanted(request: PlanRequest, env: str) -> list[str]:
    """The stacks to render: the requested ones and those they reference, in deploy order."""
    return [
        spec.name
        for spec in _specs(env)
        if spec.name in request.stacks
        or any(spec.name in spec_of(s).references for s in request.stacks)
    ]


def _config(request: PlanRequest, root: Path, stack: str, env: str, head: bool) -> dict[str, str]:
    given = (request.config_files or {}).get((stack, env)) if head else None
    config = load_stack_config(
        stack, env, path=Path(given) if given else None, directory=root / "stacks" / stack
    )
    for key, value in ((request.config_overrides or {}).get((stack, env)) or {}).items():
        if head:
            config[key] = config_text(value)
    return config


def _changed(request: PlanRequest, env: str) -> set[str]:
    """Stacks whose base render may differ from the change's (their inputs, or a reference's)."""
    assert request.base is not None
    changed: set[str] = set()
    for spec in _specs(env):
        overridden = (
            (spec.name, env) in (request.config_files or {})
            or (spec.name, env) in (request.config_overrides or {})
            or spec.name in (request.programs or {})
        )
        if (
            overridden
            or differs(request.base, spec.name, env)
            or any(ref in changed for ref in spec.references)
        ):
            changed.add(spec.name)
    return changed


def _side_jobs(request: PlanRequest, env: str, side: _Side, only: set[str] | None) -> None:
    """Plan one side's jobs for ``env`` (``only``: the stacks the base must render again)."""
    head = side.name == "head"
    wanted = _wanted(request, env)
    for stack in wanted:
        if only is not None and stack not in only:
            continue
        readers = [s for s in request.stacks if stack in spec_of(s).references]
        if only is not None:
            readers = [s for s in readers if s in only]
        if stack not in request.stacks and not readers:
            continue
        program = (request.programs or {}).get(stack) if head else None
        failed = None
        try:
            config = _config(request, side.root, stack, env, head)
        except ConfigFileError as error:
            config, failed = {}, error.message
        needs = {}
        for ref in spec_of(stack).references:
            ref_side = side.name if ref in side.planned else "head"
            needs[f"{ORGANIZATION}/{ref}/{env}"] = f"{ref_side}:{ref}/{env}"
        job = RenderJob(
            stack=stack,
            env=env,
            side=side.name,
            root=side.root,
            config=config,
            program=Path(program) if program else None,
            preview=stack in request.stacks,
            deployed=bool(readers),
        )
        side.planned[stack] = Planned(job=job, needs=needs, failed=failed)


def plan_jobs(request: PlanRequest) -> list[Planned]:
    """Every render to run: the change's, then the base's where it may differ."""
    planned: list[Planned] = []
    for env in envs_of(request):
        head = _Side(REPO_ROOT, "head")
        _side_jobs(request, env, head, None)
        planned.extend(head.planned.values())
        if request.base is not None:
            base = _Side(request.base.root, "base")
            _side_jobs(request, env, base, _changed(request, env))
            planned.extend(base.planned.values())
    return planned


def plan(
    request: PlanRequest,
    analyzer: StackAnalyzer,
    *,
    progress: Progress | None = None,
    after_renders: Callable[[], None] | None = None,
) -> PlanReport:
    planned = plan_jobs(request)
    analyzer.prepare(envs_of(request))
    results = run_jobs(planned, timeout=request.timeout, jobs=request.jobs, progress=progress)
    if after_renders is not None:
        after_renders()
    stacks = []
    for env in envs_of(request):
        for stack in _wanted(request, env):
            if stack in request.stacks:
                stacks.append(_stack_plan(request, stack, env, results, analyzer))
    return PlanReport(
        stacks=stacks,
        exit_code=exit_code_of(stacks),
        base=request.base.label if request.base else None,
    )


def _stack_plan(
    request: PlanRequest,
    stack: str,
    env: str,
    results: dict[str, RenderResult],
    analyzer: StackAnalyzer,
) -> StackPlan:
    head = results[f"head:{stack}/{env}"]
    if head.error is not None or head.resources is None:
        error = _name_config_file(request, stack, env, head.error or "no render")
        return StackPlan(
            stack=stack,
            env=env,
            status="error",
            error=error,
            seconds=head.seconds,
            debug=head.debug,
        )
    verdicts = analyzer.analyze(stack, env, head.resources)
    managed = [r for r in head.resources if not r.read and r.custom]
    return StackPlan(
        stack=stack,
        env=env,
        status=status_of(verdicts.violations),
        resource_count=len(managed),
        resources=[
            ResourceRow(type=r.type, name=r.name, urn=r.urn, settings=settings_of(r))
            for r in managed
        ],
        violations=verdicts.violations,
        unverified=verdicts.unverified,
        exemptions=verdicts.exemptions,
        failover=_failover(head.outputs.get("failover")),
        diff=_diff(request, stack, env, results) if request.base else None,
        seconds=head.seconds,
    )


def _diff(
    request: PlanRequest, stack: str, env: str, results: dict[str, RenderResult]
) -> StackDiff:
    head = results[f"head:{stack}/{env}"]
    base = results.get(f"base:{stack}/{env}")
    if base is None:
        return StackDiff(status="unchanged")
    if base.error is not None or base.resources is None:
        if request.base is not None and not (request.base.root / "stacks" / stack).is_dir():
            return StackDiff(status="new", changes=diff_resources([], head.resources or []))
        return StackDiff(status="base-error", error=base.error or "no render")
    changes = diff_resources(base.resources, head.resources or [])
    return StackDiff(status="changed" if changes else "unchanged", changes=changes)


def _name_config_file(request: PlanRequest, stack: str, env: str, message: str) -> str:
    """A program names its config ``Pulumi.<env>.yaml``; say which file was read."""
    prefix = f"Pulumi.{env}.yaml: "
    if not message.startswith(prefix):
        return message
    given = (request.config_files or {}).get((stack, env))
    path = Path(given) if given else spec_of(stack).config_file(env)
    return f"{shown_path(path)}: {message.removeprefix(prefix)}"


def _failover(value: Any) -> Failover | None:
    if not isinstance(value, dict):
        return None
    try:
        figures = FailoverFigures.model_validate(value)
    except ValidationError:
        return None
    return Failover(
        detection_seconds=figures.detection_seconds,
        recovery_seconds=figures.recovery_seconds,
        drain_seconds=figures.drain_seconds,
        az_count=figures.az_count,
        min_healthy_per_az=figures.min_healthy_per_az,
    )
