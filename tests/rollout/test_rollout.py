"""The whole rollout against moto and the stand-in pulumi, on a fake clock: what it runs, what the
env file holds at each step, the JSON record and the exit code."""

from __future__ import annotations

import copy
import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.rollout.conftest import ENV, ENV_FILE, Harness, Result
from tooling.rollout.config_file import ServingFile

OUTPUTS = ("serving", ["stack", "output", "--json", "--stack", ENV])
MODEL = "llm-chat"


def weights_during(harness: Harness, *times: float) -> list[dict[str, int]]:
    """The file's weights at these moments (while the steps bake)."""
    seen: list[dict[str, int]] = []
    for t in times:
        harness.clock.at(t, lambda: seen.append(ServingFile.read(harness.env_file).weights(MODEL)))
    return seen


def after(t0: float, bad: tuple[int, int, float]) -> Any:
    """v2 turns bad from ``t0`` on; the rest is steady."""

    def profile(version: str, t: float) -> tuple[int, int, float]:
        return bad if version == "v2" and t >= t0 else (1000, 1, 0.1)

    return profile


def rolled_back(harness: Harness, result: Result, steps_run: int) -> None:
    """The steps deployed, then the rollback; the file back to where it started."""
    assert result.calls == [OUTPUTS, *harness.deploy_calls() * (steps_run + 1)]
    assert harness.env_file.read_text() == ENV_FILE
    record = result.record
    assert record is not None
    assert record["result"] == "rolled_back"
    assert record["rollback"]["weights"] == {"initial": 100, "v2": 0}
    assert [s["percent"] for s in record["steps"]] == [10, 50][:steps_run]
    assert "nothing to commit" in result.stdout


def test_a_healthy_rollout_reaches_100(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    harness.traffic()
    seen = weights_during(harness, 150, 450, 750)
    result = harness.run(capsys)
    assert (result.code, result.stderr) == (0, "")
    assert result.calls == [OUTPUTS, *harness.deploy_calls() * 3]
    assert seen == [{"initial": 90, "v2": 10}, {"initial": 50, "v2": 50}, {"initial": 0, "v2": 100}]
    assert harness.env_file.read_text() == ENV_FILE.replace("weight: 100", "weight: 0").replace(
        "weight: 0 # the", "weight: 100 # the"
    )
    assert harness.clock.t == 900  # three bakes of 300 s, nothing else waited
    lines = result.stdout.splitlines()
    assert lines[-1] == "rollout: llm-chat: all traffic on v2"
    assert "--- a/stacks/serving/Pulumi.staging.yaml" in lines
    assert "+          weight: 100 # the canary" in lines
    assert (
        "step 2/3 (50 %): initial=50 v2=50 | healthy eu-west-1a 1/1, eu-west-1b 1/1, eu-west-1c 1/1"
        " | 5xx 0.1 % <= 0.5 %, p99 0.1 s <= 0.2 s | alarms ok | 150 s left"
    ) in lines
    record = result.record
    assert record is not None
    assert (record["result"], record["exit_code"], record["previous"]) == ("promoted", 0, "initial")
    assert record["steps_percent"] == [10, 50, 100]
    assert [(s["percent"], s["weights"], s["result"]) for s in record["steps"]] == [
        (10, {"initial": 90, "v2": 10}, "passed"),
        (50, {"initial": 50, "v2": 50}, "passed"),
        (100, {"initial": 0, "v2": 100}, "passed"),
    ]
    assert [s["served_weights"] for s in record["steps"]] == [s["weights"] for s in record["steps"]]
    assert record["baseline"] == {
        "requests": 5000, "target_5xx": 5, "target_5xx_percent": 0.1, "p99_seconds": 0.1,
    }  # fmt: skip
    poll = record["steps"][0]["polls"][-1]
    assert poll["verdicts"]["5xx"] == {"value": 0.1, "limit": 0.5, "breach": False, "note": ""}
    assert record["steps"][0]["health"]["healthy_per_az"] == {
        "eu-west-1a": 1, "eu-west-1b": 1, "eu-west-1c": 1,
    }  # fmt: skip
    assert record["diff"].startswith("--- a/stacks/serving/Pulumi.staging.yaml")


def test_rollback_at_the_second_step_on_5xx(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    harness.traffic(after(300, (1000, 40, 0.1)))
    result = harness.run(capsys)
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "rollout: step 2/3 (50 %): 5xx breach: target 5xx rate v2 4 % (40/1000 requests), "
        "initial 0.1 %, limit 0.5 %; rolled back: all traffic on initial"
    ]
    rolled_back(harness, result, 2)
    assert harness.clock.t == 330  # the first poll of step 2 with data
    assert result.record is not None
    assert result.record["steps"][1]["breach"]["metric"] == "5xx"


def test_rollback_at_the_second_step_on_latency(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    harness.traffic(after(300, (1000, 1, 0.9)))
    result = harness.run(capsys)
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "rollout: step 2/3 (50 %): p99 breach: p99 latency v2 0.9 s, initial 0.1 s, limit 0.2 s; "
        "rolled back: all traffic on initial"
    ]
    rolled_back(harness, result, 2)


def test_rollback_on_an_alarm(harness: Harness, capsys: pytest.CaptureFixture[str]) -> None:
    harness.traffic()
    harness.clock.at(100, lambda: harness.alarm("serving-staging-llm-chat-v2-target-5xx-rate"))
    result = harness.run(capsys)
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "rollout: step 1/3 (10 %): alarm breach: alarm serving-staging-llm-chat-v2-target-5xx-rate "
        "is ALARM (Threshold Crossed: 2 datapoints were greater than the threshold (5.0)); "
        "rolled back: all traffic on initial"
    ]
    rolled_back(harness, result, 1)


def test_a_signal_rolls_back_when_nobody_can_be_asked(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    harness.traffic()
    harness.clock.at(450, lambda: os.kill(os.getpid(), signal.SIGTERM))
    result = harness.run(capsys)
    assert result.code == 128 + signal.SIGTERM
    assert result.stderr.splitlines() == [
        "rollout: step 2/3 (50 %): SIGTERM: rolled back: all traffic on initial"
    ]
    assert result.calls == [OUTPUTS, *harness.deploy_calls() * 3]
    assert harness.env_file.read_text() == ENV_FILE
    assert result.record is not None
    assert (result.record["result"], result.record["exit_code"]) == ("interrupted", 143)


def test_a_signal_on_a_terminal_asks(harness: Harness, capsys: pytest.CaptureFixture[str]) -> None:
    harness.traffic()
    harness.clock.at(450, lambda: os.kill(os.getpid(), signal.SIGINT))
    asked: list[str] = []
    result = harness.run(capsys, interactive=True, ask=lambda q: asked.append(q) or "n")
    assert asked == ["SIGINT at step 2/3 (50 %): roll back (all traffic on initial)? [Y/n] "]
    assert result.code == 130
    assert result.calls == [OUTPUTS, *harness.deploy_calls() * 2]
    assert ServingFile.read(harness.env_file).weights(MODEL) == {"initial": 50, "v2": 50}


def test_blue_green_waits_for_the_new_version_before_any_traffic(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    """STEPS=100: v2 starts unhealthy; no deploy until it is healthy in every AZ; at 100 % the
    previous version serves nothing, so the baseline from before the rollout is the reference."""
    harness.traffic(lambda v, t: (0, 0, 0.0) if v == "initial" and t >= 0 else (1000, 1, 0.1))
    harness.stop_instances("v2")
    deployed_before: list[int] = []
    harness.clock.at(20, lambda: deployed_before.append(len(harness.calls())))
    harness.clock.at(20, lambda: harness.start_instances("v2"))
    result = harness.run(capsys, "--steps", "100")
    assert result.code == 0, result.stderr
    assert deployed_before == [1]  # only the outputs read
    assert result.calls == [OUTPUTS, *harness.deploy_calls()]
    assert harness.clock.t == 320
    assert (
        "prepare (initial=100 v2=0): waiting for v2 healthy in every AZ: eu-west-1a 0/1, "
        "eu-west-1b 0/1, eu-west-1c 0/1 (900 s left)"
    ) in result.stdout.splitlines()
    record = result.record
    assert record is not None
    assert record["prepare"]["health"]["ok"] is True
    assert [s["percent"] for s in record["steps"]] == [100]
    assert record["steps"][0]["polls"][-1]["previous"]["requests"] == 0
    assert record["steps"][0]["polls"][-1]["verdicts"]["5xx"]["limit"] == 0.5


def test_retire_removes_the_old_version(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    harness.traffic()
    result = harness.run(capsys, "--steps", "50,100", "--bake", "60", "--retire")
    assert result.code == 0, result.stderr
    assert result.calls == [OUTPUTS, *harness.deploy_calls() * 3]
    file = ServingFile.read(harness.env_file)
    assert file.weights(MODEL) == {"v2": 100}
    assert "# what ran before versions" not in file.text()
    assert result.stdout.splitlines()[-1] == "rollout: llm-chat: all traffic on v2; initial retired"
    assert result.record is not None
    assert result.record["retired"] == "initial"
    assert "-        - name: initial # what ran before versions" in result.record["diff"]


def test_ci_deploys_non_interactively(
    harness: Harness, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    harness.traffic()
    result = harness.run(capsys, "--steps", "100", "--bake", "0")
    assert result.code == 0, result.stderr
    (up,) = [argv for _, argv in result.calls if argv[0] == "up"]
    assert up[-1] == "--non-interactive"


@pytest.mark.parametrize(
    ("args", "to", "line"),
    [
        (("--model", "chat"), "v2", "{file}: serving:models has no model 'chat' (it has: llm-chat)"),
        ((), "v3", "{file}: model 'llm-chat' has no version 'v3' (it has: initial, v2): add it with weight 0, then roll out"),
        ((), "initial", "{file}: 'llm-chat': 'initial' already has all the traffic"),
        (("--steps", "10,5,100"), "v2", "STEPS='10,5,100': steps rise and end at 100 (e.g. [10, 50, 100])"),
        (("--steps", "10,50"), "v2", "STEPS='10,50': steps rise and end at 100 (e.g. [10, 50, 100])"),
        (("--steps", "ten"), "v2", "STEPS='ten': expected percents separated by commas, e.g. 10,50,100"),
        (("--steps", "0,100"), "v2", "STEPS='0,100': Input should be greater than or equal to 1"),
        (("--bake", "-5"), "v2", "BAKE='-5': expected seconds, from 0 to 86400"),
        (("--health-timeout", "soon"), "v2", "HEALTH_TIMEOUT='soon': expected seconds, from 1 to 86400"),
        ((), "", "TO is required (e.g. make rollout ENV=staging MODEL=llm-chat TO=v2)"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_before_anything_runs(
    harness: Harness,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    to: str,
    line: str,
) -> None:
    options: dict[str, Any] = {}
    rest = list(args)
    if rest[:1] == ["--model"]:
        options["model"] = rest[1]
        rest = rest[2:]
    result = harness.run(capsys, *rest, to=to, **options)
    assert result.code == 2
    assert result.stderr.splitlines() == [f"rollout: {line.format(file=harness.env_file)}"]
    assert (result.stdout, result.calls, result.record) == ("", [], None)
    assert harness.env_file.read_text() == ENV_FILE


def test_a_version_without_capacity_cannot_take_traffic(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    harness.env_file.write_text(
        ENV_FILE.replace('llm-chat:2.0"}', 'llm-chat:2.0", minSize: 0, maxSize: 0}')
    )
    result = harness.run(capsys)
    assert result.code == 2
    assert result.stderr.startswith(f"rollout: {harness.env_file}: serving:models[0].versions[1]")
    assert "has no capacity" in result.stderr
    assert result.calls == []


def test_prod_asks_once_on_a_terminal(harness: Harness, capsys: pytest.CaptureFixture[str]) -> None:
    harness.traffic()
    asked: list[str] = []
    result = harness.run(
        capsys, "--steps", "50,100", "--bake", "0", env="prod", interactive=True,
        ask=lambda q: asked.append(q) or "prod", identity=lambda: "210987654321 (arn:aws:sts::210987654321:assumed-role/admin/me)",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert asked == [
        "Roll llm-chat in serving/prod from initial to v2 (steps 50,100 %, bake 0 s) in AWS "
        "210987654321 (arn:aws:sts::210987654321:assumed-role/admin/me)? Type 'prod' to continue: "
    ]
    assert result.calls == [
        ("serving", ["stack", "output", "--json", "--stack", "prod"]),
        *harness.deploy_calls("prod") * 2,
    ]


def test_prod_declined_or_without_a_terminal_changes_nothing(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    declined = harness.run(
        capsys, env="prod", interactive=True, ask=lambda q: "no", identity=lambda: "210987654321"
    )
    assert declined.code == 1
    assert declined.stderr == "rollout: serving/prod: rollout cancelled, nothing changed\n"
    unattended = harness.run(capsys, env="prod")
    assert unattended.code == 2
    assert unattended.stderr == (
        "rollout: prod rollout needs confirmation: run it on a terminal, or set YES=1 "
        "(CI=true in pipelines)\n"
    )
    assert (declined.calls, unattended.calls, declined.record) == ([], [], None)
    assert harness.file_of("prod").read_text() == ENV_FILE


def test_prod_in_the_workflow_does_not_ask(
    harness: Harness, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    harness.traffic()
    result = harness.run(capsys, "--steps", "100", "--bake", "0", env="prod", ask=None)
    assert result.code == 0, result.stderr


def test_a_failed_deploy_rolls_back_and_says_so_when_that_fails_too(
    harness: Harness, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_PULUMI_FAIL", "up:serving=1")
    harness.traffic()
    result = harness.run(capsys)
    assert result.code == 1
    assert result.stderr.splitlines()[-1] == (
        "rollout: step 1/3 (10 %): the deploy failed (serving/staging: pulumi up failed (exit 1); "
        "stopping); the rollback's deploy failed too (serving/staging: pulumi up failed (exit 1); "
        "stopping): Pulumi.staging.yaml has all traffic on initial, deploy it: "
        "make deploy ENV=staging STACK=serving"
    )
    assert result.calls == [OUTPUTS, *harness.deploy_calls() * 2]
    assert harness.env_file.read_text() == ENV_FILE
    assert result.record is not None
    assert result.record["result"] == "rollback_failed"


def test_a_signal_during_a_deploy_reaches_pulumi_once(
    harness: Harness, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGINT while `pulumi up` runs: the CLI module forwards it (pulumi cancels cleanly), then the
    rollout asks; answered "n", it stops with the step's weights in the file."""
    monkeypatch.setenv("FAKE_PULUMI_SLOW", "up:serving")
    harness.traffic()

    def interrupt_when_running() -> None:
        deadline = time.monotonic() + 60  # a safety net: the stand-in always logs it
        while '"event": "running"' not in (harness.log.read_text() if harness.log.exists() else ""):
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt_when_running, daemon=True).start()
    result = harness.run(capsys, interactive=True, ask=lambda q: "n")
    assert result.code == 130
    lines = [json.loads(line) for line in harness.log.read_text().splitlines()]
    assert [c["event"] for c in lines if "event" in c] == [
        "running", "cancelling on SIGINT", "cancelled cleanly",
    ]  # fmt: skip
    assert result.stderr.splitlines()[-1] == (
        "rollout: step 1/3 (10 %): SIGINT: stopped without rolling back "
        "(the file holds this step's weights)"
    )
    assert ServingFile.read(harness.env_file).weights(MODEL) == {"initial": 90, "v2": 10}


def test_the_record_goes_to_rollout_by_default(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    harness.traffic()
    harness.record_path = harness.root / "unused.json"
    result = harness.run(capsys, "--steps", "100", "--bake", "0", record=None)
    assert result.code == 0, result.stderr
    name = "staging-llm-chat-20261203T120000Z.json"
    assert f"record: .rollout/{name}" in result.stdout.splitlines()
    assert (harness.root / ".rollout" / name).is_file()


def test_a_version_not_deployed_yet_is_deployed_first_without_traffic(
    harness: Harness,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The stack's outputs do not list v2 yet: one deploy of the file as it is (v2 at weight 0),
    its outputs read again, then the steps."""
    after_up = tmp_path / "outputs-after-up.json"
    after_up.write_text((tmp_path / "outputs.json").read_text())
    before = copy.deepcopy(harness.outputs)
    del before["models"][MODEL]["versions"]["v2"]
    harness.write_outputs(before)
    monkeypatch.setenv("FAKE_PULUMI_OUTPUTS_AFTER_UP", str(after_up))
    harness.traffic()
    result = harness.run(capsys, "--steps", "100", "--bake", "60")
    assert result.code == 0, result.stderr
    assert result.calls == [
        OUTPUTS, *harness.deploy_calls(), OUTPUTS, *harness.deploy_calls(),
    ]  # fmt: skip
    assert "prepare: deploying v2 (weight 0) first" in result.stdout.splitlines()
    assert result.record is not None
    assert result.record["prepare"]["weights"] == {"initial": 100, "v2": 0}


def test_a_new_version_that_never_gets_healthy_gets_no_traffic(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    harness.traffic()
    harness.stop_instances("v2")
    result = harness.run(capsys, "--health-timeout", "60")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "rollout: prepare: health: v2 not healthy in every AZ after 60 s (eu-west-1a 0/1, "
        "eu-west-1b 0/1, eu-west-1c 0/1); no traffic moved"
    ]
    assert result.calls == [OUTPUTS]
    assert harness.clock.t == 60
    assert harness.env_file.read_text() == ENV_FILE
    assert result.record is not None
    assert (result.record["result"], result.record["steps"]) == ("not_started", [])


def test_a_signal_before_any_traffic_moved_just_stops(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    harness.traffic()
    harness.stop_instances("v2")
    harness.clock.at(30, lambda: os.kill(os.getpid(), signal.SIGTERM))
    result = harness.run(capsys)
    assert (result.code, result.stderr) == (143, "rollout: prepare: SIGTERM: no traffic moved\n")
    assert result.calls == [OUTPUTS]
    assert harness.env_file.read_text() == ENV_FILE
    assert result.record is not None
    assert (result.record["result"], result.record["steps"]) == ("interrupted", [])


def test_a_deploy_that_left_the_alb_as_it_was_is_rolled_back(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ALB's rule must forward with the file's weights after a step's deploy."""
    harness.traffic()
    harness.deploys_change_the_alb = False
    result = harness.run(capsys)
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "rollout: step 1/3 (10 %): weights breach: after the deploy the ALB forwards "
        "{'initial': 100, 'v2': 0} where the file says {'initial': 90, 'v2': 10}; "
        "rolled back: all traffic on initial"
    ]
    rolled_back(harness, result, 1)
    assert result.record is not None
    assert result.record["steps"][0]["served_weights"] == {"initial": 100, "v2": 0}


def test_a_retirement_that_fails_says_how_to_finish(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    harness.traffic()
    harness.fail_from = 2  # the step deploys, the retirement's does not
    result = harness.run(capsys, "--steps", "100", "--bake", "0", "--retire")
    assert result.code == 1
    assert result.stderr.splitlines()[-1] == (
        "rollout: llm-chat: all traffic on v2; retiring initial did not finish (serving/staging: "
        "pulumi up failed (exit 1); stopping): the file no longer lists it, deploy it: "
        "make deploy ENV=staging STACK=serving"
    )
    assert result.calls == [OUTPUTS, *harness.deploy_calls() * 2]
    assert ServingFile.read(harness.env_file).weights(MODEL) == {"v2": 100}
    assert result.record is not None
    assert (result.record["result"], "retired" in result.record) == ("promoted", False)
