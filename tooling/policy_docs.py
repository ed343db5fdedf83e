"""The README's tables of guardrails, generated from the pack's descriptors and the per-env configs.

``python -m tooling.policy_docs`` prints the rules table, the tunables table and the table of what
each policy sees (resource types and fields); ``--write`` replaces them in README.md (between their
markers); ``--check`` exits 1 if README.md is out of date.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from guardrails import GUARDRAILS
from guardrails.meta import ANY_TYPE
from guardrails.types import short
from shared.environments import ENVIRONMENTS
from shared.stacks import REPO_ROOT
from tooling.policy.config import resolve_level

README = REPO_ROOT / "README.md"
CONFIG_DIR = REPO_ROOT / "policies" / "config"
BEGIN, END = "<!-- BEGIN rules-table -->", "<!-- END rules-table -->"
TUNABLES_BEGIN, TUNABLES_END = "<!-- BEGIN tunables-table -->", "<!-- END tunables-table -->"
SEES_BEGIN, SEES_END = "<!-- BEGIN sees-table -->", "<!-- END sees-table -->"
PACK_DEFAULT_LEVEL = "advisory"
"""The level ``policies/__main__.py`` gives the pack (each policy's level unless a config says)."""


def level(config: Mapping[str, Any], name: str) -> str:
    """A policy's level under a ``--policy-pack-config`` file: its entry, else ``all``."""
    return resolve_level(name, config, default=PACK_DEFAULT_LEVEL)


def env_configs() -> dict[str, dict[str, Any]]:
    return {env: json.loads((CONFIG_DIR / f"{env}.json").read_text()) for env in ENVIRONMENTS}


LONG_LIST = 30
"""Lists longer than this (the resource-type allowlist) are counted, not spelled out."""


def shown(value: Any) -> str:
    if isinstance(value, list):
        if len(value) > LONG_LIST:
            return f"{len(value)} entries (the schema default in `policies/guardrails/`)"
        return ", ".join(str(v) for v in value) if value else "(none)"
    return str(value)


def rules_table() -> str:
    configs = env_configs()
    lines = [
        "| policy | what it enforces | controls | severity | " + " | ".join(ENVIRONMENTS) + " |",
        "|---|---|---|---|" + "---|" * len(ENVIRONMENTS),
    ]
    for name, g in GUARDRAILS.items():
        levels = " | ".join(level(configs[env], name) for env in ENVIRONMENTS)
        lines.append(
            f"| `{name}` | {g.description} | {', '.join(g.controls)} | {g.severity.value} | {levels} |"
        )
    return "\n".join([BEGIN, *lines, END])


def tunables_table() -> str:
    """Each tunable with its schema default and its value per env (``default`` when not set)."""
    configs = env_configs()
    lines = [
        "| policy | tunable | default | " + " | ".join(ENVIRONMENTS) + " |",
        "|---|---|---|" + "---|" * len(ENVIRONMENTS),
    ]
    for name, g in GUARDRAILS.items():
        for key, spec in g.config.items():
            per_env = []
            for env in ENVIRONMENTS:
                entry = configs[env].get(name)
                given = entry.get(key) if isinstance(entry, Mapping) else None
                per_env.append("default" if given is None else shown(given))
            lines.append(
                f"| `{name}` | `{key}`: {spec['description']} | {shown(spec['default'])} | "
                + " | ".join(per_env)
                + " |"
            )
    return "\n".join([TUNABLES_BEGIN, *lines, TUNABLES_END])


def sees_table() -> str:
    """Per policy, the resource types it reads and the fields (camelCase inputs) it reads of them."""
    lines = [
        "| policy | what it reads: resource types (short names) and their fields |",
        "|---|---|",
    ]
    for name, g in GUARDRAILS.items():
        parts = []
        for seen in g.sees:
            types = sorted("every resource" if t == ANY_TYPE else short(t) for t in seen.types)
            fields = ", ".join(f if f.startswith("(") else f"`{f}`" for f in seen.fields)
            parts.append(
                f"{', '.join(f'`{t}`' if t != 'every resource' else t for t in types)}: {fields}"
            )
        lines.append(f"| `{name}` | {'<br>'.join(parts)} |")
    return "\n".join([SEES_BEGIN, *lines, SEES_END])


def _replace(text: str, begin: str, end: str, table: str) -> str:
    start, stop = text.index(begin), text.index(end) + len(end)
    return text[:start] + table + text[stop:]


def with_table(text: str) -> str:
    """``text`` (README.md) with every generated table current."""
    text = _replace(text, BEGIN, END, rules_table())
    text = _replace(text, SEES_BEGIN, SEES_END, sees_table())
    return _replace(text, TUNABLES_BEGIN, TUNABLES_END, tunables_table())


def main(argv: Sequence[str]) -> int:
    if "--write" in argv:
        README.write_text(with_table(README.read_text()))
        return 0
    if "--check" in argv:
        if with_table(README.read_text()) != README.read_text():
            print(
                "README.md: the policy tables are out of date; run: python -m tooling.policy_docs --write",
                file=sys.stderr,
            )
            return 1
        return 0
    print(rules_table())
    print(tunables_table())
    print(sees_table())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
