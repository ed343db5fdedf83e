"""What every guardrail declares, and the adapters that turn a check into a CrossGuard policy.

A check is a plain function over plain values, so it is tested directly as well as through the
pack's gRPC protocol:

- resource checks: ``check(resource: Resource, config: dict) -> list[str]`` (one message a violation);
- stack checks: ``check(resources: list[Resource], config: dict) -> list[tuple[Resource, str]]``.

Unknown values (a preview cannot know ids and ARNs of new resources) arrive as :data:`UNKNOWN`,
never as an exception: a check treats "present but unknown" as present and never guesses its value.
Exemptions come from the policy's config (``exemptions: [{resource, reason}]``): an exempt resource
is reported back as not applicable, with the reason, so the exemption shows in the output.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError


class _Unknown:
    """A value a preview cannot know yet."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = _Unknown()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


def plain(value: Any) -> Any:
    """Copy the SDK's unknown-checking proxies into dicts and lists, unknowns as :data:`UNKNOWN`."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key in list(value.keys()):
            try:
                out[key] = plain(value[key])
            except UnknownValueError:
                out[key] = UNKNOWN
        return out
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                items.append(plain(value[index]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


@dataclass
class Resource:
    """A resource as a check sees it: plain props, and for stack checks its links."""

    type: str
    name: str
    urn: str
    props: dict[str, Any]
    parent: str | None = None
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)

    def get(self, *path: str | int, default: Any = None) -> Any:
        value: Any = self.props
        for key in path:
            if is_unknown(value):
                return UNKNOWN
            if isinstance(key, int):
                if not isinstance(value, list) or key >= len(value):
                    return default
                value = value[key]
            else:
                if not isinstance(value, dict) or key not in value:
                    return default
                value = value[key]
        return value

    def linked_to(self, other: Resource, prop: str | None = None) -> bool:
        """True if this resource's input ``prop`` (or any input) comes from ``other``."""
        if prop is not None:
            return other.urn in self.property_dependencies.get(prop, [])
        return other.urn in self.dependencies or any(
            other.urn in urns for urns in self.property_dependencies.values()
        )


@dataclass(frozen=True)
class Guardrail:
    name: str
    description: str
    severity: Severity
    controls: tuple[str, ...]
    remediation: str
    config: dict[str, dict[str, Any]] = field(default_factory=dict)
    """JSON-schema properties of this policy's tunables (with defaults)."""


ResourceCheck = Callable[[Resource, dict[str, Any]], list[str]]
StackCheck = Callable[[list[Resource], dict[str, Any]], list[tuple[Resource, str]]]

EXEMPT_PREFIX = "exempt by policy config: "
"""How an exemption is reported (``not applicable`` with this prefix and the reason)."""

EXEMPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "default": [],
    "description": "Resources exempt from this policy: logical name or URN, with the reason.",
    "items": {
        "type": "object",
        "properties": {"resource": {"type": "string"}, "reason": {"type": "string"}},
        "required": ["resource", "reason"],
    },
}


def config_schema(guardrail: Guardrail) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties={**guardrail.config, "exemptions": EXEMPTIONS_SCHEMA})


def config_defaults(guardrail: Guardrail) -> dict[str, Any]:
    return {key: spec["default"] for key, spec in guardrail.config.items() if "default" in spec} | {
        "exemptions": []
    }


def effective_config(guardrail: Guardrail, given: Mapping[str, Any] | None) -> dict[str, Any]:
    return {**config_defaults(guardrail), **plain(given or {})}


def exemption_reason(config: Mapping[str, Any], resource: Resource) -> str | None:
    for exemption in config.get("exemptions") or []:
        if exemption.get("resource") in (resource.name, resource.urn):
            return str(exemption.get("reason") or "no reason given")
    return None


def _metadata(guardrail: Guardrail) -> dict[str, Any]:
    """What the engine shows of a policy: the controls go in the description and the tags."""
    return {
        "name": guardrail.name,
        "description": f"{guardrail.description} [{', '.join(guardrail.controls)}]",
        "config_schema": config_schema(guardrail),
        "severity": guardrail.severity,
        "remediation_steps": guardrail.remediation,
        "tags": list(guardrail.controls),
    }


RESOURCE_CHECKS: dict[str, tuple[frozenset[str], ResourceCheck]] = {}
STACK_CHECKS: dict[str, StackCheck] = {}
"""Every policy's plain check by policy name, for direct tests and tools."""


def resource_policy(
    guardrail: Guardrail, types: frozenset[str], check: ResourceCheck
) -> ResourceValidationPolicy:
    RESOURCE_CHECKS[guardrail.name] = (types, check)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in types:
            return
        resource = Resource(args.resource_type, args.name, args.urn, plain(args.props))
        config = effective_config(guardrail, args.get_config())
        reason = exemption_reason(config, resource)
        if reason is not None:
            args.not_applicable(f"{EXEMPT_PREFIX}{reason}")
        for message in check(resource, config):
            report_violation(message, None)

    return ResourceValidationPolicy(validate=validate, **_metadata(guardrail))


def stack_resources(args: StackValidationArgs) -> list[Resource]:
    resources = []
    for r in args.resources:
        resources.append(
            Resource(
                type=r.resource_type,
                name=r.name,
                urn=r.urn,
                props=plain(r.props),
                parent=r.parent.urn if r.parent is not None else None,
                dependencies=[d.urn for d in r.dependencies],
                property_dependencies={
                    k: [d.urn for d in v] for k, v in r.property_dependencies.items()
                },
            )
        )
    return resources


def stack_policy(guardrail: Guardrail, check: StackCheck) -> StackValidationPolicy:
    STACK_CHECKS[guardrail.name] = check

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config = effective_config(guardrail, args.get_config())
        exempted: list[str] = []
        reported = 0
        for resource, message in check(stack_resources(args), config):
            reason = exemption_reason(config, resource)
            if reason is None:
                report_violation(message, resource.urn)
                reported += 1
            else:
                exempted.append(f"{resource.name}: {reason}")
        if exempted and not reported:
            args.not_applicable(f"{EXEMPT_PREFIX}{'; '.join(exempted)}")

    return StackValidationPolicy(validate=validate, **_metadata(guardrail))
