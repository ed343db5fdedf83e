"""The rollout edits the env file in place: comments, order and quoting survive; what it writes is
validated with the serving stack's own config model first."""

from __future__ import annotations

from pathlib import Path

import pytest

from tooling.rollout.config_file import RolloutConfigError, ServingFile

FILE = """\
# staging: two versions of the chat model
config:
  aws:region: eu-west-1
  serving:costCenter: ml-platform-staging # who pays
  serving:scheme: internet-facing
  serving:allowedPrefixListIds: [pl-0a1b2c3d4e5f67890]
  serving:certificate:
    domain: api.ml-staging.acme-corp.com
    zone: ml-staging.acme-corp.com
  serving:models:
    - name: llm-chat
      route: {pathPrefix: /v1/chat}
      versions:
        - name: initial # what ran before versions
          weight: 100
          fleet: {ami: latest, image: "210987654321.dkr.ecr.eu-west-1.amazonaws.com/llm-chat:1.0"}
        - name: v2
          weight: 0 # the canary
          fleet: {ami: latest, image: "210987654321.dkr.ecr.eu-west-1.amazonaws.com/llm-chat:2.0"}
"""


@pytest.fixture
def path(tmp_path: Path) -> Path:
    target = tmp_path / "Pulumi.staging.yaml"
    target.write_text(FILE)
    return target


def test_weights_change_and_nothing_else(path: Path) -> None:
    file = ServingFile.read(path)
    assert file.weights("llm-chat") == {"initial": 100, "v2": 0}
    file.set_weights("llm-chat", {"initial": 90, "v2": 10})
    file.write()
    text = path.read_text()
    assert text == FILE.replace("weight: 100", "weight: 90").replace(
        "weight: 0 # the", "weight: 10 # the"
    )
    assert ServingFile.read(path).weights("llm-chat") == {"initial": 90, "v2": 10}


def test_the_diff_is_what_to_commit(path: Path) -> None:
    file = ServingFile.read(path)
    file.set_weights("llm-chat", {"initial": 0, "v2": 100})
    diff = file.diff()
    changed = [
        line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed == [
        "-          weight: 100",
        "+          weight: 0",
        "-          weight: 0 # the canary",
        "+          weight: 100 # the canary",
    ]


def test_an_edit_the_program_would_refuse_is_one_line(path: Path) -> None:
    file = ServingFile.read(path)
    file.set_weights("llm-chat", {"initial": 0, "v2": 0})
    with pytest.raises(RolloutConfigError) as caught:
        file.validate("staging")
    assert str(caught.value) == (
        f'{path}: serving:models[0].versions = [{{"initial": 0}}, {{"v2": 0}}]: '
        "the weights sum to 0: no version would get traffic"
    )


def test_retiring_a_version_removes_its_entry(path: Path) -> None:
    file = ServingFile.read(path)
    file.set_weights("llm-chat", {"initial": 0, "v2": 100})
    file.drop_version("llm-chat", "initial")
    assert file.weights("llm-chat") == {"v2": 100}
    assert file.validate("staging").models[0].served[0].name == "v2"
    assert "# the canary" in file.text()


def test_unknown_model_and_a_model_without_versions(path: Path) -> None:
    file = ServingFile.read(path)
    with pytest.raises(RolloutConfigError, match=r"has no model 'chat' \(it has: llm-chat\)"):
        file.weights("chat")
    path.write_text(
        FILE.split("      versions:", maxsplit=1)[0] + "      fleet: {ami: latest, image: x/y:1}\n"
    )
    with pytest.raises(
        RolloutConfigError, match="has no versions: list the current one as 'initial'"
    ):
        ServingFile.read(path).weights("llm-chat")
