"""``make drift``: refresh --preview-only per stack (the digest's steps) plus make verify; exit 0
when AWS matches, 3 on drift with the resources and fields listed, the CLI's code on an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.delivery.conftest import Driver
from tooling.deploy.drift import drift
from tooling.deploy.environment import RunEnvironment, resolve
from tooling.deploy.errors import DeployError
from tooling.pulumi_cli import Completed, PulumiCli

URN = "urn:pulumi:{env}::network::acme:network:MultiAzVpc$aws:ec2/{kind}::{name}"
REFRESH = ["refresh", "--stack", "dev", "--preview-only", "--json", "--expect-no-changes"]


def step(op: str, kind: str, name: str, diff: dict[str, str] | None = None) -> dict[str, object]:
    detailed = {key: {"kind": value, "inputDiff": False} for key, value in (diff or {}).items()}
    return {"op": op, "urn": URN.format(env="dev", kind=kind, name=name), "detailedDiff": detailed}


def test_no_drift_exits_0(driver: Driver) -> None:
    driver.set_stacks(network={"dev": 30})
    steps = [step("same", "vpc:Vpc", "serving-vpc"), step("refresh", "subnet:Subnet", "serving-a")]
    result = driver.run(
        "drift", "--env", "dev", "--stack", "network",
        FAKE_PULUMI_DRIFT=json.dumps({"network": {"dev": steps}}),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert result.commands() == [("network", ["stack", "ls", "--json"]), ("network", REFRESH)]
    assert result.stdout.splitlines()[-1] == "drift: dev: AWS matches the code"


def test_drift_exits_3_and_lists_the_resources_and_fields(driver: Driver, tmp_path: Path) -> None:
    driver.set_stacks(network={"dev": 30})
    steps = [
        step("same", "vpc:Vpc", "serving-vpc"),
        step(
            "update",
            "subnet:Subnet",
            "serving-public-a",
            {"mapPublicIpOnLaunch": "update", "tags.Name": "update"},
        ),
        step("delete", "natGateway:NatGateway", "serving-nat-b"),
    ]
    report = tmp_path / "drift" / "dev.md"
    result = driver.run(
        "drift", "--env", "dev", "--stack", "network", "--report", str(report),
        FAKE_PULUMI_DRIFT=json.dumps({"network": {"dev": steps}}),
    )  # fmt: skip
    assert result.code == 3, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "drift: network/dev: aws:ec2/subnet:Subnet serving-public-a: update (mapPublicIpOnLaunch, tags.Name)",
        "drift: network/dev: aws:ec2/natGateway:NatGateway serving-nat-b: deleted outside Pulumi",
        "drift: dev: 2 drifted resource(s)",
    ]
    assert report.read_text().splitlines()[2:5] == [
        "| stack | resource | type | change | fields |",
        "|---|---|---|---|---|",
        "| network/dev | `serving-public-a` | `aws:ec2/subnet:Subnet` | update | mapPublicIpOnLaunch, tags.Name |",
    ]


def test_drift_of_a_stack_that_does_not_exist_is_an_error(driver: Driver) -> None:
    result = driver.run("drift", "--env", "staging", "--stack", "network")
    assert result.code == 2
    assert result.stderr == (
        "deploy: network/staging: no such stack to check for drift (deploy it first: "
        "make deploy ENV=staging STACK=network)\n"
    )


def test_a_failing_refresh_is_not_read_as_no_drift(driver: Driver) -> None:
    driver.set_stacks(network={"dev": 30})
    result = driver.run(
        "drift", "--env", "dev", "--stack", "network", FAKE_PULUMI_FAIL="refresh:network=1"
    )
    assert result.code == 1
    assert result.stderr == (
        "deploy: network/dev: pulumi refresh failed (exit 1): error: fake failure of pulumi "
        + " ".join(REFRESH)
        + " in network\n"
    )


def test_make_drift_runs_the_driver(driver: Driver) -> None:
    driver.set_stacks(network={"dev": 30})
    result = driver.make("drift", "ENV=dev", "STACK=network")
    assert result.code == 0, result.stderr
    assert result.ran("refresh") == [("network", REFRESH)]


def test_the_serving_stack_adds_make_verify_for_real(driver: Driver) -> None:
    """The wiring: verify runs as make verify would; here it cannot reach AWS (exit 2): an error."""
    driver.set_stacks(network={"dev": 30}, serving={"dev": 57})
    result = driver.run("drift", "--env", "dev")
    assert result.code == 2
    assert "$ -m tooling.verify --env dev" in result.stdout
    assert result.stderr.splitlines()[-1] == (
        "deploy: serving/dev: make verify could not check (exit 2)"
    )


# ---- the verdict with verify, in-process --------------------------------------------------------
class Digest(PulumiCli):
    def __init__(self, steps: list[dict[str, object]]) -> None:
        super().__init__("pulumi", {}, echo=False)
        self.steps = steps

    def capture(
        self, args: list[str], cwd: Path, *, label: str, limit: float | None = None
    ) -> Completed:
        if args[:2] == ["stack", "ls"]:
            return Completed(args, cwd, 0, json.dumps([{"name": "dev", "resourceCount": 3}]), "")
        changed = any(s["op"] not in ("same", "refresh") for s in self.steps)
        return Completed(args, cwd, 7 if changed else 0, json.dumps({"steps": self.steps}), "")


def _dev(tmp_path: Path) -> RunEnvironment:
    environ = {
        "PULUMI_BACKEND_URL": f"file://{tmp_path}",
        "PULUMI_CONFIG_PASSPHRASE": "hunter2",
        "PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER": "true",
    }
    return resolve("dev", ["network", "serving"], environ)


@pytest.mark.parametrize(
    ("steps", "verify_code", "expected"),
    [
        ([step("same", "vpc:Vpc", "v")], 0, 0),
        ([step("same", "vpc:Vpc", "v")], 1, 3),  # AWS differs from what the outputs promise
        ([step("update", "vpc:Vpc", "v", {"tags": "update"})], 0, 3),
    ],
)
def test_verify_failing_is_drift_too(
    tmp_path: Path, steps: list[dict[str, object]], verify_code: int, expected: int
) -> None:
    calls: list[str] = []

    def verify(env: str, run_env: RunEnvironment, report: Path | None) -> int:
        calls.append(env)
        return verify_code

    report = tmp_path / "dev.md"
    code = drift("dev", "all", _dev(tmp_path), Digest(steps), report=report, verify=verify)
    assert (code, calls) == (expected, ["dev"])
    verdict = "passed" if verify_code == 0 else "failed (see the job log)"
    assert report.read_text().splitlines()[-1] == f"`make verify ENV=dev`: {verdict}"


def test_changes_the_cli_reports_but_does_not_list_still_count(tmp_path: Path) -> None:
    class Unlisted(Digest):
        def capture(
            self, args: list[str], cwd: Path, *, label: str, limit: float | None = None
        ) -> Completed:
            done = super().capture(args, cwd, label=label)
            return done if args[0] == "stack" else Completed(args, cwd, 7, "{}", "")

    code = drift("dev", "network", _dev(tmp_path), Unlisted([]), verify=lambda *_: 0)
    assert code == 3


def test_output_that_is_not_a_digest_is_an_error(tmp_path: Path) -> None:
    class Garbage(Digest):
        def capture(
            self, args: list[str], cwd: Path, *, label: str, limit: float | None = None
        ) -> Completed:
            done = super().capture(args, cwd, label=label)
            return done if args[0] == "stack" else Completed(args, cwd, 0, "[1, 2]", "")

    with pytest.raises(
        DeployError, match=r"^network/dev: pulumi refresh --json did not print a preview digest$"
    ):
        drift("dev", "network", _dev(tmp_path), Garbage([]), verify=lambda *_: 0)
