"""Bad input: one line naming the key and the value, and nothing registered but the StackReference."""

from __future__ import annotations

from typing import Any

import pytest

from tests.serving.conftest import CERT_ARN, SEED_INSTANCES, render_error, seed_config
from tooling.mock_runtime import FakeAwsAccount

FLEET = {"image": "210987654321.dkr.ecr.eu-west-1.amazonaws.com/llm-chat:2026.11.2", "minSize": 2}


def _model(**fields: Any) -> dict[str, Any]:
    return {"name": "sentiment", "instances": SEED_INSTANCES, **fields}


CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "cidr",
        {"serving:allowedCidrs": ["10.0.0.300/24"]},
        "Pulumi.dev.yaml: serving:allowedCidrs = [\"10.0.0.300/24\"]: '10.0.0.300/24' is not a valid CIDR block",
    ),
    (
        "port",
        {"serving:models": [_model(port=70000)]},
        "Pulumi.dev.yaml: serving:models[0].port = 70000: Input should be less than or equal to 65535",
    ),
    (
        "timeout",
        {"serving:models": [_model(healthCheck={"intervalSeconds": 5, "timeoutSeconds": 5})]},
        "Pulumi.dev.yaml: serving:models[0].healthCheck.timeoutSeconds = 5: must be less than intervalSeconds (5)",
    ),
    (
        "certificate",
        {"serving:certificate": {"arn": "arn:aws:iam::210987654321:server-certificate/ml"}},
        "Pulumi.dev.yaml: serving:certificate.arn = 'arn:aws:iam::210987654321:server-certificate/ml': String should match pattern",
    ),
    (
        "instances-one-az",
        {"serving:models": [_model(instances=[SEED_INSTANCES[0]])]},
        "Pulumi.dev.yaml: serving:models[0].instances = [\"i-0d3c5e7a9b1f24680\"]: the instances: 1 distinct availability zone(s) ['eu-west-1a']; high availability needs at least 2",
    ),
    (
        "unknown-instance",
        {"serving:models": [_model(instances=["i-0123456789abcdef0", SEED_INSTANCES[0]])]},
        "Pulumi.dev.yaml: serving:models[0].instances = 'i-0123456789abcdef0': instance look-up failed",
    ),
    (
        "slow-failover",
        {
            "serving:models": [
                _model(
                    healthCheck={
                        "intervalSeconds": 10,
                        "timeoutSeconds": 5,
                        "unhealthyThreshold": 3,
                    }
                )
            ]
        },
        'Pulumi.dev.yaml: serving:models[0].healthCheck = {"intervalSeconds": 10, "unhealthyThreshold": 3}: failure detection takes 30s',
    ),
    (
        "world-cidr",
        {"serving:allowedCidrs": ["0.0.0.0/0"]},
        "Pulumi.dev.yaml: serving:allowedCidrs = [\"0.0.0.0/0\"]: '0.0.0.0/0' opens the ALB to the world: set public: true instead",
    ),
    (
        "no-allowed-sources",
        {"serving:allowedCidrs": []},
        "Pulumi.dev.yaml: serving:allowedCidrs = []: name who may reach the ALB",
    ),
    (
        "internal-public",
        {"serving:scheme": "internal", "serving:public": True},
        "Pulumi.dev.yaml: serving:public = True: only an internet-facing ALB can be public",
    ),
    (
        "two-defaults",
        {"serving:models": [_model(), _model(name="other")]},
        "Pulumi.dev.yaml: serving:models[1].route = None: only one model may be the default route",
    ),
    (
        "duplicate-name",
        {
            "serving:models": [
                _model(route={"pathPrefix": "/a"}),
                _model(route={"pathPrefix": "/b"}),
            ]
        },
        "Pulumi.dev.yaml: serving:models[1].name = 'sentiment': model names must be unique",
    ),
    (
        "both-targets",
        {"serving:models": [_model(fleet=FLEET)]},
        'Pulumi.dev.yaml: serving:models[0].instances = ["i-0d3c5e7a9b1f24680", "i-0e4d6f8b0c2a35791", "i-0f5e7a9c1d3b46802"]: give exactly one of instances or fleet',
    ),
    (
        "too-many-models",
        {
            "serving:models": [
                {
                    "name": f"model-{i:03d}",
                    "route": {"pathPrefix": f"/m/{i}"},
                    "instances": SEED_INSTANCES,
                }
                for i in range(101)
            ]
        },
        "Pulumi.dev.yaml: serving:models = 101: an ALB takes at most 100 target groups",
    ),
    (
        "missing-certificate",
        {"serving:certificate": None},
        "Pulumi.dev.yaml: serving:certificate = <missing>: Field required",
    ),
]


@pytest.mark.parametrize(("case", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_registers_nothing(
    case: str, change: dict[str, Any], expected: str
) -> None:
    config = {k: v for k, v in seed_config(**change).items() if v is not None}
    error = render_error("dev", config)
    assert error.message.startswith(expected), error.message
    assert "\n" not in error.message
    assert error.rendered.created == []


def test_a_network_with_one_az_is_refused(account: FakeAwsAccount) -> None:
    outputs = account.network_outputs()
    broken = {
        **outputs,
        "availability_zones": outputs["availability_zones"][:1],
        "public_subnet_ids": outputs["public_subnet_ids"][:1],
        "private_subnet_ids": outputs["private_subnet_ids"][:1],
    }
    error = render_error("dev", seed_config(), stack_outputs={"organization/network/dev": broken})
    assert error.message == (
        "stack organization/network/dev: availability_zones: 1 distinct availability "
        "zone(s) ['eu-west-1a']; high availability needs at least 2"
    )
    assert error.rendered.created == []


def test_a_network_stack_without_outputs_says_deploy_it_first() -> None:
    error = render_error("dev", seed_config(), stack_outputs={"organization/network/dev": {}})
    assert error.message == (
        "stack organization/network/dev has no output 'vpc_id': deploy the network stack for this "
        "environment first (make deploy ENV=dev STACK=network)"
    )
    assert error.rendered.created == []


def test_a_fleet_needs_private_subnets(account: FakeAwsAccount) -> None:
    outputs = {**account.network_outputs(), "private_subnet_ids": []}
    error = render_error(
        "dev",
        seed_config(**{"serving:models": [{"name": "llm-chat", "fleet": FLEET}]}),
        stack_outputs={"organization/network/dev": outputs},
    )
    assert (
        error.message
        == "Pulumi.dev.yaml: serving:models[0].fleet = 'llm-chat': a fleet needs private subnets; the network stack has none"
    )
    assert error.rendered.created == []


def test_prod_fleets_need_one_instance_per_az() -> None:
    config = seed_config(**{"serving:models": [{"name": "llm-chat", "fleet": FLEET}]})
    error = render_error("prod", config)
    assert (
        error.message
        == "Pulumi.prod.yaml: serving:models[0].fleet.minSize = 2: prod needs at least one instance per AZ (3)"
    )
    assert error.rendered.created == []


def test_slow_failover_needs_the_named_opt_out() -> None:
    model = _model(
        healthCheck={"intervalSeconds": 10, "timeoutSeconds": 5, "unhealthyThreshold": 3}
    )
    from tests.serving.conftest import render_serving

    rendered = render_serving(
        "dev", seed_config(**{"serving:models": [model], "serving:allowSlowFailover": True})
    )
    assert rendered.outputs["failover"]["detection_seconds"] == 30


def test_the_certificate_arn_value_is_kept(dev) -> None:  # type: ignore[no-untyped-def]
    assert dev.outputs["certificate_arn"] == CERT_ARN


def test_a_malformed_contract_output_is_named(account: FakeAwsAccount) -> None:
    outputs = {**account.network_outputs(), "vpc_cidr": "10.20.0.0/33"}
    error = render_error("dev", seed_config(), stack_outputs={"organization/network/dev": outputs})
    assert error.message.startswith("stack organization/network/dev: output vpc_cidr: ")
    assert error.rendered.created == []
