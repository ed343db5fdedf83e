"""Where the outputs come from: a JSON file, or ``pulumi stack output`` run like the deploy driver
runs it (stand-in CLI); every problem is one line on stderr and exit code 2."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shared.stacks import REPO_ROOT, STACKS
from tests.interpreter import stand_in_path
from tests.verify.layout import Deployment
from tooling.verify.cli import main

STAND_IN = Path(__file__).parent / "bin"
DRIVERS_BACKEND = f"file://{REPO_ROOT / '.pulumi-state'}"
"""Where ``make deploy`` keeps state unless PULUMI_BACKEND_URL says otherwise."""
ARN = "arn:aws:elasticloadbalancing:eu-west-1:210987654321"


def _fails_in_one_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1, captured.err
    return captured.err.removesuffix("\n")


@pytest.fixture
def good_outputs(deployment: Deployment) -> dict[str, Any]:
    return json.loads(json.dumps(deployment.outputs))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda o: o.pop("alb_dns_name"), "alb_dns_name = <missing>: Field required"),
        (
            lambda o: o["models"]["llm-chat"].update(port="eighty"),
            "models.llm-chat.port = 'eighty': Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            lambda o: o.update(scheme="public"),
            "scheme = 'public': Input should be 'internet-facing' or 'internal'",
        ),
        (
            lambda o: o.update(alb_arn=f"{ARN}:targetgroup/srv-prod-llm-chat/73e2d6bc24d8a067"),
            f"alb_arn = '{ARN}:targetgroup/srv-prod-llm-chat/73e2d6bc24d8a067': not an application load balancer ARN",
        ),
        (lambda o: o.update(models={}), "models = {}: the stack exports no model"),
    ],
    ids=["missing-key", "bad-model-port", "bad-scheme", "not-an-alb-arn", "no-models"],
)
def test_a_bad_outputs_file_names_the_file_and_the_key(
    good_outputs: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mutate: Callable[[dict[str, Any]], object],
    message: str,
) -> None:
    mutate(good_outputs)
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(good_outputs))
    line = _fails_in_one_line(capsys, ["--env", "prod", "--outputs", str(path)])
    assert line == f"verify: {path}: {message}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"alb_arn": ', "not valid JSON (Expecting value at line 1 column 13)"),
        ('["alb_arn"]', "expected a JSON object of stack outputs, got list"),
    ],
)
def test_an_outputs_file_that_is_not_an_object_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(content)
    line = _fails_in_one_line(capsys, ["--env", "prod", "--outputs", str(path)])
    assert line == f"verify: {path}: {message}"


def test_a_missing_outputs_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nowhere.json"
    line = _fails_in_one_line(capsys, ["--env", "prod", "--outputs", str(path)])
    assert line == f"verify: {path}: cannot read the outputs file (No such file or directory)"


def test_without_pulumi_or_an_outputs_file_it_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    line = _fails_in_one_line(capsys, ["--env", "prod"])
    assert line == (
        "verify: pulumi CLI not found on PATH: pass the serving stack's outputs with --outputs FILE.json"
    )


@pytest.fixture
def stand_in_pulumi(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A recording ``pulumi`` first on PATH; returns its call log."""
    log = tmp_path / "pulumi-calls.jsonl"
    monkeypatch.setenv("PATH", stand_in_path(STAND_IN, tmp_path))
    monkeypatch.setenv("VERIFY_PULUMI_LOG", str(log))
    monkeypatch.setenv("VERIFY_PULUMI_OUTPUTS", str(tmp_path / "stack-outputs.json"))
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "correct-horse-battery-staple")
    for key in ("PULUMI_BACKEND_URL", "CI", "SECRETS_PROVIDER", "SECRETS_PROVIDER_SERVING"):
        monkeypatch.delenv(key, raising=False)
    return log


def test_outputs_come_from_pulumi_in_the_serving_folder_with_the_drivers_backend(
    deployment: Deployment,
    stand_in_pulumi: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "stack-outputs.json").write_text(json.dumps({"prod": deployment.outputs}))
    assert main(["--env", "prod"]) == 0, capsys.readouterr()
    (call,) = [json.loads(line) for line in stand_in_pulumi.read_text().splitlines()]
    assert call["cwd"] == str(STACKS["serving"].directory)
    assert call["argv"] == ["stack", "output", "--json", "--show-secrets", "--stack", "prod"]
    assert call["backend"] == DRIVERS_BACKEND
    assert call["passphrase_set"] is True


def test_a_backend_from_the_environment_is_used(
    deployment: Deployment,
    stand_in_pulumi: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PULUMI_BACKEND_URL", "s3://acme-pulumi-state/ml-platform?region=eu-west-1")
    (tmp_path / "stack-outputs.json").write_text(json.dumps({"prod": deployment.outputs}))
    assert main(["--env", "prod"]) == 0, capsys.readouterr()
    (call,) = [json.loads(line) for line in stand_in_pulumi.read_text().splitlines()]
    assert call["backend"] == "s3://acme-pulumi-state/ml-platform?region=eu-west-1"


def test_a_stack_that_does_not_exist_is_one_line(
    stand_in_pulumi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "stack-outputs.json").write_text(json.dumps({}))
    line = _fails_in_one_line(capsys, ["--env", "staging"])
    assert line == (
        "verify: serving/staging: pulumi stack output failed (exit 6): "
        "error: no stack named 'staging' found"
    )


def test_stack_outputs_are_validated_like_a_file(
    deployment: Deployment,
    stand_in_pulumi: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outputs = dict(deployment.outputs)
    del outputs["https_listener_arn"]
    (tmp_path / "stack-outputs.json").write_text(json.dumps({"prod": outputs}))
    line = _fails_in_one_line(capsys, ["--env", "prod"])
    assert line == "verify: serving/prod outputs: https_listener_arn = <missing>: Field required"


def test_a_missing_passphrase_is_the_drivers_one_line(
    stand_in_pulumi: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    line = _fails_in_one_line(capsys, ["--env", "prod"])
    assert line.startswith("verify: PULUMI_CONFIG_PASSPHRASE is not set:")
    assert not stand_in_pulumi.exists()


def test_a_pulumi_that_does_not_answer_is_one_line(
    stand_in_pulumi: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("tooling.verify.outputs.CLI_TIMEOUT", 0.5)
    monkeypatch.setenv("VERIFY_PULUMI_HANG", "30")
    line = _fails_in_one_line(capsys, ["--env", "prod"])
    assert line == "verify: serving/prod: pulumi stack output did not answer within 0.5 s"
