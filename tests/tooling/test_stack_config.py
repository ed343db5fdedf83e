"""Every way a stack config file can be wrong is one line naming the file, the line and the column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tooling.mock_runtime import load_stack_config
from tooling.stack_config import MAX_VALUES, ConfigFileError, read_settings_file

BAD = [
    ("syntax", b"config:\n  serving:team: [ml\n", r":3:1: not valid YAML \(expected ',' or '\]', but got '<stream end>'\)"),
    ("a tab", b"config:\n\tserving:team: ml\n", r":2:1: not valid YAML \(found character '\\t' that cannot start any token\)"),
    ("top-level list", b"- config\n- serving:team\n", r":1:1: the file must be a mapping, not a list"),
    ("top-level scalar", b"just some text\n", r":1:1: the file must be a mapping, not the value 'just some text'"),
    ("binary", b"config:\n  serving:team: \x89PNG\r\n", r":2:17: not a text file \(byte 0x89 is not UTF-8\)"),
    ("a NUL", b"config:\n  serving:team: a\x00b\n", r":2:18: not valid YAML \(character U\+0000 is not allowed\)"),
    ("recursive alias", b"config:\n  serving:models: &m\n    - *m\n", r":2:19: a recursive alias \(this value contains itself\)"),
    ("config is a list", b"config:\n  - serving:team\n", r":2:3: config must be a mapping, not a list"),
    ("config is a scalar", b"config: yes\n", r":1:9: config must be a mapping, not the value 'yes'"),
    ("a key given twice", b"config:\n  serving:team: a\n  serving:team: b\n", r":3:3: key 'serving:team' is given twice"),
    ("a key that is a number", b"config:\n  42: a\n", r":2:3: key '42' in config is not a string"),
    ("two documents", b"config: {}\n---\nconfig: {}\n", r":2:1: not valid YAML \(but found another document\)"),
    ("an unknown tag", b"config:\n  serving:team: !vault ml\n", r":2:17: could not determine a constructor for the tag '!vault'"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "content", "expected"), BAD, ids=[c[0] for c in BAD])
def test_a_bad_file_is_one_line_with_file_line_and_column(
    tmp_path: Path, case: str, content: bytes, expected: str
) -> None:
    path = tmp_path / "my-change.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigFileError) as error:
        load_stack_config("serving", "prod", path=path)
    message = error.value.message
    assert "\n" not in message
    assert message.startswith(f"{path}:"), message  # the file that was read, not Pulumi.prod.yaml
    assert re.search(expected, message), message


def test_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    path = tmp_path / "bomb.yaml"
    path.write_text("config:\n" + "".join(f"  serving:{line}\n" for line in lines))
    with pytest.raises(
        ConfigFileError, match=rf"bomb.yaml:\d+:\d+: aliases expand this value past {MAX_VALUES}"
    ):
        read_settings_file(path)


def test_a_missing_or_unreadable_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigFileError, match=r"nope.yaml: cannot read \(No such file or directory\)$"
    ):
        read_settings_file(tmp_path / "nope.yaml")
    with pytest.raises(ConfigFileError, match=r": cannot read \(Is a directory\)$"):
        read_settings_file(tmp_path)


def test_an_empty_file_or_no_config_is_no_settings(tmp_path: Path) -> None:
    for content in ("", "# nothing yet\n", "~\n", "config:\n", "encryptionsalt: v1:abc\n"):
        path = tmp_path / "empty.yaml"
        path.write_text(content)
        assert read_settings_file(path).get("config") is None


def test_values_become_what_a_program_reads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(
        "config:\n"
        "  serving:public: true\n"
        "  serving:idleTimeoutSeconds: 300\n"
        "  serving:since: 2026-01-01\n"
        "  serving:models: &models\n"
        "    - {name: a, released: 2026-02-03}\n"
        "  serving:copy: *models\n"
    )
    config = load_stack_config("serving", "prod", path=path)
    assert config["serving:public"] == "true"
    assert config["serving:idleTimeoutSeconds"] == "300"
    assert config["serving:since"] == "2026-01-01"
    assert (
        config["serving:models"]
        == config["serving:copy"]
        == '[{"name": "a", "released": "2026-02-03"}]'
    )


def test_a_broken_project_file_names_it(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: [serving\n")
    with pytest.raises(ConfigFileError, match=r"Pulumi.yaml:2:1: not valid YAML"):
        load_stack_config("serving", "prod", directory=tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("runtime: python\n")
    with pytest.raises(ConfigFileError, match=r"Pulumi.yaml: no project name"):
        load_stack_config("serving", "prod", directory=tmp_path)
