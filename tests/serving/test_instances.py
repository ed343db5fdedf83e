"""The seed's case: one model on existing instances, in one short config block."""

from __future__ import annotations

import logging

import pytest

from shared.serving_outputs import ServingOutputs
from tests.serving.conftest import (
    ALB,
    ATTACHMENT,
    ENI_SG_ATTACHMENT,
    INGRESS,
    LISTENER,
    SEED_INSTANCES,
    SG,
    TG,
    render_serving,
    seed_config,
)
from tooling.mock_runtime import FakeAwsAccount, Rendered, fake_id


@pytest.fixture(scope="module")
def seed() -> Rendered:
    return render_serving("dev", seed_config())


def test_the_short_block_builds_a_complete_serving_layer(seed: Rendered) -> None:
    assert len(seed.of_type(ALB)) == 1
    assert sorted(r.inputs["port"] for r in seed.of_type(LISTENER)) == [80, 443]
    (tg,) = seed.of_type(TG)
    assert (tg.inputs["port"], tg.inputs["healthCheck"]["path"]) == (8080, "/health")
    assert sorted(a.inputs["targetId"] for a in seed.of_type(ATTACHMENT)) == SEED_INSTANCES
    outputs = ServingOutputs.model_validate(seed.outputs)
    assert outputs.url == "https://sentiment.ml-dev.acme-corp.com"  # what the certificate covers
    assert outputs.models["sentiment"].min_healthy_targets == 3
    assert outputs.failover.min_healthy_per_az == 1


def test_the_instances_join_the_targets_security_group(seed: Rendered) -> None:
    """The ALB's egress only reaches the targets' group, so the instances get it attached."""
    targets = next(g for g in seed.of_type(SG) if g.name.endswith("-targets"))
    attachments = seed.of_type(ENI_SG_ATTACHMENT)
    assert sorted(a.inputs["networkInterfaceId"] for a in attachments) == sorted(
        fake_id("eni", i) for i in SEED_INSTANCES
    )
    for attachment in attachments:
        assert attachment.inputs["securityGroupId"] == targets.id
        assert attachment.property_dependencies["securityGroupId"] == [targets.urn]
    (model_port,) = [
        r
        for r in seed.of_type(INGRESS)
        if r.inputs["securityGroupId"] == targets.id and r.inputs["fromPort"] == 8080
    ]
    assert model_port.inputs.get("cidrIpv4") is None
    assert model_port.inputs["referencedSecurityGroupId"] != targets.id


def test_instances_shared_by_two_models_join_the_group_once() -> None:
    models = [
        {"name": "sentiment", "instances": SEED_INSTANCES},
        {"name": "toxicity", "route": {"pathPrefix": "/v1/toxicity"}, "instances": SEED_INSTANCES},
    ]
    rendered = render_serving("dev", seed_config(**{"serving:models": models}))
    assert len(rendered.of_type(ENI_SG_ATTACHMENT)) == 3
    assert len(rendered.of_type(ATTACHMENT)) == 6


def test_instances_in_two_of_three_azs_leave_an_az_without_targets() -> None:
    rendered = render_serving(
        "dev",
        seed_config(**{"serving:models": [{"name": "sentiment", "instances": SEED_INSTANCES[:2]}]}),
    )
    outputs = ServingOutputs.model_validate(rendered.outputs)
    assert outputs.models["sentiment"].min_healthy_targets == 2
    assert outputs.failover.min_healthy_per_az == 0
    assert outputs.failover.az_count == 3


def test_an_instance_below_the_fleets_bar_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    account = FakeAwsAccount(
        instance_overrides={
            SEED_INSTANCES[0]: {
                "metadataOptions": [{"httpEndpoint": "enabled", "httpTokens": "optional"}],
                "rootBlockDevices": [{"deviceName": "/dev/xvda", "encrypted": False}],
            }
        }
    )
    with caplog.at_level(logging.WARNING):
        render_serving("dev", seed_config(), account=account)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert (
        "serving:models[0].instances: i-0d3c5e7a9b1f24680 accepts IMDSv1 (http_tokens='optional'); "
        "require IMDSv2 on it (aws ec2 modify-instance-metadata-options --http-tokens required)"
    ) in warnings
    assert (
        "serving:models[0].instances: i-0d3c5e7a9b1f24680 has unencrypted volumes: /dev/xvda"
        in warnings
    )
    assert not any(SEED_INSTANCES[1] in w for w in warnings)
