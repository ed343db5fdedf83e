"""Bad input: one line naming the key and the value, and nothing registered but the StackReference."""

from __future__ import annotations

from typing import Any

import pytest

from shared.config import show_value
from tests.serving.conftest import (
    AMI,
    CERT_ARN,
    SEED_INSTANCES,
    SERVICE_NAME,
    render_error,
    render_serving,
    seed_config,
)
from tooling.mock_runtime import FakeAwsAccount

WAF_ARN = "arn:aws:wafv2:eu-west-1:210987654321:regional/webacl/ml-serving-prod/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
NAMES = [SERVICE_NAME]
FLEET = {
    "image": "210987654321.dkr.ecr.eu-west-1.amazonaws.com/llm-chat:2026.11.2",
    "ami": "latest",
    "minSize": 2,
}


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
        "Pulumi.dev.yaml: serving:certificate.arn = 'arn:aws:iam::210987654321:server-certificate/ml': not an ACM certificate ARN (expected arn:aws:acm:<region>:<account>:certificate/<id>)",
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
        "world-in-halves",
        {"serving:allowedCidrs": ["0.0.0.0/1", "128.0.0.0/1"]},
        'Pulumi.dev.yaml: serving:allowedCidrs = ["0.0.0.0/1", "128.0.0.0/1"]: together these reach more of the internet than a /8',
    ),
    (
        "world-in-eighths",
        {"serving:allowedCidrs": ["3.0.0.0/8", "52.0.0.0/8"]},
        'Pulumi.dev.yaml: serving:allowedCidrs = ["3.0.0.0/8", "52.0.0.0/8"]: together these reach more of the internet than a /8',
    ),
    (
        "no-allowed-sources",
        {"serving:allowedCidrs": []},
        "Pulumi.dev.yaml: serving:allowedCidrs = []: name who may reach the ALB",
    ),
    (
        "internal-public",
        {"serving:scheme": "internal", "serving:public": True},
        "Pulumi.dev.yaml: serving:public = True: only an internet-facing ALB can be public, and serving:scheme is 'internal'",
    ),
    (
        "scheme-deleted-public-kept",
        {"serving:scheme": None, "serving:public": True},
        "Pulumi.dev.yaml: serving:public = True: only an internet-facing ALB can be public, and serving:scheme is 'internal' (the default: it is not set)",
    ),
    (
        "two-defaults",
        {"serving:models": [_model(), _model(name="other")]},
        "Pulumi.dev.yaml: serving:models[1].route = None: only one model may be the default route (models[0] is)",
    ),
    (
        "duplicate-name",
        {
            "serving:models": [
                _model(route={"pathPrefix": "/a"}),
                _model(route={"pathPrefix": "/b"}),
            ]
        },
        "Pulumi.dev.yaml: serving:models[1].name = 'sentiment': model names must be unique (also models[0])",
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
        "Pulumi.dev.yaml: serving:models = 101: an ALB takes at most 100 target groups (one per model version; these need 101)",
    ),
    (
        "ipv6-cidr",
        {"serving:allowedCidrs": ["2001:db8::/32"]},
        "Pulumi.dev.yaml: serving:allowedCidrs = [\"2001:db8::/32\"]: '2001:db8::/32': the ALB is IPv4-only, IPv6 clients never reach it",
    ),
    (
        "certificate-other-region",
        {
            "serving:certificate": {
                "arn": CERT_ARN.replace("eu-west-1", "us-east-1"),
                "names": NAMES,
            }
        },
        f"Pulumi.dev.yaml: serving:certificate.arn = {show_value(CERT_ARN.replace('eu-west-1', 'us-east-1'))}: the certificate is in us-east-1; an ALB in eu-west-1 needs one from ACM in eu-west-1",
    ),
    (
        "certificate-other-account",
        {
            "serving:certificate": {
                "arn": CERT_ARN.replace("210987654321", "123456789012"),
                "names": NAMES,
            }
        },
        f"Pulumi.dev.yaml: serving:certificate.arn = {show_value(CERT_ARN.replace('210987654321', '123456789012'))}: the certificate belongs to account 123456789012; the ALB is in 210987654321",
    ),
    (
        "waf-not-regional",
        {"serving:wafAclArn": WAF_ARN.replace(":regional/", ":global/")},
        f"Pulumi.dev.yaml: serving:wafAclArn = {show_value(WAF_ARN.replace(':regional/', ':global/'))}: not a WAFv2 regional web ACL ARN",
    ),
    (
        "waf-other-region",
        {"serving:wafAclArn": WAF_ARN.replace("eu-west-1", "eu-central-1")},
        f"Pulumi.dev.yaml: serving:wafAclArn = {show_value(WAF_ARN.replace('eu-west-1', 'eu-central-1'))}: the web ACL is in eu-central-1; the ALB is in eu-west-1",
    ),
    (
        "sns-arn",
        {"serving:alarms": {"snsTopicArn": "ml-serving-oncall"}},
        "Pulumi.dev.yaml: serving:alarms.snsTopicArn = 'ml-serving-oncall': not an SNS topic ARN",
    ),
    (
        "route-path-and-host",
        {
            "serving:models": [
                _model(route={"pathPrefix": "/v1/chat", "host": "chat.ml.acme-corp.com"})
            ]
        },
        "Pulumi.dev.yaml: serving:models[0].route.pathPrefix = '/v1/chat': give exactly one of pathPrefix, host or default: true",
    ),
    (
        "priority-on-the-default",
        {"serving:models": [_model(priority=10)]},
        "Pulumi.dev.yaml: serving:models[0].priority = 10: the default route is not a rule and has no priority",
    ),
    (
        "matcher",
        {"serving:models": [_model(healthCheck={"matcher": "200,503"})]},
        "Pulumi.dev.yaml: serving:models[0].healthCheck.matcher = '200,503': ALB health check codes must be within 200-499",
    ),
    (
        "slow-start-below-30",
        {"serving:models": [_model(slowStartSeconds=10)]},
        "Pulumi.dev.yaml: serving:models[0].slowStartSeconds = 10: 0 (off) or 30-900",
    ),
    (
        "host-outside-the-certificate-zone",
        {
            "serving:certificate": {"domain": "api.ml.acme-corp.com", "zone": "ml.acme-corp.com"},
            "serving:models": [_model(route={"host": "chat.acme-corp.org"})],
        },
        "Pulumi.dev.yaml: serving:models[0].route.host = 'chat.acme-corp.org': the certificate is validated in ml.acme-corp.com; use certificate.arn for other names",
    ),
    (
        "san-outside-the-zone",
        {
            "serving:certificate": {
                "domain": "api.ml.acme-corp.com",
                "zone": "ml.acme-corp.com",
                "subjectAlternativeNames": ["api.acme-corp.org"],
            }
        },
        "Pulumi.dev.yaml: serving:certificate.subjectAlternativeNames[0] = 'api.acme-corp.org': outside the zone ml.acme-corp.com, where it is validated by DNS",
    ),
    (
        "graviton-gpu-without-ami",
        {
            "serving:models": [
                {"name": "llm-chat", "fleet": {**FLEET, "instanceType": "g5g.xlarge"}}
            ]
        },
        "Pulumi.dev.yaml: serving:models[0].fleet.amiParameter = None: no ECS GPU AMI for Graviton (g5g.xlarge): name an AMI parameter",
    ),
    (
        "certificate-without-names",
        {"serving:certificate": {"arn": CERT_ARN}},
        "Pulumi.dev.yaml: serving:certificate.names = []: name what the certificate at certificate.arn covers (the first is the URL clients use",
    ),
    (
        "host-route-the-certificate-does-not-cover",
        {"serving:models": [_model(route={"host": "chat.acme-corp.org"})]},
        "Pulumi.dev.yaml: serving:models[0].route.host = 'chat.acme-corp.org': not among the names certificate.names says it covers (sentiment.ml-dev.acme-corp.com, *.ml.acme-corp.com)",
    ),
    (
        "names-on-a-requested-certificate",
        {
            "serving:certificate": {
                "domain": "api.ml.acme-corp.com",
                "zone": "ml.acme-corp.com",
                "names": ["x.ml.acme-corp.com"],
            }
        },
        'Pulumi.dev.yaml: serving:certificate.names = ["x.ml.acme-corp.com"]: only with arn',
    ),
    (
        "tls-policy-aws-does-not-have",
        {"serving:tlsPolicy": "ELBSecurityPolicy-TLS13-1-2-2025-09"},
        "Pulumi.dev.yaml: serving:tlsPolicy = 'ELBSecurityPolicy-TLS13-1-2-2025-09': not an ELB security policy an ALB accepts",
    ),
    (
        "log-retention-cloudwatch-refuses",
        {"serving:logs": {"retentionDays": 31}},
        "Pulumi.dev.yaml: serving:logs.retentionDays = 31: CloudWatch Logs keeps logs for one of 1, 3, 5",
    ),
    (
        "log-key-in-another-region",
        {
            "serving:logs": {
                "kmsKeyArn": "arn:aws:kms:us-east-1:210987654321:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
            }
        },
        "Pulumi.dev.yaml: serving:logs.kmsKeyArn = 'arn:aws:kms:us-east-1:210987654321:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b': the key is in us-east-1; CloudWatch Logs in eu-west-1 needs one in eu-west-1",
    ),
    (
        "instance-type-typo",
        {"serving:models": [{"name": "llm-chat", "fleet": {**FLEET, "instanceType": "g5.2xl"}}]},
        "Pulumi.dev.yaml: serving:models[0].fleet.instanceType = 'g5.2xl': not an EC2 instance type",
    ),
    (
        "fleet-without-an-ami-choice",
        {
            "serving:models": [
                {"name": "llm-chat", "fleet": {k: v for k, v in FLEET.items() if k != "ami"}}
            ]
        },
        "Pulumi.dev.yaml: serving:models[0].fleet.ami = <missing>: Field required",
    ),
    (
        "ami-neither-pinned-nor-latest",
        {"serving:models": [{"name": "llm-chat", "fleet": {**FLEET, "ami": "newest"}}]},
        "Pulumi.dev.yaml: serving:models[0].fleet.ami = 'newest': pin an AMI id",
    ),
    (
        "pinned-ami-that-does-not-exist",
        {
            "serving:models": [
                {"name": "llm-chat", "fleet": {**FLEET, "ami": "ami-0123456789abcdef0"}}
            ]
        },
        "Pulumi.dev.yaml: serving:models[0].fleet.ami = 'ami-0123456789abcdef0': AMI look-up failed",
    ),
    (
        "pinned-ami-of-the-wrong-architecture",
        {
            "serving:models": [
                {"name": "llm-chat", "fleet": {**FLEET, "ami": AMI, "instanceType": "m8g.large"}}
            ]
        },
        f"Pulumi.dev.yaml: serving:models[0].fleet.ami = {AMI!r}: an x86_64 image; m8g.large needs arm64",
    ),
    (
        "ami-parameter-with-a-pinned-ami",
        {
            "serving:models": [
                {"name": "llm-chat", "fleet": {**FLEET, "ami": AMI, "amiParameter": "/acme/ami"}}
            ]
        },
        f"Pulumi.dev.yaml: serving:models[0].fleet.amiParameter = '/acme/ami': only with ami: latest (ami {AMI} is pinned)",
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


def test_instances_in_an_az_without_an_alb_subnet_are_refused(account: FakeAwsAccount) -> None:
    outputs = account.network_outputs()
    two_azs = {
        **outputs,
        "availability_zones": outputs["availability_zones"][:2],
        "public_subnet_ids": outputs["public_subnet_ids"][:2],
        "private_subnet_ids": outputs["private_subnet_ids"][:2],
    }
    error = render_error("dev", seed_config(), stack_outputs={"organization/network/dev": two_azs})
    assert error.message == (
        'Pulumi.dev.yaml: serving:models[0].instances = ["i-0d3c5e7a9b1f24680", '
        '"i-0e4d6f8b0c2a35791", "i-0f5e7a9c1d3b46802"]: instances in eu-west-1c, where the ALB '
        "has no subnet (eu-west-1a, eu-west-1b)"
    )
    assert error.rendered.created == []


def test_an_internal_alb_needs_private_subnets(account: FakeAwsAccount) -> None:
    outputs = {**account.network_outputs(), "private_subnet_ids": []}
    config = seed_config(**{"serving:scheme": "internal", "serving:allowedCidrs": ["10.20.0.0/16"]})
    error = render_error("dev", config, stack_outputs={"organization/network/dev": outputs})
    assert error.message == (
        "Pulumi.dev.yaml: serving:scheme = 'internal': the network stack has no private subnets "
        "for an internal ALB"
    )
    assert error.rendered.created == []


def test_checks_run_before_anything_is_registered_and_only_read_the_network_stack() -> None:
    """The invokes a failed check leaves behind are look-ups, never a resource."""
    error = render_error(
        "dev",
        seed_config(
            **{
                "serving:certificate": {
                    "arn": CERT_ARN.replace("eu-west-1", "us-east-1"),
                    "names": NAMES,
                }
            }
        ),
    )
    assert [r.type for r in error.rendered.resources] == ["pulumi:pulumi:StackReference"]
    assert {token for token, _ in error.rendered.invokes} <= {
        "aws:index/getRegion:getRegion",
        "aws:index/getCallerIdentity:getCallerIdentity",
    }


def test_a_zone_that_does_not_exist_is_named_before_anything_is_built() -> None:
    config = seed_config(
        **{"serving:certificate": {"domain": "api.ml.acme-corp.net", "zone": "ml.acme-corp.net"}}
    )
    error = render_error("dev", config)
    assert error.message == (
        "Pulumi.dev.yaml: serving:certificate.zone = 'ml.acme-corp.net': Route 53 public zone "
        "look-up failed: no matching Route 53 Hosted Zone found for 'ml.acme-corp.net'"
    )
    assert error.rendered.created == []


def test_an_ami_parameter_that_does_not_exist_is_named_before_anything_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tooling.mock_runtime import mocks

    def missing(account: FakeAwsAccount, args: dict[str, Any]) -> dict[str, Any]:
        raise Exception(f"ParameterNotFound: {args['name']}")

    monkeypatch.setitem(mocks._INVOKES, "aws:ssm/getParameter:getParameter", missing)  # pyright: ignore[reportPrivateUsage]
    fleet = {**FLEET, "amiParameter": "/acme/ami/model-server/latest"}
    error = render_error(
        "dev", seed_config(**{"serving:models": [{"name": "llm", "fleet": fleet}]})
    )
    assert error.message == (
        "Pulumi.dev.yaml: serving:models[0].fleet.amiParameter = '/acme/ami/model-server/latest': "
        "AMI parameter look-up failed: ParameterNotFound: /acme/ami/model-server/latest"
    )
    assert error.rendered.created == []
