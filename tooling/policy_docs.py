"""The README's table of guardrails, generated from the pack's descriptors and the per-env configs.

``python -m tooling.policy_docs`` prints the rules table and the tunables table; ``--write``
replaces them in README.md (between their markers); ``--check`` exits 1 if README.md is out of date.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from guardrails import GUARDRAILS
from shared.environments import ENVIRONMENTS
from shared.stacks import REPO_ROOT
from tooling.policy.config import resolve_level

README = REPO_ROOT / "README.md"
CONFIG_DIR = REPO_ROOT / "policies" / "config"
BEGIN, END = "<!-- BEGIN rules-table -->", "<!-- END rules-table -->"
TUNABLES_BEGIN, TUNABLES_END = "<!-- BEGIN tunables-table -->", "<!-- END tunables-table -->"
PACK_DEFAULT_LEVEL = "advisory"
"""The level ``policies/__main__.py`` gives the pack (each policy's level unless a config says)."""


def level(config: Mapping[str, Any], name: str) -> str:
    """A policy's level under a ``--policy-pack-config`` file: its entry, else ``all``."""
    return resolve_level(name, config, default=PACK_DEFAULT_LEVEL)


def env_configs() -> dict[str, dict[str, Any]]:
    return {env: json.loads((CONFIG_DIR / f"{env}.json").read_text()) for env in ENVIRONMENTS}


def shown(value: Any) -> str:
    if isinstance(value, list):
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


def _replace(text: str, begin: str, end: str, table: str) -> str:
    start, stop = text.index(begin), text.index(end) + len(end)
    return text[:start] + table + text[stop:]


def with_table(text: str) -> str:
    """``text`` (README.md) with both generated tables current."""
    text = _replace(text, BEGIN, END, rules_table())
    return _replace(text, TUNABLES_BEGIN, TUNABLES_END, tunables_table())


def main(argv: Sequence[str]) -> int:
    if "--write" in argv:
        README.write_text(with_table(README.read_text()))
        return 0
    if "--check" in argv:
        if with_table(README.read_text()) != README.read_text():
            print(
                "README.md: the rules table is out of date; run: python -m tooling.policy_docs --write",
                file=sys.stderr,
            )
            return 1
        return 0
    print(rules_table())
    print(tunables_table())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
