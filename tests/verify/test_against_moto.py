"""``make verify`` against moto_server: the tests' prod-like deploy, healthy, then one thing broken at
a time, each with the exact check that must fail, its line, and exit code 1."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from shared.serving_outputs import ServingOutputs
from tests.verify.conftest import LOG_BUCKET, FakeClock, Run, verify
from tests.verify.layout import (
    ACCOUNT,
    OTHER_ACCOUNT,
    PROD_LIKE,
    REGION,
    Deployment,
    as_other_account,
    deploy,
)
from tooling.verify.aws_view import fetch
from tooling.verify.cli import clients
from tooling.verify.wait import wait_until_ready

LLM, EMBEDDINGS = "model llm-chat", "model embeddings"
BUCKET = "access-log bucket"


def not_passing(run: Run) -> list[tuple[str, str, str]]:
    assert run.report is not None
    return [
        (c["group"], c["name"], c["status"]) for c in run.report["checks"] if c["status"] != "pass"
    ]


def rogue_group(deployment: Deployment, name: str = "someone-elses-tg") -> str:
    return deployment.elbv2.create_target_group(
        Name=name, Protocol="HTTP", Port=9000, VpcId=deployment.vpc_id, TargetType="instance"
    )["TargetGroups"][0]["TargetGroupArn"]


def test_a_healthy_deploy_passes_every_check(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 0, run.stdout + run.stderr
    # Today's stack neither turns versioning on nor says it does: the one warning.
    assert not_passing(run) == [(BUCKET, "versioning", "warn")]
    assert run.report is not None
    names = {(c["group"], c["name"]) for c in run.report["checks"]}
    for group in (LLM, EMBEDDINGS):
        assert {
            (group, "health check matcher"), (group, "deregistration delay"), (group, "slow start"),
            (group, "cross-zone load balancing"), (group, "stickiness"), (group, "load balancing algorithm"),
            (group, "healthy targets per AZ"), (group, "routing"),
        } <= names  # fmt: skip
    priority = deployment.model("llm-chat")["route"]["priority"]
    assert run.check(LLM, "routing")["detail"] == (
        f"rule {priority} (path /v1/chat, /v1/chat/*): srv-prod-llm-chat-4f1c2d7 (model llm-chat) weight 1 (100%)"
    )
    assert run.check("attributes", "access logs")["detail"] == f"on, to s3://{LOG_BUCKET}/access"
    assert run.check(BUCKET, "exists in the stack's account")["status"] == "pass"
    assert run.check(BUCKET, "log objects")["detail"] == (
        f"e.g. access/AWSLogs/{ACCOUNT}/ELBAccessLogTestFile"
    )
    assert run.check(LLM, "deregistration delay")["detail"] == "60 s"
    assert "OK: " in run.stdout and "0 failed" in run.stdout


def test_a_bucket_with_versioning_that_the_stack_exports_passes_it(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dataclasses import replace

    run = verify(deploy(replace(PROD_LIKE, versioning=True)), tmp_path, capsys)
    assert (run.code, not_passing(run)) == (0, [])
    assert run.check(BUCKET, "non-current version expiry")["detail"] == "30 days"


# ---- the faults of issue 13 --------------------------------------------------------------------


def test_a_priority_1_rule_for_v1_that_forwards_elsewhere_captures_every_model(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rogue = rogue_group(deployment)
    rule = deployment.elbv2.create_rule(
        ListenerArn=deployment.outputs["https_listener_arn"], Priority=1,
        Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/v1/*"]}}],
        Actions=[{"Type": "forward", "TargetGroupArn": rogue}],
    )["Rules"][0]  # fmt: skip
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert [c for c in not_passing(run) if c[2] == "fail"] == [
        (LLM, "routing", "fail"),
        (EMBEDDINGS, "routing", "fail"),
    ]
    failure = run.check(LLM, "routing")
    assert failure["detail"] == (
        "GET api.ml.acme-corp.com/v1/chat/healthz is taken by rule 1 (path /v1/*): "
        "forward to someone-elses-tg weight 1 (100%), not srv-prod-llm-chat-4f1c2d7 (model llm-chat)"
    )
    assert failure["actual"] == "rule 1 (path /v1/*): forward to someone-elses-tg weight 1 (100%)"
    assert (
        failure["expected"] == "forward to srv-prod-llm-chat-4f1c2d7 (model llm-chat) by rule 22919"
    )
    assert failure["fix"] == (
        f"delete rule 1 (path /v1/*) ({rule['RuleArn']}), narrow it, or move it after the stack's rule 22919"
    )


def test_an_extra_8443_listener_with_tls_1_0_that_forwards_to_a_model_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.elbv2.create_listener(
        LoadBalancerArn=deployment.outputs["alb_arn"], Protocol="HTTPS", Port=8443,
        SslPolicy="ELBSecurityPolicy-TLS-1-0-2015-04",
        Certificates=[{"CertificateArn": deployment.outputs["certificate_arn"]}],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": deployment.model("llm-chat")["target_group_arn"]}],
    )  # fmt: skip
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert not_passing(run) == [
        ("listeners", "HTTPS :8443 listener", "warn"),
        ("listeners", "HTTPS :8443 TLS policy", "fail"),
        # moto does not describe this retired policy; real AWS does, and this fails too (TLSv1).
        ("listeners", "HTTPS :8443 TLS protocols", "warn"),
        (BUCKET, "versioning", "warn"),
    ]
    assert run.check("listeners", "HTTPS :8443 TLS policy")["detail"] == (
        "ELBSecurityPolicy-TLS-1-0-2015-04 (expected ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09)"
    )
    assert run.check("listeners", "HTTPS :8443 listener")["detail"] == (
        "a listener the stack did not create; it serves llm-chat"
    )


def _empty_and_delete(s3: Any, bucket: str) -> None:
    s3.delete_bucket_policy(Bucket=bucket)  # its TLS-only Deny would refuse moto's plain HTTP
    for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        s3.delete_object(Bucket=bucket, Key=item["Key"])
    s3.delete_bucket(Bucket=bucket)


def test_a_deleted_log_bucket_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _empty_and_delete(deployment.s3, LOG_BUCKET)
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert not_passing(run) == [(BUCKET, "exists in the stack's account", "fail")]
    check = run.check(BUCKET, "exists in the stack's account")
    assert check["detail"] == f"s3://{LOG_BUCKET} does not exist: the ALB cannot deliver logs"
    assert (check["actual"], check["expected"]) == ("missing", f"owned by {ACCOUNT}")


def test_a_log_bucket_re_created_by_another_account_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """moto does not enforce ExpectedBucketOwner (AWS answers 403: see test_bucket_view.py); the
    owner shows in the account's own ListBuckets, which does not list another account's bucket."""
    _empty_and_delete(deployment.s3, LOG_BUCKET)
    import boto3

    other = as_other_account(boto3.session.Session(region_name=REGION).client("s3"))
    other.create_bucket(Bucket=LOG_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert not_passing(run) == [(BUCKET, "exists in the stack's account", "fail")]
    assert run.check(BUCKET, "exists in the stack's account")["detail"] == (
        f"s3://{LOG_BUCKET} is owned by another account: it is not among account {ACCOUNT}'s buckets "
        "(ListBuckets); the ALB's logs go to someone else"
    )
    assert OTHER_ACCOUNT != ACCOUNT


def test_a_matcher_drifted_to_200_499_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.elbv2.modify_target_group(
        TargetGroupArn=deployment.model("embeddings")["target_group_arn"],
        Matcher={"HttpCode": "200-499"},
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [(EMBEDDINGS, "health check matcher")]
    check = run.check(EMBEDDINGS, "health check matcher")
    assert (check["detail"], check["actual"], check["expected"]) == (
        "200-499 (expected 200)",
        "200-499",
        "200",
    )
    assert check["fix"] == "redeploy the serving stack (`make deploy`), which sets it back"


def test_a_deregistration_delay_drifted_to_3000_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.elbv2.modify_target_group_attributes(
        TargetGroupArn=deployment.model("llm-chat")["target_group_arn"],
        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "3000"}],
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [(LLM, "deregistration delay")]
    assert run.check(LLM, "deregistration delay")["detail"] == "3000 s (expected 60 s)"


def test_cross_zone_load_balancing_turned_off_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An ALB's own cross-zone attribute cannot be turned off; a target group's can."""
    deployment.elbv2.modify_target_group_attributes(
        TargetGroupArn=deployment.model("embeddings")["target_group_arn"],
        Attributes=[{"Key": "load_balancing.cross_zone.enabled", "Value": "false"}],
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [(EMBEDDINGS, "cross-zone load balancing")]
    assert run.check(EMBEDDINGS, "cross-zone load balancing")["detail"] == "off (expected on)"


# ---- more drift ----------------------------------------------------------------------------------


def test_an_az_whose_only_target_is_stopped_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stopped = deployment.instance("llm-chat", "eu-west-1c")
    deployment.ec2.stop_instances(InstanceIds=[stopped])
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [(LLM, "healthy targets per AZ"), (LLM, "healthy targets")]
    assert run.check(LLM, "healthy targets per AZ")["detail"] == (
        "eu-west-1a: 1 healthy; eu-west-1b: 1 healthy; "
        f"eu-west-1c: 0 healthy [{stopped} unused (Target.InvalidState)]"
        " -- fewer than 1 healthy in eu-west-1c"
    )
    assert run.check(LLM, "healthy targets")["detail"] == "2 of 3 registered healthy (minimum 3)"


def test_an_az_without_any_target_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.elbv2.deregister_targets(
        TargetGroupArn=deployment.model("embeddings")["target_group_arn"],
        Targets=[{"Id": deployment.instance("embeddings", "eu-west-1a"), "Port": 8000}],
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.failed() == [(EMBEDDINGS, "healthy targets per AZ"), (EMBEDDINGS, "healthy targets")]
    assert run.check(EMBEDDINGS, "healthy targets per AZ")["detail"].startswith(
        "eu-west-1a: 0 healthy [no target registered]; eu-west-1b: 1 healthy"
    )


@pytest.mark.parametrize(
    "case",
    [
        ({"access_logs.s3.enabled": "false"}, "access logs", f"off (expected on, to s3://{LOG_BUCKET}/access)"),
        ({"access_logs.s3.bucket": "acme-shared-logs-eu-west-1"}, "access logs",
         f"on, to s3://acme-shared-logs-eu-west-1/access (expected s3://{LOG_BUCKET}/access)"),
        ({"connection_logs.s3.prefix": "conn"}, "connection logs",
         f"on, to s3://{LOG_BUCKET}/conn (expected s3://{LOG_BUCKET}/connection)"),
        ({"deletion_protection.enabled": "false"}, "deletion protection", "off (expected on)"),
        ({"idle_timeout.timeout_seconds": "60"}, "idle timeout", "60 s (expected 300 s)"),
        ({"routing.http2.enabled": "false"}, "HTTP/2", "off (expected on)"),
        ({"routing.http.xff_header_processing.mode": "remove"}, "X-Forwarded-For", "remove (expected append)"),
        ({"routing.http.preserve_host_header.enabled": "true"}, "preserve host header", "on (expected off)"),
    ],
    ids=["access-logs-off", "access-logs-elsewhere", "connection-log-prefix", "deletion-protection",
         "idle-timeout", "http2", "xff", "preserve-host"],
)  # fmt: skip
def test_an_alb_attribute_that_drifted_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    case: tuple[dict[str, str], str, str],
) -> None:  # fmt: skip
    attributes, failed, detail = case
    deployment.elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=deployment.outputs["alb_arn"],
        Attributes=[{"Key": k, "Value": v} for k, v in attributes.items()],
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [("attributes", failed)]
    assert run.check("attributes", failed)["detail"] == detail


def test_an_http_listener_that_forwards_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.elbv2.modify_listener(
        ListenerArn=deployment.outputs["http_listener_arn"],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": deployment.model("llm-chat")["target_group_arn"]}],
    )  # fmt: skip
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [("listeners", "HTTP :80 redirects only")]
    assert run.check("listeners", "HTTP :80 redirects only")["detail"] == (
        "default action forward to srv-prod-llm-chat-4f1c2d7 (model llm-chat) weight 1 (100%)"
        " (expected only redirect to HTTPS:443 (HTTP_301))"
    )


def test_a_forwarding_rule_on_the_http_listener_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bypass: the listener still redirects by default, but one rule serves plain HTTP."""
    deployment.elbv2.create_rule(
        ListenerArn=deployment.outputs["http_listener_arn"], Priority=10,
        Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/v1/chat/*"]}}],
        Actions=[{"Type": "forward", "TargetGroupArn": deployment.model("llm-chat")["target_group_arn"]}],
    )  # fmt: skip
    run = verify(deployment, tmp_path, capsys)
    assert run.failed() == [("listeners", "HTTP :80 redirects only")]
    assert run.check("listeners", "HTTP :80 redirects only")["actual"] == (
        "rule 10 forward to srv-prod-llm-chat-4f1c2d7 (model llm-chat) weight 1 (100%)"
    )


def test_a_tls_1_0_policy_on_the_stacks_listener_fails(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dataclasses import replace

    deployment = deploy(replace(PROD_LIKE, tls_policy="ELBSecurityPolicy-TLS-1-0-2015-04"))
    deployment.outputs["tls_policy"] = PROD_LIKE.tls_policy
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [("listeners", "HTTPS :443 TLS policy")]
    assert run.check("listeners", "HTTPS :443 TLS protocols")["status"] == "warn"


def test_a_policy_that_aws_says_allows_tls_1_0_fails_both_checks(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.elbv2.modify_listener(
        ListenerArn=deployment.outputs["https_listener_arn"],
        SslPolicy="ELBSecurityPolicy-TLS13-1-0-2021-06",
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.failed() == [
        ("listeners", "HTTPS :443 TLS policy"),
        ("listeners", "HTTPS :443 TLS protocols"),
    ]
    assert run.check("listeners", "HTTPS :443 TLS protocols")["detail"] == (
        "TLSv1, TLSv1.1, TLSv1.2, TLSv1.3: allows TLSv1, TLSv1.1"
    )


def test_health_check_settings_changed_out_of_band_fail(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.elbv2.modify_target_group(
        TargetGroupArn=deployment.model("embeddings")["target_group_arn"], HealthCheckPath="/",
        HealthCheckPort="9100", HealthCheckIntervalSeconds=30, UnhealthyThresholdCount=3,
    )  # fmt: skip
    run = verify(deployment, tmp_path, capsys)
    assert run.failed() == [
        (EMBEDDINGS, "health check path"),
        (EMBEDDINGS, "health check port"),
        (EMBEDDINGS, "health check interval"),
        (EMBEDDINGS, "unhealthy threshold"),
        (EMBEDDINGS, "failure detection"),
    ]
    assert (
        run.check(EMBEDDINGS, "health check port")["detail"]
        == "9100 (expected traffic-port or 8000)"
    )
    assert run.check(EMBEDDINGS, "failure detection")["detail"] == (
        "90 s to detect a dead target (30 s x 3), the stack promises 10 s"
    )


def test_a_deleted_rule_leaves_its_model_unrouted(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tg = deployment.model("embeddings")["target_group_arn"]
    (rule,) = [
        r
        for r in deployment.https_rules()
        if r["Actions"] and r["Actions"][0].get("TargetGroupArn") == tg
    ]
    deployment.elbv2.delete_rule(RuleArn=rule["RuleArn"])
    run = verify(deployment, tmp_path, capsys)
    assert run.failed() == [(EMBEDDINGS, "routing")]
    check = run.check(EMBEDDINGS, "routing")
    assert check["detail"] == (
        "GET api.ml.acme-corp.com/v1/embeddings/health is taken by the default action: fixed-response 404"
        " (application/json), not srv-prod-embeddings-4f1c2d7 (model embeddings); no rule forwards here"
    )
    assert check["fix"] == "redeploy the serving stack (`make deploy`): it creates the model's rule"


def test_a_weighted_forward_reaches_the_model_and_reports_the_weights(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tg, canary = (
        deployment.model("llm-chat")["target_group_arn"],
        rogue_group(deployment, "llm-chat-canary"),
    )
    (rule,) = [
        r
        for r in deployment.https_rules()
        if r["Actions"] and r["Actions"][0].get("TargetGroupArn") == tg
    ]
    forward = {
        "TargetGroups": [
            {"TargetGroupArn": tg, "Weight": 90},
            {"TargetGroupArn": canary, "Weight": 10},
        ]
    }
    deployment.elbv2.modify_rule(
        RuleArn=rule["RuleArn"], Actions=[{"Type": "forward", "ForwardConfig": forward}]
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 0
    check = run.check(LLM, "routing")
    assert check["status"] == "warn"
    assert check["actual"] == (
        "rule 22919 (path /v1/chat, /v1/chat/*): srv-prod-llm-chat-4f1c2d7 (model llm-chat) weight 90 (90%), "
        "llm-chat-canary weight 10 (10%)"
    )
    assert check["detail"].endswith("; 10% goes to groups the stack does not know")
    forward["TargetGroups"][0]["Weight"] = 0
    deployment.elbv2.modify_rule(
        RuleArn=rule["RuleArn"], Actions=[{"Type": "forward", "ForwardConfig": forward}]
    )
    run = verify(deployment, tmp_path, capsys)
    assert run.failed() == [(LLM, "routing")]
    assert run.check(LLM, "routing")["fix"] == (
        "give srv-prod-llm-chat-4f1c2d7 (model llm-chat) a weight above 0 in rule 22919 (path /v1/chat, /v1/chat/*)"
    )


def test_an_earlier_rule_for_some_requests_only_is_a_warning(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A header rule (a canary for testers) takes part of the route's traffic, not the clients'."""
    deployment.elbv2.create_rule(
        ListenerArn=deployment.outputs["https_listener_arn"], Priority=5,
        Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/v1/chat/*"]}},
                    {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Canary", "Values": ["1"]}}],
        Actions=[{"Type": "forward", "TargetGroupArn": rogue_group(deployment, "llm-chat-canary")}],
    )  # fmt: skip
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 0
    assert run.check(LLM, "routing")["status"] == "warn"
    assert run.check(LLM, "routing")["detail"].endswith(
        "; rule 5 (path /v1/chat/*; header X-Canary: 1) takes some of its requests: "
        "forward to llm-chat-canary weight 1 (100%)"
    )
    assert run.check(EMBEDDINGS, "routing")["status"] == "pass"


@pytest.mark.parametrize(
    "case",
    [
        ("delete_public_access_block", "public access blocked", "none (expected all four on)"),
        ("kms", "encryption", "aws:kms (expected AES256)"),
        ("delete_bucket_policy", "TLS-only policy",
         "no bucket policy (expected a Deny of s3:* when aws:SecureTransport is false)"),
        ("delete_bucket_ownership_controls", "object ownership", "not set (expected BucketOwnerEnforced)"),
        ("delete_bucket_lifecycle", "log expiry", "never (expected 365 days)"),
    ],
    ids=["public-access", "sse-kms", "no-policy", "ownership", "lifecycle"],
)  # fmt: skip
def test_a_log_bucket_setting_that_drifted_fails(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    case: tuple[str, str, str],
) -> None:  # fmt: skip
    change, failed, detail = case
    if change == "kms":
        deployment.s3.put_bucket_encryption(Bucket=LOG_BUCKET, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})  # fmt: skip
    else:
        getattr(deployment.s3, change)(Bucket=LOG_BUCKET)
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    expected = [(BUCKET, failed)] + (
        [(BUCKET, "log delivery policy")] if change == "delete_bucket_policy" else []
    )
    assert run.failed() == expected
    assert run.check(BUCKET, failed)["detail"] == detail


def test_a_log_bucket_without_logs_yet_is_a_warning(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.s3.delete_bucket_policy(Bucket=LOG_BUCKET)
    deployment.s3.delete_object(
        Bucket=LOG_BUCKET, Key=f"access/AWSLogs/{ACCOUNT}/ELBAccessLogTestFile"
    )
    from tests.verify.layout import bucket_policy

    deployment.s3.put_bucket_policy(Bucket=LOG_BUCKET, Policy=bucket_policy(LOG_BUCKET))
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 0
    assert run.check(BUCKET, "log objects")["status"] == "warn"
    assert run.check(BUCKET, "log objects")["detail"] == f"none under access/AWSLogs/{ACCOUNT}/ yet"


def test_a_bucket_from_outside_the_stack_gets_the_same_checks(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dataclasses import replace

    deployment = deploy(
        replace(PROD_LIKE, managed_bucket=False, bucket="acme-shared-alb-logs-eu-west-1")
    )
    deployment.s3.delete_public_access_block(Bucket="acme-shared-alb-logs-eu-west-1")
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [(BUCKET, "public access blocked")]
    assert run.check(BUCKET, "public access blocked")["fix"] == (
        "set the public access block on the bucket (it comes from accessLogs.bucket, outside the stack)"
    )
    names = (
        {c["name"] for c in run.report["checks"] if c["group"] == BUCKET} if run.report else set()
    )
    assert {"TLS-only policy", "log delivery policy", "encryption", "log objects"} <= names
    assert not names & {"object ownership", "versioning", "log expiry"}


def test_a_load_balancer_that_is_gone_fails_in_one_line(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = deployment.outputs["alb_arn"].rsplit("/", 1)[0] + "/0123456789abcdef"
    deployment.outputs["alb_arn"] = gone
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.report is not None
    assert [(c["name"], c["status"], c["detail"]) for c in run.report["checks"]] == [
        ("exists", "fail", f"AWS does not know {gone}")
    ]


def test_a_target_group_that_is_gone_fails_its_model_only(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = (
        deployment.model("embeddings")["target_group_arn"].rsplit("/", 1)[0] + "/0123456789abcdef"
    )
    deployment.model("embeddings")["target_group_arn"] = gone
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [(EMBEDDINGS, "target group")]
    assert run.check(EMBEDDINGS, "target group")["detail"] == f"AWS does not know {gone}"


# ---- --wait, driven by a fake clock ------------------------------------------------------------


def test_wait_reports_progress_and_gives_up_at_the_deadline(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.ec2.stop_instances(InstanceIds=[deployment.instance("embeddings", "eu-west-1a")])
    clock = FakeClock()
    run = verify(deployment, tmp_path, capsys, "--wait", "1.5", "--poll", "0.5", clock=clock)
    assert run.code == 1
    assert clock.sleeps == [0.5, 0.5, 0.5]
    assert run.stderr.splitlines() == [
        f"waiting for healthy targets ({left} s left): llm-chat 3/3 healthy in 3/3 AZs, embeddings 2/3 healthy in 2/3 AZs"
        for left in (2, 1, 0)  # 1.5, 1.0, 0.5 as whole seconds
    ] + [
        "gave up waiting after 2 s: llm-chat 3/3 healthy in 3/3 AZs, embeddings 2/3 healthy in 2/3 AZs"
    ]
    assert run.report is not None
    assert run.report["waited_seconds"] == 1.5
    assert {group for group, _ in run.failed()} == {EMBEDDINGS}


def test_wait_returns_as_soon_as_targets_turn_healthy(
    deployment: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = deployment.instance("llm-chat", "eu-west-1b")
    deployment.ec2.stop_instances(InstanceIds=[instance])
    clock = FakeClock()
    clock.at(1.0, lambda: deployment.ec2.start_instances(InstanceIds=[instance]))
    run = verify(deployment, tmp_path, capsys, "--wait", "60", "--poll", "0.25", clock=clock)
    assert run.code == 0, run.stdout
    *waiting, last = run.stderr.splitlines()
    assert len(waiting) == 4 and clock.sleeps == [0.25] * 4
    assert all("llm-chat 2/3 healthy in 2/3 AZs" in line for line in waiting)
    assert (
        last
        == "ready after 1 s: llm-chat 3/3 healthy in 3/3 AZs, embeddings 3/3 healthy in 3/3 AZs"
    )
    assert run.report is not None
    assert run.report["waited_seconds"] == 1.0


def test_on_a_terminal_the_progress_is_one_status_line(deployment: Deployment) -> None:
    deployment.ec2.stop_instances(InstanceIds=[deployment.instance("embeddings", "eu-west-1c")])
    outputs = ServingOutputs.model_validate(deployment.outputs)
    aws = clients(REGION)
    terminal = Console(file=io.StringIO(), force_terminal=True, width=160)
    clock = FakeClock()
    view, waited = wait_until_ready(
        outputs, fetch(aws.elbv2, aws.ec2, outputs), (aws.elbv2, aws.ec2),
        seconds=0.5, poll=0.2, console=terminal, clock=clock,
    )  # fmt: skip
    text = terminal.file.getvalue()  # type: ignore[attr-defined]
    assert clock.sleeps == [0.2, 0.2, pytest.approx(0.1)]
    assert "gave up waiting after" in text
    # The status line is redrawn in place and cleared, never printed as plain lines.
    assert "\nwaiting for healthy targets" not in text
    assert view.load_balancer is not None and waited == pytest.approx(0.5)
