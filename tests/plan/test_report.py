"""The plan report: statuses, exit codes, JSON shape and Markdown, from hand-built plans."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from tooling.plan.output import markdown, print_report, short_type, write_json
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

ALB_URN = "urn:pulumi:prod::serving::acme:serving:ServingAlb$aws:lb/loadBalancer:LoadBalancer::serving-alb"


def _violation(level: str) -> Violation:
    return Violation(
        policy="alb-access-logs-enabled",
        level=level,  # type: ignore[arg-type]
        severity="high",
        resource_type="aws:lb/loadBalancer:LoadBalancer",
        resource_name="serving-alb",
        resource_urn=ALB_URN,
        message="access logs are off | enable them",
        controls=["SecurityHub ELB.5", "CKV_AWS_91"],
    )


def _plan(*violations: Violation, error: str | None = None) -> StackPlan:
    if error:
        return StackPlan(stack="serving", env="prod", status="error", error=error)
    return StackPlan(
        stack="serving",
        env="prod",
        status=status_of(list(violations)),
        resource_count=1,
        resources=[
            ResourceRow(
                type="aws:lb/loadBalancer:LoadBalancer",
                name="serving-alb",
                settings={"scheme": "internet-facing", "access logs": "false"},
            )
        ],
        violations=list(violations),
        exemptions=[
            Exemption(
                policy="alb-waf-associated",
                resource_name="serving-alb",
                reason="WAF is managed by the edge team",
            )
        ],
        failover=Failover(
            detection_seconds=10,
            recovery_seconds=10,
            drain_seconds=30,
            az_count=3,
            min_healthy_per_az=1,
        ),
    )


def test_status_and_exit_code() -> None:
    assert status_of([]) == "clean"
    assert status_of([_violation("advisory")]) == "advisory"
    assert status_of([_violation("advisory"), _violation("mandatory")]) == "mandatory"
    assert exit_code_of([_plan()]) == 0
    assert exit_code_of([_plan(_violation("advisory"))]) == 0
    assert exit_code_of([_plan(_violation("mandatory"))]) == 1
    assert (
        exit_code_of([_plan(_violation("mandatory")), _plan(error="Pulumi.prod.yaml: x = 1: bad")])
        == 2
    )


def test_json_round_trips_with_the_documented_shape(tmp_path: Path) -> None:
    report = PlanReport(stacks=[_plan(_violation("mandatory"))], exit_code=1)
    path = tmp_path / "prod" / "serving.json"
    write_json(report, path)
    data = json.loads(path.read_text())
    assert set(data) == {"schema_version", "mode", "exit_code", "stacks"}
    assert data["mode"] == "preview"
    (stack,) = data["stacks"]
    assert set(stack) == {
        "stack", "env", "status", "error", "seconds", "resource_count",
        "resources", "violations", "exemptions", "failover",
    }  # fmt: skip
    assert stack["violations"][0]["controls"] == ["SecurityHub ELB.5", "CKV_AWS_91"]
    assert stack["failover"]["detection_seconds"] == 10
    assert PlanReport.model_validate(data) == report


def test_markdown_lists_violations_by_level_with_controls() -> None:
    text = markdown(
        PlanReport(stacks=[_plan(_violation("mandatory"), _violation("advisory"))], exit_code=1)
    )
    assert "| serving | prod | 1 | 1 | 1 | 1 | ❌ mandatory violations |" in text
    assert (
        "| mandatory | `alb-access-logs-enabled` | lb.LoadBalancer `serving-alb` | access logs are off \\| enable them | SecurityHub ELB.5, CKV_AWS_91 |"
        in text
    )
    assert text.index("| mandatory |") < text.index("| advisory |")
    assert "- `alb-waf-associated` on `serving-alb`: WAF is managed by the edge team" in text
    assert "detection ≤ **10s**" in text
    assert "Exit code: **1**" in text


def test_markdown_shows_a_program_error_as_one_line() -> None:
    text = markdown(
        PlanReport(
            stacks=[_plan(error="Pulumi.prod.yaml: serving:models[0].port = 70000: too big")],
            exit_code=2,
        )
    )
    assert "### serving / prod: error" in text
    assert "`Pulumi.prod.yaml: serving:models[0].port = 70000: too big`" in text


def test_terminal_table_has_resources_violations_and_failover() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, color_system=None)
    print_report(PlanReport(stacks=[_plan(_violation("mandatory"))], exit_code=1), console)
    out = buffer.getvalue()
    assert "serving / prod" in out
    assert "scheme: internet-facing; access logs: false" in out
    assert "mandatory violations (1)" in out
    assert "CKV_AWS_91" in out
    assert "failover: detection ≤ 10s, drain 30s, 3 AZs, ≥ 1 healthy target(s) per AZ" in out
    assert "exit code 1" in out


def test_short_type() -> None:
    assert short_type("aws:lb/loadBalancer:LoadBalancer") == "lb.LoadBalancer"
    assert short_type("pulumi:pulumi:StackReference") == "pulumi.StackReference"
