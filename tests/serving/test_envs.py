"""Each committed env renders; the StackReference and outputs; the committed settings per env."""

from __future__ import annotations

import pytest

from shared.serving_outputs import OUTPUT_NAMES, ServingOutputs
from shared.tagging import REQUIRED_TAG_KEYS, TAGGABLE_TYPES
from tests.serving.conftest import ALB, ASG, ENVS, LISTENER, SG, TG, WAF_ASSOCIATION
from tooling.mock_runtime import FakeAwsAccount, Rendered


@pytest.mark.parametrize("env", ENVS)
def test_reads_the_network_stack_of_its_env(env: str, rendered: Rendered) -> None:
    (reference,) = [r for r in rendered.resources if r.read]
    assert reference.type == "pulumi:pulumi:StackReference"
    assert reference.id == f"organization/network/{env}"
    outputs = ServingOutputs.model_validate(rendered.outputs)
    assert set(outputs.model_dump()) == set(OUTPUT_NAMES)
    assert outputs.availability_zones == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert outputs.failover.az_count == 3
    # every model of every committed env has a target in every AZ
    assert outputs.failover.min_healthy_per_az == 1
    assert (outputs.failover.detection_seconds, outputs.failover.recovery_seconds) == (10, 10)


@pytest.mark.parametrize("env", ENVS)
def test_the_contract_reaches_the_resources(
    env: str, rendered: Rendered, account: FakeAwsAccount
) -> None:
    """What the serving stack reads from the network stack, and where each output goes."""
    contract = account.network_outputs()
    assert {g.inputs["vpcId"] for g in rendered.of_type(SG)} == {contract["vpc_id"]}
    assert {t.inputs["vpcId"] for t in rendered.of_type(TG)} == {contract["vpc_id"]}
    assert rendered.one(ALB).inputs["subnets"] == contract["public_subnet_ids"]
    for group in rendered.of_type(ASG):
        assert group.inputs["vpcZoneIdentifiers"] == contract["private_subnet_ids"]
    assert rendered.outputs["availability_zones"] == contract["availability_zones"]


def test_the_network_stack_name_is_configurable(account: FakeAwsAccount) -> None:
    from tests.serving.conftest import render_serving, seed_config

    rendered = render_serving(
        "dev",
        seed_config(**{"serving:networkStack": "acme/network/shared-dev"}),
        stack_outputs={"acme/network/shared-dev": account.network_outputs()},
    )
    (reference,) = [r for r in rendered.resources if r.read]
    assert reference.id == "acme/network/shared-dev"


def test_the_alb_uses_the_subnets_of_the_contract(dev: Rendered, account: FakeAwsAccount) -> None:
    alb = dev.one(ALB)
    assert alb.inputs["subnets"] == account.network_outputs()["public_subnet_ids"]
    assert alb.inputs["internal"] is False


def test_dev_is_the_seeds_case(dev: Rendered) -> None:
    outputs = ServingOutputs.model_validate(dev.outputs)
    (model,) = outputs.models.values()
    assert (model.name, model.targets, model.route.kind) == ("sentiment", "instances", "default")
    assert outputs.deletion_protection is False
    assert dev.of_type(ASG) == []


def test_staging_routes_two_fleet_models_by_path_and_host(staging: Rendered) -> None:
    outputs = ServingOutputs.model_validate(staging.outputs)
    assert {m.name: (m.route.kind, m.route.value) for m in outputs.models.values()} == {
        "llm-chat": ("path", "/v1/chat"),
        "embeddings": ("host", "embeddings.ml-staging.acme-corp.com"),
    }
    assert len(staging.of_type(ASG)) == 2
    assert outputs.url == "https://api.ml-staging.acme-corp.com"


def test_prod_has_waf_protection_and_fleets_in_three_azs(prod: Rendered) -> None:
    alb = prod.one(ALB)
    assert alb.inputs["enableDeletionProtection"] is True
    assert alb.protect
    assert all(listener.protect for listener in prod.of_type(LISTENER))
    waf = prod.one(WAF_ASSOCIATION)
    assert waf.inputs["webAclArn"].startswith(
        "arn:aws:wafv2:eu-west-1:210987654321:regional/webacl/ml-serving-prod/"
    )
    assert waf.property_dependencies["resourceArn"] == [alb.urn]
    for group in prod.of_type(ASG):
        assert len(group.inputs["vpcZoneIdentifiers"]) == 3
        assert group.inputs["minSize"] >= 3
    outputs = ServingOutputs.model_validate(prod.outputs)
    assert outputs.deletion_protection is True
    assert outputs.desync_mitigation_mode == "strictest"
    assert outputs.failover.drain_seconds == 60


def test_outputs_name_every_model_target_group(prod: Rendered) -> None:
    outputs = ServingOutputs.model_validate(prod.outputs)
    arns = {tg.outputs["arn"] for tg in prod.of_type(TG)}
    assert {m.target_group_arn for m in outputs.models.values()} == arns
    assert outputs.https_listener_arn.startswith(
        "arn:aws:elasticloadbalancing:eu-west-1:210987654321:listener/app/"
    )
    assert outputs.url == "https://api.ml.acme-corp.com"


@pytest.mark.parametrize("env", ENVS)
def test_every_taggable_resource_carries_the_required_tags(env: str, rendered: Rendered) -> None:
    taggable = [r for r in rendered.created if r.type in TAGGABLE_TYPES]
    assert len(taggable) > 15
    for resource in taggable:
        tags = resource.inputs.get("tags") or {}
        assert [k for k in REQUIRED_TAG_KEYS if k not in tags] == [], (
            f"{resource.type} {resource.name}"
        )
        assert (tags["env"], tags["stack"], tags["team"]) == (env, "serving", "ml-platform")
