"""The driver under faults: signals forwarded and waited for, escalation, no orphan, time limits,
locks. The stand-in logs when its handlers are set ("running"); tests wait for that, never for time.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from tests.delivery.conftest import Driver

SLOW_UP = {"FAKE_PULUMI_SLOW": "up:network"}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text()  # a zombie is dead, only not yet reaped
    return stat.split(") ")[-1][0] != "Z"


def locked(driver: Driver, project: str, stack: str) -> bool:
    data = json.loads(driver.state.read_text())
    return any(s["name"] == stack and s.get("locked") for s in data.get(project, []))


def pulumi_pid(driver: Driver) -> int:
    text = driver.log.read_text()
    return [json.loads(line) for line in text.splitlines() if '"running"' in line][-1]["pid"]


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_are_forwarded_like_ctrl_c_and_waited_for(
    driver: Driver, signum: signal.Signals, code: int
) -> None:
    process = driver.start("up", "--env", "dev", **SLOW_UP)
    driver.wait_for("running", process)
    os.kill(process.pid, signum)  # what a CI cancel, `timeout` or a closed terminal sends
    result = driver.finish(process)
    assert result.code == code
    assert result.events() == ["running", "cancelling on SIGINT", "cancelled cleanly"]
    assert result.stderr.splitlines()[-1] == (
        f"deploy: network/dev: {signum.name} received; pulumi up stopped (exit 8); stopping"
    )
    assert f"deploy: {signum.name} received: pulumi is cancelling cleanly" in result.stderr
    assert result.ran("up") == [("network", result.ran("up")[0][1])]  # serving never started
    assert not locked(driver, "network", "dev")


def test_a_second_signal_escalates_to_pulumis_terminate(driver: Driver) -> None:
    process = driver.start("up", "--env", "dev", FAKE_PULUMI_CANCEL="hang", **SLOW_UP)
    driver.wait_for("running", process)
    os.kill(process.pid, signal.SIGTERM)
    driver.wait_for("cancelling on SIGINT", process)
    os.kill(process.pid, signal.SIGINT)
    result = driver.finish(process)
    assert result.code == 143  # the first signal names the exit
    assert result.events() == ["running", "cancelling on SIGINT", "terminated"]
    assert "deploy: SIGINT again: pulumi stops at once" in result.stderr


def test_a_third_signal_kills_a_pulumi_that_ignores_them_and_leaves_no_orphan(
    driver: Driver,
) -> None:
    process = driver.start(
        "up", "--env", "dev", FAKE_PULUMI_CANCEL="ignore", DEPLOY_SIGNAL_DEBOUNCE="0", **SLOW_UP
    )
    driver.wait_for("running", process)
    pid = pulumi_pid(driver)
    for count in range(1, 4):
        os.kill(process.pid, signal.SIGTERM)
        if count < 3:
            driver.wait_for_count("ignored SIGINT", count, process)
    result = driver.finish(process)
    assert result.code == 143
    assert result.stderr.splitlines()[-1] == (
        "deploy: network/dev: SIGTERM received; pulumi up stopped (killed by SIGKILL); stopping"
    )
    assert not alive(pid)
    assert locked(driver, "network", "dev")  # as with the real CLI: a killed update keeps its lock


def test_a_killed_driver_takes_pulumi_down_cleanly(driver: Driver) -> None:
    """SIGKILL cannot be caught; Linux's parent-death signal still reaches pulumi (as SIGTERM)."""
    process = driver.start("up", "--env", "dev", **SLOW_UP)
    driver.wait_for("running", process)
    pid = pulumi_pid(driver)
    process.kill()
    process.communicate(timeout=60)
    driver.wait_for_event_anywhere("cancelled cleanly")
    assert "cancelling on SIGTERM" in driver.log.read_text()
    driver.wait_until(lambda: not alive(pid))


def test_pulumi_killed_by_a_signal_is_named_and_exits_128_plus_n(driver: Driver) -> None:
    result = driver.run("up", "--env", "dev", FAKE_PULUMI_FAIL="up:network=SIGKILL")
    assert result.code == 137
    assert result.stderr.splitlines()[-1] == (
        "deploy: network/dev: pulumi up failed (killed by SIGKILL); stopping"
    )


def test_an_update_past_its_time_limit_is_cancelled_and_exits_124(driver: Driver) -> None:
    # The stand-in never finishes by itself: the limit always fires (the test does not race it).
    result = driver.run("up", "--env", "dev", DEPLOY_TIMEOUT_UPDATE="0.5", **SLOW_UP)
    assert result.code == 124
    assert (
        "deploy: network/dev: pulumi up is still running after 0.5 s: cancelling it "
        "(killed if it has not stopped within 300 s)"
    ) in result.stderr
    assert result.stderr.splitlines()[-1].startswith(
        "deploy: network/dev: pulumi up did not finish within 0.5 s (its time limit); cancelled it ("
    )
    # (the stand-in may not even have started by then: nothing here depends on how far it got)
    assert [stack for stack, argv in result.commands() if argv[0] == "up"] in ([], ["network"])


def test_a_read_names_the_stack_it_waits_for_and_has_a_limit_too(driver: Driver) -> None:
    result = driver.run(
        "up", "--env", "dev",
        FAKE_PULUMI_SLOW="stack ls:network", DEPLOY_NOTICE_AFTER="0", DEPLOY_TIMEOUT_READ="0.5",
    )  # fmt: skip
    assert result.code == 124
    waiting, stopped = result.stderr.splitlines()
    assert waiting == (
        "deploy: network: waiting for pulumi stack ls in stacks/network (time limit 0.5 s)"
    )
    assert stopped.startswith(
        "deploy: network: pulumi stack ls did not finish within 0.5 s (its time limit); "
        "cancelled it ("
    )
    assert result.ran("stack") == [("network", ["stack", "ls", "--json"])]


def test_a_bad_time_limit_is_one_line(driver: Driver) -> None:
    result = driver.run("up", "--env", "dev", DEPLOY_TIMEOUT_UPDATE="an hour")
    assert (result.code, result.calls) == (2, [])
    assert result.stderr == (
        "deploy: DEPLOY_TIMEOUT_UPDATE='an hour': expected seconds, from 0 to 86400\n"
    )


def test_a_locked_stack_says_what_is_happening_and_how_to_clear_a_stale_lock(
    driver: Driver,
) -> None:
    driver.set_stacks(network={"dev": 30})
    driver.lock("network", "dev")
    result = driver.run("up", "--env", "dev", "--stack", "network")
    assert result.code == 1
    assert result.stderr.splitlines()[-1] == (
        "deploy: network/dev: pulumi up: the stack is locked (1 lock(s)) by another update: if a "
        "deploy is running (CI or a colleague), wait for it; if none is (one was killed), clear "
        "the stale lock: (cd stacks/network && pulumi cancel --stack dev --yes)"
    )
    assert "error: the stack is currently locked by 1 lock(s)." in result.stderr  # pulumi's own
    cancel = driver.pulumi("cancel", "--stack", "dev", "--yes", cwd="network")
    assert cancel.returncode == 0
    again = driver.run("up", "--env", "dev", "--stack", "network")
    assert again.code == 0, again.stderr


def test_a_killed_pulumi_leaves_the_lock_the_next_deploy_names(driver: Driver) -> None:
    process = driver.start("up", "--env", "dev", "--stack", "network", **SLOW_UP)
    driver.wait_for("running", process)
    os.kill(pulumi_pid(driver), signal.SIGKILL)  # the OOM killer, a lost runner
    killed = driver.finish(process)
    assert killed.code == 137
    assert killed.stderr.splitlines()[-1] == (
        "deploy: network/dev: pulumi up failed (killed by SIGKILL); stopping"
    )
    assert locked(driver, "network", "dev")
    blocked = driver.run("up", "--env", "dev", "--stack", "network")
    assert blocked.code == 1
    assert blocked.stderr.splitlines()[-1].endswith(
        "clear the stale lock: (cd stacks/network && pulumi cancel --stack dev --yes)"
    )
