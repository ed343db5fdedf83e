"""``make verify`` for a model with versions, against moto: ``llm-chat`` with v1 and v2, each its own
target group and fleet, and the rule's weighted forward. The weights and stickiness in AWS against
the stack's outputs, and every version with traffic healthy in every AZ."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.moto_server import Snapshots
from tests.verify.conftest import FakeClock, Run, deployed, verify
from tests.verify.layout import CANARY, WITH_VERSIONS, Deployment, VersionSpec, deploy

LLM, V1, V2 = "model llm-chat", "model llm-chat version v1", "model llm-chat version v2"
BUCKET = "access-log bucket"
FIX_WEIGHTS = (
    "the weights were changed outside the stack, or a rollout stopped midway: `make deploy` sets "
    "the env file's weights back; `make rollout MODEL=llm-chat TO=<version>` moves them on"
)


def not_passing(run: Run) -> list[tuple[str, str, str]]:
    assert run.report is not None
    return [
        (c["group"], c["name"], c["status"]) for c in run.report["checks"] if c["status"] != "pass"
    ]


def set_forward(
    deployment: Deployment, weights: dict[str, int], sticky: dict[str, Any] | None = None
) -> None:
    """Change the model's rule in AWS behind the stack's back (as a console click would)."""
    (rule,) = [r for r in deployment.https_rules() if r["Priority"] == str(CANARY.priority)]
    groups = [
        {"TargetGroupArn": deployment.version_group("llm-chat", name), "Weight": weight}
        for name, weight in weights.items()
    ]
    config = {"TargetGroups": groups, "TargetGroupStickinessConfig": sticky or {"Enabled": False}}
    deployment.elbv2.modify_rule(
        RuleArn=rule["RuleArn"], Actions=[{"Type": "forward", "ForwardConfig": config}]
    )


@pytest.fixture
def versioned(aws_variables: str, snapshots: Snapshots[Deployment]) -> Deployment:
    return deployed(snapshots, WITH_VERSIONS)


def test_weights_that_match_the_outputs_pass(
    versioned: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = verify(versioned, tmp_path, capsys)
    assert run.code == 0, run.stdout + run.stderr
    assert not_passing(run) == [(BUCKET, "versioning", "warn")]
    weights = run.check(LLM, "version weights")
    assert (weights["status"], weights["detail"]) == ("pass", "rule 22919: v1 90, v2 10")
    assert (weights["actual"], weights["expected"]) == ("v1 90, v2 10", "v1 90, v2 10")
    assert run.check(LLM, "forward stickiness")["detail"] == "off"
    assert run.check(LLM, "routing")["detail"] == (
        "rule 22919 (path /v1/chat, /v1/chat/*): "
        "srv-prod-llm-chat-v1 (model llm-chat, version v1) weight 90 (90%), "
        "srv-prod-llm-chat-v2 (model llm-chat, version v2) weight 10 (10%)"
    )
    for group in (V1, V2):
        for name in (
            "target group",
            "health checks on",
            "healthy targets per AZ",
            "healthy targets",
        ):
            assert run.check(group, name)["status"] == "pass", (group, name)
    assert run.check(V2, "healthy targets per AZ")["detail"] == (
        "eu-west-1a: 1 healthy; eu-west-1b: 1 healthy; eu-west-1c: 1 healthy"
    )
    # The model's group keeps the model-wide checks; its versions' groups hold theirs.
    assert [name for group, name, _ in _all(run) if group == LLM] == [
        "routing", "version weights", "forward stickiness",
    ]  # fmt: skip


def _all(run: Run) -> list[tuple[str, str, str]]:
    assert run.report is not None
    return [(c["group"], c["name"], c["status"]) for c in run.report["checks"]]


def test_aws_weights_that_differ_from_the_outputs_fail_naming_both(
    versioned: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    set_forward(versioned, {"v1": 50, "v2": 50})
    run = verify(versioned, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [(LLM, "version weights")]
    check = run.check(LLM, "version weights")
    assert check["detail"] == (
        "AWS forwards with v1 50, v2 50 in rule 22919; the stack's outputs say v1 90, v2 10"
    )
    assert (check["actual"], check["expected"]) == ("v1 50, v2 50", "v1 90, v2 10")
    assert check["fix"] == FIX_WEIGHTS
    # All the traffic on v2 in AWS: still routed (v2 is the model's), still the wrong weights.
    set_forward(versioned, {"v1": 0, "v2": 100})
    run = verify(versioned, tmp_path, capsys)
    assert run.failed() == [(LLM, "version weights")]
    assert run.check(LLM, "version weights")["actual"] == "v1 0, v2 100"
    assert run.check(LLM, "routing")["status"] == "pass"


def test_a_version_with_traffic_and_no_healthy_target_in_one_az_fails_naming_it(
    versioned: Deployment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stopped = versioned.instance("llm-chat/v2", "eu-west-1b")
    versioned.ec2.stop_instances(InstanceIds=[stopped])
    clock = FakeClock()
    run = verify(versioned, tmp_path, capsys, "--wait", "1", "--poll", "0.5", clock=clock)
    assert run.code == 1
    assert clock.sleeps == [0.5, 0.5]
    *waiting, last = run.stderr.splitlines()
    progress = (
        "llm-chat/v1 3/3 healthy in 3/3 AZs, llm-chat/v2 2/3 healthy in 2/3 AZs, "
        "embeddings 3/3 healthy in 3/3 AZs"
    )
    assert len(waiting) == 2 and all(line.endswith(progress) for line in waiting)
    assert last == f"gave up waiting after 1 s: {progress}"
    assert run.failed() == [(V2, "healthy targets per AZ"), (V2, "healthy targets")]
    assert run.check(V2, "healthy targets per AZ")["detail"] == (
        f"eu-west-1a: 1 healthy; eu-west-1b: 0 healthy [{stopped} unused (Target.InvalidState)]; "
        "eu-west-1c: 1 healthy -- fewer than 1 healthy in eu-west-1b"
    )
    assert run.check(V2, "healthy targets per AZ")["actual"] == "2 of 3 AZs with >= 1 healthy"
    assert run.check(V1, "healthy targets per AZ")["status"] == "pass"


def test_a_version_at_weight_0_without_targets_passes_and_says_why(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    idle = replace(CANARY, versions=(VersionSpec("v1", 100), VersionSpec("v2", 0, per_zone=0)))
    deployment = deploy(WITH_VERSIONS.with_models(idle, *WITH_VERSIONS.models[1:]))
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 0, run.stdout
    assert not_passing(run) == [(BUCKET, "versioning", "warn")]
    assert run.check(V2, "healthy targets per AZ")["detail"] == (
        "eu-west-1a: 0 healthy, eu-west-1b: 0 healthy, eu-west-1c: 0 healthy"
        " (weight 0: takes no traffic, needs no healthy targets)"
    )
    assert run.check(V2, "healthy targets")["detail"] == (
        "0 of 0 registered healthy (weight 0: takes no traffic, needs no healthy targets)"
    )
    # Its group must still exist and be health-checked.
    assert run.check(V2, "target group")["status"] == "pass"
    assert run.check(V2, "health checks on")["detail"] == "on"
    assert run.check(LLM, "version weights")["detail"] == "rule 22919: v1 100, v2 0"


def test_stickiness_that_differs_from_the_outputs_fails(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sticky = replace(CANARY, stickiness=3600)
    deployment = deploy(WITH_VERSIONS.with_models(sticky, *WITH_VERSIONS.models[1:]))
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 0, run.stdout
    assert run.check(LLM, "forward stickiness")["detail"] == "on, 3600 s"
    set_forward(deployment, {"v1": 90, "v2": 10}, {"Enabled": True, "DurationSeconds": 60})
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 1
    assert run.failed() == [(LLM, "forward stickiness")]
    check = run.check(LLM, "forward stickiness")
    assert check["detail"] == "on, 60 s (expected on, 3600 s)"
    assert check["fix"] == "redeploy the serving stack (`make deploy`), which sets it back"
    set_forward(deployment, {"v1": 90, "v2": 10})
    run = verify(deployment, tmp_path, capsys)
    assert run.check(LLM, "forward stickiness")["detail"] == "off (expected on, 3600 s)"


def test_a_default_route_with_versions_is_read_from_the_default_action(
    aws_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    default = replace(CANARY, route=("default", "*"), priority=None, stickiness=600)
    deployment = deploy(WITH_VERSIONS.with_models(default, *WITH_VERSIONS.models[1:]))
    run = verify(deployment, tmp_path, capsys)
    assert run.code == 0, run.stdout
    assert run.check(LLM, "version weights")["detail"] == "the default action: v1 90, v2 10"
    assert run.check(LLM, "forward stickiness")["detail"] == "on, 600 s"
    assert run.check("listeners", "HTTPS :443 default action")["expected"] == (
        "forward to model llm-chat (versions v1, v2)"
    )
