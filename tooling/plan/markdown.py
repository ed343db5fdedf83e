"""The plan as a pull-request comment: what the change does first, then the policy verdicts.

Everything a program chose (names, values, messages) goes through :mod:`tooling.plan.text`, so a
comment shows it without rendering it.
"""

from __future__ import annotations

from tooling.plan.report import PlanReport, ResourceChange, StackPlan
from tooling.plan.terminal import change_counts, short_type
from tooling.plan.text import md_code, md_text, value_text

TITLE = "## Offline plan and policy gate"
STATUS_MARK = {
    "clean": "✅ clean",
    "advisory": "⚠️ advisory only",
    "mandatory": "❌ mandatory violations",
    "error": "💥 error",
}
ACTION_MARK = {"add": "🟢 add", "remove": "🔴 remove", "replace": "♻️ replace", "change": "✏️ change"}
MAX_PROPERTIES = 12
"""Per resource in the comment (the JSON has them all)."""


def _resource(type_: str, name: str) -> str:
    return f"{md_code(short_type(type_))} {md_code(name)}" if name else md_code(short_type(type_))


def _change_cell(change: ResourceChange) -> str:
    lines = []
    if change.reason:
        lines.append(f"replaced: {md_text(change.reason)}")
    for p in change.properties[:MAX_PROPERTIES]:
        if change.action in ("add", "remove"):
            value = p.new if change.action == "add" else p.old
            lines.append(f"{md_code(p.path)} = {md_code(value_text(value))}")
            continue
        line = f"{md_code(p.path)}: {md_code(value_text(p.old))} → {md_code(value_text(p.new))}"
        lines.append(f"**{line}**" if p.key or p.replaces else line)
    if len(change.properties) > MAX_PROPERTIES:
        lines.append(f"… and {len(change.properties) - MAX_PROPERTIES} more (in the JSON report)")
    return "<br>".join(lines)


def diff_section(report: PlanReport) -> list[str]:
    lines = [f"### What this change does (compared with {md_code(report.base)})", ""]
    unchanged = []
    for p in report.stacks:
        if p.diff is None or p.error:
            continue
        if p.diff.status == "base-error":
            lines += [
                f"**{p.stack} / {p.env}**: the base did not render ({md_text(p.diff.error)}).",
                "",
            ]
            continue
        if not p.diff.changes:
            unchanged.append(f"{p.stack}/{p.env}")
            continue
        lines += [
            f"**{p.stack} / {p.env}**: {change_counts(p)}",
            "",
            "| change | resource | properties (old → new) |",
            "|---|---|---|",
        ]
        for change in p.diff.changes:
            lines.append(
                f"| {ACTION_MARK[change.action]} | {_resource(change.type, change.name)} | {_change_cell(change)} |"
            )
        lines.append("")
    if unchanged:
        lines += [f"No changes: {', '.join(unchanged)}.", ""]
    if report.base and all(p.diff is None or not p.diff.changes for p in report.stacks):
        lines += ["This change does not change any stack's resources.", ""]
    return lines


def verdict_table(report: PlanReport) -> list[str]:
    lines = [
        "| stack | env | resources | mandatory | advisory | unverified | exempt | result |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for p in report.stacks:
        lines.append(
            f"| {p.stack} | {p.env} | {p.resource_count} | {len(p.mandatory)} | {len(p.advisory)} | "
            f"{len(p.unverified)} | {len(p.exemptions)} | {STATUS_MARK[p.status]} |"
        )
    return [*lines, ""]


def _details(p: StackPlan) -> list[str]:
    lines = [
        f"<details><summary><b>{p.stack} / {p.env}</b>: {STATUS_MARK[p.status]}</summary>",
        "",
    ]
    if p.violations:
        lines += ["| level | policy | resource | message | controls |", "|---|---|---|---|---|"]
        for v in sorted(p.violations, key=lambda v: (v.level != "mandatory", v.policy)):
            lines.append(
                f"| {v.level} | {md_code(v.policy)} | {_resource(v.resource_type, v.resource_name)} | "
                f"{md_text(v.message)} | {md_text(', '.join(v.controls))} |"
            )
        lines.append("")
    if p.unverified:
        lines += ["Not verifiable in a preview (the pack enforces these at deploy):", ""]
        lines += [
            f"- {md_code(u.policy)} on {_resource(u.resource_type, u.resource_name)}: "
            f"{md_text(u.what or u.message)} is unknown"
            for u in p.unverified
        ]
        lines.append("")
    if p.exemptions:
        lines += ["Exempt by policy config:", ""]
        lines += [
            f"- {md_code(e.policy)} on {md_code(e.resource_name)}: {md_text(e.reason)}"
            for e in p.exemptions
        ]
        lines.append("")
    if p.failover:
        f = p.failover
        lines += [
            f"Failover: detection ≤ **{f.detection_seconds}s**, drain **{f.drain_seconds}s**, "
            f"**{f.az_count}** AZs, ≥ **{f.min_healthy_per_az}** healthy target(s) per AZ.",
            "",
        ]
    return [*lines, "</details>", ""]


def markdown(report: PlanReport) -> str:
    """A pull-request comment: the diff (with a base), the verdicts, details per stack x env."""
    lines = [TITLE, ""]
    if report.error:
        lines += [f"💥 The gate failed: {md_code(report.error)}", ""]
    if report.base:
        lines += diff_section(report)
    if report.stacks:
        lines += ["### Policy verdicts", "", *verdict_table(report)]
    for p in report.stacks:
        if p.error:
            lines += [f"**{p.stack} / {p.env}: error**: {md_code(p.error)}", ""]
        elif p.violations or p.unverified or p.exemptions or p.failover:
            lines += _details(p)
    lines.append(
        f"Exit code: **{report.exit_code}** (0 clean or advisory only, 1 mandatory violations, "
        "2 program, config or gate error)."
    )
    return "\n".join(lines) + "\n"
