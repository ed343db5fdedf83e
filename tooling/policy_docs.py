"""The README's table of guardrails, generated from the pack and the per-env config files.

``python -m tooling.policy_docs`` prints it; ``--write`` replaces it in README.md.
"""

from __future__ import annotations

import json
import sys

from shared.environments import ENVIRONMENTS
from shared.stacks import REPO_ROOT

BEGIN, END = "<!-- BEGIN rules-table -->", "<!-- END rules-table -->"


def _level(config: dict[str, object], name: str) -> str:
    entry = config.get(name)
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict) and "enforcementLevel" in entry:
        return str(entry["enforcementLevel"])
    return str(config.get("all", "advisory"))


def rules_table() -> str:
    sys.path.insert(0, str(REPO_ROOT / "policies"))
    from guardrails import GUARDRAILS

    configs = {
        env: json.loads((REPO_ROOT / "policies" / "config" / f"{env}.json").read_text())
        for env in ENVIRONMENTS
    }
    lines = [
        "| policy | what it enforces | controls | severity | " + " | ".join(ENVIRONMENTS) + " |",
        "|---|---|---|---|" + "---|" * len(ENVIRONMENTS),
    ]
    for name, g in GUARDRAILS.items():
        levels = " | ".join(_level(configs[env], name) for env in ENVIRONMENTS)
        lines.append(
            f"| `{name}` | {g.description} | {', '.join(g.controls)} | {g.severity.value} | {levels} |"
        )
    return "\n".join([BEGIN, *lines, END])


def write_readme() -> None:
    path = REPO_ROOT / "README.md"
    text = path.read_text()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    path.write_text(text[:start] + rules_table() + text[end:])


if __name__ == "__main__":
    if "--write" in sys.argv:
        write_readme()
    else:
        print(rules_table())
