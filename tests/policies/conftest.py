"""Resources as the engine sends them (camelCase props, URNs, links), and one running pack.

Props in the cases use :data:`guardrails.values.UNKNOWN` where a preview cannot know a value;
:func:`wire` turns it into the analyzer client's marker (sent as the engine's sentinel),
:func:`preview` makes a preview of known props, :func:`update` makes known props of a preview.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from guardrails.values import UNKNOWN
from tooling.policy_analyzer import UNKNOWN as WIRE_UNKNOWN
from tooling.policy_analyzer import PolicyPackAnalyzer

ACCOUNT = "210987654321"
REGION = "eu-west-1"
PROVIDER = (
    "urn:pulumi:prod::serving::pulumi:providers:aws::default_7_51_1"
    "::5b7c6f1e-2d3a-4b8c-9e0f-1a2b3c4d5e6f"
)


def urn(type_: str, name: str, *, stack: str = "prod", project: str = "serving") -> str:
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


@dataclass
class FakeResource:
    """Shaped like ``tooling.mock_runtime.RegisteredResource`` (what the analyzer client takes)."""

    type: str
    name: str
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    parent: str = ""
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    protect: bool = False
    provider: str = PROVIDER

    def __post_init__(self) -> None:
        if not self.outputs:
            self.outputs = dict(self.inputs)

    @property
    def urn(self) -> str:
        return urn(self.type, self.name)


def make(type_: str, name: str, props: dict[str, Any], **links: FakeResource) -> FakeResource:
    """A resource whose input ``prop`` comes from each linked resource (``loadBalancerArn=alb``)."""
    return FakeResource(
        type_,
        name,
        props,
        dependencies=[r.urn for r in links.values()],
        property_dependencies={prop: [r.urn] for prop, r in links.items()},
    )


def _hex(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def alb_arn(name: str = "serving-alb-3a0bd19") -> str:
    return (
        f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/{name}/{_hex(name, 16)}"
    )


def tg_arn(name: str = "srv-prod-llm-chat-a669f5f") -> str:
    return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{name}/{_hex(name, 16)}"


def listener_arn(name: str) -> str:
    lb = "serving-alb-3a0bd19"
    return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/app/{lb}/{_hex(lb, 16)}/{_hex(name, 16)}"


CERT_ARN = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/5f3c2b1a-8d4e-4f6a-9b7c-1e2d3c4b5a69"
WAF_ARN = f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/ml-serving-prod/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
SUBNETS = ["subnet-4a0a5ab0fa4e42f15", "subnet-c203cab8f604f7e92", "subnet-f6ed56eb510155070"]
VPC_ID = "vpc-0a1b2c3d4e5f67890"
ALB_SG = "sg-0c1d2e3f4a5b6c7d8"
BUCKET_NAME = "serving-prod-alb-logs-210987654321-eu-west-1"
TAGS = {
    "team": "ml-platform",
    "env": "prod",
    "stack": "serving",
    "managed-by": "pulumi",
    "repo": "acme/alb-serving-platform",
    "cost-center": "ml-platform-prod",
}


# ---- preview and update ------------------------------------------------------------------------
COMPUTED_PREFIXES = ("arn:", "sg-", "subnet-", "vpc-", "ami-", "lt-")
"""Values a preview of new resources cannot know: ARNs and AWS resource ids."""


def preview(value: Any) -> Any:
    """``value`` as a preview of a new stack sees it: ARNs and AWS ids unknown."""
    if isinstance(value, str) and value.startswith(COMPUTED_PREFIXES):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: preview(v) for k, v in value.items()}
    if isinstance(value, list):
        return [preview(v) for v in value]
    return value


def known_id(resource: FakeResource) -> str:
    """The id or ARN an update knows for ``resource``."""
    kind = resource.type.split(":")[-1]
    return {
        "LoadBalancer": alb_arn(resource.name),
        "Listener": listener_arn(resource.name),
        "TargetGroup": tg_arn(resource.name),
        "SecurityGroup": f"sg-{_hex(resource.name, 17)}",
        "Bucket": BUCKET_NAME,
        "Group": f"{resource.name}-{_hex(resource.name, 7)}",
    }.get(
        kind,
        f"arn:aws:{resource.type.split(':')[1].split('/')[0]}:{REGION}:{ACCOUNT}:{kind.lower()}/{resource.name}",
    )


def update(resources: list[FakeResource]) -> list[FakeResource]:
    """The same stack after an update: every unknown replaced by the value it resolves to.

    An unknown input takes the id/ARN of the resource it came from (its property dependency);
    a resource's own unknown ``arn`` or ``id`` its own.
    """
    by_urn = {r.urn: r for r in resources}

    def resolve(owner: FakeResource, key: str, value: Any) -> Any:
        if value is UNKNOWN:
            sources = [by_urn[u] for u in owner.property_dependencies.get(key, []) if u in by_urn]
            return known_id(sources[0]) if sources else known_id(owner)
        if isinstance(value, dict):
            return {k: resolve(owner, key, v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(owner, key, v) for v in value]
        return value

    return [
        replace(
            r,
            inputs={k: resolve(r, k, v) for k, v in r.inputs.items()},
            outputs={k: resolve(r, k, v) for k, v in r.outputs.items()},
        )
        for r in resources
    ]


def wire(value: Any) -> Any:
    """The checks' UNKNOWN marker -> the analyzer client's (sent as the engine's sentinel)."""
    if value is UNKNOWN:
        return WIRE_UNKNOWN
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [wire(v) for v in value]
    return value


def on_the_wire(resources: list[FakeResource]) -> list[FakeResource]:
    return [replace(r, inputs=wire(r.inputs), outputs=wire(r.outputs)) for r in resources]


def unknown_variants(
    value: Any, path: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every way to make one part of ``value`` unknown: ``(path, value with UNKNOWN at path)``."""
    if isinstance(value, dict):
        for key, item in value.items():
            for sub, variant in unknown_variants(item, (*path, key)):
                yield sub, {**value, key: variant}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for sub, variant in unknown_variants(item, (*path, index)):
                yield sub, [*value[:index], variant, *value[index + 1 :]]
    if path and value is not UNKNOWN:
        yield path, UNKNOWN


@pytest.fixture(scope="session")
def pack() -> Iterator[PolicyPackAnalyzer]:
    """The real pack in a child process, started the way the engine starts it; always stopped."""
    with PolicyPackAnalyzer() as analyzer:
        yield analyzer
