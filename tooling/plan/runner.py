"""Plan stacks x envs: render each program in preview mode, analyze it with the policy pack."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from shared.environments import ENVIRONMENTS
from shared.serving_outputs import FailoverFigures
from shared.stacks import STACKS, deploy_order
from tooling.mock_runtime import (
    FakeAwsAccount,
    RegisteredResource,
    RenderError,
    load_stack_config,
    render,
)
from tooling.mock_runtime.render import ORGANIZATION
from tooling.plan.report import (
    Exemption,
    Failover,
    PlanReport,
    ResourceRow,
    StackPlan,
    Violation,
    exit_code_of,
    status_of,
)
from tooling.plan.summary import settings_of
from tooling.stack_config import ConfigFileError


class StackAnalyzer(Protocol):
    """Runs the policy pack over one stack's resources with the env's policy config."""

    def analyze(
        self, env: str, resources: Sequence[RegisteredResource]
    ) -> tuple[list[Violation], list[Exemption]]: ...


@dataclass(frozen=True)
class PlanRequest:
    envs: tuple[str, ...] = ENVIRONMENTS
    stacks: tuple[str, ...] = tuple(STACKS)
    config_overrides: dict[tuple[str, str], dict[str, Any]] | None = None
    """Per (stack, env): config keys set on top of the committed ``Pulumi.<env>.yaml``."""
    config_files: dict[tuple[str, str], str] | None = None
    """Per (stack, env): a config file to use instead of the committed one (fixtures)."""
    programs: dict[str, str] | None = None
    """Per stack: a folder whose ``__main__.py`` replaces the stack's program (fixtures)."""


Progress = Callable[[str], None]


def plan(
    request: PlanRequest,
    analyzer: StackAnalyzer,
    *,
    account: FakeAwsAccount | None = None,
    progress: Progress | None = None,
) -> PlanReport:
    account = account or FakeAwsAccount()
    stacks: list[StackPlan] = []
    for env in request.envs:
        outputs_by_stack: dict[str, dict[str, Any]] = {}
        failed: dict[str, str] = {}
        for spec in deploy_order():
            if spec.name not in request.stacks and not any(
                spec.name in STACKS[s].references for s in request.stacks
            ):
                continue
            if progress:
                progress(f"planning {spec.name}/{env}")
            broken = [ref for ref in spec.references if ref in failed]
            if broken:
                if spec.name in request.stacks:
                    stacks.append(
                        StackPlan(
                            stack=spec.name,
                            env=env,
                            status="error",
                            error=f"not planned: the {broken[0]} stack it references failed ({failed[broken[0]]})",
                        )
                    )
                failed[spec.name] = "a referenced stack failed"
                continue
            stack_outputs = {
                f"{ORGANIZATION}/{ref}/{env}": outputs_by_stack.get(ref, {})
                for ref in spec.references
            }
            result = _plan_one(
                request,
                stack=spec.name,
                env=env,
                account=account,
                stack_outputs=stack_outputs,
                analyzer=analyzer,
                analyze=spec.name in request.stacks,
            )
            if result.plan.status == "error":
                failed[spec.name] = result.plan.error or "error"
            outputs_by_stack[spec.name] = result.deployed_outputs
            if spec.name in request.stacks:
                stacks.append(result.plan)
    return PlanReport(stacks=stacks, exit_code=exit_code_of(stacks))


@dataclass
class _OneResult:
    plan: StackPlan
    deployed_outputs: dict[str, Any]


def _plan_one(
    request: PlanRequest,
    *,
    stack: str,
    env: str,
    account: FakeAwsAccount,
    stack_outputs: dict[str, dict[str, Any]],
    analyzer: StackAnalyzer,
    analyze: bool,
) -> _OneResult:
    started = time.perf_counter()
    overrides = (request.config_overrides or {}).get((stack, env))
    program_dir = (request.programs or {}).get(stack)
    program = Path(program_dir) if program_dir else None
    try:
        config = _config_from_file((request.config_files or {}).get((stack, env)), stack, env)
        # What the preview sees: a new stack, computed values unknown.
        previewed = render(
            stack,
            env,
            config=config,
            overrides=overrides,
            account=account,
            stack_outputs=stack_outputs,
            preview=True,
            program=program,
        )
        # What the stacks that reference this one would read once it is deployed.
        deployed_outputs: dict[str, Any] = {}
        if any(stack in spec.references for spec in STACKS.values()):
            deployed_outputs = render(
                stack,
                env,
                config=config,
                overrides=overrides,
                account=account,
                stack_outputs=stack_outputs,
                program=program,
            ).outputs
    except (RenderError, ConfigFileError) as error:
        return _OneResult(
            StackPlan(
                stack=stack,
                env=env,
                status="error",
                error=error.message,
                seconds=time.perf_counter() - started,
            ),
            {},
        )
    managed = previewed.created
    violations: list[Violation] = []
    exemptions: list[Exemption] = []
    if analyze:
        violations, exemptions = analyzer.analyze(env, previewed.resources)
    plan = StackPlan(
        stack=stack,
        env=env,
        status=status_of(violations),
        resource_count=len([r for r in managed if r.custom]),
        resources=[
            ResourceRow(type=r.type, name=r.name, settings=settings_of(r))
            for r in managed
            if r.custom
        ],
        violations=violations,
        exemptions=exemptions,
        failover=_failover(previewed.outputs.get("failover")),
        seconds=round(time.perf_counter() - started, 3),
    )
    return _OneResult(plan, deployed_outputs)


def _config_from_file(path: str | None, stack: str, env: str) -> dict[str, str] | None:
    return None if path is None else load_stack_config(stack, env, path=Path(path))


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
