"""The ALB, its listeners and the dependency wiring, as registered inputs."""

from __future__ import annotations

import json

from tests.serving.conftest import (
    ALB,
    BUCKET,
    BUCKET_POLICY,
    CERTIFICATE,
    CERTIFICATE_VALIDATION,
    LISTENER,
    RECORD,
    RULE,
    TG,
    render_serving,
    seed_config,
)
from tooling.mock_runtime import FakeAwsAccount, Rendered


def _listener(rendered: Rendered, port: int):
    (listener,) = [r for r in rendered.of_type(LISTENER) if r.inputs["port"] == port]
    return listener


def test_alb_secure_defaults(dev: Rendered) -> None:
    alb = dev.one(ALB)
    assert alb.inputs["loadBalancerType"] == "application"
    assert alb.inputs["dropInvalidHeaderFields"] is True
    assert alb.inputs["desyncMitigationMode"] == "defensive"
    assert alb.inputs["enableHttp2"] is True
    assert alb.inputs["idleTimeout"] == 300
    assert alb.inputs["enableDeletionProtection"] is False  # dev; prod is covered in test_envs
    assert len(alb.inputs["subnets"]) == 3


def test_access_and_connection_logs_point_at_the_bucket(dev: Rendered) -> None:
    alb = dev.one(ALB)
    bucket = dev.one(BUCKET)
    assert alb.inputs["accessLogs"] == {
        "bucket": bucket.outputs["bucket"],
        "enabled": True,
        "prefix": "access",
    }
    assert alb.inputs["connectionLogs"] == {
        "bucket": bucket.outputs["bucket"],
        "enabled": True,
        "prefix": "connection",
    }
    assert alb.property_dependencies["accessLogs"] == [bucket.urn]


def test_the_bucket_policy_exists_before_the_alb(dev: Rendered) -> None:
    alb = dev.one(ALB)
    policy = dev.one(BUCKET_POLICY)
    assert policy.urn in alb.dependencies


def test_http_listener_only_redirects_to_https_443(dev: Rendered) -> None:
    http = _listener(dev, 80)
    assert http.inputs["protocol"] == "HTTP"
    assert http.inputs["defaultActions"] == [
        {
            "type": "redirect",
            "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"},
        }
    ]


def test_https_listener_has_modern_tls_and_the_certificate(dev: Rendered) -> None:
    https = _listener(dev, 443)
    assert https.inputs["protocol"] == "HTTPS"
    assert https.inputs["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
    assert (
        https.inputs["certificateArn"]
        == "arn:aws:acm:eu-west-1:210987654321:certificate/5f3c2b1a-8d4e-4f6a-9b7c-1e2d3c4b5a69"
    )


def test_a_single_model_is_the_default_action(dev: Rendered) -> None:
    https = _listener(dev, 443)
    tg = dev.one(TG)
    assert https.inputs["defaultActions"] == [
        {"type": "forward", "targetGroupArn": tg.outputs["arn"]}
    ]
    assert dev.of_type(RULE) == []


def test_listeners_depend_on_the_alb_and_target_group(dev: Rendered) -> None:
    alb, tg = dev.one(ALB), dev.one(TG)
    https, http = _listener(dev, 443), _listener(dev, 80)
    assert https.property_dependencies["loadBalancerArn"] == [alb.urn]
    assert https.property_dependencies["defaultActions"] == [tg.urn]
    assert http.property_dependencies["loadBalancerArn"] == [alb.urn]


def test_without_a_default_model_unmatched_requests_get_a_json_404(staging: Rendered) -> None:
    https = _listener(staging, 443)
    (action,) = https.inputs["defaultActions"]
    assert action["type"] == "fixed-response"
    assert action["fixedResponse"]["statusCode"] == "404"
    assert action["fixedResponse"]["contentType"] == "application/json"
    assert json.loads(action["fixedResponse"]["messageBody"])["error"] == "not_found"


def test_dns_validated_certificate_and_alias_record(prod: Rendered) -> None:
    cert = prod.one(CERTIFICATE)
    assert cert.inputs["domainName"] == "api.ml.acme-corp.com"
    assert cert.inputs["subjectAlternativeNames"] == []
    assert cert.inputs["validationMethod"] == "DNS"
    validation = prod.one(CERTIFICATE_VALIDATION)
    https = _listener(prod, 443)
    assert https.property_dependencies["certificateArn"] == [validation.urn]
    records = prod.of_type(RECORD)
    alias = next(r for r in records if r.inputs.get("aliases"))
    assert alias.inputs["name"] == "api.ml.acme-corp.com"
    assert alias.inputs["aliases"][0]["evaluateTargetHealth"] is True


def test_internal_alb_uses_private_subnets(account) -> None:  # type: ignore[no-untyped-def]
    rendered = render_serving(
        "dev", seed_config(**{"serving:scheme": "internal", "serving:allowedCidrs": ["10.0.0.0/8"]})
    )
    alb = rendered.one(ALB)
    assert alb.inputs["internal"] is True
    assert alb.inputs["subnets"] == account.network_outputs()["private_subnet_ids"]


def test_an_existing_log_bucket_is_used_as_is() -> None:
    rendered = render_serving(
        "dev", seed_config(**{"serving:accessLogs": {"bucket": "acme-central-alb-logs"}})
    )
    assert rendered.of_type(BUCKET) == []
    assert rendered.one(ALB).inputs["accessLogs"]["bucket"] == "acme-central-alb-logs"
    assert rendered.outputs["log_bucket"] == "acme-central-alb-logs"


def test_a_requested_certificate_covers_every_name_clients_use(staging: Rendered) -> None:
    cert = staging.one(CERTIFICATE)
    assert cert.inputs["domainName"] == "api.ml-staging.acme-corp.com"
    assert cert.inputs["subjectAlternativeNames"] == ["embeddings.ml-staging.acme-corp.com"]
    assert cert.inputs["validationMethod"] == "DNS"
    validations = [
        r for r in staging.of_type(RECORD) if r.inputs["type"] == "CNAME" and r.parent == cert.urn
    ]
    assert sorted(r.inputs["name"] for r in validations) == sorted(
        option["resourceRecordName"] for option in cert.outputs["domainValidationOptions"]
    )
    zone_id = FakeAwsAccount().hosted_zones["ml-staging.acme-corp.com"]
    assert {r.inputs["zoneId"] for r in validations} == {zone_id}
    validation = staging.one(CERTIFICATE_VALIDATION)
    assert sorted(validation.property_dependencies["validationRecordFqdns"]) == sorted(
        r.urn for r in validations
    )


def test_aliases_for_the_api_name_and_each_host_route(staging: Rendered) -> None:
    alb = staging.one(ALB)
    aliases = [r for r in staging.of_type(RECORD) if r.inputs.get("aliases")]
    assert sorted(r.inputs["name"] for r in aliases) == [
        "api.ml-staging.acme-corp.com",
        "embeddings.ml-staging.acme-corp.com",
    ]
    for record in aliases:
        assert record.inputs["type"] == "A"
        assert record.inputs["aliases"] == [
            {
                "name": alb.outputs["dnsName"],
                "zoneId": alb.outputs["zoneId"],
                "evaluateTargetHealth": True,
            }
        ]


def test_configured_alb_and_listener_settings_reach_the_resources() -> None:
    rendered = render_serving(
        "dev",
        seed_config(
            **{
                "serving:idleTimeoutSeconds": 900,
                "serving:desyncMitigationMode": "strictest",
                "serving:deletionProtection": True,
                "serving:tlsPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            }
        ),
    )
    alb = rendered.one(ALB)
    assert (
        alb.inputs["idleTimeout"],
        alb.inputs["desyncMitigationMode"],
        alb.inputs["enableDeletionProtection"],
    ) == (900, "strictest", True)
    assert not alb.protect  # resource protection is prod's; deletion protection is the config's
    assert _listener(rendered, 443).inputs["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert rendered.outputs["deletion_protection"] is True


def test_alarms_without_a_topic_have_no_actions(dev: Rendered) -> None:
    alarms = dev.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert len(alarms) == 4
    assert all(a.inputs.get("alarmActions", []) == [] for a in alarms)
    low = next(a for a in alarms if a.name.endswith("healthy-hosts-low"))
    assert (low.inputs["threshold"], low.inputs["treatMissingData"]) == (3, "breaching")
