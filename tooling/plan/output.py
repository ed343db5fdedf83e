"""Write a :class:`~tooling.plan.report.PlanReport` as a terminal table, Markdown and JSON."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from tooling.plan.report import PlanReport, StackPlan, Violation

STATUS_STYLE = {
    "clean": "green",
    "advisory": "yellow",
    "mandatory": "bold red",
    "error": "bold red",
}
STATUS_MARK = {
    "clean": "✅ clean",
    "advisory": "⚠️ advisory only",
    "mandatory": "❌ mandatory violations",
    "error": "💥 error",
}


def write_json(report: PlanReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.model_dump_json(indent=2) + "\n")


def print_report(report: PlanReport, console: Console, *, details: bool = True) -> None:
    if details:
        for plan in report.stacks:
            _print_stack(plan, console)
    summary = Table(title="Plan summary", show_lines=False)
    for column in ("stack", "env", "resources", "mandatory", "advisory", "exempt", "status"):
        summary.add_column(column)
    for plan in report.stacks:
        summary.add_row(
            plan.stack,
            plan.env,
            str(plan.resource_count),
            str(len(plan.mandatory)),
            str(len(plan.advisory)),
            str(len(plan.exemptions)),
            f"[{STATUS_STYLE[plan.status]}]{plan.status}[/]",
        )
    console.print(summary)
    console.print(f"exit code {report.exit_code}")


def _print_stack(plan: StackPlan, console: Console) -> None:
    console.rule(
        f"[bold]{plan.stack} / {plan.env}[/]  [{STATUS_STYLE[plan.status]}]{plan.status}[/]"
    )
    if plan.error:
        console.print(f"[bold red]error:[/] {plan.error}")
        return
    resources = Table(title=f"Resources ({plan.resource_count})", title_justify="left")
    resources.add_column("type")
    resources.add_column("name")
    resources.add_column("settings", overflow="fold")
    for row in sorted(plan.resources, key=lambda r: (r.type, r.name)):
        if row.settings:
            resources.add_row(
                short_type(row.type),
                row.name,
                "; ".join(f"{k}: {v}" for k, v in row.settings.items()),
            )
    other = {
        t: n
        for t, n in plan.type_counts().items()
        if not any(r.settings for r in plan.resources if r.type == t)
    }
    for type_, count in sorted(other.items()):
        resources.add_row(short_type(type_), f"({count})", "")
    console.print(resources)
    for level, violations in (("mandatory", plan.mandatory), ("advisory", plan.advisory)):
        if violations:
            console.print(_violations_table(level, violations))
    if plan.exemptions:
        exempt = Table(title="Exemptions (from policy config)", title_justify="left")
        for column in ("policy", "resource", "reason"):
            exempt.add_column(column)
        for e in plan.exemptions:
            exempt.add_row(e.policy, e.resource_name, e.reason)
        console.print(exempt)
    if plan.failover:
        f = plan.failover
        console.print(
            f"failover: detection ≤ {f.detection_seconds}s, drain {f.drain_seconds}s, "
            f"{f.az_count} AZs, ≥ {f.min_healthy_per_az} healthy target(s) per AZ"
        )


def _violations_table(level: str, violations: list[Violation]) -> Table:
    style = "bold red" if level == "mandatory" else "yellow"
    table = Table(title=f"[{style}]{level} violations ({len(violations)})[/]", title_justify="left")
    for column in ("policy", "resource", "message", "controls"):
        table.add_column(column, overflow="fold")
    for v in violations:
        table.add_row(
            v.policy,
            f"{short_type(v.resource_type)} {v.resource_name}".strip(),
            v.message,
            ", ".join(v.controls),
        )
    return table


def short_type(type_: str) -> str:
    """``aws:lb/loadBalancer:LoadBalancer`` -> ``lb.LoadBalancer``."""
    parts = type_.split(":")
    if len(parts) == 3:
        return f"{parts[1].split('/')[0]}.{parts[2]}"
    return type_


def markdown(report: PlanReport) -> str:
    """A pull-request comment: a summary table, then details per stack x env."""
    lines = ["## Offline plan and policy gate", ""]
    lines += [
        "| stack | env | resources | mandatory | advisory | exempt | result |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for p in report.stacks:
        lines.append(
            f"| {p.stack} | {p.env} | {p.resource_count} | {len(p.mandatory)} | {len(p.advisory)} | "
            f"{len(p.exemptions)} | {STATUS_MARK[p.status]} |"
        )
    lines.append("")
    for p in report.stacks:
        if p.error:
            lines += [f"### {p.stack} / {p.env}: error", "", f"`{p.error}`", ""]
            continue
        if not (p.violations or p.exemptions or p.failover):
            continue
        lines += [
            f"<details><summary><b>{p.stack} / {p.env}</b>: {STATUS_MARK[p.status]}</summary>",
            "",
        ]
        if p.violations:
            lines += ["| level | policy | resource | message | controls |", "|---|---|---|---|---|"]
            for v in sorted(p.violations, key=lambda v: (v.level != "mandatory", v.policy)):
                message = v.message.replace("|", "\\|").replace("\n", " ")
                lines.append(
                    f"| {v.level} | `{v.policy}` | {short_type(v.resource_type)} `{v.resource_name}` | {message} | {', '.join(v.controls)} |"
                )
            lines.append("")
        if p.exemptions:
            lines += ["Exempt by policy config:", ""]
            lines += [f"- `{e.policy}` on `{e.resource_name}`: {e.reason}" for e in p.exemptions]
            lines.append("")
        if p.failover:
            f = p.failover
            lines += [
                f"Failover: detection ≤ **{f.detection_seconds}s**, drain **{f.drain_seconds}s**, "
                f"**{f.az_count}** AZs, ≥ **{f.min_healthy_per_az}** healthy target(s) per AZ.",
                "",
            ]
        lines += ["</details>", ""]
    lines.append(
        f"Exit code: **{report.exit_code}** (0 clean or advisory only, 1 mandatory violations, 2 program or config error)."
    )
    return "\n".join(lines) + "\n"
