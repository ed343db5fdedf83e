"""The settings reviewers care about, per resource type, read from a resource's inputs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from tooling.mock_runtime import RegisteredResource
from tooling.mock_runtime.render import KNOWN_AFTER_DEPLOY

Summarizer = Callable[[Mapping[str, Any]], dict[str, Any]]


def show(value: Any) -> str:
    """A value as one short string; unknowns as ``(known after deploy)``."""
    if isinstance(value, pulumi.output.Unknown):
        return KNOWN_AFTER_DEPLOY
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(show(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={show(v)}" for k, v in value.items())
    if value is None:
        return "-"
    return str(value)


def _lb(p: Mapping[str, Any]) -> dict[str, Any]:
    logs = p.get("accessLogs") or {}
    return {
        "scheme": "internal" if p.get("internal") else "internet-facing",
        "subnets": len(p.get("subnets") or p.get("subnetMappings") or []),
        "access logs": bool(logs.get("enabled")),
        "drop invalid headers": p.get("dropInvalidHeaderFields", False),
        "desync": p.get("desyncMitigationMode", "defensive"),
        "deletion protection": p.get("enableDeletionProtection", False),
        "idle timeout": p.get("idleTimeout", 60),
    }


def _action(actions: list[Mapping[str, Any]] | None) -> str:
    parts = []
    for action in actions or []:
        kind = action.get("type")
        if kind == "redirect":
            r = action.get("redirect") or {}
            parts.append(
                f"redirect {r.get('protocol', '#{protocol}')}:{r.get('port', '#{port}')} {r.get('statusCode')}"
            )
        elif kind == "fixed-response":
            parts.append(f"fixed {show((action.get('fixedResponse') or {}).get('statusCode'))}")
        else:
            parts.append(str(kind))
    return "; ".join(parts)


def _listener(p: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"port": p.get("port"), "protocol": p.get("protocol", "HTTP")}
    if p.get("sslPolicy"):
        out["tls policy"] = p["sslPolicy"]
    out["default"] = _action(p.get("defaultActions"))
    return out


def _rule(p: Mapping[str, Any]) -> dict[str, Any]:
    conditions = []
    for condition in p.get("conditions") or []:
        if "pathPattern" in condition:
            conditions.append("path " + show(condition["pathPattern"].get("values")))
        if "hostHeader" in condition:
            conditions.append("host " + show(condition["hostHeader"].get("values")))
    return {
        "priority": p.get("priority"),
        "when": "; ".join(conditions),
        "then": _action(p.get("actions")),
    }


def _tg(p: Mapping[str, Any]) -> dict[str, Any]:
    hc = p.get("healthCheck") or {}
    return {
        "port": p.get("port"),
        "health": f"{show(hc.get('path'))} every {show(hc.get('interval'))}s x{show(hc.get('unhealthyThreshold'))}",
        "timeout": hc.get("timeout"),
        "drain": p.get("deregistrationDelay", 300),
    }


def _sg_rule(p: Mapping[str, Any]) -> dict[str, Any]:
    source = (
        p.get("cidrIpv4")
        or p.get("cidrIpv6")
        or p.get("referencedSecurityGroupId")
        or p.get("prefixListId")
        or p.get("cidrBlocks")
        or p.get("sourceSecurityGroupId")
    )
    ports = p.get("fromPort"), p.get("toPort")
    return {
        "direction": p.get("type", ""),
        "ports": "all"
        if p.get("ipProtocol", p.get("protocol")) in ("-1", -1)
        else f"{show(ports[0])}-{show(ports[1])}",
        "peer": source,
        "description": p.get("description", ""),
    }


def _asg(p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "size": f"{show(p.get('minSize'))}..{show(p.get('maxSize'))}",
        "health check": p.get("healthCheckType", "EC2"),
        "grace": p.get("healthCheckGracePeriod"),
        "subnets": len(p.get("vpcZoneIdentifiers") or []),
    }


def _launch_template(p: Mapping[str, Any]) -> dict[str, Any]:
    meta = p.get("metadataOptions") or {}
    return {
        "instance type": p.get("instanceType"),
        "IMDS tokens": meta.get("httpTokens", "optional"),
    }


def _bucket_policy(p: Mapping[str, Any]) -> dict[str, Any]:
    return {"bucket": p.get("bucket")}


def _alarm(p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "metric": p.get("metricName") or "metric math",
        "when": f"{show(p.get('comparisonOperator'))} {show(p.get('threshold'))}",
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
    "aws:s3/bucketPolicy:BucketPolicy": _bucket_policy,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:ec2/vpc:Vpc": lambda p: {"cidr": p.get("cidrBlock")},
    "aws:ec2/subnet:Subnet": lambda p: {
        "az": p.get("availabilityZone"),
        "cidr": p.get("cidrBlock"),
    },
    "aws:ec2/natGateway:NatGateway": lambda p: {"subnet": p.get("subnetId")},
}


def settings_of(resource: RegisteredResource) -> dict[str, str]:
    summarize = SUMMARIZERS.get(resource.type)
    if summarize is None:
        return {}
    return {key: show(value) for key, value in summarize(resource.inputs).items()}
