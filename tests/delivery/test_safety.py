"""Prod confirmation and refusal paths; the guard that keeps the network under a live serving stack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.stacks import REPO_ROOT
from tests.delivery.conftest import Driver
from tooling.deploy import commands
from tooling.deploy.environment import resolve
from tooling.deploy.errors import DeployError
from tooling.pulumi_cli import Completed, PulumiCli

ACCOUNT = "account 210987654321 (arn:aws:sts::210987654321:assumed-role/deployer/jane)"
POLICIES = str(REPO_ROOT / "policies")


def policy(env: str) -> list[str]:
    return ["--policy-pack", POLICIES, "--policy-pack-config", f"{POLICIES}/config/{env}.json"]


def test_prod_deploy_without_a_terminal_refuses_before_any_call(driver: Driver) -> None:
    result = driver.run("up", "--env", "prod")
    assert result.code == 2
    assert result.stderr == (
        "deploy: prod deploy needs confirmation: run it on a terminal, or set YES=1 (CI=true in pipelines)\n"
    )
    assert result.calls == []
    assert driver.stacks() == {}


@pytest.mark.parametrize("flag", [{"YES": "1"}, {"CI": "true"}])
def test_prod_deploy_proceeds_with_yes_or_ci(driver: Driver, flag: dict[str, str]) -> None:
    result = driver.run("up", "--env", "prod", **flag)
    assert result.code == 0, result.stderr
    extra = ["--non-interactive"] if "CI" in flag else []
    assert result.ran("up") == [
        ("network", ["up", "--stack", "prod", "--yes", *driver.policy("prod"), *extra]),
        ("serving", ["up", "--stack", "prod", "--yes", *driver.policy("prod"), *extra]),
    ]
    assert result.ran("preview") == []


class Recorder(PulumiCli):
    """In-process stand-in for the terminal path (stdin is a terminal only in-process). Stacks in
    ``existing`` exist; ``stack ls`` lists them, everything else succeeds. Reads only (the repo's
    committed files): ``stack select --create`` would write into them, so it is only recorded."""

    def __init__(self, existing: tuple[str, ...] = ("network",)) -> None:
        super().__init__("pulumi", {}, echo=False)
        self.ran: list[list[str]] = []
        self.existing = existing

    def run(
        self, args: list[str], cwd: Path, *, label: str, limit: float | None = None
    ) -> Completed:
        self.ran.append([cwd.name, *args])
        return Completed(args, cwd, 0, "", "")

    def capture(
        self, args: list[str], cwd: Path, *, label: str, limit: float | None = None
    ) -> Completed:
        self.ran.append([cwd.name, *args])
        if args[:2] == ["stack", "ls"]:
            listing = [{"name": "prod", "resourceCount": 30}] if cwd.name in self.existing else []
            return Completed(args, cwd, 0, json.dumps(listing), "")
        return Completed(args, cwd, 0, '{"vpc_id": "vpc-0a1b2c3d4e5f67890"}', "")


def _prod(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {
        "PULUMI_BACKEND_URL": f"file://{tmp_path}",
        "PULUMI_CONFIG_PASSPHRASE": "hunter2-prod",
        "PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER": "true",  # the committed files have no salt yet
    }
    return resolve("prod", ["network"], env)


def test_prod_deploy_on_a_terminal_previews_names_the_account_and_asks(tmp_path: Path) -> None:
    cli = Recorder()
    questions: list[str] = []

    def ask(question: str) -> str:
        questions.append(question)
        return "prod\n"

    code = commands.up(
        "prod", "network", _prod(tmp_path), cli, ask=ask, interactive=True, identity=lambda: ACCOUNT
    )
    assert code == 0
    assert cli.ran == [
        ["network", "stack", "ls", "--json"],
        ["network", "preview", "--stack", "prod", "--diff", *policy("prod")],
        ["network", "up", "--stack", "prod", "--yes", *policy("prod"), "--skip-preview"],
    ]
    assert questions == [
        f"Deploy the previewed changes to network/prod in AWS {ACCOUNT}? Type 'prod' to continue: "
    ]


@pytest.mark.parametrize("answer", ["yes", "", EOFError()])
def test_prod_deploy_on_a_terminal_stops_unless_the_answer_is_prod(
    tmp_path: Path, answer: str | EOFError
) -> None:
    cli = Recorder()

    def ask(question: str) -> str:
        if isinstance(answer, EOFError):
            raise answer
        return answer

    with pytest.raises(DeployError) as caught:
        commands.up(
            "prod",
            "network",
            _prod(tmp_path),
            cli,
            ask=ask,
            interactive=True,
            identity=lambda: ACCOUNT,
        )
    assert (caught.value.code, caught.value.message) == (
        1,
        "network/prod: deploy cancelled, nothing changed",
    )
    assert [argv[1:3] for argv in cli.ran] == [["stack", "ls"], ["preview", "--stack"]]


def test_prod_deploy_with_rejected_credentials_asks_nothing(tmp_path: Path) -> None:
    cli = Recorder()

    def expired() -> str:
        raise DeployError(
            "AWS credentials rejected by STS: ExpiredToken: The security token included in the request is expired"
        )

    with pytest.raises(DeployError, match="ExpiredToken"):
        commands.up(
            "prod", "network", _prod(tmp_path), cli, ask=input, interactive=True, identity=expired
        )
    assert cli.ran == []


def test_prod_destroy_needs_confirm_prod(driver: Driver) -> None:
    driver.set_stacks(network={"prod": 30}, serving={"prod": 57})
    refused = driver.run("destroy", "--env", "prod")
    assert refused.code == 2
    assert refused.stderr == "deploy: refusing to destroy prod: set CONFIRM=prod to confirm\n"
    assert refused.calls == []
    wrong = driver.run("destroy", "--env", "prod", CONFIRM="yes")
    assert (wrong.code, wrong.calls) == (2, [])
    result = driver.run("destroy", "--env", "prod", CONFIRM="prod")
    assert result.code == 0, result.stderr
    assert result.ran("destroy") == [
        ("serving", ["destroy", "--stack", "prod", "--yes"]),
        ("network", ["destroy", "--stack", "prod", "--yes"]),
    ]


def test_network_destroy_refuses_while_serving_of_the_same_env_has_resources(
    driver: Driver,
) -> None:
    driver.set_stacks(network={"staging": 30, "dev": 30}, serving={"staging": 57, "dev": 0})
    result = driver.run("destroy", "--env", "staging", "--stack", "network")
    assert result.code == 2
    assert result.stderr == (
        "deploy: refusing to destroy network/staging: the serving stack of staging still has 57 resources that use it "
        "(destroy it first: make destroy ENV=staging STACK=serving)\n"
    )
    assert result.ran("destroy") == []
    assert driver.stacks()["network"]["staging"] == 30
    emptied = driver.run("destroy", "--env", "dev", "--stack", "network")
    assert emptied.code == 0, emptied.stderr
    assert emptied.ran("destroy") == [("network", ["destroy", "--stack", "dev", "--yes"])]


def test_network_destroy_proceeds_when_there_is_no_serving_stack(driver: Driver) -> None:
    driver.set_stacks(network={"dev": 30})
    result = driver.run("destroy", "--env", "dev", "--stack", "network")
    assert result.code == 0, result.stderr
    assert result.ran("destroy") == [("network", ["destroy", "--stack", "dev", "--yes"])]


def test_destroying_stacks_that_do_not_exist_creates_nothing(driver: Driver) -> None:
    result = driver.run("destroy", "--env", "dev")
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "serving/dev: no such stack, nothing to destroy",
        "network/dev: no such stack, nothing to destroy",
    ]
    assert result.commands() == [
        ("serving", ["stack", "ls", "--json"]),
        ("network", ["stack", "ls", "--json"]),
    ]
    assert driver.stacks() == {}


def test_serving_deploy_before_the_network_has_outputs_says_so_in_one_line(driver: Driver) -> None:
    driver.set_stacks(network={"dev": 0})
    driver.outputs = {}
    result = driver.run("up", "--env", "dev", "--stack", "serving")
    assert result.code == 2
    assert result.stderr == (
        "deploy: serving/dev: the network stack dev has no outputs yet (vpc_id, vpc_cidr, availability_zones, "
        "public_subnet_ids): deploy it first (make deploy ENV=dev STACK=network)\n"
    )
    assert result.commands() == [
        ("serving", ["stack", "ls", "--json"]),
        ("network", ["stack", "output", "--json", "--stack", "dev"]),
    ]
    assert driver.stacks().get("serving") in (None, {})


def test_serving_deploy_before_the_network_stack_exists_says_so_in_one_line(driver: Driver) -> None:
    result = driver.run("up", "--env", "staging", "--stack", "serving")
    assert result.code == 2
    assert result.stderr == (
        "deploy: serving/staging: the network stack staging does not exist yet: "
        "deploy it first (make deploy ENV=staging STACK=network)\n"
    )
    assert result.ran("stack") == [
        ("serving", ["stack", "ls", "--json"]),
        ("network", ["stack", "output", "--json", "--stack", "staging"]),
    ]


def test_serving_deploy_names_the_outputs_an_older_network_lacks(driver: Driver) -> None:
    driver.set_stacks(network={"dev": 20})
    driver.outputs = {
        "network": {"dev": {"vpc_id": "vpc-0a1b2c3d4e5f67890", "vpc_cidr": "172.31.0.0/16"}}
    }
    result = driver.run("up", "--env", "dev", "--stack", "serving")
    assert result.code == 2
    assert result.stderr == (
        "deploy: serving/dev: the network stack dev lacks outputs (availability_zones, public_subnet_ids): "
        "deploy it first (make deploy ENV=dev STACK=network)\n"
    )


# ---- prod: nothing is created before the answer; refresh asks like deploy -------------------------
def _answers(*answers: str):  # type: ignore[no-untyped-def]
    questions: list[str] = []
    replies = list(answers)

    def ask(question: str) -> str:
        questions.append(question)
        return replies.pop(0)

    return ask, questions


def test_a_new_prod_stack_is_created_only_once_confirmed(tmp_path: Path) -> None:
    cli = Recorder(existing=())
    ask, questions = _answers("no")
    with pytest.raises(DeployError) as caught:
        commands.up(
            "prod",
            "network",
            _prod(tmp_path),
            cli,
            ask=ask,
            interactive=True,
            identity=lambda: ACCOUNT,
        )
    assert (caught.value.code, caught.value.message) == (
        1,
        "network/prod: cancelled, no stack created",
    )
    assert cli.ran == [["network", "stack", "ls", "--json"]]
    assert questions == [
        f"The stack network/prod does not exist in file://{tmp_path}: create it (then preview it and "
        f"ask again) for AWS {ACCOUNT}? Type 'prod' to continue: "
    ]


def test_prod_refresh_without_a_terminal_refuses_before_any_call(driver: Driver) -> None:
    driver.set_stacks(network={"prod": 30}, serving={"prod": 57})
    result = driver.run("refresh", "--env", "prod")
    assert (result.code, result.calls) == (2, [])
    assert result.stderr == (
        "deploy: prod refresh needs confirmation: run it on a terminal, or set YES=1 (CI=true in pipelines)\n"
    )
    made = driver.make("refresh", "ENV=prod", "STACK=network")
    assert (made.code, made.calls) == (2, [])


def test_prod_refresh_on_a_terminal_shows_the_refresh_then_asks(tmp_path: Path) -> None:
    cli = Recorder(existing=("network",))
    ask, questions = _answers("prod")
    code = commands.refresh(
        "prod", "network", _prod(tmp_path), cli, ask=ask, interactive=True, identity=lambda: ACCOUNT
    )
    assert code == 0
    assert cli.ran == [
        ["network", "stack", "ls", "--json"],
        ["network", "refresh", "--stack", "prod", "--preview-only", "--diff"],
        ["network", "refresh", "--stack", "prod", "--yes", "--skip-preview"],
    ]
    assert questions == [
        f"Write the refreshed state shown above into network/prod (AWS {ACCOUNT})? Type 'prod' to continue: "
    ]
    declined = Recorder(existing=("network",))
    ask, _ = _answers("")
    with pytest.raises(DeployError, match="refresh cancelled, the state is unchanged"):
        commands.refresh(
            "prod",
            "network",
            _prod(tmp_path),
            declined,
            ask=ask,
            interactive=True,
            identity=lambda: ACCOUNT,
        )
    assert [argv[-1] for argv in declined.ran] == ["--json", "--diff"]


def test_prod_refresh_with_yes_runs_directly(driver: Driver) -> None:
    driver.set_stacks(network={"prod": 30})
    result = driver.run("refresh", "--env", "prod", "--stack", "network", YES="1")
    assert result.code == 0, result.stderr
    assert result.ran("refresh") == [("network", ["refresh", "--stack", "prod", "--yes"])]


def test_a_prod_preview_of_a_stack_that_does_not_exist_asks_first(driver: Driver) -> None:
    result = driver.run("preview", "--env", "prod", "--stack", "network")
    assert result.code == 2
    assert result.stderr == (
        "deploy: prod preview of a new stack needs confirmation: run it on a terminal, or set YES=1 "
        "(CI=true in pipelines)\n"
    )
    assert result.commands() == [("network", ["stack", "ls", "--json"])]
    assert driver.stacks() == {}


def test_exists_answers_for_the_workflow(driver: Driver) -> None:
    driver.set_stacks(network={"dev": 30})
    assert driver.run("exists", "--env", "dev", "--stack", "network").stdout == "exists=true\n"
    missing = driver.run("exists", "--env", "dev", "--stack", "serving")
    assert (missing.code, missing.stdout) == (0, "exists=false\n")
    assert driver.stacks() == {"network": {"dev": 30}}  # asked, never created
