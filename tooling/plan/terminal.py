"""The plan in a terminal or a CI log: one table per stack x env (what the change does, then the
verdicts), then a summary; every table fits 100 columns and no resource name is cut.

``--resources`` adds each stack's full resource list with the settings reviewers care about.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tooling.plan.report import Action, PlanReport, PropertyChange, ResourceChange, StackPlan
from tooling.plan.text import clean, value_text

WIDTH = 100
STATUS_STYLE = {
    "clean": "green",
    "advisory": "yellow",
    "mandatory": "bold red",
    "error": "bold red",
}
ACTION_MARK = {"add": "+ add", "remove": "- remove", "replace": "± replace", "change": "~ change"}
ACTION_STYLE = {"add": "green", "remove": "red", "replace": "bold magenta", "change": "yellow"}


def console_for(stream: object = None, *, terminal: bool | None = None) -> Console:
    """A console at most :data:`WIDTH` columns wide (a CI log has no width of its own)."""
    console = Console(file=stream, highlight=False, force_terminal=terminal)  # type: ignore[arg-type]
    console.width = min(console.width if console.is_terminal else WIDTH, WIDTH)
    return console


def short_type(type_: str) -> str:
    """``aws:lb/loadBalancer:LoadBalancer`` -> ``lb.LoadBalancer``."""
    parts = type_.split(":")
    if len(parts) == 3:
        return f"{parts[1].split('/')[0]}.{parts[2]}"
    return type_


def resource_text(type_: str, name: str) -> Text:
    return Text(f"{clean(short_type(type_))} {clean(name)}".strip(), "bold")


def _cell(type_: str, name: str, *lines: str) -> Text:
    """The resource, whole on its own line, then what is said about it."""
    text = resource_text(type_, name)
    for line in lines:
        text.append("\n" + line)
    return text


def property_line(change: PropertyChange) -> str:
    mark = " (replaces)" if change.replaces else ""
    return f"{clean(change.path)}: {value_text(change.old)} → {value_text(change.new)}{mark}"


def _change_lines(change: ResourceChange) -> list[str]:
    lines = []
    if change.reason:
        lines.append(f"replaced: {clean(change.reason)}")
    if change.old_urn:
        old_type, _, old_name = change.old_urn.rpartition("::")
        same_type = old_type.endswith(change.type)
        lines.append(f"was {clean(old_name if same_type else change.old_urn)}")
    if change.action in ("add", "remove"):
        values = ((p.path, p.new if change.action == "add" else p.old) for p in change.properties)
        return lines + [f"{clean(path)} = {value_text(value)}" for path, value in values]
    return lines + [property_line(p) for p in change.properties]


def stack_table(plan: StackPlan, *, base: str | None) -> Table:
    """One stack x env: the diff (with ``--base``), then violations, unverified checks, exemptions."""
    table = Table(
        title=Text.assemble(
            (f"{plan.stack} / {plan.env}", "bold"),
            "  ",
            (plan.status, STATUS_STYLE[plan.status]),
            f"  {plan.resource_count} resources",
        ),
        title_justify="left",
        show_lines=True,
        expand=True,
    )
    table.add_column("what", no_wrap=True)
    table.add_column("resource and detail", overflow="fold", ratio=1)
    if plan.error:
        table.add_row(Text("error", "bold red"), Text(clean(plan.error)))
        return table
    if plan.diff is not None:
        if plan.diff.status == "base-error":
            table.add_row(
                "diff", Text(f"the base ({base}) did not render: {clean(plan.diff.error)}")
            )
        elif not plan.diff.changes:
            table.add_row("diff", Text(f"no changes against {base}"))
        for change in plan.diff.changes:
            table.add_row(
                Text(ACTION_MARK[change.action], ACTION_STYLE[change.action]),
                _cell(change.type, change.name, *_change_lines(change)),
            )
    for v in sorted(plan.violations, key=lambda v: (v.level != "mandatory", v.policy)):
        controls = f" [{', '.join(v.controls)}]" if v.controls else ""
        table.add_row(
            Text(v.level, "bold red" if v.level == "mandatory" else "yellow"),
            _cell(v.resource_type, v.resource_name, f"{v.policy}: {clean(v.message)}{controls}"),
        )
    for u in plan.unverified:
        table.add_row(
            Text("unverified", "cyan"), _cell(u.resource_type, u.resource_name, clean(u.message))
        )
    for e in plan.exemptions:
        table.add_row(
            Text("exempt", "dim"),
            _cell(e.resource_type, e.resource_name, f"{e.policy}: {clean(e.reason)}"),
        )
    if not table.row_count:
        table.add_row(Text("ok", "green"), "no violations, unverified checks or exemptions")
    if plan.failover:
        f = plan.failover
        table.caption = (
            f"failover: detection ≤ {f.detection_seconds}s, drain {f.drain_seconds}s, "
            f"{f.az_count} AZs, ≥ {f.min_healthy_per_az} healthy target(s) per AZ"
        )
        table.caption_justify = "left"
    return table


def resources_table(plan: StackPlan) -> Table:
    table = Table(title=f"{plan.stack} / {plan.env}: resources", title_justify="left", expand=True)
    table.add_column("resource and settings", overflow="fold")
    for row in sorted(plan.resources, key=lambda r: (r.type, r.name)):
        settings = "; ".join(f"{k}: {clean(v)}" for k, v in row.settings.items())
        table.add_row(_cell(row.type, row.name, *([settings] if settings else [])))
    return table


def change_counts(plan: StackPlan) -> str:
    """``+2 ~1 ±0 -0`` with only what is there; ``none`` when nothing changes."""
    if plan.diff is None:
        return ""
    if plan.diff.status == "base-error":
        return "base failed"
    marks: tuple[tuple[Action, str], ...] = (
        ("add", "+"),
        ("change", "~"),
        ("replace", "±"),
        ("remove", "-"),
    )
    parts = [f"{mark}{plan.diff.count(a)}" for a, mark in marks if plan.diff.count(a)]
    return " ".join(parts) or "none"


def summary_table(report: PlanReport) -> Table:
    table = Table(title="Plan summary", title_justify="left")
    columns = ["stack", "env", "res"]
    if report.base:
        columns.append("changes")
    columns += ["mandatory", "advisory", "unverified", "exempt", "status"]
    for column in columns:
        numeric = column not in ("stack", "env", "status", "changes")
        table.add_column(column, justify="right" if numeric else "left", no_wrap=True)
    for p in report.stacks:
        row = [p.stack, p.env, str(p.resource_count)]
        if report.base:
            row.append(change_counts(p))
        row += [str(len(p.mandatory)), str(len(p.advisory)), str(len(p.unverified))]
        row += [str(len(p.exemptions))]
        table.add_row(*row, Text(p.status, STATUS_STYLE[p.status]))
    return table


def print_report(
    report: PlanReport, console: Console, *, details: bool = True, resources: bool = False
) -> None:
    if details:
        for plan in report.stacks:
            console.print(stack_table(plan, base=report.base))
            if resources and not plan.error:
                console.print(resources_table(plan))
    console.print(summary_table(report))
    console.print(f"exit code {report.exit_code}")
