"""Every summariser handles a preview's unknowns anywhere, and whatever shape a program registers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tooling.mock_runtime import RegisteredResource
from tooling.plan.summary import SUMMARIZERS, settings_of
from tooling.policy.wire import UNKNOWN

FULL: dict[str, dict[str, Any]] = {
    "aws:lb/loadBalancer:LoadBalancer": {
        "internal": False, "subnets": ["a", "b"], "accessLogs": {"enabled": True, "bucket": "logs"},
        "dropInvalidHeaderFields": True, "desyncMitigationMode": "strictest",
        "enableDeletionProtection": True, "idleTimeout": 300,
    },
    "aws:lb/listener:Listener": {
        "port": 443, "protocol": "HTTPS", "sslPolicy": "p",
        "defaultActions": [
            {"type": "forward", "forward": {"targetGroups": [{"arn": "a", "weight": 90}, {"arn": "b", "weight": 10}]}},
            {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}},
            {"type": "fixed-response", "fixedResponse": {"statusCode": "404"}},
        ],
    },
    "aws:lb/listenerRule:ListenerRule": {
        "priority": 10, "conditions": [{"pathPattern": {"values": ["/v1/*"]}}, {"hostHeader": {"values": ["h"]}}],
        "actions": [{"type": "forward", "targetGroupArn": "a"}],
    },
    "aws:lb/targetGroup:TargetGroup": {
        "port": 8080, "deregistrationDelay": 30,
        "healthCheck": {"path": "/health", "interval": 5, "unhealthyThreshold": 2, "timeout": 4},
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
        "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "10.0.0.0/8", "description": "d",
    },
    "aws:ec2/securityGroupRule:SecurityGroupRule": {
        "type": "ingress", "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"],
    },
    "aws:autoscaling/group:Group": {
        "minSize": 3, "maxSize": 6, "healthCheckType": "ELB", "healthCheckGracePeriod": 300,
        "vpcZoneIdentifiers": ["a", "b", "c"],
    },
    "aws:ec2/launchTemplate:LaunchTemplate": {"instanceType": "m7i.large", "metadataOptions": {"httpTokens": "required"}},
    "aws:cloudwatch/metricAlarm:MetricAlarm": {"metricName": "m", "comparisonOperator": "GreaterThanThreshold", "threshold": 5},
}  # fmt: skip


def _resource(type_: str, inputs: Any) -> RegisteredResource:
    return RegisteredResource(
        type=type_, name="r", urn="u", id="", inputs=inputs, outputs={}, parent="", custom=True
    )


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], new)  # type: ignore[index,call-overload]
    return copy


CASES = [(t, p) for t, full in FULL.items() for p in _paths(full) if p]


@pytest.mark.parametrize(
    ("type_", "path"), CASES, ids=[f"{t.split(':')[-1]}:{'.'.join(map(str, p))}" for t, p in CASES]
)
def test_an_unknown_anywhere_is_shown_as_unknown(type_: str, path: tuple[Any, ...]) -> None:
    settings = settings_of(_resource(type_, _replace(FULL[type_], path, UNKNOWN)))
    assert settings and "cannot summarise" not in str(settings)


@pytest.mark.parametrize("type_", sorted(SUMMARIZERS))
@pytest.mark.parametrize(
    "garbage", [UNKNOWN, "text", 7, None, [1, "x"], {"deep": {"er": [UNKNOWN]}}]
)
def test_any_shape_a_program_registers_still_gets_a_summary(type_: str, garbage: Any) -> None:
    for path in list(_paths(FULL.get(type_, {"x": 1})))[1:] or [("x",)]:
        settings = settings_of(_resource(type_, _replace(FULL.get(type_, {"x": 1}), path, garbage)))
        assert isinstance(settings, dict) and all(isinstance(v, str) for v in settings.values())
    assert isinstance(
        settings_of(_resource(type_, {"accessLogs": garbage, "defaultActions": garbage})), dict
    )


def test_whole_blocks_unknown_in_a_preview() -> None:
    """The two the issue found: an unknown ``default_actions`` or ``access_logs`` block."""
    lb = settings_of(_resource("aws:lb/loadBalancer:LoadBalancer", {"accessLogs": UNKNOWN}))
    assert lb["access logs"] == "(known after deploy)"
    listener = settings_of(
        _resource("aws:lb/listener:Listener", {"port": 443, "defaultActions": UNKNOWN})
    )
    assert listener["default"] == "(known after deploy)"
    full = settings_of(_resource("aws:lb/listener:Listener", FULL["aws:lb/listener:Listener"]))
    assert full["default"] == "forward x2 (weights 90/10); redirect HTTPS:443 HTTP_301; fixed 404"
