"""Load balancer guardrails: access logs, header hygiene, desync mitigation, deletion protection,
AZ spread, WAF.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails.adapters import resource_policy, stack_policy
from guardrails.meta import Guardrail
from guardrails.resource import Resource
from guardrails.types import LOAD_BALANCERS, WAF_ASSOCIATIONS
from guardrails.values import as_bool, as_dict, as_list, is_unknown


def application_kind(lb: Resource) -> bool | None:
    """True for an ALB (the provider's default type), ``None`` when a preview cannot tell."""
    kind = lb.get("loadBalancerType", default="application")
    return None if is_unknown(kind) else kind == "application"


ACCESS_LOGS = Guardrail(
    name="alb-access-logs-enabled",
    description="ALBs write access logs to an S3 bucket.",
    severity=Severity.HIGH,
    controls=("SecurityHub ELB.5", "CKV_AWS_91"),
    remediation="Set accessLogs: {enabled: true, bucket: <log bucket>} on the load balancer.",
)


def check_access_logs(lb: Resource, _: dict[str, Any]) -> list[str]:
    logs = as_dict(lb.get("accessLogs"))
    if logs is None:
        return []
    enabled = logs.get("enabled", False)
    if is_unknown(enabled):
        return []
    if as_bool(enabled) is not True:
        return ["access logs are off: set accessLogs.enabled = true"]
    bucket = logs.get("bucket")
    if not is_unknown(bucket) and not bucket:
        return ["access logs are on but name no bucket"]
    return []


DROP_INVALID_HEADERS = Guardrail(
    name="alb-drop-invalid-header-fields",
    description="ALBs drop HTTP headers with invalid fields instead of passing them to targets.",
    severity=Severity.MEDIUM,
    controls=("SecurityHub ELB.4", "CKV_AWS_131"),
    remediation="Set dropInvalidHeaderFields: true on the load balancer.",
)


def check_drop_invalid_headers(lb: Resource, _: dict[str, Any]) -> list[str]:
    if application_kind(lb) is not True:
        return []
    value = lb.get("dropInvalidHeaderFields", default=False)
    if is_unknown(value) or as_bool(value) is True:
        return []
    return [
        "dropInvalidHeaderFields is off (the AWS default): invalid headers reach the model servers"
    ]


DESYNC = Guardrail(
    name="alb-desync-mitigation",
    description="ALBs mitigate HTTP desync attacks in defensive or strictest mode.",
    severity=Severity.MEDIUM,
    controls=("SecurityHub ELB.12", "CKV_AWS_328"),
    remediation="Set desyncMitigationMode to 'defensive' or 'strictest'.",
    config={
        "allowedModes": {
            "type": "array",
            "items": {"type": "string", "enum": ["monitor", "defensive", "strictest"]},
            "minItems": 1,
            "default": ["defensive", "strictest"],
            "description": "Desync mitigation modes an ALB may use.",
        }
    },
)


def check_desync(lb: Resource, config: dict[str, Any]) -> list[str]:
    if application_kind(lb) is not True:
        return []
    mode = lb.get("desyncMitigationMode", default="defensive")  # the AWS default
    allowed = [str(m) for m in config["allowedModes"]]
    if is_unknown(mode) or mode in allowed:
        return []
    return [f"desyncMitigationMode is {mode!r}; allowed: {', '.join(allowed)}"]


DELETION_PROTECTION = Guardrail(
    name="alb-deletion-protection",
    description="ALBs cannot be deleted by accident (mandatory in prod).",
    severity=Severity.MEDIUM,
    controls=("SecurityHub ELB.6", "CKV_AWS_150"),
    remediation="Set enableDeletionProtection: true (the serving stack does in prod).",
)


def check_deletion_protection(lb: Resource, _: dict[str, Any]) -> list[str]:
    value = lb.get("enableDeletionProtection", default=False)
    if is_unknown(value) or as_bool(value) is True:
        return []
    return ["deletion protection is off"]


MULTI_AZ = Guardrail(
    name="alb-multi-az",
    description="ALBs span at least the configured number of AZs (one subnet per AZ).",
    severity=Severity.HIGH,
    controls=("SecurityHub ELB.13",),
    remediation="Give the load balancer one subnet in each of at least minAvailabilityZones AZs.",
    config={
        "minAvailabilityZones": {
            "type": "integer",
            "minimum": 2,
            "maximum": 6,
            "default": 2,
            "description": "Fewest AZs (an ALB takes one subnet per AZ) a load balancer may span.",
        }
    },
)


def check_multi_az(lb: Resource, config: dict[str, Any]) -> list[str]:
    subnets = as_list(lb.get("subnets"))
    mappings = as_list(lb.get("subnetMappings"))
    if subnets is None or mappings is None:
        return []
    # An ALB accepts one subnet per AZ, so its subnets count its AZs (even when their ids are unknown).
    count = max(len(subnets), len(mappings))
    minimum = int(config["minAvailabilityZones"])
    if count >= minimum:
        return []
    return [f"the load balancer has {count} subnet(s); it needs at least {minimum} in distinct AZs"]


WAF = Guardrail(
    name="alb-waf-associated",
    description="Internet-facing ALBs have a WAF web ACL association in the stack.",
    severity=Severity.MEDIUM,
    controls=("SecurityHub ELB.16", "CKV2_AWS_28"),
    remediation="Associate a WAFv2 regional web ACL (serving:wafAclArn in the serving stack's config).",
)


def check_waf(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, str]]:
    associations = [r for r in resources if r.type in WAF_ASSOCIATIONS]
    violations = []
    for lb in resources:
        if lb.type not in LOAD_BALANCERS or application_kind(lb) is not True:
            continue
        internal = lb.get("internal", default=False)
        if is_unknown(internal) or as_bool(internal) is True:
            continue
        if not any(a.linked_to(lb, "resourceArn") for a in associations):
            violations.append(
                (lb, f"internet-facing load balancer {lb.name} has no WAF web ACL association")
            )
    return violations


POLICIES = [
    resource_policy(ACCESS_LOGS, LOAD_BALANCERS, check_access_logs),
    resource_policy(DROP_INVALID_HEADERS, LOAD_BALANCERS, check_drop_invalid_headers),
    resource_policy(DESYNC, LOAD_BALANCERS, check_desync),
    resource_policy(DELETION_PROTECTION, LOAD_BALANCERS, check_deletion_protection),
    resource_policy(MULTI_AZ, LOAD_BALANCERS, check_multi_az),
    stack_policy(WAF, check_waf),
]
GUARDRAILS = [ACCESS_LOGS, DROP_INVALID_HEADERS, DESYNC, DELETION_PROTECTION, MULTI_AZ, WAF]
