"""Realistic resources as the engine sends them (camelCase props, URNs), and one running pack."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tooling.policy_analyzer import PolicyPackAnalyzer

ACCOUNT = "210987654321"
REGION = "eu-west-1"


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


def alb_arn(name: str = "serving-alb-3a0bd19") -> str:
    return (
        f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/{name}/3a0bd194de54e842"
    )


def tg_arn(name: str = "srv-prod-llm-chat-a669f5f") -> str:
    return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{name}/a669f5f562378d0e"


CERT_ARN = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/5f3c2b1a-8d4e-4f6a-9b7c-1e2d3c4b5a69"
SUBNETS = ["subnet-4a0a5ab0fa4e42f15", "subnet-c203cab8f604f7e92", "subnet-f6ed56eb510155070"]
TAGS = {
    "team": "ml-platform",
    "env": "prod",
    "stack": "serving",
    "managed-by": "pulumi",
    "repo": "acme/alb-serving-platform",
    "cost-center": "ml-platform-prod",
}


def wire(value: Any) -> Any:
    """Test props with the checks' UNKNOWN marker -> the analyzer client's (sent as the sentinel)."""
    from guardrails.meta import UNKNOWN
    from tooling.policy_analyzer import UNKNOWN as WIRE_UNKNOWN

    if value is UNKNOWN:
        return WIRE_UNKNOWN
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [wire(v) for v in value]
    return value


@pytest.fixture(scope="session")
def pack() -> Iterator[PolicyPackAnalyzer]:
    """The real pack in a child process, started the way the engine starts it."""
    with PolicyPackAnalyzer() as analyzer:
        yield analyzer
