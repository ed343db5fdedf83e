"""Read a stack's ``Pulumi.yaml`` / ``Pulumi.<env>.yaml`` the way the CLI would accept it.

Every way a file can be wrong is one line, ``<file>:<line>:<column>: <what>``, naming the file that
was read (a ``--config`` file by its own name): not UTF-8 text, not YAML, several documents, not a
mapping, a ``config`` that is not a mapping, a key that is not a string or is given twice, an
alias that contains itself or expands without bound, a tag YAML cannot build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from shared.stacks import REPO_ROOT

MAX_VALUES = 100_000
"""Aliases may repeat values, but a file that expands past this many is refused (an alias bomb)."""


class ConfigFileError(Exception):
    """A stack config file that cannot be read as one; the message is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def shown_path(path: Path) -> str:
    """A file as errors name it: relative to the repository when inside it, else as given."""
    resolved = path.resolve()
    return str(resolved.relative_to(REPO_ROOT)) if resolved.is_relative_to(REPO_ROOT) else str(path)


def _where(shown: str, line: int, column: int) -> str:
    return f"{shown}:{line + 1}:{column + 1}"


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"the value {node.value!r}" if isinstance(node, ScalarNode) else "another value"


def _decode(raw: bytes, shown: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n")
        column = len(before) - (before.rfind(b"\n") + 1)
        raise ConfigFileError(
            f"{_where(shown, line, column)}: not a text file (byte 0x{raw[exc.start]:02x} is not UTF-8)"
        ) from None


def _compose(text: str, shown: str) -> Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line, column = before.count("\n"), len(before) - (before.rfind("\n") + 1)
        char = (
            exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        )
        raise ConfigFileError(
            f"{_where(shown, line, column)}: not valid YAML (character U+{char:04X} is not allowed)"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _where(shown, mark.line, mark.column) if mark else shown
        problem = exc.problem or exc.context or "not YAML"
        raise ConfigFileError(f"{where}: not valid YAML ({problem})") from None


def _check_graph(node: Node, shown: str) -> None:
    """No value may contain itself (a recursive alias), nor expand past :data:`MAX_VALUES`."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def size(current: Node) -> int:
        key = id(current)
        if key in sizes:
            return sizes[key]
        if key in on_path:
            mark = current.start_mark
            raise ConfigFileError(
                f"{_where(shown, mark.line, mark.column)}: a recursive alias (this value contains itself)"
            )
        on_path.add(key)
        total = 1
        if isinstance(current, SequenceNode):
            total += sum(size(child) for child in current.value)
        elif isinstance(current, MappingNode):
            _no_duplicate_keys(current, shown)
            total += sum(size(k) + size(v) for k, v in current.value)
        on_path.discard(key)
        sizes[key] = total
        if total > MAX_VALUES:
            mark = current.start_mark
            raise ConfigFileError(
                f"{_where(shown, mark.line, mark.column)}: aliases expand this value past {MAX_VALUES} values"
            )
        return total

    size(node)


def _no_duplicate_keys(node: MappingNode, shown: str) -> None:
    """The CLI (Go's yaml.v3) refuses a key given twice in any mapping; PyYAML keeps the last."""
    seen: set[tuple[str, str]] = set()
    for key, _ in node.value:
        if isinstance(key, ScalarNode):
            if (key.tag, key.value) in seen:
                mark = key.start_mark
                raise ConfigFileError(
                    f"{_where(shown, mark.line, mark.column)}: key {key.value!r} is given twice"
                )
            seen.add((key.tag, key.value))


def _check_mapping(node: Node, shown: str, what: str) -> dict[str, Node]:
    mark = node.start_mark
    if not isinstance(node, MappingNode):
        raise ConfigFileError(
            f"{_where(shown, mark.line, mark.column)}: {what} must be a mapping, not {_kind(node)}"
        )
    keys: dict[str, Node] = {}
    for key, value in node.value:
        key_mark = key.start_mark
        if not isinstance(key, ScalarNode) or key.tag != "tag:yaml.org,2002:str":
            shown_key = key.value if isinstance(key, ScalarNode) else _kind(key)
            raise ConfigFileError(
                f"{_where(shown, key_mark.line, key_mark.column)}: key {shown_key!r} in {what} is not a string"
            )
        keys[key.value] = value
    return keys


def _construct(node: Node, shown: str) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _where(shown, mark.line, mark.column) if mark else shown
        raise ConfigFileError(f"{where}: {exc.problem or 'cannot read this value'}") from None
    finally:
        loader.dispose()


def read_settings_file(path: Path, *, shown: str | None = None) -> dict[str, Any]:
    """A Pulumi YAML file as a mapping (``{}`` when empty), with its ``config`` checked to be one."""
    shown = shown or shown_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigFileError(f"{shown}: cannot read ({exc.strerror or exc})") from None
    node = _compose(_decode(raw, shown), shown)
    if node is None or (isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"):
        return {}
    _check_graph(node, shown)
    top = _check_mapping(node, shown, "the file")
    config = top.get("config")
    if config is not None and not (
        isinstance(config, ScalarNode) and config.tag == "tag:yaml.org,2002:null"
    ):
        _check_mapping(config, shown, "config")
    data = _construct(node, shown)
    return data if isinstance(data, dict) else {}
