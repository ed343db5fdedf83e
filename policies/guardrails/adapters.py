"""Turn plain checks into CrossGuard policies.

A check is a plain function over plain values, tested directly as well as through the pack:

- resource check: ``check(resource, config) -> list[Finding]``;
- stack check: ``check(resources, config) -> list[tuple[Resource, Finding]]``, the resource to
  blame and the finding.

A finding is a violation message (``str``) or an :class:`~guardrails.findings.Unverified` note: a
decisive value a preview does not know. The adapters read the props through
:func:`guardrails.values.plain` (unknowns never raise), apply the policy's config over its
defaults, report the violations, and turn exemptions into *not applicable* with the reason. The
notes are reported by one policy, :func:`unverified_policy`, which runs every check again over the
stack (with each policy's defaults) and keeps only the notes: a policy's own level is the level the
engine reports its violations at, so a mandatory policy could not say "maybe".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import (
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from guardrails.exemptions import EXEMPT_PREFIX, exemption_reason
from guardrails.findings import Finding, Unverified, unverified_message, violations
from guardrails.meta import Guardrail
from guardrails.resource import Resource
from guardrails.settings import config_schema, effective_config
from guardrails.values import plain

ResourceCheck = Callable[[Resource, dict[str, Any]], list[Finding]]
StackCheck = Callable[[list[Resource], dict[str, Any]], list[tuple[Resource, Finding]]]

RESOURCE_CHECKS: dict[str, tuple[frozenset[str], ResourceCheck]] = {}
"""Every resource policy's types and plain check, by policy name (for tests and tools)."""
STACK_CHECKS: dict[str, StackCheck] = {}
"""Every stack policy's plain check, by policy name."""
_GUARDRAILS: dict[str, Guardrail] = {}


def _metadata(guardrail: Guardrail) -> dict[str, Any]:
    """What the engine shows of a policy; the controls also go in its tags."""
    return {
        "name": guardrail.name,
        "description": guardrail.summary,
        "config_schema": config_schema(guardrail),
        "severity": guardrail.severity,
        "remediation_steps": guardrail.remediation,
        "tags": list(guardrail.controls),
    }


def resource_policy(
    guardrail: Guardrail, types: frozenset[str], check: ResourceCheck
) -> ResourceValidationPolicy:
    """A policy that runs ``check`` on every resource of one of ``types`` (with its inputs)."""
    RESOURCE_CHECKS[guardrail.name] = (types, check)
    _GUARDRAILS[guardrail.name] = guardrail

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in types and "*" not in types:
            return
        resource = Resource(args.resource_type, args.name, args.urn, plain(args.props))
        config = effective_config(guardrail, args.get_config())
        reason = exemption_reason(config, resource)
        if reason is not None:
            args.not_applicable(f"{EXEMPT_PREFIX}{reason}")  # raises: the check does not run
            return
        for message in violations(check(resource, config)):
            report_violation(message, None)

    return ResourceValidationPolicy(validate=validate, **_metadata(guardrail))


def stack_resources(args: StackValidationArgs) -> list[Resource]:
    """The stack's resources with their outputs and links, as plain values."""
    return [
        Resource(
            type=r.resource_type,
            name=r.name,
            urn=r.urn,
            props=plain(r.props),
            parent=r.parent.urn if r.parent is not None else None,
            dependencies=[d.urn for d in r.dependencies],
            property_dependencies={
                key: [d.urn for d in deps] for key, deps in r.property_dependencies.items()
            },
        )
        for r in args.resources
    ]


def _report(
    guardrail: Guardrail,
    args: StackValidationArgs,
    found: list[tuple[Resource, str]],
    config: dict[str, Any],
    report_violation: ReportViolation,
) -> None:
    """Report each violation on its resource; exempt resources' ones as *not applicable*."""
    exempted: dict[str, str] = {}
    for resource, message in found:
        reason = exemption_reason(config, resource)
        if reason is None:
            report_violation(message, resource.urn)
        else:
            exempted[resource.name] = reason
    if exempted:
        listed = "; ".join(f"{name}: {reason}" for name, reason in exempted.items())
        args.not_applicable(f"{EXEMPT_PREFIX}{listed}")


def stack_policy(guardrail: Guardrail, check: StackCheck) -> StackValidationPolicy:
    """A policy that runs ``check`` once over the whole stack (outputs, parents, dependencies).

    Violations of exempt resources are not reported; the exemptions are, as *not applicable*
    (after the violations of the other resources, which stay reported).
    """
    STACK_CHECKS[guardrail.name] = check
    _GUARDRAILS[guardrail.name] = guardrail

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config = effective_config(guardrail, args.get_config())
        found = [(r, f) for r, f in check(stack_resources(args), config) if isinstance(f, str)]
        _report(guardrail, args, found, config, report_violation)

    return StackValidationPolicy(validate=validate, **_metadata(guardrail))


def unverified_notes(resources: list[Resource]) -> list[tuple[Resource, str]]:
    """What every check could not judge over ``resources``, as ``preview-unverified`` words it.

    Each check runs with its policy's defaults (a policy cannot read another's config); resource
    checks see each resource's outputs, which hold its inputs.
    """
    notes: list[tuple[Resource, str]] = []
    for name, (types, check) in RESOURCE_CHECKS.items():
        config = effective_config(_GUARDRAILS[name], None)
        for resource in resources:
            if resource.type in types or "*" in types:
                notes += [
                    (resource, unverified_message(name, f))
                    for f in check(resource, config)
                    if isinstance(f, Unverified)
                ]
    for name, stack_check in STACK_CHECKS.items():
        config = effective_config(_GUARDRAILS[name], None)
        notes += [
            (resource, unverified_message(name, f))
            for resource, f in stack_check(resources, config)
            if isinstance(f, Unverified)
        ]
    unique = {(r.urn, message): (r, message) for r, message in notes}
    return list(unique.values())


def unverified_policy(guardrail: Guardrail) -> StackValidationPolicy:
    """The one policy that reports, per resource, what the preview could not verify."""
    _GUARDRAILS[guardrail.name] = guardrail

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config = effective_config(guardrail, args.get_config())
        notes = unverified_notes(stack_resources(args))
        _report(guardrail, args, notes, config, report_violation)

    return StackValidationPolicy(validate=validate, **_metadata(guardrail))
