"""Bad input stops the run before any pulumi call that changes something, in one line naming the
file, key and value: every selected stack's config (YAML, the stacks' own models, the network
reference), the secrets provider's lines, the passphrase, ENV and STACK through make, and
credentials in URLs, which are never printed."""

from __future__ import annotations

import pytest

from tests.delivery.conftest import SALT, Driver

READ_ONLY = {"ls", "output"}
SERVING = """config:
  aws:region: eu-west-1
  serving:costCenter: ml-platform-test
  serving:scheme: internet-facing
  serving:allowedCidrs: [203.0.113.0/24]
  serving:certificate:
    arn: arn:aws:acm:eu-west-1:210987654321:certificate/5f3c2b1a-8d4e-4f6a-9b7c-1e2d3c4b5a69
    names: [sentiment.ml-dev.acme-corp.com]
  serving:models:
    - name: sentiment
      instances: [i-0d3c5e7a9b1f24680, i-0e4d6f8b0c2a35791]
"""
"""The test's own serving config (the committed ones change; this one is what the tests mean)."""
NETWORK = """config:
  aws:region: eu-west-1
  network:mode: create
  network:cidr: 10.40.0.0/16
"""


def changes(result_calls: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """The calls that change something (everything but stack ls / stack output)."""
    return [(s, a) for s, a in result_calls if not (a[0] == "stack" and a[1] in READ_ONLY)]


# ---- every stack's config, before the first change ------------------------------------------------
def test_a_broken_serving_config_stops_the_deploy_before_the_network_is_touched(
    driver: Driver,
) -> None:
    path = driver.stack_file("serving", "dev")
    path.write_text(
        path.read_text().replace(
            "serving:models:", "serving:idleTimeoutSeconds: 9000\n  serving:models:"
        )
    )
    result = driver.run("up", "--env", "dev")
    assert result.code == 2
    assert result.stderr.startswith(
        "deploy: stacks/serving/Pulumi.dev.yaml: serving:idleTimeoutSeconds = '9000': "
    )
    assert len(result.stderr.splitlines()) == 1
    assert result.calls == []  # network/dev (30 resources) untouched


def test_a_yaml_error_names_the_file_and_line(driver: Driver) -> None:
    driver.stack_file("serving", "staging").write_text("config:\n  serving:models: [\n")
    result = driver.run("preview", "--env", "staging")
    assert (result.code, result.calls) == (2, [])
    assert result.stderr.startswith(
        "deploy: stacks/serving/Pulumi.staging.yaml:3:1: not valid YAML ("
    )


def test_a_missing_required_key_is_named(driver: Driver) -> None:
    driver.stack_file("network", "prod").write_text(NETWORK)  # no costCenter
    result = driver.run("up", "--env", "prod", "--stack", "network", YES="1")
    assert (result.code, result.calls) == (2, [])
    assert result.stderr == (
        "deploy: stacks/network/Pulumi.prod.yaml: network:costCenter = <missing>: Field required\n"
    )


def test_a_network_reference_to_another_env_names_the_key_and_the_env(driver: Driver) -> None:
    driver.stack_file("serving", "dev").write_text(
        SERVING + "  serving:networkStack: organization/network/prod\n"
    )
    result = driver.run("up", "--env", "dev")
    assert (result.code, result.calls) == (2, [])
    assert result.stderr == (
        "deploy: stacks/serving/Pulumi.dev.yaml: serving:networkStack = 'organization/network/prod' "
        "names the prod network stack, but the file is dev's (Pulumi.dev.yaml): a dev deploy would "
        "read prod's network\n"
    )


# ---- secrets providers ----------------------------------------------------------------------------
def test_a_stack_that_exists_but_whose_file_lacks_its_salt_is_refused(driver: Driver) -> None:
    driver.set_stacks(network={"dev": 30})
    path = driver.stack_file("network", "dev")
    path.write_text(path.read_text().replace(f"encryptionsalt: {SALT}\n", ""))  # a fresh checkout
    result = driver.run("up", "--env", "dev", "--stack", "network")
    assert result.code == 2
    assert changes(result.commands()) == []
    assert result.stderr.startswith(
        "deploy: stacks/network/Pulumi.dev.yaml has no encryptionsalt or secretsprovider line, but "
        "the stack network/dev exists in file://"
    )
    assert result.stderr.endswith(
        "or set PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true to use the provider in the state\n"
    )
    fallback = driver.run(
        "up", "--env", "dev", "--stack", "network", PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER="true"
    )
    assert fallback.code == 0, fallback.stderr


def test_a_provider_that_contradicts_the_committed_one_names_both(driver: Driver) -> None:
    driver.set_stacks(network={"prod": 30})
    result = driver.run(
        "up", "--env", "prod", "--stack", "network", YES="1",
        SECRETS_PROVIDER_NETWORK="awskms://alias/pulumi-prod?region=eu-west-1",
    )  # fmt: skip
    assert result.code == 2
    assert changes(result.commands()) == []
    assert result.stderr == (
        "deploy: stacks/network/Pulumi.prod.yaml: encryptionsalt is set (a passphrase stack) but "
        "SECRETS_PROVIDER_NETWORK = 'awskms://alias/pulumi-prod?region=eu-west-1': a stack keeps its "
        "provider: unset the variable, or change the stack's with `pulumi stack change-secrets-provider`\n"
    )


def test_a_kms_stack_file_needs_no_passphrase_and_refuses_another_key(driver: Driver) -> None:
    kms = "awskms://alias/pulumi-serving?region=eu-west-1"
    path = driver.stack_file("network", "staging")
    path.write_text(f"secretsprovider: {kms}\nencryptedkey: ZmFrZQ==\n" + path.read_text())
    driver.set_stacks(network={"staging": 30})
    ok = driver.run(
        "up", "--env", "staging", "--stack", "network", PULUMI_CONFIG_PASSPHRASE="<unset>"
    )
    assert ok.code == 0, ok.stderr
    other = driver.run(
        "up", "--env", "staging", "--stack", "network", SECRETS_PROVIDER="awskms://alias/other"
    )
    assert other.code == 2
    assert other.stderr == (
        f"deploy: stacks/network/Pulumi.staging.yaml: secretsprovider = '{kms}' but "
        "SECRETS_PROVIDER = 'awskms://alias/other': a stack keeps its provider: unset the variable, "
        "or change the stack's with `pulumi stack change-secrets-provider`\n"
    )


def test_an_empty_passphrase_is_refused(driver: Driver) -> None:
    result = driver.run("up", "--env", "dev", PULUMI_CONFIG_PASSPHRASE="")
    assert (result.code, result.calls) == (2, [])
    assert result.stderr == (
        "deploy: PULUMI_CONFIG_PASSPHRASE is set but empty: the CLI would encrypt the stacks' secrets "
        "with an empty passphrase; set the team's passphrase (or PULUMI_CONFIG_PASSPHRASE_FILE)\n"
    )


@pytest.mark.parametrize(("phrase", "state"), [("", "empty"), ("hunter2-prod", "set")])
def test_two_passphrase_sources_name_both(driver: Driver, phrase: str, state: str) -> None:
    secret = driver.tmp / "passphrase"
    secret.write_text("correct horse battery staple\n")
    result = driver.run(
        "up",
        "--env",
        "dev",
        PULUMI_CONFIG_PASSPHRASE=phrase,
        PULUMI_CONFIG_PASSPHRASE_FILE=str(secret),
    )
    assert (result.code, result.calls) == (2, [])
    assert result.stderr == (
        f"deploy: PULUMI_CONFIG_PASSPHRASE is {state} and PULUMI_CONFIG_PASSPHRASE_FILE={str(secret)!r} "
        "too: the CLI would use the variable and ignore the file; unset one of them\n"
    )


def test_an_empty_passphrase_file_is_refused(driver: Driver) -> None:
    secret = driver.tmp / "passphrase"
    secret.write_text("\n")
    result = driver.run(
        "up",
        "--env",
        "dev",
        PULUMI_CONFIG_PASSPHRASE="<unset>",
        PULUMI_CONFIG_PASSPHRASE_FILE=str(secret),
    )
    assert (result.code, result.calls) == (2, [])
    assert (
        result.stderr
        == f"deploy: PULUMI_CONFIG_PASSPHRASE_FILE={str(secret)!r}: the file is empty\n"
    )


# ---- ENV and STACK through make are data -------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        'dev"; touch {marker}; echo "',
        "dev; touch {marker}",
        "$(shell touch {marker})",
        "`touch {marker}`",
    ],
)
@pytest.mark.parametrize("variable", ["ENV", "STACK"])
def test_make_never_runs_what_env_or_stack_contain(
    driver: Driver, variable: str, value: str
) -> None:
    marker = driver.tmp / "injected"
    text = value.format(marker=marker)
    result = driver.make("deploy", "ENV=dev", f"{variable}={text}")
    assert result.code == 2
    assert not marker.exists()
    assert result.calls == []
    valid = "dev staging prod local" if variable == "ENV" else "network serving all"
    assert (
        f"*** {variable}='{text}' (from the command line) is not one of: {valid}.  Stop."
        in result.stderr
    )


def test_an_env_from_the_environment_is_checked_too(driver: Driver) -> None:
    result = driver.make("deploy", ENV="/etc/profile.d/shrc")  # sh's ENV, inherited by make
    assert result.code == 2
    assert "ENV='/etc/profile.d/shrc' (from the environment) is not one of" in result.stderr
    assert result.calls == []


# ---- credentials are never printed -------------------------------------------------------------------
def test_credentials_in_a_backend_url_are_redacted_everywhere(driver: Driver) -> None:
    url = "https://deployer:pul-0123456789abcdef@pulumi.acme.internal"
    result = driver.run(
        "up", "--env", "dev", "--stack", "network",
        PULUMI_BACKEND_URL=url, FAKE_PULUMI_STDERR="warning: talking to {backend}",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    everything = result.stdout + result.stderr
    assert "pul-0123456789abcdef" not in everything
    assert "deployer" not in everything
    assert "(state https://***@pulumi.acme.internal, secrets service)" in result.stdout
    assert "warning: talking to https://***@pulumi.acme.internal" in result.stderr
    assert {c["env"]["PULUMI_BACKEND_URL"] for c in result.calls} == {url}  # pulumi gets it whole


def test_an_invalid_url_is_shown_redacted(driver: Driver) -> None:
    result = driver.run(
        "up", "--env", "dev", PULUMI_BACKEND_URL="ftp://ops:s3cr3t-pw@state.example.com"
    )
    assert result.code == 2
    assert "s3cr3t-pw" not in result.stderr
    assert result.stderr.startswith(
        "deploy: PULUMI_BACKEND_URL='ftp://***@state.example.com' is not"
    )


def test_s3_keys_in_the_query_are_redacted(driver: Driver) -> None:
    url = "s3://acme-state?region=eu-west-1&access_key=AKIAXXXX&secret_key=abcd1234efgh"
    result = driver.run("up", "--env", "dev", "--stack", "network", PULUMI_BACKEND_URL=url)
    assert result.code == 0, result.stderr
    assert "abcd1234efgh" not in result.stdout + result.stderr
    assert "state s3://acme-state?region=eu-west-1&access_key=***&secret_key=***," in result.stdout
