"""Each check on its own: the stack's outputs and a hand-built AWS view (shaped like the ELBv2 API's
answers), one difference at a time. No server; the moto tests cover the boto3 side."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shared.serving_outputs import ModelOutput, ServingOutputs
from tooling.verify.aws_view import AwsView, TargetState
from tooling.verify.checks import Check, all_checks, progress, ready
from tooling.verify.checks.attributes import attribute_checks
from tooling.verify.checks.listeners import listener_checks
from tooling.verify.checks.load_balancer import load_balancer_checks
from tooling.verify.checks.routing import routing_check
from tooling.verify.checks.target_groups import target_group_checks
from tooling.verify.checks.targets import target_checks
from tooling.verify.checks.versions import Served, served

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
SETTINGS = {
    "deregistration_delay_seconds": 30, "slow_start_seconds": 0,
    "health_check": {"interval_seconds": 5, "timeout_seconds": 4, "healthy_threshold": 2, "unhealthy_threshold": 2, "matcher": "200"},
}  # fmt: skip


def only(outputs: ServingOutputs, model: ModelOutput) -> Served:
    """A model without versions: its one target group."""
    (one,) = served(outputs, model)
    return one


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
                "targets": "fleet", "min_healthy_targets": 2, "target_group_settings": SETTINGS,
            },
            "embeddings": {
                "name": "embeddings", "route": {"kind": "host", "value": EMB_HOST, "priority": 31234},
                "target_group_arn": TG_EMB, "port": 8000, "health_check_path": "/health",
                "targets": "fleet", "min_healthy_targets": 2, "target_group_settings": SETTINGS,
            },
        },
        "failover": {"detection_seconds": 10, "recovery_seconds": 10, "drain_seconds": 30, "az_count": 2, "min_healthy_per_az": 1},
        "alb_settings": {"idle_timeout_seconds": 300},
    }  # fmt: skip
    data.update(changes)
    return ServingOutputs.model_validate(data)


def _group(arn: str, port: int, path: str) -> dict[str, Any]:
    return {
        "TargetGroupArn": arn, "Protocol": "HTTP", "Port": port, "TargetType": "instance", "ProtocolVersion": "HTTP1",
        "LoadBalancerArns": [ALB], "HealthCheckEnabled": True, "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port", "HealthCheckPath": path, "HealthCheckIntervalSeconds": 5,
        "HealthCheckTimeoutSeconds": 4, "HealthyThresholdCount": 2, "UnhealthyThresholdCount": 2,
        "Matcher": {"HttpCode": "200"},
    }  # fmt: skip


def _attributes() -> dict[str, str]:
    """``DescribeTargetGroupAttributes`` of a group the stack made, as AWS answers it."""
    return {
        "deregistration_delay.timeout_seconds": "30", "stickiness.enabled": "false",
        "load_balancing.algorithm.type": "least_outstanding_requests",
        "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
        "slow_start.duration_seconds": "0", "stickiness.type": "lb_cookie",
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
NOT_FOUND = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "application/json"}}]  # fmt: skip


def healthy_view() -> AwsView:
    """What AWS answers for a healthy staging deploy (AWS lists every ALB attribute)."""
    return AwsView(
        load_balancer={
            "LoadBalancerArn": ALB, "Scheme": "internet-facing", "Type": "application",
            "State": {"Code": "active"}, "IpAddressType": "ipv4",
            "AvailabilityZones": [
                {"ZoneName": "eu-west-1b", "SubnetId": "subnet-0b2c3d4e5f6a7b8c9"},
                {"ZoneName": "eu-west-1a", "SubnetId": "subnet-0a1b2c3d4e5f6a7b8"},
            ],
        },
        attributes={
            "access_logs.s3.enabled": "true", "access_logs.s3.bucket": BUCKET, "access_logs.s3.prefix": "access",
            "connection_logs.s3.enabled": "true", "connection_logs.s3.bucket": BUCKET,
            "connection_logs.s3.prefix": "connection",
            "routing.http.drop_invalid_header_fields.enabled": "true",
            "routing.http.desync_mitigation_mode": "defensive", "deletion_protection.enabled": "false",
            "idle_timeout.timeout_seconds": "300", "routing.http2.enabled": "true",
            "load_balancing.cross_zone.enabled": "true", "routing.http.preserve_host_header.enabled": "false",
            "routing.http.xff_header_processing.mode": "append",
        },
        listeners=[
            {"ListenerArn": HTTPS, "Protocol": "HTTPS", "Port": 443, "SslPolicy": POLICY,
             "Certificates": [{"CertificateArn": CERT}], "DefaultActions": NOT_FOUND},
            {"ListenerArn": HTTP, "Protocol": "HTTP", "Port": 80, "DefaultActions": REDIRECT},
        ],
        rules={
            HTTPS: [
                _rule("22919", "path-pattern", ["/v1/chat", "/v1/chat/*"], _forward(TG_CHAT)),
                _rule("31234", "host-header", [EMB_HOST], _forward(TG_EMB)),
                {"Priority": "default", "IsDefault": True, "Conditions": [], "Actions": NOT_FOUND},
            ],
            HTTP: [{"Priority": "default", "IsDefault": True, "Conditions": [], "Actions": REDIRECT}],
        },
        ssl_protocols={POLICY: ["TLSv1.2", "TLSv1.3"]},
        target_groups={TG_CHAT: _group(TG_CHAT, 8080, "/healthz"), TG_EMB: _group(TG_EMB, 8000, "/health")},
        target_group_attributes={TG_CHAT: _attributes(), TG_EMB: _attributes()},
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
    assert all(c.fix is None for c in checks)
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
    view.attributes["routing.http.drop_invalid_header_fields.enabled"] = "false"
    view.attributes["routing.http.desync_mitigation_mode"] = "monitor"
    view.attributes["connection_logs.s3.enabled"] = "false"
    outputs = staging_outputs(deletion_protection=True)
    checks = attribute_checks(outputs, view)
    assert not_passing(checks) == [
        (
            "attributes",
            "connection logs",
            "fail",
            f"off (expected on, to s3://{BUCKET}/connection)",
        ),
        ("attributes", "drop invalid header fields", "fail", "off (expected on)"),
        ("attributes", "desync mitigation", "fail", "monitor (expected defensive)"),
        ("attributes", "deletion protection", "fail", "off (expected on)"),
    ]
    failed = by_name(checks)["attributes", "desync mitigation"]
    assert (failed.actual, failed.expected) == ("monitor", "defensive")
    assert failed.fix == "redeploy the serving stack (`make deploy`), which sets it back"


def test_attributes_aws_leaves_out_are_awss_defaults() -> None:
    view = healthy_view()
    for key in (
        "routing.http.desync_mitigation_mode",
        "routing.http2.enabled",
        "load_balancing.cross_zone.enabled",
    ):
        view.attributes.pop(key)
    assert not_passing(attribute_checks(staging_outputs(), view)) == []
    view.attributes.pop("idle_timeout.timeout_seconds")
    strictest = staging_outputs(desync_mitigation_mode="strictest")
    assert not_passing(attribute_checks(strictest, view)) == [
        ("attributes", "desync mitigation", "fail", "defensive (expected strictest)"),
        ("attributes", "idle timeout", "fail", "60 s (expected 300 s)"),
    ]  # fmt: skip


def test_settings_an_older_stack_did_not_export_are_warnings_not_guesses() -> None:
    """Outputs from before the settings existed still validate; what they lack is not compared."""
    old = staging_outputs(alb_settings={})
    models = {
        name: {k: v for k, v in m.model_dump().items() if k != "target_group_settings"}
        for name, m in old.models.items()
    }
    old = staging_outputs(alb_settings={}, models=models)
    view = healthy_view()
    view.attributes["idle_timeout.timeout_seconds"] = "4000"
    view.target_group_attributes[TG_CHAT]["deregistration_delay.timeout_seconds"] = "3000"
    found = not_passing(all_checks(old, view))
    assert found[0] == (
        "attributes", "idle timeout", "warn",
        "idle timeout 4000 s; not compared: the stack does not export alb_settings.idle_timeout_seconds",
    )  # fmt: skip
    assert found[1][:3] == ("model llm-chat", "settings not compared", "warn")
    assert "target_group_settings.deregistration_delay_seconds" in found[1][3]
    assert [f[2] for f in found] == ["warn"] * 3


def test_deletion_protection_on_where_not_required_passes() -> None:
    view = healthy_view()
    view.attributes["deletion_protection.enabled"] = "true"
    checks = by_name(attribute_checks(staging_outputs(), view))
    assert checks["attributes", "deletion protection"].status == "pass"


def test_the_wrong_certificate_and_a_missing_https_listener_fail() -> None:
    view = healthy_view()
    other = "arn:aws:acm:eu-west-1:210987654321:certificate/0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
    view.listeners[0]["Certificates"] = [{"CertificateArn": other}]
    assert not_passing(listener_checks(staging_outputs(), view)) == [
        ("listeners", "HTTPS :443 certificate", "fail", f"{other} (expected {CERT})")
    ]
    view.listeners = view.listeners[1:]
    assert not_passing(listener_checks(staging_outputs(), view)) == [
        ("listeners", "HTTPS listener", "fail", f"AWS does not know {HTTPS}")
    ]


def test_the_https_listeners_default_action_is_the_stacks() -> None:
    view = healthy_view()
    view.listeners[0]["DefaultActions"] = _forward(TG_CHAT)
    assert not_passing(listener_checks(staging_outputs(), view)) == [
        ("listeners", "HTTPS :443 default action", "fail",
         "forward to srv-staging-llm-chat-1d2e3f4 (model llm-chat) weight 1 (100%) (expected fixed-response 404 (application/json))"),
    ]  # fmt: skip


def test_a_redirect_that_keeps_the_port_or_changes_the_code_is_not_the_stacks() -> None:
    view = healthy_view()
    view.listeners[1]["DefaultActions"] = [
        {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "#{port}", "StatusCode": "HTTP_301"}}
    ]  # fmt: skip
    assert not_passing(listener_checks(staging_outputs(), view)) == [
        ("listeners", "HTTP :80 redirects only", "fail",
         "default action redirect to HTTPS:#{port} (HTTP_301) (expected only redirect to HTTPS:443 (HTTP_301))"),
    ]  # fmt: skip
    view.listeners[1]["DefaultActions"][0]["RedirectConfig"].update(
        Port="443", StatusCode="HTTP_302"
    )
    assert not_passing(listener_checks(staging_outputs(), view))[0][3].startswith(
        "default action redirect to HTTPS:443 (HTTP_302)"
    )


def test_every_listener_is_held_to_the_stacks_rules() -> None:
    view = healthy_view()
    extra = f"{ACCOUNT}:listener/app/serving-staging-alb/50dc6c495c0c9188/9e8d7c6b5a4f3e2d"
    view.listeners.append({"ListenerArn": extra, "Protocol": "HTTP", "Port": 8080, "DefaultActions": _forward(TG_CHAT)})  # fmt: skip
    view.listeners.append(
        {"ListenerArn": extra + "0", "Protocol": "HTTPS", "Port": 8443, "SslPolicy": "ELBSecurityPolicy-TLS13-1-0-2021-06",
         "Certificates": [{"CertificateArn": CERT}], "DefaultActions": _forward(TG_EMB)}
    )  # fmt: skip
    view.ssl_protocols["ELBSecurityPolicy-TLS13-1-0-2021-06"] = [
        "TLSv1",
        "TLSv1.1",
        "TLSv1.2",
        "TLSv1.3",
    ]
    assert not_passing(listener_checks(staging_outputs(), view)) == [
        ("listeners", "HTTP :8080 listener", "warn", "a listener the stack did not create; it serves llm-chat"),
        ("listeners", "HTTP :8080 redirects only", "fail",
         "default action forward to srv-staging-llm-chat-1d2e3f4 (model llm-chat) weight 1 (100%) (expected only redirect to HTTPS:443)"),
        ("listeners", "HTTPS :8443 listener", "warn", "a listener the stack did not create; it serves embeddings"),
        ("listeners", "HTTPS :8443 TLS policy", "fail", f"ELBSecurityPolicy-TLS13-1-0-2021-06 (expected {POLICY})"),
        ("listeners", "HTTPS :8443 TLS protocols", "fail", "TLSv1, TLSv1.1, TLSv1.2, TLSv1.3: allows TLSv1, TLSv1.1"),
    ]  # fmt: skip


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
        (
            "listeners",
            "HTTPS :443 TLS protocols",
            "warn",
            f"AWS does not describe the policy {POLICY}",
        )
    ]


def test_a_target_group_on_another_port_not_attached_with_a_slow_health_check() -> None:
    outputs, view = staging_outputs(), healthy_view()
    tg = copy.deepcopy(view.target_groups[TG_CHAT])
    tg.update(
        Port=8000, LoadBalancerArns=[], HealthCheckEnabled=False, HealthCheckPort="8081",
        HealthCheckIntervalSeconds=10, HealthCheckTimeoutSeconds=10, UnhealthyThresholdCount=5,
        Matcher={"HttpCode": "200-499"},
    )  # fmt: skip
    assert not_passing(target_group_checks(outputs, view, only(outputs, outputs.models["llm-chat"]), tg)) == [
        ("model llm-chat", "target group", "fail", "HTTP on 8000 (expected HTTP on 8080); not attached to the load balancer"),
        ("model llm-chat", "health checks on", "fail", "off (expected on)"),
        ("model llm-chat", "health check port", "fail", "8081 (expected traffic-port or 8080)"),
        ("model llm-chat", "health check interval", "fail", "10 s (expected 5 s)"),
        ("model llm-chat", "health check timeout", "fail", "10 s (expected 4 s)"),
        ("model llm-chat", "unhealthy threshold", "fail", "5 (expected 2)"),
        ("model llm-chat", "health check matcher", "fail", "200-499 (expected 200)"),
        ("model llm-chat", "failure detection", "fail",
         "50 s to detect a dead target (10 s x 5), the stack promises 10 s; timeout 10 s is not below the interval"),
    ]  # fmt: skip


def test_target_group_attributes_are_compared_with_the_outputs() -> None:
    outputs, view = staging_outputs(), healthy_view()
    view.target_group_attributes[TG_EMB].update({
        "deregistration_delay.timeout_seconds": "3000", "slow_start.duration_seconds": "120",
        "load_balancing.algorithm.type": "round_robin", "load_balancing.cross_zone.enabled": "false",
        "stickiness.enabled": "true",
    })  # fmt: skip
    model = outputs.models["embeddings"]
    assert not_passing(target_group_checks(outputs, view, only(outputs, model), view.target_groups[TG_EMB])) == [
        ("model embeddings", "deregistration delay", "fail", "3000 s (expected 30 s)"),
        ("model embeddings", "slow start", "fail", "120 s (expected 0 s)"),
        ("model embeddings", "load balancing algorithm", "fail", "round_robin (expected least_outstanding_requests)"),
        ("model embeddings", "cross-zone load balancing", "fail", "off (expected on)"),
        ("model embeddings", "stickiness", "fail", "on (expected off)"),
    ]  # fmt: skip
    # "true" on the group is on; the ALB's own setting counts for "use_load_balancer_configuration".
    view.target_group_attributes[TG_EMB]["load_balancing.cross_zone.enabled"] = "true"
    checks = by_name(
        target_group_checks(outputs, view, only(outputs, model), view.target_groups[TG_EMB])
    )
    assert checks["model embeddings", "cross-zone load balancing"].status == "pass"


def test_the_model_port_as_health_check_port_is_fine() -> None:
    outputs, view = staging_outputs(), healthy_view()
    tg = copy.deepcopy(view.target_groups[TG_CHAT])
    tg["HealthCheckPort"] = "8080"
    assert (
        not_passing(
            target_group_checks(outputs, view, only(outputs, outputs.models["llm-chat"]), tg)
        )
        == []
    )


def test_end_to_end_tls_is_expected_when_the_stack_says_so() -> None:
    """The lead's ``backendProtocol: HTTPS``: the group and its health check on HTTPS."""
    outputs, view = staging_outputs(), healthy_view()
    model = outputs.models["llm-chat"]
    https = model.target_group_settings.model_copy(update={
        "protocol": "HTTPS", "health_check": model.target_group_settings.health_check.model_copy(update={"protocol": "HTTPS"}),
    })  # fmt: skip
    model = model.model_copy(update={"target_group_settings": https})
    assert [c[:2] for c in not_passing(target_group_checks(outputs, view, only(outputs, model), view.target_groups[TG_CHAT]))] == [
        ("model llm-chat", "target group"), ("model llm-chat", "health check protocol"),
    ]  # fmt: skip


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
    assert not_passing(target_checks(outputs, view, only(outputs, model))) == [
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
    assert not_passing(target_checks(outputs, view, only(outputs, model))) == [
        ("model llm-chat", "healthy targets", "fail", "2 of 3 registered healthy (minimum 3)")
    ]


def test_routing_by_host_and_by_default_action() -> None:
    outputs = staging_outputs()
    view = healthy_view()
    assert routing_check(outputs, view, outputs.models["embeddings"]).detail == (
        f"rule 31234 (host {EMB_HOST}): srv-staging-embeddings-9c1e2f3 (model embeddings) weight 1 (100%)"
    )
    default = outputs.models["llm-chat"].model_copy(
        update={"route": outputs.models["llm-chat"].route.model_copy(update={"kind": "default", "value": "*", "priority": None})}
    )  # fmt: skip
    assert routing_check(outputs, view, default).status == "fail"
    view.rules[HTTPS][-1]["Actions"] = [
        {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": TG_CHAT, "Weight": 1}]}}
    ]  # fmt: skip
    assert routing_check(outputs, view, default) == Check(
        "model llm-chat", "routing", "pass",
        "the default action: srv-staging-llm-chat-1d2e3f4 (model llm-chat) weight 1 (100%)",
        "the default action: srv-staging-llm-chat-1d2e3f4 (model llm-chat) weight 1 (100%)",
        "forward to srv-staging-llm-chat-1d2e3f4 (model llm-chat)",
    )  # fmt: skip


def test_a_rule_that_matches_first_and_sends_elsewhere_fails() -> None:
    outputs = staging_outputs()
    view = healthy_view()
    view.rules[HTTPS].insert(0, _rule("100", "path-pattern", ["/v1/chat*"], _forward(TG_EMB)))
    check = routing_check(outputs, view, outputs.models["llm-chat"])
    assert (check.status, check.detail) == ("fail",
        "GET api.ml-staging.acme-corp.com/v1/chat/healthz is taken by rule 100 (path /v1/chat*): forward to "
        "srv-staging-embeddings-9c1e2f3 (model embeddings) weight 1 (100%), not srv-staging-llm-chat-1d2e3f4 (model llm-chat)")  # fmt: skip


def test_a_rule_for_another_host_takes_part_of_a_path_route() -> None:
    """``/v1/chat`` on any host is the model's; a rule for one host and ``/v1/*`` takes those."""
    outputs = staging_outputs()
    view = healthy_view()
    view.rules[HTTPS].insert(0, {
        **_rule("7", "path-pattern", ["/v1/*"], _forward(TG_EMB)),
        "Conditions": [
            {"Field": "host-header", "HostHeaderConfig": {"Values": ["admin.acme-corp.com"]}},
            {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/v1/*"]}},
        ],
    })  # fmt: skip
    check = routing_check(outputs, view, outputs.models["llm-chat"])
    assert check.status == "warn"
    assert check.detail.endswith(
        "rule 7 (host admin.acme-corp.com; path /v1/*) takes some of its requests: "
        "forward to srv-staging-embeddings-9c1e2f3 (model embeddings) weight 1 (100%)"
    )
    # A host route is only its host: the same rule cannot take its requests.
    assert routing_check(outputs, view, outputs.models["embeddings"]).status == "pass"


def test_a_rule_at_another_priority_is_a_warning() -> None:
    outputs = staging_outputs()
    view = healthy_view()
    view.rules[HTTPS][0]["Priority"] = "5"
    check = routing_check(outputs, view, outputs.models["llm-chat"])
    assert (check.status, check.detail) == (
        "warn",
        "rule 5 (path /v1/chat, /v1/chat/*): srv-staging-llm-chat-1d2e3f4 (model llm-chat) weight 1 (100%); "
        "the stack set priority 22919",
    )


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


def _one_version(arn: str, weight: int, name: str = "initial") -> dict[str, Any]:
    return {
        "name": name, "weight": weight, "target_group_arn": arn, "targets": "fleet",
        "min_healthy_targets": 2, "min_healthy_per_az": 1,
    }  # fmt: skip


def _with_models(outputs: ServingOutputs, **changes: dict[str, Any]) -> ServingOutputs:
    models = {n: m.model_dump() | changes.get(n, {}) for n, m in outputs.models.items()}
    return staging_outputs(models=models)


def test_todays_outputs_for_models_without_versions_are_checked_as_before() -> None:
    """Today's stack exports one ``initial`` version per model without versions (weighted false):
    the same checks, groups and details as outputs that export no versions at all."""
    plain, view = staging_outputs(), healthy_view()
    view.target_health[TG_EMB].pop()  # one failure, so details are compared too
    today = _with_models(
        plain,
        **{
            name: {"versions": {"initial": _one_version(m.target_group_arn, 1)}}
            for name, m in plain.models.items()
        },
    )
    rows = [(c.group, c.name, c.status, c.detail) for c in all_checks(plain, view)]
    assert [(c.group, c.name, c.status, c.detail) for c in all_checks(today, view)] == rows
    assert progress(today, view) == progress(plain, view)


def test_a_version_whose_group_is_gone_fails_that_version_only() -> None:
    tg_v2 = TG_CHAT.replace("llm-chat-1d2e3f4/73e2d6bc24d8a067", "llm-chat-v2/0123456789abcdef")
    outputs = _with_models(
        staging_outputs(),
        **{"llm-chat": {"weighted": True, "versions": {
            "v1": _one_version(TG_CHAT, 100, "v1"), "v2": _one_version(tg_v2, 0, "v2"),
        }}},
    )  # fmt: skip
    view = healthy_view()
    weighted = {"TargetGroups": [{"TargetGroupArn": TG_CHAT, "Weight": 100}, {"TargetGroupArn": tg_v2, "Weight": 0}]}  # fmt: skip
    view.rules[HTTPS][0]["Actions"] = [{"Type": "forward", "ForwardConfig": weighted}]
    checks = all_checks(outputs, view)
    assert not_passing(checks) == [
        ("model llm-chat version v2", "target group", "fail", f"AWS does not know {tg_v2}")
    ]
    found = by_name(checks)
    assert found["model llm-chat", "version weights"].detail == "rule 22919: v1 100, v2 0"
    assert found["model llm-chat", "forward stickiness"].detail == "off"
    assert progress(outputs, view).startswith("llm-chat/v1 2/2 healthy in 2/2 AZs, embeddings")
    assert ready(outputs, view)
