"""The deploy driver: exact commands, flags, working directories and order; safety; errors."""

from __future__ import annotations

import pytest

from tests.delivery.conftest import Driver, policy

OUTPUT = ["stack", "output", "--json", "--stack"]


def test_deploy_dev_runs_network_then_serving_with_the_policy_pack(driver: Driver) -> None:
    result = driver.run("up", "--env", "dev")
    assert result.code == 0, result.stderr
    assert result.commands() == [
        ("network", ["stack", "select", "dev", "--create"]),
        ("network", ["up", "--stack", "dev", "--yes", *policy("dev")]),
        ("serving", ["stack", "select", "dev", "--create"]),
        ("network", [*OUTPUT, "dev"]),
        ("serving", ["up", "--stack", "dev", "--yes", *policy("dev")]),
    ]
    backend = f"file://{driver.tmp / 'state'}"
    assert all(c["env"]["PULUMI_BACKEND_URL"] == backend for c in result.calls)
    assert all(c["passphrase_set"] for c in result.calls)


def test_in_ci_everything_is_non_interactive(driver: Driver) -> None:
    result = driver.run("up", "--env", "staging", "--stack", "network", CI="true")
    assert result.commands() == [
        ("network", ["stack", "select", "staging", "--create"]),
        ("network", ["up", "--stack", "staging", "--yes", *policy("staging"), "--non-interactive"]),
    ]


def test_preview_one_stack(driver: Driver) -> None:
    result = driver.run("preview", "--env", "prod", "--stack", "serving")
    assert result.code == 0, result.stderr
    assert result.commands() == [
        ("serving", ["stack", "select", "prod", "--create"]),
        ("network", [*OUTPUT, "prod"]),
        ("serving", ["preview", "--stack", "prod", "--diff", *policy("prod")]),
    ]


def _deployed(driver: Driver, env: str) -> None:
    driver.stacks = {
        "network": [{"name": env, "resourceCount": 30}],
        "serving": [{"name": env, "resourceCount": 57}],
    }


def test_refresh_and_outputs(driver: Driver) -> None:
    _deployed(driver, "dev")
    assert driver.run("refresh", "--env", "dev").commands() == [
        ("network", ["stack", "ls", "--json"]),
        ("network", ["stack", "select", "dev"]),
        ("network", ["refresh", "--stack", "dev", "--yes"]),
        ("serving", ["stack", "ls", "--json"]),
        ("serving", ["stack", "select", "dev"]),
        ("serving", ["refresh", "--stack", "dev", "--yes"]),
    ]
    driver.outputs["serving"] = {
        "dev": {"url": "https://serving-alb-3a0bd19-973853076.eu-west-1.elb.amazonaws.com"}
    }
    result = driver.run("outputs", "--env", "dev")
    assert result.code == 0
    assert '"vpc_id": "vpc-a151da1655dc83610"' in result.stdout
    assert "# serving/dev" in result.stdout
    assert (
        '"url": "https://serving-alb-3a0bd19-973853076.eu-west-1.elb.amazonaws.com"'
        in result.stdout
    )


def test_serving_without_network_outputs_says_so_in_one_line(driver: Driver) -> None:
    driver.outputs = {}
    result = driver.run("up", "--env", "dev", "--stack", "serving")
    assert result.code == 2
    assert result.stderr == (
        "deploy: serving/dev: the network stack dev has no outputs yet (vpc_id, vpc_cidr, availability_zones...): "
        "deploy it first (make deploy ENV=dev STACK=network)\n"
    )
    assert not [argv for _, argv in result.commands() if argv[0] == "up"]


# ---- prod safety -----------------------------------------------------------------------------------
def test_prod_deploy_refuses_without_a_terminal_or_yes(driver: Driver) -> None:
    result = driver.run("up", "--env", "prod", "--stack", "network")
    assert result.code == 2
    assert (
        result.stderr
        == "deploy: prod deploy needs confirmation: run it on a terminal, or set YES=1 (CI=true in pipelines)\n"
    )
    assert not [argv for _, argv in result.commands() if argv[0] == "up"]


@pytest.mark.parametrize("flag", [{"YES": "1"}, {"CI": "true"}])
def test_prod_deploy_proceeds_with_yes_or_ci(driver: Driver, flag: dict[str, str]) -> None:
    result = driver.run("up", "--env", "prod", **flag)
    assert result.code == 0, result.stderr
    ups = [(project, argv) for project, argv in result.commands() if argv[0] == "up"]
    assert [p for p, _ in ups] == ["network", "serving"]
    assert all("--skip-preview" not in argv and "--yes" in argv for _, argv in ups)


def test_prod_deploy_on_a_terminal_previews_then_asks(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from tooling.deploy import commands
    from tooling.deploy.environment import resolve
    from tooling.deploy.errors import DeployError
    from tooling.deploy.pulumi_cli import PulumiCli

    ran: list[list[str]] = []

    class Recorder(PulumiCli):
        def run(self, args: list[str], cwd):  # type: ignore[no-untyped-def, override]
            ran.append([cwd.name, *args])
            return 0

    env = {"PULUMI_BACKEND_URL": f"file://{tmp_path}", "PULUMI_CONFIG_PASSPHRASE": "x"}
    run_env = resolve("prod", ["network"], env)
    cli = Recorder("pulumi", env, echo=False)
    questions: list[str] = []

    def say(answer: str):  # type: ignore[no-untyped-def]
        return lambda q: questions.append(q) or answer

    commands.up("prod", "network", run_env, cli, ask=say("prod"), interactive=True)
    assert ran == [
        ["network", "stack", "select", "prod", "--create"],
        ["network", "preview", "--stack", "prod", "--diff", *policy("prod")],
        ["network", "up", "--stack", "prod", "--yes", *policy("prod"), "--skip-preview"],
    ]
    assert questions == ["Deploy the previewed changes to prod? Type 'prod' to continue: "]
    ran.clear()
    with pytest.raises(DeployError, match="prod deploy cancelled") as caught:
        commands.up("prod", "network", run_env, cli, ask=say("yes"), interactive=True)
    assert caught.value.code == 1
    assert [argv[1] for argv in ran] == ["stack", "preview"]


def test_prod_destroy_needs_confirm_prod(driver: Driver) -> None:
    result = driver.run("destroy", "--env", "prod")
    assert result.code == 2
    assert result.stderr == "deploy: refusing to destroy prod: set CONFIRM=prod to confirm\n"
    assert result.calls == []
    _deployed(driver, "prod")
    driver.stacks["serving"][0]["resourceCount"] = 0  # as once serving is destroyed
    result = driver.run("destroy", "--env", "prod", CONFIRM="prod")
    assert result.code == 0, result.stderr
    destroys = [(p, argv) for p, argv in result.commands() if argv[0] == "destroy"]
    assert destroys == [
        ("serving", ["destroy", "--stack", "prod", "--yes"]),
        ("network", ["destroy", "--stack", "prod", "--yes"]),
    ]


def test_network_destroy_refuses_while_serving_still_has_resources(driver: Driver) -> None:
    driver.stacks = {
        "serving": [{"name": "staging", "resourceCount": 57}, {"name": "dev", "resourceCount": 0}],
        "network": [{"name": "staging", "resourceCount": 30}, {"name": "dev", "resourceCount": 1}],
    }
    result = driver.run("destroy", "--env", "staging", "--stack", "network")
    assert result.code == 2
    assert result.stderr == (
        "deploy: refusing to destroy network/staging: the serving stack of staging still has 57 resources that use it "
        "(destroy it first: make destroy ENV=staging STACK=serving)\n"
    )
    assert not [argv for _, argv in result.commands() if argv[0] == "destroy"]
    assert driver.run("destroy", "--env", "dev", "--stack", "network").code == 0


def test_destroying_a_stack_that_does_not_exist_creates_nothing(driver: Driver) -> None:
    result = driver.run("destroy", "--env", "dev")
    assert result.code == 0
    assert result.stdout.splitlines()[-1] == "network/dev: no such stack, nothing to destroy"
    assert [argv[:2] for _, argv in result.commands()] == [["stack", "ls"], ["stack", "ls"]]


def test_refreshing_a_stack_that_does_not_exist_says_so(driver: Driver) -> None:
    result = driver.run("refresh", "--env", "staging", "--stack", "network")
    assert result.code == 2
    assert result.stderr == (
        "deploy: network/staging: no such stack to refresh (deploy it first: make deploy ENV=staging STACK=network)\n"
    )


# ---- errors ------------------------------------------------------------------------------------------
def test_a_failing_stack_stops_the_run_with_its_exit_code(driver: Driver) -> None:
    result = driver.run("up", "--env", "dev", FAKE_PULUMI_FAIL="up:network=3")
    assert result.code == 3
    assert result.stderr.endswith("deploy: network/dev: pulumi up failed (exit 3); stopping\n")
    assert "serving" not in {project for project, _ in result.commands()}


def test_no_pulumi_on_path(driver: Driver) -> None:
    result = driver.run("up", "--env", "dev", PATH="/usr/bin:/bin")
    assert result.code == 2
    assert result.stderr == (
        "deploy: pulumi CLI not found on PATH: install it: curl -fsSL https://get.pulumi.com | sh "
        "(https://www.pulumi.com/docs/install/)\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["up", "--env", "production"],
            "deploy: unknown ENV='production'; expected one of: dev, staging, prod, local (e.g. make deploy ENV=dev)\n",
        ),
        (
            ["up", "--env", ""],
            "deploy: unknown ENV=''; expected one of: dev, staging, prod, local (e.g. make deploy ENV=dev)\n",
        ),
        (
            ["up", "--env", "dev", "--stack", "database"],
            "deploy: unknown STACK='database'; expected one of: network, serving, all\n",
        ),
    ],
)
def test_unknown_env_or_stack_lists_the_valid_ones(
    driver: Driver, args: list[str], message: str
) -> None:
    result = driver.run(*args)
    assert (result.code, result.stderr, result.calls) == (2, message, [])


def test_no_aws_credentials(driver: Driver) -> None:
    result = driver.run(
        "up", "--env", "dev", AWS_ACCESS_KEY_ID="<unset>", AWS_SECRET_ACCESS_KEY="<unset>"
    )
    assert result.code == 2
    assert result.stderr.startswith("deploy: no AWS credentials found:")
    assert result.calls == []


def test_no_passphrase(driver: Driver) -> None:
    result = driver.run("up", "--env", "dev", PULUMI_CONFIG_PASSPHRASE="<unset>")
    assert result.code == 2
    assert result.stderr.startswith("deploy: PULUMI_CONFIG_PASSPHRASE is not set:")


def test_kms_secrets_provider_per_stack_needs_no_passphrase(driver: Driver) -> None:
    result = driver.run(
        "up", "--env", "dev", "--stack", "network", YES="1", PULUMI_CONFIG_PASSPHRASE="<unset>",
        SECRETS_PROVIDER_NETWORK="awskms://alias/pulumi-network?region=eu-west-1",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert result.commands()[0] == (
        "network",
        [
            "stack",
            "select",
            "dev",
            "--create",
            "--secrets-provider",
            "awskms://alias/pulumi-network?region=eu-west-1",
        ],
    )


def test_a_bad_backend_url(driver: Driver) -> None:
    result = driver.run("up", "--env", "dev", PULUMI_BACKEND_URL="ftp://state")
    assert result.code == 2
    assert "PULUMI_BACKEND_URL='ftp://state' is not a backend URL" in result.stderr


def test_local_targets_localstack_without_aws_credentials(driver: Driver) -> None:
    result = driver.run(
        "up", "--env", "local", "--stack", "network",
        AWS_ACCESS_KEY_ID="<unset>", AWS_SECRET_ACCESS_KEY="<unset>", PULUMI_CONFIG_PASSPHRASE="<unset>",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert result.commands()[-1] == ("network", ["up", "--stack", "local", "--yes", *policy("dev")])
    assert result.calls[-1]["env"]["AWS_ACCESS_KEY_ID"] == "test"


def test_make_deploy_drives_the_same_commands(driver: Driver) -> None:
    result = driver.make("deploy", "ENV=dev", "STACK=network")
    assert result.code == 0, result.stderr
    assert result.commands() == [
        ("network", ["stack", "select", "dev", "--create"]),
        ("network", ["up", "--stack", "dev", "--yes", *policy("dev")]),
    ]
    result = driver.make("destroy", "ENV=prod")
    assert result.code == 2
    assert "refusing to destroy prod: set CONFIRM=prod to confirm" in result.stderr


@pytest.mark.parametrize("stack", ["network", "serving"])
def test_the_localstack_configs_are_valid(stack: str) -> None:
    from shared.stacks import STACKS
    from tooling.mock_runtime import load_stack_config, render

    config = load_stack_config(stack, "local", path=STACKS[stack].directory / "Pulumi.local.yaml")
    assert config["aws:endpoints"].startswith('[{"acm": "http://localhost:4566"')
    assert render(stack, "local", config=config).created
