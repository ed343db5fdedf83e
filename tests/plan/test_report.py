"""The plan report: statuses, exit codes, JSON shape, Markdown and the terminal, from hand-built plans."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from tooling.plan.markdown import markdown
from tooling.plan.output import write_json
from tooling.plan.report import (
    Exemption,
    Failover,
    PlanReport,
    PropertyChange,
    ResourceChange,
    ResourceRow,
    StackDiff,
    StackPlan,
    Unverified,
    Violation,
    exit_code_of,
    status_of,
)
from tooling.plan.terminal import WIDTH, console_for, print_report, short_type

ALB_URN = "urn:pulumi:prod::serving::acme:serving:ServingAlb$aws:lb/loadBalancer:LoadBalancer::serving-alb"
LISTENER = "aws:lb/listener:Listener"
LONG_NAME = "serving-https-listener-rule-for-the-llm-chat-model-v2-canary"


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


def _unverified() -> Unverified:
    return Unverified(
        policy="alb-tls-policy-allowed",
        what="sslPolicy",
        resource_type=LISTENER,
        resource_name="serving-https",
        message="alb-tls-policy-allowed: cannot verify during preview (sslPolicy is unknown); enforced at deploy",
    )


def _diff() -> StackDiff:
    return StackDiff(
        status="changed",
        changes=[
            ResourceChange(
                action="change",
                type=LISTENER,
                name=LONG_NAME,
                urn=f"urn:pulumi:prod::serving::{LISTENER}::{LONG_NAME}",
                properties=[
                    PropertyChange(
                        path="sslPolicy",
                        old="ELBSecurityPolicy-TLS13-1-2-2021-06",
                        new="ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
                        key=True,
                    )
                ],
            ),
            ResourceChange(
                action="add", type="aws:lb/targetGroup:TargetGroup", name="srv-prod-new", urn="u"
            ),
        ],
    )


def _plan(
    *violations: Violation, error: str | None = None, diff: StackDiff | None = None
) -> StackPlan:
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
        unverified=[_unverified()],
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
        diff=diff,
    )


def test_status_and_exit_code_ignore_unverified_checks() -> None:
    assert status_of([]) == "clean"
    assert status_of([_violation("advisory")]) == "advisory"
    assert status_of([_violation("advisory"), _violation("mandatory")]) == "mandatory"
    assert _plan().unverified and exit_code_of([_plan()]) == 0
    assert exit_code_of([_plan(_violation("advisory"))]) == 0
    assert exit_code_of([_plan(_violation("mandatory"))]) == 1
    assert exit_code_of([_plan(_violation("mandatory")), _plan(error="x.yaml:1:1: bad")]) == 2


def test_json_round_trips_with_the_documented_shape(tmp_path: Path) -> None:
    report = PlanReport(
        stacks=[_plan(_violation("mandatory"), diff=_diff())], exit_code=1, base="main (abc1234)"
    )
    path = tmp_path / "prod" / "serving.json"
    write_json(report, path)
    data = json.loads(path.read_text())
    assert set(data) == {"schema_version", "mode", "exit_code", "error", "base", "stacks"}
    assert (data["schema_version"], data["mode"], data["base"]) == (2, "preview", "main (abc1234)")
    (stack,) = data["stacks"]
    assert set(stack) == {
        "stack", "env", "status", "error", "seconds", "resource_count", "resources",
        "violations", "unverified", "exemptions", "failover", "diff",
    }  # fmt: skip
    assert stack["unverified"][0]["what"] == "sslPolicy"
    change = stack["diff"]["changes"][0]
    assert change["properties"][0] == {
        "path": "sslPolicy",
        "old": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "new": "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        "key": True,
        "replaces": False,
    }
    assert PlanReport.model_validate(data) == report


def test_markdown_leads_with_the_diff_then_the_verdicts() -> None:
    text = markdown(
        PlanReport(
            stacks=[_plan(_violation("mandatory"), diff=_diff())],
            exit_code=1,
            base="main (abc1234)",
        )
    )
    assert text.index("What this change does") < text.index("Policy verdicts")
    assert "compared with <code>main (abc1234)</code>" in text
    assert "**serving / prod**: +1 ~1" in text
    assert (
        f"| ✏️ change | <code>lb.Listener</code> <code>{LONG_NAME}</code> | **<code>sslPolicy</code>: "
        "<code>ELBSecurityPolicy-TLS13-1-2-2021-06</code> → <code>ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09</code>** |"
    ) in text
    assert "| serving | prod | 1 | 1 | 0 | 1 | 1 | ❌ mandatory violations |" in text
    assert "access logs are off \\| enable them" in text
    assert (
        "<code>alb-tls-policy-allowed</code> on <code>lb.Listener</code> <code>serving-https</code>: sslPolicy is unknown"
        in text
    )
    assert (
        "- <code>alb-waf-associated</code> on <code>serving-alb</code>: WAF is managed by the edge team"
        in text
    )
    assert "detection ≤ **10s**" in text
    assert "Exit code: **1**" in text


def test_without_a_base_the_markdown_has_no_diff_section() -> None:
    text = markdown(PlanReport(stacks=[_plan()], exit_code=0))
    assert "What this change does" not in text
    assert text.startswith("## Offline plan and policy gate\n\n### Policy verdicts")


def test_program_made_text_cannot_format_mention_or_link_in_the_comment() -> None:
    hostile = (
        "x`</code><img src=x> @acme/security-team [click](https://evil.example) | ** \n## fake"
    )
    plan = _plan(error=hostile)
    text = markdown(PlanReport(stacks=[plan], exit_code=2))
    line = next(line for line in text.splitlines() if "error" in line and "serving / prod" in line)
    assert "<img" not in text and "</code><img" not in text
    assert "\n## fake" not in text
    assert "&#124;" in line and "&#96;" in line


def test_markdown_shows_a_program_error_as_one_line() -> None:
    text = markdown(
        PlanReport(
            stacks=[_plan(error="x.yaml:3:5: serving:models[0].port = 70000: too big")], exit_code=2
        )
    )
    assert (
        "**serving / prod: error**: <code>x.yaml:3:5: serving:models[0].port = 70000: too big</code>"
        in text
    )


def test_a_gate_failure_is_the_comment_not_a_stale_one() -> None:
    text = markdown(PlanReport(exit_code=2, error="stopped by SIGTERM"))
    assert "💥 The gate failed: <code>stopped by SIGTERM</code>" in text
    assert "Exit code: **2**" in text


def test_terminal_one_table_per_stack_fits_100_columns_and_keeps_names_whole() -> None:
    buffer = io.StringIO()
    console = console_for(buffer, terminal=False)
    assert console.width == WIDTH
    report = PlanReport(
        stacks=[_plan(_violation("mandatory"), diff=_diff())], exit_code=1, base="main"
    )
    print_report(report, console)
    out = buffer.getvalue()
    assert max(len(line) for line in out.splitlines()) <= WIDTH
    assert LONG_NAME in out  # never cut, however narrow the table
    rows = out[out.index("┡") :]
    order = [rows.index(f"│ {what}") for what in ("~ change", "mandatory", "unverified", "exempt")]
    assert order == sorted(order)
    assert "sslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06 →" in out
    assert "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09" in out
    assert "failover: detection ≤ 10s, drain 30s, 3 AZs, ≥ 1 healthy target(s) per AZ" in out
    summary = out[out.index("Plan summary") :]
    assert "unverified" in summary and "changes" in summary
    assert "serving │ prod │   1 │ +1 ~1" in summary
    assert "exit code 1" in out


def test_the_resource_list_is_behind_a_flag() -> None:
    plain, full = io.StringIO(), io.StringIO()
    report = PlanReport(stacks=[_plan()], exit_code=0)
    print_report(report, console_for(plain, terminal=False))
    print_report(report, console_for(full, terminal=False), resources=True)
    assert "scheme: internet-facing; access logs: false" not in plain.getvalue()
    assert "scheme: internet-facing; access logs: false" in full.getvalue()


def test_program_made_text_cannot_drive_the_terminal() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, color_system=None)
    print_report(
        PlanReport(
            stacks=[_plan(error="[bold]x[/] \x1b[2J\x1b[Hplan: exit code 0\nfake")], exit_code=2
        ),
        console,
    )
    out = buffer.getvalue()
    assert "\x1b" not in out
    assert "[bold]x[/]" in out  # shown, not interpreted as markup
    assert "\nfake" not in out


def test_short_type() -> None:
    assert short_type("aws:lb/loadBalancer:LoadBalancer") == "lb.LoadBalancer"
    assert short_type("pulumi:pulumi:StackReference") == "pulumi.StackReference"
