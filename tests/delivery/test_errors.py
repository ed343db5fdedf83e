"""Each error is one line with its exit code: the user's input, the machine, and a failing stack."""

from __future__ import annotations

import os
import signal

import pytest

from tests.delivery.conftest import Driver

VALID_ENVS = "expected one of: dev, staging, prod, local (e.g. make deploy ENV=dev)"


def test_a_failing_stack_stops_the_run_with_its_exit_code_and_names_it(driver: Driver) -> None:
    result = driver.run("up", "--env", "dev", FAKE_PULUMI_FAIL="up:network=3")
    assert result.code == 3
    assert (
        result.stderr.splitlines()[-1] == "deploy: network/dev: pulumi up failed (exit 3); stopping"
    )
    assert result.ran("up") == [
        ("network", ["up", "--stack", "dev", "--yes", *driver.policy("dev")])
    ]


def test_a_failing_second_stack_names_it(driver: Driver) -> None:
    result = driver.run("preview", "--env", "dev", FAKE_PULUMI_FAIL="preview:serving=255")
    assert result.code == 255
    assert (
        result.stderr.splitlines()[-1]
        == "deploy: serving/dev: pulumi preview failed (exit 255); stopping"
    )


def test_a_failing_stack_select_names_the_command(driver: Driver) -> None:
    result = driver.run("up", "--env", "dev", FAKE_PULUMI_FAIL="stack select:network=255")
    assert result.code == 255
    assert result.stderr.splitlines()[-1] == (
        "deploy: network/dev: pulumi stack select failed (exit 255); stopping"
    )
    assert result.ran("up") == []


def test_a_backend_failure_is_not_mistaken_for_a_missing_stack(driver: Driver) -> None:
    driver.set_stacks(network={"dev": 30})
    result = driver.run("destroy", "--env", "dev", FAKE_PULUMI_FAIL="stack ls:serving=255")
    assert result.code == 255
    assert result.stderr == (
        "deploy: serving: pulumi stack ls failed: error: fake failure of pulumi stack ls --json in serving\n"
    )
    assert result.ran("destroy") == []


def test_a_failing_stack_output_read_is_reported_as_such(driver: Driver) -> None:
    driver.set_stacks(network={"dev": 30})
    result = driver.run(
        "up", "--env", "dev", "--stack", "serving", FAKE_PULUMI_FAIL="stack output:network=255"
    )
    assert result.code == 255
    assert result.stderr == (
        "deploy: network/dev: pulumi stack output failed: "
        "error: fake failure of pulumi stack output --json --stack dev in network\n"
    )


def test_refreshing_a_stack_that_does_not_exist_says_so(driver: Driver) -> None:
    result = driver.run("refresh", "--env", "staging", "--stack", "network")
    assert result.code == 2
    assert result.stderr == (
        "deploy: network/staging: no such stack to refresh (deploy it first: make deploy ENV=staging STACK=network)\n"
    )
    assert driver.stacks() == {}


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
        (["up", "--env", "production"], f"unknown ENV='production'; {VALID_ENVS}"),
        (["preview", "--env", ""], f"ENV is required; {VALID_ENVS}"),
        (
            ["destroy", "--env", "dev", "--stack", "database"],
            "unknown STACK='database'; expected one of: network, serving, all",
        ),
    ],
)
def test_unknown_env_or_stack_lists_the_valid_ones(
    driver: Driver, args: list[str], message: str
) -> None:
    result = driver.run(*args)
    assert (result.code, result.stderr, result.calls) == (2, f"deploy: {message}\n", [])


def test_make_deploy_without_env_lists_the_valid_ones(driver: Driver) -> None:
    result = driver.make("deploy")
    assert result.code == 2
    assert f"deploy: ENV is required; {VALID_ENVS}\n" in result.stderr


def test_no_aws_credentials(driver: Driver) -> None:
    result = driver.run(
        "up", "--env", "dev", AWS_ACCESS_KEY_ID="<unset>", AWS_SECRET_ACCESS_KEY="<unset>"
    )
    assert result.code == 2
    assert result.stderr == (
        "deploy: no AWS credentials found: run `aws sso login` / set AWS_PROFILE or AWS_ACCESS_KEY_ID "
        "(CI: the OIDC role)\n"
    )
    assert result.calls == []


def test_an_aws_profile_that_does_not_exist(driver: Driver) -> None:
    result = driver.run(
        "up",
        "--env",
        "dev",
        AWS_ACCESS_KEY_ID="<unset>",
        AWS_SECRET_ACCESS_KEY="<unset>",
        AWS_PROFILE="ml-prod",
    )
    assert result.code == 2
    assert (
        result.stderr
        == "deploy: AWS credentials: The config profile (ml-prod) could not be found\n"
    )


def test_credentials_from_a_profile_file_are_enough(driver: Driver) -> None:
    aws = driver.tmp / "home" / ".aws"
    aws.mkdir(parents=True)
    (aws / "credentials").write_text(
        "[ml-dev]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n"
    )
    result = driver.run(
        "up", "--env", "dev", "--stack", "network",
        AWS_ACCESS_KEY_ID="<unset>", AWS_SECRET_ACCESS_KEY="<unset>", AWS_PROFILE="ml-dev",
    )  # fmt: skip
    assert result.code == 0, result.stderr


def test_no_passphrase(driver: Driver) -> None:
    result = driver.run("up", "--env", "dev", PULUMI_CONFIG_PASSPHRASE="<unset>")
    assert result.code == 2
    assert result.stderr == (
        "deploy: PULUMI_CONFIG_PASSPHRASE is not set: the stacks encrypt secrets with a passphrase; export it "
        "(or PULUMI_CONFIG_PASSPHRASE_FILE), or set SECRETS_PROVIDER=awskms://<key>\n"
    )
    assert result.calls == []


def test_a_passphrase_file_is_enough(driver: Driver) -> None:
    secret = driver.tmp / "passphrase"
    secret.write_text("correct horse battery staple\n")
    result = driver.run(
        "up", "--env", "dev", "--stack", "network",
        PULUMI_CONFIG_PASSPHRASE="<unset>", PULUMI_CONFIG_PASSPHRASE_FILE=str(secret),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert all(c["passphrase_set"] for c in result.calls)


def test_a_kms_secrets_provider_per_stack_needs_no_passphrase(driver: Driver) -> None:
    kms = "awskms://alias/pulumi-network?region=eu-west-1"
    result = driver.run(
        "up",
        "--env",
        "dev",
        "--stack",
        "network",
        PULUMI_CONFIG_PASSPHRASE="<unset>",
        SECRETS_PROVIDER_NETWORK=kms,
    )
    assert result.code == 0, result.stderr
    assert result.commands()[1] == (
        "network",
        ["stack", "select", "dev", "--create", "--secrets-provider", kms],
    )
    assert driver.stack_file("network", "dev").read_text().startswith(f"secretsprovider: {kms}\n")
    assert "secrets awskms)" in result.stdout.splitlines()[0]


def test_a_kms_provider_for_one_stack_still_needs_the_passphrase_for_the_other(
    driver: Driver,
) -> None:
    result = driver.run(
        "up", "--env", "dev", PULUMI_CONFIG_PASSPHRASE="<unset>",
        SECRETS_PROVIDER_NETWORK="awskms://alias/pulumi-network?region=eu-west-1",
    )  # fmt: skip
    assert result.code == 2
    assert result.stderr.startswith("deploy: PULUMI_CONFIG_PASSPHRASE is not set:")


def test_a_secrets_provider_that_is_not_one(driver: Driver) -> None:
    result = driver.run("up", "--env", "dev", SECRETS_PROVIDER="alias/pulumi-prod")
    assert result.code == 2
    assert result.stderr == (
        "deploy: SECRETS_PROVIDER='alias/pulumi-prod' is not a secrets provider (expected passphrase or a URL "
        "starting with one of: awskms://, gcpkms://, azurekeyvault://, hashivault://)\n"
    )


def test_pulumi_cloud_needs_no_passphrase(driver: Driver) -> None:
    result = driver.run(
        "up", "--env", "dev", "--stack", "network",
        PULUMI_BACKEND_URL="https://api.pulumi.com", PULUMI_CONFIG_PASSPHRASE="<unset>",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert {c["env"]["PULUMI_BACKEND_URL"] for c in result.calls} == {"https://api.pulumi.com"}


def test_an_s3_backend_is_passed_through(driver: Driver) -> None:
    s3 = "s3://acme-pulumi-state-210987654321/alb-serving?region=eu-west-1"
    result = driver.run("up", "--env", "dev", "--stack", "network", PULUMI_BACKEND_URL=s3)
    assert result.code == 0, result.stderr
    assert {c["env"]["PULUMI_BACKEND_URL"] for c in result.calls} == {s3}


def test_the_default_backend_is_the_repositorys_state_folder(driver: Driver) -> None:
    result = driver.run("outputs", "--env", "dev", PULUMI_BACKEND_URL="<unset>")
    assert result.code == 0, result.stderr
    state = driver.root / ".pulumi-state"
    assert {c["env"]["PULUMI_BACKEND_URL"] for c in result.calls} == {f"file://{state}"}


def test_a_bad_backend_url(driver: Driver) -> None:
    result = driver.run("up", "--env", "dev", PULUMI_BACKEND_URL="ftp://state.example.com")
    assert (result.code, result.calls) == (2, [])
    assert result.stderr == (
        "deploy: PULUMI_BACKEND_URL='ftp://state.example.com' is not a backend URL "
        "(expected one of: file://, s3://, https://, gs://, azblob://, postgres://)\n"
    )


def test_ci_refuses_the_local_file_backend(driver: Driver) -> None:
    result = driver.run("up", "--env", "prod", CI="true", PULUMI_BACKEND_URL="<unset>")
    assert (result.code, result.calls) == (2, [])
    assert result.stderr.startswith("deploy: CI=true but PULUMI_BACKEND_URL is not set:")


def test_local_targets_localstack_without_aws_credentials_or_passphrase(driver: Driver) -> None:
    result = driver.run(
        "up", "--env", "local", "--stack", "network",
        AWS_ACCESS_KEY_ID="<unset>", AWS_SECRET_ACCESS_KEY="<unset>", PULUMI_CONFIG_PASSPHRASE="<unset>",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert result.commands() == [
        ("network", ["stack", "ls", "--json"]),
        ("network", ["stack", "select", "local", "--create"]),
        ("network", ["up", "--stack", "local", "--yes", *driver.policy("dev")]),
    ]
    assert result.calls[-1]["env"]["AWS_ACCESS_KEY_ID"] == "test"
    assert result.calls[-1]["passphrase_set"]


def test_ctrl_c_lets_pulumi_stop_cleanly_then_names_the_stack(driver: Driver) -> None:
    process = driver.start("up", "--env", "dev", FAKE_PULUMI_SLOW="up:network")
    driver.wait_for("running", process)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C on a terminal does: the whole group
    result = driver.finish(process)
    assert result.code == 130
    assert result.stderr.splitlines()[-1] == (
        "deploy: network/dev: SIGINT received; pulumi up stopped (exit 8); stopping"
    )
    # pulumi runs in its own session: the terminal's Ctrl-C reached it once, through the driver
    assert result.events() == ["running", "cancelling on SIGINT", "cancelled cleanly"]
    assert "serving" not in {stack for stack, _ in result.ran("up")}
    assert driver.stacks()["network"] == {"dev": 0}  # its lock released by the clean cancel
