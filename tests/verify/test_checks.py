"""Each check on its own: the stack's outputs and a hand-built AWS view (shaped like the ELBv2 API's
answers), one difference at a time. No server; the moto tests cover the boto3 side."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shared.serving_outputs import ServingOutputs
from tooling.verify.aws_view import AwsView, TargetState
from tooling.verify.checks import Check, all_checks, progress, ready
from tooling.verify.checks.listeners import listener_checks
from tooling.verify.checks.load_balancer import attribute_checks, load_balancer_checks
from tooling.verify.checks.routing import routing_check
from tooling.verify.checks.target_groups import target_group_checks
from tooling.verify.checks.targets import target_checks

ACCOUNT = "arn:aws:elasticloadbalancing:eu-west-1:210987654321"
ALB = f"{ACCOUNT}:loadbalancer/app/serving-staging-alb/50dc6c495c0c9188"
HTTPS = f"{ACCOUNT}:listener/app/serving-staging-alb/50dc6c495c0c9188/f2f7dc8efc522ab2"
HTTP = f"{ACCOUNT}:listener/app/serving-staging-alb/50dc6c495c0c9188/0a1b2c3d4e5f6789"
TG_CHAT = f"{ACCOUNT}:targetgroup/srv-staging-llm-chat-1d2e3f4/73e2d6bc24d8a067"
TG_EMB = f"{ACCOUNT}:targetgroup/srv-staging-embeddings-9c1e2f3/5b6c7d8e9f0a1b2c"
CERT = "arn:aws:acm:eu-west-1:210987654321:certificate/5f3c2b1a-8d4e-4f6a-9b7c-1e2d3c4b5a69"
POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
BUCKET = "serving-staging-alb-logs-210987654321-eu-west-1"
ZONES = ["eu-west-1a", "eu-west-1b"]
EMB_HOST = "embeddings.ml-staging.acme-corp.com"


def staging_outputs(**changes: Any) -> ServingOutputs:
    """Outputs shaped like the staging stack's: one path route, one host route, two AZs."""
    data: dict[str, Any] = {
        "alb_arn": ALB,
        "alb_dns_name": "serving-staging-alb-1234567890.eu-west-1.elb.amazonaws.com",
        "alb_zone_id": "Z32O12XQLNTSW2",
        "url": "https://api.ml-staging.acme-corp.com",
        "scheme": "internet-facing",
        "availability_zones": ZONES,
        "https_listener_arn": HTTPS,
        "http_listener_arn": HTTP,
        "tls_policy": POLICY,
        "certificate_arn": CERT,
        "log_bucket": BUCKET,
        "deletion_protection": False,
        "desync_mitigation_mode": "defensive",
        "models": {
            "llm-chat": {
                "name": "llm-chat", "route": {"kind": "path", "value": "/v1/chat", "priority": 22919},
                "target_group_arn": TG_CHAT, "port": 8080, "health_check_path": "/healthz",
                "targets": "fleet", "min_healthy_targets": 2,
            },
            "embeddings": {
                "name": "embeddings", "route": {"kind": "host", "value": EMB_HOST, "priority": 31234},
                "target_group_arn": TG_EMB, "port": 8000, "health_check_path": "/health",
                "targets": "fleet", "min_healthy_targets": 2,
            },
        },
        "failover": {"detection_seconds": 10, "recovery_seconds": 10, "drain_seconds": 30, "az_count": 2, "min_healthy_per_az": 1},
    }  # fmt: skip
    data.update(changes)
    return ServingOutputs.model_validate(data)


def _group(arn: str, port: int, path: str) -> dict[str, Any]:
    return {
        "TargetGroupArn": arn, "Protocol": "HTTP", "Port": port, "TargetType": "instance",
        "LoadBalancerArns": [ALB], "HealthCheckEnabled": True, "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port", "HealthCheckPath": path, "HealthCheckIntervalSeconds": 5,
        "HealthCheckTimeoutSeconds": 4, "HealthyThresholdCount": 2, "UnhealthyThresholdCount": 2,
    }  # fmt: skip


def _forward(arn: str) -> list[dict[str, Any]]:
    return [{"Type": "forward", "TargetGroupArn": arn}]


def _rule(
    priority: str, field: str, values: list[str], actions: list[dict[str, Any]]
) -> dict[str, Any]:
    config = "PathPatternConfig" if field == "path-pattern" else "HostHeaderConfig"
    return {
        "RuleArn": f"{ACCOUNT}:listener-rule/app/serving-staging-alb/50dc6c495c0c9188/f2f7dc8efc522ab2/{int(priority):016x}",
        "Priority": priority, "IsDefault": False,
        "Conditions": [{"Field": field, config: {"Values": values}}], "Actions": actions,
    }  # fmt: skip


REDIRECT = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]  # fmt: skip


def healthy_view() -> AwsView:
    """What AWS answers for a healthy staging deploy."""
    return AwsView(
        load_balancer={
            "LoadBalancerArn": ALB, "Scheme": "internet-facing", "Type": "application",
            "State": {"Code": "active"},
            "AvailabilityZones": [
                {"ZoneName": "eu-west-1b", "SubnetId": "subnet-0b2c3d4e5f6a7b8c9"},
                {"ZoneName": "eu-west-1a", "SubnetId": "subnet-0a1b2c3d4e5f6a7b8"},
            ],
        },
        attributes={
            "access_logs.s3.enabled": "true", "access_logs.s3.bucket": BUCKET,
            "access_logs.s3.prefix": "access", "routing.http.drop_invalid_header_fields.enabled": "true",
            "routing.http.desync_mitigation_mode": "defensive", "deletion_protection.enabled": "false",
        },
        listeners=[
            {"ListenerArn": HTTPS, "Protocol": "HTTPS", "Port": 443, "SslPolicy": POLICY,
             "Certificates": [{"CertificateArn": CERT}],
             "DefaultActions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]},
            {"ListenerArn": HTTP, "Protocol": "HTTP", "Port": 80, "DefaultActions": REDIRECT},
        ],
        rules={
            HTTPS: [
                _rule("22919", "path-pattern", ["/v1/chat", "/v1/chat/*"], _forward(TG_CHAT)),
                _rule("31234", "host-header", [EMB_HOST], _forward(TG_EMB)),
                {"Priority": "default", "IsDefault": True, "Conditions": [], "Actions": []},
            ],
            HTTP: [{"Priority": "default", "IsDefault": True, "Conditions": [], "Actions": REDIRECT}],
        },
        ssl_protocols={POLICY: ["TLSv1.2", "TLSv1.3"]},
        target_groups={TG_CHAT: _group(TG_CHAT, 8080, "/healthz"), TG_EMB: _group(TG_EMB, 8000, "/health")},
        target_health={
            TG_CHAT: [
                TargetState("i-0d3c5e7a9b1f24680", 8080, "eu-west-1a", "healthy"),
                TargetState("i-0e4d6f8b0c2a35791", 8080, "eu-west-1b", "healthy"),
            ],
            TG_EMB: [
                TargetState("i-0f5e7a9c1d3b46802", 8000, "eu-west-1a", "healthy"),
                TargetState("i-0a6f8b0d2e4c57913", 8000, "eu-west-1b", "healthy"),
            ],
        },
    )  # fmt: skip


def by_name(checks: list[Check]) -> dict[tuple[str, str], Check]:
    return {(c.group, c.name): c for c in checks}


def not_passing(checks: list[Check]) -> list[tuple[str, str, str, str]]:
    return [(c.group, c.name, c.status, c.detail) for c in checks if c.status != "pass"]


def test_a_healthy_view_passes_everything() -> None:
    outputs, view = staging_outputs(), healthy_view()
    checks = all_checks(outputs, view)
    assert not_passing(checks) == []
    assert len(checks) == 4 + 4 + 5 + 2 * 8
    assert ready(outputs, view)
    assert progress(outputs, view) == (
        "llm-chat 2/2 healthy in 2/2 AZs, embeddings 2/2 healthy in 2/2 AZs"
    )


def test_an_alb_in_one_az_and_the_wrong_scheme_fails() -> None:
    view = healthy_view()
    assert view.load_balancer is not None
    view.load_balancer["AvailabilityZones"] = view.load_balancer["AvailabilityZones"][:1]
    view.load_balancer["Scheme"] = "internal"
    view.load_balancer["State"] = {"Code": "provisioning"}
    assert not_passing(load_balancer_checks(staging_outputs(), view)) == [
        ("load balancer", "active", "fail", "state provisioning"),
        ("load balancer", "scheme", "fail", "internal (expected internet-facing)"),
        ("load balancer", "availability zones", "fail", "1 AZs: eu-west-1b (at least 2 for HA)"),
        ("load balancer", "AZs as deployed", "fail", "not in eu-west-1a, which the stack uses"),
    ]
    assert not ready(staging_outputs(), view)


def test_an_extra_az_is_a_warning() -> None:
    view = healthy_view()
    assert view.load_balancer is not None
    view.load_balancer["AvailabilityZones"].append({"ZoneName": "eu-west-1c", "SubnetId": "subnet-0c3d4e5f6a7b8c9d0"})  # fmt: skip
    assert not_passing(load_balancer_checks(staging_outputs(), view)) == [
        ("load balancer", "AZs as deployed", "warn", "also in eu-west-1c, not in the stack")
    ]


def test_attributes_are_compared_with_the_outputs() -> None:
    view = healthy_view()
    view.attributes.pop("routing.http.drop_invalid_header_fields.enabled")
    view.attributes["routing.http.desync_mitigation_mode"] = "monitor"
    outputs = staging_outputs(deletion_protection=True)
    assert not_passing(attribute_checks(outputs, view)) == [
        ("attributes", "drop invalid header fields", "fail", "off (expected on)"),
        ("attributes", "desync mitigation", "fail", "monitor (expected defensive)"),
        ("attributes", "deletion protection", "fail", "off (expected on)"),
    ]


def test_deletion_protection_on_where_not_required_passes() -> None:
    view = healthy_view()
    view.attributes["deletion_protection.enabled"] = "true"
    checks = by_name(attribute_checks(staging_outputs(), view))
    assert checks["attributes", "deletion protection"].status == "pass"


def test_an_omitted_desync_attribute_is_awss_default() -> None:
    view = healthy_view()
    view.attributes.pop("routing.http.desync_mitigation_mode")
    assert not_passing(attribute_checks(staging_outputs(), view)) == []
    strictest = staging_outputs(desync_mitigation_mode="strictest")
    assert not_passing(attribute_checks(strictest, view)) == [
        ("attributes", "desync mitigation", "fail", "defensive (expected strictest)")
    ]


def test_the_wrong_certificate_and_a_missing_https_listener_fail() -> None:
    view = healthy_view()
    other = "arn:aws:acm:eu-west-1:210987654321:certificate/0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
    view.listeners[0]["Certificates"] = [{"CertificateArn": other}]
    assert not_passing(listener_checks(staging_outputs(), view)) == [
        ("listeners", "certificate", "fail", f"{other} (expected {CERT})")
    ]
    view.listeners = view.listeners[1:]
    assert not_passing(listener_checks(staging_outputs(), view)) == [
        ("listeners", "HTTPS listener", "fail", f"AWS does not know {HTTPS}")
    ]


def test_a_redirect_that_keeps_the_port_is_not_a_redirect_to_https() -> None:
    view = healthy_view()
    view.listeners[1]["DefaultActions"] = [
        {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "#{port}", "StatusCode": "HTTP_301"}}
    ]  # fmt: skip
    assert not_passing(listener_checks(staging_outputs(), view)) == [
        ("listeners", "HTTP :80 redirects only", "fail", "default action redirect to HTTPS:#{port}")
    ]


def test_a_listener_the_stack_did_not_create_is_reported() -> None:
    view = healthy_view()
    extra = f"{ACCOUNT}:listener/app/serving-staging-alb/50dc6c495c0c9188/9e8d7c6b5a4f3e2d"
    view.listeners.append(
        {
            "ListenerArn": extra,
            "Protocol": "HTTP",
            "Port": 8080,
            "DefaultActions": _forward(TG_CHAT),
        }
    )
    view.listeners.append(
        {"ListenerArn": extra + "0", "Protocol": "HTTPS", "Port": 8443, "SslPolicy": POLICY, "DefaultActions": _forward(TG_CHAT)}
    )  # fmt: skip
    assert not_passing(listener_checks(staging_outputs(), view)) == [
        ("listeners", "HTTP :8080 redirects only", "fail", "default action forward"),
        ("listeners", "HTTPS :8443", "warn", "a listener the stack did not create"),
    ]


def test_a_missing_http_listener_is_a_warning() -> None:
    view = healthy_view()
    view.listeners = view.listeners[:1]
    assert not_passing(listener_checks(staging_outputs(), view)) == [
        ("listeners", "HTTP redirect listener", "warn", f"AWS does not know {HTTP}: http:// clients get no redirect")
    ]  # fmt: skip


def test_a_tls_policy_unknown_to_aws_is_a_warning() -> None:
    view = healthy_view()
    view.ssl_protocols = {POLICY: None}
    assert not_passing(listener_checks(staging_outputs(), view)) == [
        ("listeners", "TLS protocols", "warn", f"AWS does not describe the policy {POLICY}")
    ]


def test_a_target_group_on_another_port_not_attached_with_a_slow_health_check() -> None:
    outputs = staging_outputs()
    tg = copy.deepcopy(healthy_view().target_groups[TG_CHAT])
    tg.update(
        Port=8000, LoadBalancerArns=[], HealthCheckEnabled=False, HealthCheckPort="8081",
        HealthCheckIntervalSeconds=10, HealthCheckTimeoutSeconds=10, UnhealthyThresholdCount=5,
    )  # fmt: skip
    assert not_passing(target_group_checks(outputs, outputs.models["llm-chat"], tg)) == [
        ("model llm-chat", "target group", "fail", "HTTP on 8000 (expected HTTP on 8080); not attached to the load balancer"),
        ("model llm-chat", "health checks on", "fail", "disabled"),
        ("model llm-chat", "health check port", "fail", "8081 (expected traffic-port or 8080)"),
        ("model llm-chat", "failure detection", "fail",
         "50 s to detect a dead target (10 s x 5), the stack promises 10 s; timeout 10 s is not below the interval"),
    ]  # fmt: skip


def test_the_model_port_as_health_check_port_is_fine() -> None:
    outputs = staging_outputs()
    tg = copy.deepcopy(healthy_view().target_groups[TG_CHAT])
    tg["HealthCheckPort"] = "8080"
    assert not_passing(target_group_checks(outputs, outputs.models["llm-chat"], tg)) == []


def test_healthy_targets_are_counted_per_az_the_alb_uses() -> None:
    outputs = staging_outputs()
    view = healthy_view()
    view.target_health[TG_EMB] = [
        TargetState("i-0f5e7a9c1d3b46802", 8000, "eu-west-1a", "healthy"),
        TargetState(
            "i-0a6f8b0d2e4c57913", 8000, "eu-west-1b", "unhealthy", "Target.FailedHealthChecks"
        ),
        TargetState(
            "i-0b7a9c1e3f5d68024", 8000, "eu-west-1b", "initial", "Elb.RegistrationInProgress"
        ),
        # Healthy, but in an AZ the ALB does not use: no traffic reaches it from the ALB's nodes.
        TargetState("i-0c8b0d2f4a6e79135", 8000, "eu-west-1c", "healthy"),
    ]
    model = outputs.models["embeddings"]
    assert not_passing(target_checks(outputs, view, model)) == [
        ("model embeddings", "healthy targets per AZ", "fail",
         "eu-west-1a: 1 healthy; eu-west-1b: 0 healthy [i-0a6f8b0d2e4c57913 unhealthy (Target.FailedHealthChecks), "
         "i-0b7a9c1e3f5d68024 initial (Elb.RegistrationInProgress)] -- fewer than 1 healthy in eu-west-1b"),
    ]  # fmt: skip
    assert progress(outputs, view).endswith("embeddings 2/2 healthy in 1/2 AZs")
    assert not ready(outputs, view)


def test_fewer_healthy_targets_than_the_minimum_fail() -> None:
    outputs = staging_outputs()
    view = healthy_view()
    view.target_health[TG_CHAT].append(TargetState("i-0d9c1e3a5b7f80246", 8080, "eu-west-1a", "draining", "Target.DeregistrationInProgress"))  # fmt: skip
    model = outputs.models["llm-chat"].model_copy(update={"min_healthy_targets": 3})
    assert not_passing(target_checks(outputs, view, model)) == [
        ("model llm-chat", "healthy targets", "fail", "2 of 3 registered healthy (minimum 3)")
    ]


def test_routing_by_host_and_by_default_action() -> None:
    outputs = staging_outputs()
    view = healthy_view()
    assert routing_check(outputs, view, outputs.models["embeddings"]) == Check(
        "model embeddings", "routing", "pass", f"rule 31234: host {EMB_HOST}"
    )
    default = outputs.models["llm-chat"].model_copy(
        update={"route": outputs.models["llm-chat"].route.model_copy(update={"kind": "default", "value": "*", "priority": None})}
    )  # fmt: skip
    assert routing_check(outputs, view, default).status == "fail"
    view.listeners[0]["DefaultActions"] = [
        {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": TG_CHAT, "Weight": 1}]}}
    ]  # fmt: skip
    assert routing_check(outputs, view, default) == Check(
        "model llm-chat", "routing", "pass", "the HTTPS listener's default action forwards here"
    )


def test_a_rule_that_matches_first_and_sends_elsewhere_fails() -> None:
    outputs = staging_outputs()
    view = healthy_view()
    view.rules[HTTPS].insert(0, _rule("100", "path-pattern", ["/v1/chat"], _forward(TG_EMB)))
    assert routing_check(outputs, view, outputs.models["llm-chat"]) == Check(
        "model llm-chat", "routing", "fail",
        "rule 22919: path /v1/chat, /v1/chat/*, but rule 100 matches /v1/chat first and sends it elsewhere",
    )  # fmt: skip


def test_a_rule_at_another_priority_is_a_warning() -> None:
    outputs = staging_outputs()
    view = healthy_view()
    view.rules[HTTPS][0]["Priority"] = "5"
    assert routing_check(outputs, view, outputs.models["llm-chat"]) == Check(
        "model llm-chat", "routing", "warn",
        "rule 5: path /v1/chat, /v1/chat/* (the stack set priority 22919)",
    )  # fmt: skip


@pytest.mark.parametrize("missing", ["load balancer", "target group"])
def test_missing_resources_are_single_failures(missing: str) -> None:
    outputs = staging_outputs()
    view = healthy_view()
    if missing == "load balancer":
        assert not_passing(all_checks(outputs, AwsView(None))) == [
            ("load balancer", "exists", "fail", f"AWS does not know {ALB}")
        ]
        return
    del view.target_groups[TG_EMB], view.target_health[TG_EMB]
    assert not_passing(all_checks(outputs, view)) == [
        ("model embeddings", "target group", "fail", f"AWS does not know {TG_EMB}")
    ]
