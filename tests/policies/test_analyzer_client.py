"""The gRPC client the plan gate uses: encoding, the wire as the pack sees it, the child's lifecycle."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from pulumi.output import UNKNOWN as PULUMI_UNKNOWN

from guardrails.values import UNKNOWN as GUARDRAILS_UNKNOWN
from tests.policies.cases import GOOD_LB, LB
from tests.policies.conftest import PROVIDER, urn
from tooling.mock_runtime import RegisteredResource
from tooling.policy.client import PolicyPackAnalyzer
from tooling.policy.errors import PolicyPackError
from tooling.policy.wire import (
    UNKNOWN,
    UNKNOWN_SENTINEL,
    AnalyzableResource,
    decode_value,
    encode_value,
    provider_resource,
)

# A pack that reports what it was sent, and fails on demand: the wire as a policy sees it.
ECHO_PACK = """
from pulumi_policy import PolicyPack, ResourceValidationPolicy, StackValidationPolicy

def echo(args, report):
    if args.resource_type == "test:index:Boom":
        raise RuntimeError("boom: the check crashed")
    provider = args.provider.resource_type if args.provider else "none"
    print("a policy that prints must not block the pack", args.name)
    report(f"{args.name} provider={provider} protect={args.opts.protect} parent={args.opts.parent} "
           f"ignore={list(args.opts.ignore_changes)} dbr={args.opts.delete_before_replace}")

def links(args, report):
    for r in args.resources:
        deps = {k: [d.name for d in v] for k, v in r.property_dependencies.items()}
        report(f"{r.name} parent={r.parent.name if r.parent else None} deps={deps}", r.urn)

PolicyPack(name="echo-pack", policies=[
    ResourceValidationPolicy(name="echo", description="Echo.", validate=echo),
    StackValidationPolicy(name="links", description="Links.", validate=links),
])
"""


@pytest.fixture(scope="module")
def echo_pack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PolicyPackAnalyzer]:
    pack_dir = tmp_path_factory.mktemp("echo-pack")
    (pack_dir / "__main__.py").write_text(textwrap.dedent(ECHO_PACK))
    with PolicyPackAnalyzer(pack_dir) as analyzer:
        analyzer.configure({"all": "mandatory"})
        yield analyzer


def registered(name: str, **fields: object) -> RegisteredResource:
    values: dict[str, object] = {
        "type": LB,
        "name": name,
        "urn": urn(LB, name),
        "id": "",
        "inputs": dict(GOOD_LB),
        "outputs": dict(GOOD_LB),
        "parent": "",
        "custom": True,
        "provider": PROVIDER,
    }
    values.update(fields)
    return RegisteredResource(**values)  # type: ignore[arg-type]


def test_values_are_encoded_as_the_engine_encodes_them() -> None:
    assert encode_value({"a": UNKNOWN, "b": [PULUMI_UNKNOWN, 3], "c": (True, None)}) == {
        "a": UNKNOWN_SENTINEL,
        "b": [UNKNOWN_SENTINEL, 3.0],
        "c": [True, None],
    }
    assert encode_value(float("inf")) == "inf"


def test_a_provider_reference_becomes_the_provider_resource() -> None:
    provider = provider_resource(PROVIDER)
    assert provider is not None
    assert (provider.type, provider.name) == ("pulumi:providers:aws", "default_7_51_1")
    assert provider.urn == "urn:pulumi:prod::serving::pulumi:providers:aws::default_7_51_1"
    assert provider_resource("") is None
    assert provider_resource("not-a-reference") is None


def test_a_mock_runtime_resource_is_analyzable(echo_pack: PolicyPackAnalyzer) -> None:
    resource: AnalyzableResource = registered(
        "serving-alb",
        protect=True,
        parent=urn("acme:serving:ServingLayer", "serving"),
        ignore_changes=["tags"],
        delete_before_replace=True,
    )
    (diagnostic,) = echo_pack.analyze(resource).of("echo")
    assert diagnostic.detail == (
        "serving-alb provider=pulumi:providers:aws protect=True "
        "parent=urn:pulumi:prod::serving::acme:serving:ServingLayer::serving "
        "ignore=['tags'] dbr=True"
    )
    assert diagnostic.urn == resource.urn
    assert diagnostic.level == "mandatory"
    assert diagnostic.pack == "echo-pack"


def test_analyze_stack_sends_parents_and_property_dependencies(
    echo_pack: PolicyPackAnalyzer,
) -> None:
    lb = registered("serving-alb")
    listener = registered(
        "https",
        type="aws:lb/listener:Listener",
        urn=urn("aws:lb/listener:Listener", "https"),
        parent=lb.urn,
        dependencies=[lb.urn],
        property_dependencies={"loadBalancerArn": [lb.urn], "certificateArn": []},
    )
    details = {d.urn: d.detail for d in echo_pack.analyze_stack([lb, listener]).of("links")}
    assert details == {
        lb.urn: "serving-alb parent=None deps={}",
        listener.urn: "https parent=serving-alb deps={'loadBalancerArn': ['serving-alb']}",
    }


def test_a_crashing_policy_is_one_line(echo_pack: PolicyPackAnalyzer) -> None:
    boom = registered("kaboom", type="test:index:Boom", urn=urn("test:index:Boom", "kaboom"))
    with pytest.raises(PolicyPackError) as error:
        echo_pack.analyze(boom)
    assert str(error.value).startswith("policy pack echo-pack: Analyze failed: ")
    assert "\n" not in str(error.value)
    # the pack survives: the next call works
    assert echo_pack.analyze(registered("serving-alb")).of("echo")


def test_the_stack_is_configured_like_the_engine_does(echo_pack: PolicyPackAnalyzer) -> None:
    echo_pack.configure_stack(stack="prod", project="serving", tags={"team": "ml-platform"})
    assert echo_pack.analyze(registered("serving-alb")).of("echo")


def test_the_child_is_stopped_by_its_own_handle(tmp_path: Path) -> None:
    with PolicyPackAnalyzer() as analyzer:
        pid = analyzer.pid
        assert pid is not None and analyzer.running
    assert analyzer.pid is None and not analyzer.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    analyzer.stop()  # idempotent
    with pytest.raises(PolicyPackError, match="the policy pack is not running"):
        analyzer.analyze(registered("serving-alb"))


def test_the_child_is_stopped_when_the_block_fails() -> None:
    pid: int | None = None
    with pytest.raises(RuntimeError, match="the caller failed"), PolicyPackAnalyzer() as analyzer:
        pid = analyzer.pid
        raise RuntimeError("the caller failed")
    assert pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_pack_that_fails_to_start_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text("raise SystemExit('broken pack: no guardrails module')\n")
    with pytest.raises(PolicyPackError) as error:
        PolicyPackAnalyzer(tmp_path).start()
    assert (
        str(error.value)
        == f"policy pack {tmp_path} exited before serving: broken pack: no guardrails module"
    )


def test_a_pack_that_prints_no_port_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text("print('hello'); import time; time.sleep(30)\n")
    analyzer = PolicyPackAnalyzer(tmp_path)
    with pytest.raises(PolicyPackError, match=r"did not print a port \(got 'hello'\)$"):
        analyzer.start()
    assert analyzer.pid is None


def test_a_pack_that_hangs_times_out(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text("import time; time.sleep(30)\n")
    analyzer = PolicyPackAnalyzer(tmp_path, start_timeout=0.5)
    with pytest.raises(PolicyPackError, match=r"printed no port within 0.5s$"):
        analyzer.start()
    assert analyzer.pid is None


def test_there_is_one_unknown_marker() -> None:
    assert UNKNOWN is GUARDRAILS_UNKNOWN
    assert encode_value(GUARDRAILS_UNKNOWN) == encode_value(PULUMI_UNKNOWN) == UNKNOWN_SENTINEL
    assert decode_value({"a": [UNKNOWN_SENTINEL]}) == {"a": [GUARDRAILS_UNKNOWN]}


def test_a_launched_pack_listens_only_once_started() -> None:
    """Launched, the pack has imported what it runs but serves nothing (no port to reach)."""
    analyzer = PolicyPackAnalyzer()
    try:
        analyzer.launch()
        analyzer.wait_ready()
        pid = analyzer.pid
        assert pid is not None
        assert not [c for c in psutil.Process(pid).net_connections() if c.status == "LISTEN"]
        analyzer.start()
        assert [c for c in psutil.Process(pid).net_connections() if c.status == "LISTEN"]
        analyzer.configure_env("prod")
        assert analyzer.levels["alb-access-logs-enabled"] == "mandatory"
    finally:
        analyzer.stop()
    assert not psutil.pid_exists(pid)
