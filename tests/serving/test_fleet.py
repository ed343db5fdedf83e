"""Fleet targets: launch template, Auto Scaling group, scaling policy, alarms."""

from __future__ import annotations

import base64

import pytest

from tests.serving.conftest import ALARM, ALB, ASG, LAUNCH_TEMPLATE, TG
from tooling.mock_runtime import FakeAwsAccount, Rendered


@pytest.fixture(scope="module")
def chat(prod: Rendered) -> dict[str, object]:
    tg = next(t for t in prod.of_type(TG) if t.inputs["tags"]["model"] == "llm-chat")
    group = next(g for g in prod.of_type(ASG) if "llm-chat" in g.name)
    template = next(t for t in prod.of_type(LAUNCH_TEMPLATE) if "llm-chat" in t.name)
    return {"tg": tg, "group": group, "template": template}


def test_launch_template_requires_imdsv2_and_encrypted_volumes(
    chat: dict, account: FakeAwsAccount
) -> None:  # type: ignore[type-arg]
    template = chat["template"]
    assert template.inputs["metadataOptions"]["httpTokens"] == "required"
    ebs = template.inputs["blockDeviceMappings"][0]["ebs"]
    assert ebs["encrypted"] == "true"
    assert ebs["volumeType"] == "gp3"
    assert template.inputs["imageId"] == account.ami_id
    assert template.inputs["instanceType"] == "g5.2xlarge"
    script = base64.b64decode(template.inputs["userData"]).decode()
    assert "210987654321.dkr.ecr.eu-west-1.amazonaws.com/llm-chat:2026.11.2" in script
    assert "--publish 8080:8080" in script


def test_group_spans_private_subnets_with_elb_health_checks(
    chat: dict, account: FakeAwsAccount
) -> None:  # type: ignore[type-arg]
    group, tg = chat["group"], chat["tg"]
    assert group.inputs["vpcZoneIdentifiers"] == account.network_outputs()["private_subnet_ids"]
    assert group.inputs["healthCheckType"] == "ELB"
    assert group.inputs["healthCheckGracePeriod"] == 300
    assert group.inputs["targetGroupArns"] == [tg.outputs["arn"]]
    assert (group.inputs["minSize"], group.inputs["maxSize"]) == (3, 12)
    refresh = group.inputs["instanceRefresh"]
    assert refresh["strategy"] == "Rolling"
    assert refresh["preferences"]["minHealthyPercentage"] == 90
    assert group.ignore_changes == ["desiredCapacity"]


def test_group_carries_the_required_tags_to_instances(chat: dict) -> None:  # type: ignore[type-arg]
    blocks = {b["key"]: b for b in chat["group"].inputs["tags"]}
    assert blocks["env"]["value"] == "prod"
    assert blocks["team"]["value"] == "ml-platform"
    assert all(b["propagateAtLaunch"] for b in blocks.values())


def test_target_tracking_on_requests_per_target(prod: Rendered, chat: dict) -> None:  # type: ignore[type-arg]
    alb, tg = prod.one(ALB), chat["tg"]
    policy = next(p for p in prod.of_type("aws:autoscaling/policy:Policy") if "llm-chat" in p.name)
    spec = policy.inputs["targetTrackingConfiguration"]
    assert spec["targetValue"] == 20
    metric = spec["predefinedMetricSpecification"]
    assert metric["predefinedMetricType"] == "ALBRequestCountPerTarget"
    assert metric["resourceLabel"] == f"{alb.outputs['arnSuffix']}/{tg.outputs['arnSuffix']}"


def test_alarms_per_model_go_to_the_on_call_topic(prod: Rendered, chat: dict) -> None:  # type: ignore[type-arg]
    alarms = [a for a in prod.of_type(ALARM) if "llm-chat" in a.name]
    by_kind = {a.name.rsplit("llm-chat-", 1)[1]: a for a in alarms}
    assert set(by_kind) == {
        "unhealthy-hosts",
        "healthy-hosts-low",
        "target-5xx-rate",
        "p99-latency",
    }
    topic = "arn:aws:sns:eu-west-1:210987654321:ml-serving-prod-oncall"
    assert all(a.inputs["alarmActions"] == [topic] for a in alarms)
    assert by_kind["unhealthy-hosts"].inputs["threshold"] == 0
    assert by_kind["healthy-hosts-low"].inputs["threshold"] == 3
    assert by_kind["healthy-hosts-low"].inputs["comparisonOperator"] == "LessThanThreshold"
    assert by_kind["p99-latency"].inputs["extendedStatistic"] == "p99"
    assert by_kind["p99-latency"].inputs["threshold"] == 1.5
    assert by_kind["target-5xx-rate"].inputs["threshold"] == 2
    dims = by_kind["unhealthy-hosts"].inputs["dimensions"]
    assert dims["TargetGroup"] == chat["tg"].outputs["arnSuffix"]
