"""Load balancer guardrails: access logs (to a bucket the stack creates), header hygiene, desync
mitigation, deletion protection, AZ spread, WAF.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails import links
from guardrails import types as t
from guardrails.adapters import resource_policy, stack_policy
from guardrails.findings import Finding, Unverified
from guardrails.meta import Guardrail, sees
from guardrails.normalize import lower
from guardrails.resource import Resource
from guardrails.values import as_bool, as_dict, as_list, is_unknown


def lb_kind(lb: Resource) -> Any:
    """``application`` (the provider's default), ``network``, ``gateway``, or UNKNOWN."""
    return lower(lb.get("loadBalancerType"), default="application")


def application_kind(lb: Resource) -> bool | None:
    """True for an ALB, ``None`` when a preview cannot tell."""
    kind = lb_kind(lb)
    return None if is_unknown(kind) else kind == "application"


def internet_facing(lb: Resource) -> bool | None:
    """True unless the load balancer is ``internal`` (the AWS default is internet-facing)."""
    internal = lb.get("internal", default=False)
    if is_unknown(internal):
        return None
    return as_bool(internal) is not True


ACCESS_LOGS = Guardrail(
    name="alb-access-logs-enabled",
    description="ALBs write access logs to an S3 bucket.",
    severity=Severity.HIGH,
    controls=("SecurityHub ELB.5", "CKV_AWS_91"),
    remediation="Set accessLogs: {enabled: true, bucket: <log bucket>} on the load balancer.",
    sees=(sees(t.LOAD_BALANCERS, "accessLogs.enabled", "accessLogs.bucket"),),
)


def check_access_logs(lb: Resource, _: dict[str, Any]) -> list[Finding]:
    logs = as_dict(lb.get("accessLogs"))
    if logs is None:
        return [Unverified("accessLogs")]
    enabled = logs.get("enabled", False)
    if is_unknown(enabled):
        return [Unverified("accessLogs.enabled")]
    if as_bool(enabled) is not True:
        return ["access logs are off: set accessLogs.enabled = true"]
    bucket = logs.get("bucket")
    if is_unknown(bucket):
        return [Unverified("accessLogs.bucket")]
    return [] if bucket else ["access logs are on but name no bucket"]


LOG_BUCKET_IN_STACK = Guardrail(
    name="alb-access-log-bucket-in-stack",
    description="Access logs go to a bucket this stack creates (an existing bucket is checked after deploy by `make verify`).",
    severity=Severity.LOW,
    controls=("SecurityHub ELB.5", "SecurityHub S3.5"),
    remediation="Let the stack create the log bucket, or run `make verify` after each deploy: it checks an existing bucket's policy and encryption.",
    sees=(
        sees(t.LOAD_BALANCERS, "accessLogs.enabled", "accessLogs.bucket"),
        sees(t.BUCKETS, "bucket", "arn"),
    ),
)


def check_log_bucket_in_stack(
    resources: list[Resource], _: dict[str, Any]
) -> list[tuple[Resource, Finding]]:
    found: list[tuple[Resource, Finding]] = []
    for lb in resources:
        logs = as_dict(lb.get("accessLogs")) if lb.type in t.LOAD_BALANCERS else {}
        if logs is None or (logs and is_unknown(logs.get("enabled"))):
            found.append((lb, Unverified("accessLogs")))
            continue
        if not logs or as_bool(logs.get("enabled")) is not True:
            continue  # off: alb-access-logs-enabled says so
        link = links.LB_LOG_BUCKET.follow(lb, resources)
        if link.targets:
            continue
        if link.maybe or link.unresolved:
            found.append((lb, Unverified("accessLogs.bucket")))
        for name in link.external:
            found.append(
                (
                    lb,
                    f"access logs go to bucket {name}, which this stack does not create: "
                    "its policy and encryption are checked after deploy by `make verify`",
                )
            )
    return found


DROP_INVALID_HEADERS = Guardrail(
    name="alb-drop-invalid-header-fields",
    description="ALBs drop HTTP headers with invalid fields instead of passing them to targets.",
    severity=Severity.MEDIUM,
    controls=("SecurityHub ELB.4", "CKV_AWS_131"),
    remediation="Set dropInvalidHeaderFields: true on the load balancer.",
    sees=(sees(t.LOAD_BALANCERS, "loadBalancerType", "dropInvalidHeaderFields"),),
)


def check_drop_invalid_headers(lb: Resource, _: dict[str, Any]) -> list[Finding]:
    kind = application_kind(lb)
    value = lb.get("dropInvalidHeaderFields", default=False)
    if kind is False or as_bool(value) is True:
        return []
    if kind is None or is_unknown(value):
        return [Unverified("loadBalancerType" if kind is None else "dropInvalidHeaderFields")]
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
    sees=(sees(t.LOAD_BALANCERS, "loadBalancerType", "desyncMitigationMode"),),
)


def check_desync(lb: Resource, config: dict[str, Any]) -> list[Finding]:
    kind = application_kind(lb)
    mode = lower(lb.get("desyncMitigationMode"), default="defensive")  # the AWS default
    allowed = [str(m) for m in config["allowedModes"]]
    if kind is False or mode in allowed:
        return []
    if kind is None or is_unknown(mode):
        return [Unverified("loadBalancerType" if kind is None else "desyncMitigationMode")]
    return [f"desyncMitigationMode is {mode!r}; allowed: {', '.join(allowed)}"]


DELETION_PROTECTION = Guardrail(
    name="alb-deletion-protection",
    description="ALBs cannot be deleted by accident (mandatory in prod).",
    severity=Severity.MEDIUM,
    controls=("SecurityHub ELB.6", "CKV_AWS_150"),
    remediation="Set enableDeletionProtection: true (the serving stack does in prod).",
    sees=(sees(t.LOAD_BALANCERS, "enableDeletionProtection"),),
)


def check_deletion_protection(lb: Resource, _: dict[str, Any]) -> list[Finding]:
    value = lb.get("enableDeletionProtection", default=False)
    if is_unknown(value):
        return [Unverified("enableDeletionProtection")]
    return [] if as_bool(value) is True else ["deletion protection is off"]


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
    sees=(sees(t.LOAD_BALANCERS, "subnets", "subnetMappings"),),
)


def check_multi_az(lb: Resource, config: dict[str, Any]) -> list[Finding]:
    subnets = as_list(lb.get("subnets"))
    mappings = as_list(lb.get("subnetMappings"))
    if subnets is None or mappings is None:
        return [Unverified("subnets")]
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
    sees=(
        sees(t.LOAD_BALANCERS, "loadBalancerType", "internal", "arn"),
        sees(t.WAF_ASSOCIATIONS, "resourceArn"),
    ),
)


def check_waf(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, Finding]]:
    associations = [r for r in resources if r.type in t.WAF_ASSOCIATIONS]
    found: list[tuple[Resource, Finding]] = []
    for lb in resources:
        if lb.type not in t.LOAD_BALANCERS or application_kind(lb) is False:
            continue
        facing = internet_facing(lb)
        if facing is False:
            continue
        followed = [links.WAF_LB.follow(a, resources) for a in associations]
        if any(link.leads_to(lb) for link in followed):
            continue
        if facing is None or application_kind(lb) is None:
            found.append((lb, Unverified("internal or loadBalancerType")))
        elif any(link.unresolved or any(m.urn == lb.urn for m in link.maybe) for link in followed):
            found.append((lb, Unverified("the resourceArn of a WAF association")))
        else:
            found.append(
                (lb, f"internet-facing load balancer {lb.name} has no WAF web ACL association")
            )
    return found


POLICIES = [
    resource_policy(ACCESS_LOGS, t.LOAD_BALANCERS, check_access_logs),
    stack_policy(LOG_BUCKET_IN_STACK, check_log_bucket_in_stack),
    resource_policy(DROP_INVALID_HEADERS, t.LOAD_BALANCERS, check_drop_invalid_headers),
    resource_policy(DESYNC, t.LOAD_BALANCERS, check_desync),
    resource_policy(DELETION_PROTECTION, t.LOAD_BALANCERS, check_deletion_protection),
    resource_policy(MULTI_AZ, t.LOAD_BALANCERS, check_multi_az),
    stack_policy(WAF, check_waf),
]
GUARDRAILS = [
    ACCESS_LOGS,
    LOG_BUCKET_IN_STACK,
    DROP_INVALID_HEADERS,
    DESYNC,
    DELETION_PROTECTION,
    MULTI_AZ,
    WAF,
]
