"""A new kind of targets is one backend and one registry entry: nothing else changes.

``IpTargets`` (defined here, as a new kind would be in ``serving_stack/backends/``) serves a model
from fixed IP addresses. Registered, it is a config key like ``instances`` and ``fleet``: validated
with its own errors, placed before anything is built, its resources under the model's target
group, its target type on the group, its minimum and its kind in the outputs.

These renders change the registry, so none of them is shared (each gets its own fake account).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import pulumi
import pulumi_aws as aws
import pytest
from pydantic import AfterValidator

from serving_stack import backends
from serving_stack.backends.base import (
    ModelBackend,
    PlacedTargets,
    PlacementContext,
    ServedModel,
    TargetsArgs,
)
from shared.config import config_error
from shared.serving_outputs import ServingOutputs
from tests.serving.conftest import TG, render_error, render_serving, seed_config
from tooling.mock_runtime import FakeAwsAccount

ATTACHMENT = "aws:lb/targetGroupAttachment:TargetGroupAttachment"
IPS = ["172.31.0.10", "172.31.16.10"]  # in the fake account's default VPC, AZ a and b


def _addresses(value: list[str]) -> list[str]:
    for address in value:
        ipaddress.IPv4Address(address)
    return value


class IpTargetGroup(pulumi.ComponentResource):
    def __init__(self, name: str, ips: list[str], args: TargetsArgs, opts: pulumi.ResourceOptions):
        super().__init__("test:serving:IpTargets", name, None, opts)
        for ip in ips:
            aws.lb.TargetGroupAttachment(
                f"{name}-{ip}",
                target_group_arn=args.target_group.arn,
                target_id=ip,
                port=args.model.port,
                opts=pulumi.ResourceOptions(parent=self),
            )


@dataclass(frozen=True)
class PlacedIps(PlacedTargets):
    ips: list[str]

    @property
    def default_min_healthy(self) -> int:
        return len(self.ips)

    def build(self, args: TargetsArgs, opts: pulumi.ResourceOptions) -> IpTargetGroup:
        return IpTargetGroup(args.name, self.ips, args, opts)


class IpTargets(ModelBackend[list[str], PlacedIps]):
    key = "ips"
    spec_type = Annotated[list[str], AfterValidator(_addresses)]
    target_type = "ip"

    def capacity(self, spec: list[str]) -> int:
        return len(spec)

    def place(
        self, model: ServedModel, spec: list[str], key: str, ctx: PlacementContext
    ) -> PlacedIps:
        if len(spec) < 2:
            raise config_error(key, spec, "two addresses at least, in two AZs")
        zones = ctx.availability_zones[: len(spec)]
        return PlacedIps(kind=self.key, targets_per_zone=dict.fromkeys(zones, 1), ips=spec)


@pytest.fixture
def with_ip_targets() -> Iterator[None]:
    backends.BACKENDS["ips"] = IpTargets()  # the registry line
    try:
        yield
    finally:
        del backends.BACKENDS["ips"]


def _ip_model(**extra: Any) -> dict[str, Any]:
    return {"name": "sentiment", "ips": IPS, **extra}


def test_a_registered_kind_serves_a_model(with_ip_targets: None) -> None:
    rendered = render_serving(
        "dev", seed_config(**{"serving:models": [_ip_model()]}), account=FakeAwsAccount()
    )
    (tg,) = rendered.of_type(TG)
    assert tg.inputs["targetType"] == "ip"
    attachments = rendered.of_type(ATTACHMENT)
    assert sorted(a.inputs["targetId"] for a in attachments) == IPS
    component = rendered.one("test:serving:IpTargets")
    assert component.parent == tg.urn
    assert {a.parent for a in attachments} == {component.urn}
    outputs = ServingOutputs.model_validate(rendered.outputs)
    assert outputs.models["sentiment"].targets == "ips"
    assert outputs.models["sentiment"].min_healthy_targets == 2


def test_its_config_errors_name_its_key(with_ip_targets: None) -> None:
    error = render_error(
        "dev",
        seed_config(**{"serving:models": [_ip_model(ips=["300.1.1.1"])]}),
        account=FakeAwsAccount(),
    )
    assert error.message.startswith('Pulumi.dev.yaml: serving:models[0].ips = ["300.1.1.1"]: ')
    error = render_error(
        "dev",
        seed_config(**{"serving:models": [_ip_model(ips=[IPS[0]])]}),
        account=FakeAwsAccount(),
    )
    assert error.message == (
        'Pulumi.dev.yaml: serving:models[0].ips = ["172.31.0.10"]: two addresses at least, in two AZs'
    )
    assert error.rendered.created == []


def test_the_choice_of_kinds_lists_it(with_ip_targets: None) -> None:
    model = {"name": "sentiment", "instances": ["i-0d3c5e7a9b1f24680"], "ips": IPS}
    error = render_error(
        "dev", seed_config(**{"serving:models": [model]}), account=FakeAwsAccount()
    )
    assert "give exactly one of instances, fleet or ips" in error.message


def test_an_unregistered_key_is_an_unknown_key() -> None:
    error = render_error(
        "dev", seed_config(**{"serving:models": [_ip_model()]}), account=FakeAwsAccount()
    )
    assert error.message == (
        "Pulumi.dev.yaml: serving:models[0].instances = None: give exactly one of instances or fleet"
    )
