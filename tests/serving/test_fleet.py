"""Fleet targets: launch template, Auto Scaling group, scaling policy, alarms."""

from __future__ import annotations

import base64
import json

import pytest

from serving_stack.backends.fleet_config import AMI_PARAMETERS, FleetConfig
from tests.renders import fixture_config
from tests.serving.conftest import (
    ALARM,
    ALB,
    AMI,
    ASG,
    LAUNCH_TEMPLATE,
    LOG_GROUP,
    TG,
    render_serving,
)
from tooling.mock_runtime import FakeAwsAccount, Rendered
from tooling.mock_runtime.account import GPU_AMI_ID


@pytest.fixture
def chat(prod: Rendered) -> dict[str, object]:
    tg = next(t for t in prod.of_type(TG) if t.inputs["tags"]["model"] == "llm-chat")
    group = next(g for g in prod.of_type(ASG) if "llm-chat" in g.name)
    template = next(t for t in prod.of_type(LAUNCH_TEMPLATE) if "llm-chat" in t.name)
    return {"tg": tg, "group": group, "template": template}


def test_launch_template_requires_imdsv2_and_encrypted_volumes(chat: dict) -> None:  # type: ignore[type-arg]
    template = chat["template"]
    assert template.inputs["metadataOptions"]["httpTokens"] == "required"
    # CKV_AWS_341: only the host reaches the metadata service; the container cannot.
    assert template.inputs["metadataOptions"]["httpPutResponseHopLimit"] == 1
    ebs = template.inputs["blockDeviceMappings"][0]["ebs"]
    assert ebs["encrypted"] == "true"
    assert ebs["volumeType"] == "gp3"
    assert template.inputs["imageId"] == GPU_AMI_ID  # pinned in the prod fixture
    assert template.inputs["instanceType"] == "g5.2xlarge"
    assert template.inputs["blockDeviceMappings"][0]["ebs"]["volumeSize"] == 200


def test_group_spans_private_subnets_with_elb_health_checks(
    chat: dict, account: FakeAwsAccount
) -> None:  # type: ignore[type-arg]
    group, tg = chat["group"], chat["tg"]
    assert group.inputs["vpcZoneIdentifiers"] == account.network_outputs()["private_subnet_ids"]
    assert group.inputs["healthCheckType"] == "ELB"
    assert group.inputs["healthCheckGracePeriod"] == 300
    assert group.inputs["targetGroupArns"] == [tg.outputs["arn"]]
    assert (group.inputs["minSize"], group.inputs["maxSize"]) == (3, 12)
    assert group.ignore_changes == ["desiredCapacity"]


def test_replacements_launch_before_they_terminate(chat: dict) -> None:  # type: ignore[type-arg]
    """A refresh (a new AMI or template) or a health replacement never leaves an AZ without its
    instance: every instance stays in service until its replacement is healthy (100-200 %)."""
    group = chat["group"]
    launch_first = {"minHealthyPercentage": 100, "maxHealthyPercentage": 200}
    assert group.inputs["instanceMaintenancePolicy"] == launch_first
    refresh = group.inputs["instanceRefresh"]
    assert refresh["strategy"] == "Rolling"
    assert {k: refresh["preferences"][k] for k in launch_first} == launch_first
    assert refresh["preferences"]["skipMatching"] is True
    # AWS refuses AutoRollback without a desired configuration, which the provider never sends.
    assert "autoRollback" not in refresh["preferences"]


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


def _script(template: object) -> str:
    return base64.b64decode(template.inputs["userData"]).decode()  # type: ignore[attr-defined]


def test_user_data_runs_the_configured_container_on_its_port_and_health_path(
    chat: dict,  # type: ignore[type-arg]
) -> None:
    script = _script(chat["template"])
    lines = script.splitlines()
    assert lines[:2] == ["#!/bin/bash", "set -euo pipefail"]
    # a private ECR image needs a login first
    login = next(i for i, line in enumerate(lines) if line.startswith("aws ecr get-login-password"))
    pull = lines.index(
        "docker pull 210987654321.dkr.ecr.eu-west-1.amazonaws.com/llm-chat:2026.11.2"
    )
    assert login < pull
    assert lines[login] == (
        "aws ecr get-login-password --region eu-west-1 | docker login --username AWS "
        "--password-stdin 210987654321.dkr.ecr.eu-west-1.amazonaws.com"
    )
    run = script[script.index("docker run") :]
    assert "--gpus all" in run  # g5.2xlarge: NVIDIA
    assert "--publish 8080:8080" in run
    assert "--env PORT=8080 --env HEALTH_PATH=/healthz" in run
    assert "--log-opt awslogs-group=/serving/prod/llm-chat" in run
    assert run.rstrip().endswith("210987654321.dkr.ecr.eu-west-1.amazonaws.com/llm-chat:2026.11.2")


def test_a_pinned_ami_is_checked_and_latest_reads_the_parameter(
    prod: Rendered, staging: Rendered
) -> None:
    looked_up = [
        f["values"][0]
        for args in prod.invokes_of("aws:ec2/getAmi:getAmi")
        for f in args["filters"]
        if f["name"] == "image-id"
    ]
    assert sorted(looked_up) == sorted([GPU_AMI_ID, AMI])
    assert prod.invokes_of("aws:ssm/getParameter:getParameter") == []
    names = [args["name"] for args in staging.invokes_of("aws:ssm/getParameter:getParameter")]
    assert sorted(names) == sorted([AMI_PARAMETERS["nvidia"], AMI_PARAMETERS["x86_64"]])


def test_the_instance_type_decides_gpus(prod: Rendered) -> None:
    embeddings = next(t for t in prod.of_type(LAUNCH_TEMPLATE) if "embeddings" in t.name)
    assert embeddings.inputs["instanceType"] == "m7i.large"
    run = _script(embeddings)
    assert "--gpus" not in run
    assert "--publish 8000:8000" in run


@pytest.mark.parametrize(
    ("instance_type", "parameter", "gpus"),
    [
        ("m7i.large", AMI_PARAMETERS["x86_64"], False),
        ("m7i-flex.large", AMI_PARAMETERS["x86_64"], False),
        ("c7gn.xlarge", AMI_PARAMETERS["arm64"], False),
        ("m8g.large", AMI_PARAMETERS["arm64"], False),
        ("g4dn.xlarge", AMI_PARAMETERS["nvidia"], True),
        ("g6e.12xlarge", AMI_PARAMETERS["nvidia"], True),
        ("p5.48xlarge", AMI_PARAMETERS["nvidia"], True),
        ("g4ad.xlarge", AMI_PARAMETERS["x86_64"], False),  # AMD GPUs: no NVIDIA runtime
    ],
)
def test_ami_parameter_per_instance_family(instance_type: str, parameter: str, gpus: bool) -> None:
    fleet = FleetConfig.model_validate(
        {"image": "public.ecr.aws/acme/echo:1.0", "ami": "latest", "instanceType": instance_type}
    )
    assert (fleet.image_parameter, fleet.gpus) == (parameter, gpus)
    assert fleet.ecr_registry is None  # a public image: no login


def test_an_explicit_ami_parameter_wins() -> None:
    fleet = FleetConfig.model_validate(
        {
            "image": "public.ecr.aws/acme/echo:1.0",
            "ami": "latest",
            "instanceType": "g5g.xlarge",
            "amiParameter": "/acme/ami/gpu-arm64/latest",
        }
    )
    assert fleet.image_parameter == "/acme/ami/gpu-arm64/latest"


def test_container_logs_go_to_a_log_group_with_retention(
    prod: Rendered,
    staging: Rendered,
    chat: dict,  # type: ignore[type-arg]
) -> None:
    """CKV_AWS_338: a year in prod (the env's profile), 30 days elsewhere, unless configured."""
    group = next(g for g in prod.of_type(LOG_GROUP) if g.inputs["name"] == "/serving/prod/llm-chat")
    assert group.inputs["retentionInDays"] == 365
    assert "kmsKeyId" not in group.inputs
    assert group.inputs["tags"]["env"] == "prod"
    assert group.urn in chat["template"].dependencies
    assert {g.inputs["retentionInDays"] for g in staging.of_type(LOG_GROUP)} == {30}


def test_log_retention_and_key_from_config() -> None:
    """CKV_AWS_158: a customer-managed key when the config names one."""
    key = "arn:aws:kms:eu-west-1:210987654321:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
    config = {
        **fixture_config("serving", "staging"),
        "serving:logs": {"retentionDays": 90, "kmsKeyArn": key},
    }
    rendered = render_serving("staging", config)
    assert {
        (g.inputs["retentionInDays"], g.inputs["kmsKeyId"]) for g in rendered.of_type(LOG_GROUP)
    } == {(90, key)}


def test_container_credentials_raise_the_hop_limit() -> None:
    """A bridged container is one hop further than the host: it needs 2 to use the instance role."""
    config = fixture_config("serving", "staging")
    models = json.loads(config["serving:models"])
    models[0]["fleet"]["containerCredentials"] = True
    rendered = render_serving("staging", {**config, "serving:models": models})
    limits = {
        t.name: t.inputs["metadataOptions"]["httpPutResponseHopLimit"]
        for t in rendered.of_type(LAUNCH_TEMPLATE)
    }
    assert limits == {"serving-llm-chat": 2, "serving-embeddings": 1}
