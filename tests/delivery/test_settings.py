"""The driver's building blocks in-process: backend and secrets defaults, AWS credentials, stack config."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from moto import mock_aws

from shared.stacks import STACKS, StackSpec
from tooling.deploy.backend import (
    DEFAULT_BACKEND,
    require_passphrase,
    secrets_providers,
    state_backend,
)
from tooling.deploy.credentials import caller_identity, has_aws_credentials
from tooling.deploy.environment import resolve
from tooling.deploy.errors import DeployError
from tooling.deploy.stack_config import read_stack_file, referenced_stack, require_config_file

KMS = "awskms://alias/pulumi-prod?region=eu-west-1"


# ---- backend and secrets ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", DEFAULT_BACKEND),
        ("  ", DEFAULT_BACKEND),
        (
            "s3://acme-pulumi-state/alb?region=eu-west-1",
            "s3://acme-pulumi-state/alb?region=eu-west-1",
        ),
        ("https://api.pulumi.com", "https://api.pulumi.com"),
    ],
)
def test_the_state_backend(value: str, expected: str) -> None:
    assert state_backend({"PULUMI_BACKEND_URL": value}) == expected
    assert state_backend({}) == DEFAULT_BACKEND
    assert DEFAULT_BACKEND.endswith("/.pulumi-state")


def test_the_default_state_folder_is_git_ignored() -> None:
    from shared.stacks import REPO_ROOT

    assert ".pulumi-state/" in (REPO_ROOT / ".gitignore").read_text().splitlines()


def test_a_stack_specific_secrets_provider_wins() -> None:
    environ = {"SECRETS_PROVIDER": KMS, "SECRETS_PROVIDER_SERVING": "passphrase"}
    assert secrets_providers(environ, ["network", "serving"]) == {
        "network": KMS,
        "serving": "passphrase",
    }
    assert secrets_providers({}, ["network"]) == {"network": None}


@pytest.mark.parametrize(
    ("providers", "backend", "environ", "needs"),
    [
        ({"network": None}, DEFAULT_BACKEND, {}, True),
        ({"network": None}, DEFAULT_BACKEND, {"PULUMI_CONFIG_PASSPHRASE": "x"}, False),
        ({"network": KMS}, DEFAULT_BACKEND, {}, False),
        ({"network": None}, "https://api.pulumi.com", {}, False),
        ({"network": "passphrase"}, "https://api.pulumi.com", {}, True),
    ],
)
def test_when_a_passphrase_is_needed(
    providers: dict[str, str | None], backend: str, environ: dict[str, str], needs: bool
) -> None:
    if needs:
        with pytest.raises(DeployError, match="PULUMI_CONFIG_PASSPHRASE is not set"):
            require_passphrase(environ, providers, backend)
    else:
        require_passphrase(environ, providers, backend)


def test_local_fills_in_localstack_defaults_without_overriding(tmp_path: Path) -> None:
    run_env = resolve(
        "local",
        ["network"],
        {"PULUMI_BACKEND_URL": f"file://{tmp_path}", "AWS_REGION": "us-east-1"},
    )
    assert run_env.variables["AWS_ACCESS_KEY_ID"] == "test"
    assert run_env.variables["AWS_REGION"] == "us-east-1"
    assert run_env.variables["PULUMI_CONFIG_PASSPHRASE"] == "localstack-not-a-secret"


def test_flags_come_from_the_environment(tmp_path: Path) -> None:
    base = {"PULUMI_BACKEND_URL": f"file://{tmp_path}", "PULUMI_CONFIG_PASSPHRASE": "hunter2-prod"}
    run_env = resolve("prod", ["network"], {**base, "CI": "true", "YES": "1", "CONFIRM": "prod"})
    assert (run_env.ci, run_env.assume_yes, run_env.confirm) == (True, True, "prod")
    quiet = resolve("prod", ["network"], {**base, "CI": "false", "YES": "0"})
    assert (quiet.ci, quiet.assume_yes, quiet.confirm) == (False, False, "")


# ---- AWS credentials --------------------------------------------------------------------------------
@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No credentials anywhere: no AWS_* variables, empty config files, no instance metadata."""
    import os

    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


def test_no_credentials_anywhere(no_aws: Path) -> None:
    assert has_aws_credentials() is False


def test_credentials_from_variables_or_a_profile(
    no_aws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (no_aws / "credentials").write_text(
        "[ml-dev]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n"
    )
    monkeypatch.setenv("AWS_PROFILE", "ml-dev")
    assert has_aws_credentials() is True
    monkeypatch.setenv("AWS_PROFILE", "ml-prod")
    with pytest.raises(
        DeployError, match=r"^AWS credentials: The config profile \(ml-prod\) could not be found$"
    ):
        has_aws_credentials()


def test_caller_identity_names_the_account(no_aws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        assert caller_identity() == "account 123456789012 (arn:aws:sts::123456789012:user/moto)"


def test_caller_identity_without_credentials_is_one_line(no_aws: Path) -> None:
    with pytest.raises(DeployError, match=r"^AWS credentials: Unable to locate credentials$"):
        caller_identity()


# ---- stack config ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StackIn(StackSpec):
    """A stack whose folder is a temporary one."""

    folder: Path = Path()

    @property
    def directory(self) -> Path:
        return self.folder


def test_the_referenced_stack_defaults_to_the_env_and_follows_the_override(tmp_path: Path) -> None:
    spec = StackIn(
        name="serving", owner="@acme/ml-platform-team", references=("network",), folder=tmp_path
    )
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    assert referenced_stack(read_stack_file(spec, "dev"), "network") == "dev"
    (tmp_path / "Pulumi.prod.yaml").write_text(
        "config:\n  serving:networkStack: acme/network/prod\n"
    )
    assert referenced_stack(read_stack_file(spec, "prod"), "network") == "acme/network/prod"


def test_a_bad_reference_or_file_is_one_line_naming_it(tmp_path: Path) -> None:
    spec = StackIn(
        name="serving", owner="@acme/ml-platform-team", references=("network",), folder=tmp_path
    )
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  serving:networkStack: [organization, network]\n"
    )
    with pytest.raises(DeployError) as caught:
        referenced_stack(read_stack_file(spec, "dev"), "network")
    assert caught.value.message == (
        f"{tmp_path}/Pulumi.dev.yaml: serving:networkStack = ['organization', 'network']: "
        "expected a stack name such as organization/network/dev"
    )
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  serving:models: [\n")
    with pytest.raises(DeployError, match=r"Pulumi.dev.yaml:3:1: not valid YAML \(.*\)$"):
        read_stack_file(spec, "dev")
    with pytest.raises(DeployError) as missing:
        require_config_file(spec, "staging")
    assert missing.value.message == (
        f"{tmp_path}/Pulumi.staging.yaml does not exist: serving has no settings for staging "
        "(copy another env's file and adjust it)"
    )


@pytest.mark.parametrize("env", ["dev", "staging", "prod", "local"])
def test_every_stack_has_settings_for_every_env(env: str) -> None:
    for spec in STACKS.values():
        assert require_config_file(spec, env).name == f"Pulumi.{env}.yaml"
    assert referenced_stack(read_stack_file(STACKS["serving"], env), "network") in (
        env,
        f"organization/network/{env}",
    )


@pytest.mark.parametrize("stack", ["network", "serving"])
def test_the_localstack_settings_point_every_service_at_localhost_and_render(stack: str) -> None:
    import json

    from tooling.mock_runtime import FakeAwsAccount, load_stack_config, render

    config = load_stack_config(stack, "local")
    [endpoints] = json.loads(config["aws:endpoints"])
    assert set(endpoints.values()) == {"http://localhost:4566"}
    assert {"ec2", "elbv2", "s3", "sts", "acm", "autoscaling"} <= set(endpoints)
    assert config["aws:skipCredentialsValidation"] == "true"
    localstack = FakeAwsAccount(account_id="000000000000")  # LocalStack's account
    assert render(stack, "local", config=config, account=localstack).created
