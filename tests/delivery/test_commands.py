"""The exact pulumi commands, flags, working directories and order per command, ENV and STACK."""

from __future__ import annotations

import json

import pytest

from tests.delivery.conftest import NETWORK_OUTPUTS, SERVING_OUTPUTS, Driver

OUTPUT = ["stack", "output", "--json", "--stack"]
LS = ["stack", "ls", "--json"]


def test_deploy_creates_and_updates_network_then_serving(driver: Driver) -> None:
    result = driver.run("up", "--env", "dev")
    assert result.code == 0, result.stderr
    assert result.commands() == [
        ("network", LS),
        ("serving", LS),
        ("network", ["stack", "select", "dev", "--create"]),
        ("network", ["up", "--stack", "dev", "--yes", *driver.policy("dev")]),
        ("network", [*OUTPUT, "dev"]),
        ("serving", ["stack", "select", "dev", "--create"]),
        ("serving", ["up", "--stack", "dev", "--yes", *driver.policy("dev")]),
    ]
    assert driver.stacks() == {"network": {"dev": 12}, "serving": {"dev": 12}}
    for stack in ("network", "serving"):  # the CLI wrote the salt; the driver says to commit it
        assert driver.stack_file(stack, "dev").read_text().startswith("encryptionsalt: v1:")
        assert (
            f"deploy: stacks/{stack}/Pulumi.dev.yaml: the CLI wrote the new stack's encryptionsalt: "
            f"commit it (git add stacks/{stack}/Pulumi.dev.yaml); a checkout without it cannot read "
            "the stack's secrets"
        ) in result.stdout.splitlines()
    assert {(c["stdin_tty"], c["own_session"]) for c in result.calls} == {(False, True)}
    backend = f"file://{driver.tmp / 'state'}"
    assert {c["env"]["PULUMI_BACKEND_URL"] for c in result.calls} == {backend}
    assert {c["env"]["PULUMI_SKIP_UPDATE_CHECK"] for c in result.calls} == {"true"}
    assert all(c["passphrase_set"] for c in result.calls)
    assert result.stdout.splitlines()[0] == (
        f"deploy: up dev: network -> serving (state {backend}, secrets passphrase)"
    )
    assert "$ (cd stacks/serving) pulumi up --stack dev --yes --policy-pack" in result.stdout


def test_in_ci_every_command_is_non_interactive(driver: Driver) -> None:
    result = driver.run("up", "--env", "staging", "--stack", "network", CI="true")
    assert result.code == 0, result.stderr
    assert result.commands() == [
        ("network", LS),
        ("network", ["stack", "select", "staging", "--create"]),
        (
            "network",
            ["up", "--stack", "staging", "--yes", *driver.policy("staging"), "--non-interactive"],
        ),
    ]
    assert {c["env"]["CI"] for c in result.calls} == {"true"}


def test_preview_runs_in_dependency_order_with_the_policy_pack(driver: Driver) -> None:
    driver.set_stacks(network={"staging": 30})
    result = driver.run("preview", "--env", "staging")
    assert result.code == 0, result.stderr
    assert result.commands() == [
        ("network", LS),
        ("serving", LS),
        ("network", ["preview", "--stack", "staging", "--diff", *driver.policy("staging")]),
        ("network", [*OUTPUT, "staging"]),
        ("serving", ["stack", "select", "staging", "--create"]),
        ("serving", ["preview", "--stack", "staging", "--diff", *driver.policy("staging")]),
    ]


def test_preview_of_serving_alone_checks_the_network_contract_first(driver: Driver) -> None:
    driver.set_stacks(network={"prod": 30}, serving={"prod": 57})
    result = driver.run("preview", "--env", "prod", "--stack", "serving")
    assert result.code == 0, result.stderr
    assert result.commands() == [
        ("serving", LS),
        ("network", [*OUTPUT, "prod"]),
        ("serving", ["preview", "--stack", "prod", "--diff", *driver.policy("prod")]),
    ]


def test_each_stack_deploys_alone(driver: Driver) -> None:
    network = driver.run("up", "--env", "dev", "--stack", "network")
    assert [stack for stack, _ in network.commands()] == ["network"] * 3
    serving = driver.run("up", "--env", "dev", "--stack", "serving")
    assert serving.code == 0, serving.stderr
    assert serving.commands() == [
        ("serving", LS),
        ("network", [*OUTPUT, "dev"]),
        ("serving", ["stack", "select", "dev", "--create"]),
        ("serving", ["up", "--stack", "dev", "--yes", *driver.policy("dev")]),
    ]


def test_refresh_never_creates_a_stack(driver: Driver) -> None:
    driver.set_stacks(network={"dev": 30}, serving={"dev": 57})
    result = driver.run("refresh", "--env", "dev", CI="true")
    assert result.code == 0, result.stderr
    assert result.commands() == [
        ("network", LS),
        ("serving", LS),
        ("network", ["refresh", "--stack", "dev", "--yes", "--non-interactive"]),
        ("serving", ["refresh", "--stack", "dev", "--yes", "--non-interactive"]),
    ]


def test_destroy_runs_in_reverse_order_and_keeps_the_emptied_stacks(driver: Driver) -> None:
    driver.set_stacks(network={"staging": 30}, serving={"staging": 57})
    result = driver.run("destroy", "--env", "staging")
    assert result.code == 0, result.stderr
    assert result.commands() == [
        ("serving", LS),
        ("network", LS),
        ("serving", ["destroy", "--stack", "staging", "--yes"]),
        ("serving", LS),  # the dependant is empty now: network may go
        ("network", ["destroy", "--stack", "staging", "--yes"]),
    ]
    assert driver.stacks() == {"network": {"staging": 0}, "serving": {"staging": 0}}
    assert result.stdout.splitlines()[0].startswith("deploy: destroy staging: serving -> network (")


def test_outputs_prints_one_json_object_per_env(driver: Driver) -> None:
    driver.set_stacks(network={"prod": 30}, serving={"prod": 57})
    result = driver.run("outputs", "--env", "prod")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout) == {"network": NETWORK_OUTPUTS, "serving": SERVING_OUTPUTS}
    assert result.commands() == [("network", [*OUTPUT, "prod"]), ("serving", [*OUTPUT, "prod"])]


def test_outputs_leaves_out_a_stack_that_does_not_exist(driver: Driver) -> None:
    driver.set_stacks(network={"dev": 30})
    result = driver.run("outputs", "--env", "dev")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout) == {"network": NETWORK_OUTPUTS}
    assert result.stderr == "deploy: serving/dev: no such stack\n"


@pytest.mark.parametrize(
    ("target", "argv"),
    [
        (["preview", "ENV=dev", "STACK=network"], ["preview", "--stack", "dev", "--diff"]),
        (["deploy", "ENV=dev", "STACK=network"], ["up", "--stack", "dev", "--yes"]),
    ],
)
def test_make_targets_drive_the_same_commands(
    driver: Driver, target: list[str], argv: list[str]
) -> None:
    result = driver.make(*target)
    assert result.code == 0, result.stderr
    assert result.commands() == [
        ("network", LS),
        ("network", ["stack", "select", "dev", "--create"]),
        ("network", [*argv, *driver.policy("dev")]),
    ]


def test_make_destroy_and_outputs(driver: Driver) -> None:
    driver.set_stacks(network={"dev": 30})
    result = driver.make("destroy", "ENV=dev", "STACK=network")
    assert result.code == 0, result.stderr
    assert result.ran("destroy") == [("network", ["destroy", "--stack", "dev", "--yes"])]
    outputs = driver.make("outputs", "ENV=dev", "STACK=network")
    assert json.loads(outputs.stdout) == {"network": NETWORK_OUTPUTS}


def test_make_help_lists_the_delivery_targets() -> None:
    import subprocess

    from shared.stacks import REPO_ROOT

    text = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for target in ("preview", "deploy", "refresh", "destroy", "outputs", "drift"):
        assert f"  {target} " in text
    assert "STACK=network|serving|all" in text
