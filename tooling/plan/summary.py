"""The settings reviewers care about, per resource type, read from a resource's inputs.

A preview leaves values unknown anywhere (a whole ``accessLogs`` block, one action of a listener),
and a program may put any type anywhere (dict-form inputs are not type-checked): every reader here
takes what it gets, shows an unknown as ``(known after deploy)``, and a summary that still cannot
be made is one cell saying so, never a crash of the gate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shared.errors import first_line
from tooling.mock_runtime import RegisteredResource
from tooling.mock_runtime.render import KNOWN_AFTER_DEPLOY
from tooling.policy.wire import UNKNOWN, is_unknown

Summarizer = Callable[[Mapping[str, Any]], dict[str, Any]]


def show(value: Any) -> str:
    """A value as one short string; unknowns as ``(known after deploy)``."""
    if is_unknown(value):
        return KNOWN_AFTER_DEPLOY
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ", ".join(show(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={show(v)}" for k, v in value.items())
    if value is None:
        return "-"
    return str(value)


def get(value: Any, *path: str, default: Any = None) -> Any:
    """``value[path[0]][path[1]]...``: UNKNOWN if a step is unknown, ``default`` if one is missing."""
    for key in path:
        if is_unknown(value):
            return UNKNOWN
        if not isinstance(value, Mapping) or key not in value:
            return default
        value = value[key]
    return value


def items(value: Any) -> list[Any]:
    """A list property as a list: ``[]`` when absent or not a list, ``[UNKNOWN]`` when unknown."""
    if is_unknown(value):
        return [UNKNOWN]
    return list(value) if isinstance(value, list | tuple) else []


def count(value: Any) -> Any:
    if is_unknown(value):
        return UNKNOWN
    return len(value) if isinstance(value, list | tuple) else 0


def _lb(p: Mapping[str, Any]) -> dict[str, Any]:
    internal = get(p, "internal", default=False)
    return {
        "scheme": internal
        if is_unknown(internal)
        else "internal"
        if internal
        else "internet-facing",
        "subnets": count(get(p, "subnets") or get(p, "subnetMappings") or []),
        "access logs": get(p, "accessLogs", "enabled", default=False),
        "drop invalid headers": get(p, "dropInvalidHeaderFields", default=False),
        "desync": get(p, "desyncMitigationMode", default="defensive"),
        "deletion protection": get(p, "enableDeletionProtection", default=False),
        "idle timeout": get(p, "idleTimeout", default=60),
    }


def _forward(action: Any) -> str:
    groups = items(get(action, "forward", "targetGroups"))
    if not groups:
        return "forward"
    weights = [show(get(g, "weight", default=1)) for g in groups]
    return f"forward x{len(groups)} (weights {'/'.join(weights)})"


def action_text(actions: Any) -> str:
    parts = []
    for action in items(actions):
        kind = get(action, "type")
        if is_unknown(action) or is_unknown(kind):
            parts.append(KNOWN_AFTER_DEPLOY)
        elif kind == "redirect":
            protocol = show(get(action, "redirect", "protocol", default="#{protocol}"))
            port = show(get(action, "redirect", "port", default="#{port}"))
            parts.append(
                f"redirect {protocol}:{port} {show(get(action, 'redirect', 'statusCode'))}"
            )
        elif kind == "fixed-response":
            parts.append(f"fixed {show(get(action, 'fixedResponse', 'statusCode'))}")
        elif kind == "forward":
            parts.append(_forward(action))
        else:
            parts.append(show(kind))
    return "; ".join(parts)


def _listener(p: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "port": get(p, "port"),
        "protocol": get(p, "protocol", default="HTTP"),
    }
    if get(p, "sslPolicy"):
        out["tls policy"] = get(p, "sslPolicy")
    out["default"] = action_text(get(p, "defaultActions"))
    return out


def _rule(p: Mapping[str, Any]) -> dict[str, Any]:
    conditions = []
    for condition in items(get(p, "conditions")):
        if is_unknown(condition):
            conditions.append(KNOWN_AFTER_DEPLOY)
            continue
        for key, label in (("pathPattern", "path"), ("hostHeader", "host")):
            if get(condition, key) is not None:
                conditions.append(f"{label} {show(get(condition, key, 'values'))}")
    return {
        "priority": get(p, "priority"),
        "when": "; ".join(conditions),
        "then": action_text(get(p, "actions")),
    }


def _tg(p: Mapping[str, Any]) -> dict[str, Any]:
    path = show(get(p, "healthCheck", "path"))
    every = show(get(p, "healthCheck", "interval"))
    threshold = show(get(p, "healthCheck", "unhealthyThreshold"))
    return {
        "port": get(p, "port"),
        "health": f"{path} every {every}s x{threshold}",
        "timeout": get(p, "healthCheck", "timeout"),
        "drain": get(p, "deregistrationDelay", default=300),
    }


SOURCE_KEYS = (
    "cidrIpv4",
    "cidrIpv6",
    "referencedSecurityGroupId",
    "prefixListId",
    "cidrBlocks",
    "ipv6CidrBlocks",
    "sourceSecurityGroupId",
)


def _sg_rule(p: Mapping[str, Any]) -> dict[str, Any]:
    source = next((get(p, k) for k in SOURCE_KEYS if get(p, k)), None)
    protocol = get(p, "ipProtocol", default=get(p, "protocol"))
    ports = f"{show(get(p, 'fromPort'))}-{show(get(p, 'toPort'))}"
    return {
        "direction": get(p, "type", default=""),
        "ports": "all" if protocol in ("-1", -1, -1.0) else ports,
        "peer": source,
        "description": get(p, "description", default=""),
    }


def _asg(p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "size": f"{show(get(p, 'minSize'))}..{show(get(p, 'maxSize'))}",
        "health check": get(p, "healthCheckType", default="EC2"),
        "grace": get(p, "healthCheckGracePeriod"),
        "subnets": count(get(p, "vpcZoneIdentifiers", default=[])),
    }


def _launch_template(p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "instance type": get(p, "instanceType"),
        "IMDS tokens": get(p, "metadataOptions", "httpTokens", default="optional"),
    }


def _alarm(p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "metric": get(p, "metricName") or "metric math",
        "when": f"{show(get(p, 'comparisonOperator'))} {show(get(p, 'threshold'))}",
    }


SUMMARIZERS: dict[str, Summarizer] = {
    "aws:lb/loadBalancer:LoadBalancer": _lb,
    "aws:lb/listener:Listener": _listener,
    "aws:lb/listenerRule:ListenerRule": _rule,
    "aws:lb/targetGroup:TargetGroup": _tg,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": lambda p: {
        **_sg_rule(p),
        "direction": "ingress",
    },
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": lambda p: {
        **_sg_rule(p),
        "direction": "egress",
    },
    "aws:ec2/securityGroupRule:SecurityGroupRule": _sg_rule,
    "aws:autoscaling/group:Group": _asg,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:s3/bucketPolicy:BucketPolicy": lambda p: {"bucket": get(p, "bucket")},
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:ec2/vpc:Vpc": lambda p: {"cidr": get(p, "cidrBlock")},
    "aws:ec2/subnet:Subnet": lambda p: {
        "az": get(p, "availabilityZone"),
        "cidr": get(p, "cidrBlock"),
    },
    "aws:ec2/natGateway:NatGateway": lambda p: {"subnet": get(p, "subnetId")},
}


def settings_of(resource: RegisteredResource) -> dict[str, str]:
    summarize = SUMMARIZERS.get(resource.type)
    if summarize is None:
        return {}
    try:
        return {key: show(value) for key, value in summarize(resource.inputs).items()}
    except Exception as exc:  # a program can register any shape; the gate still reports
        return {"settings": f"(cannot summarise: {type(exc).__name__}: {first_line(exc)})"}
