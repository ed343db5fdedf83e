"""The JSON record of one rollout: every step, what it deployed, what it saw, how it ended.

Written after every event (so a run that is killed still leaves what it did), by default to
``.rollout/<env>-<model>-<UTC timestamp>.json`` (git-ignored; ``ROLLOUT_RECORD=`` or
``--record`` chooses the path). The workflow attaches it to the pull request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from shared import stacks

FORMAT = 1


def default_path(env: str, model: str, started: datetime) -> Path:
    return (
        stacks.REPO_ROOT / ".rollout" / f"{env}-{model}-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    )


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Record:
    path: Path
    data: dict[str, Any]
    steps: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def start(cls, path: Path, header: dict[str, Any]) -> Record:
        record = cls(path, {"format": FORMAT, **header, "result": "running"})
        record.data["steps"] = record.steps
        record.write()
        return record

    def step(self, entry: dict[str, Any]) -> dict[str, Any]:
        """A new step (its ``polls`` and outcome are filled in as they happen)."""
        self.steps.append(entry)
        self.write()
        return entry

    def update(self, **values: Any) -> None:
        self.data.update(values)
        self.write()

    def write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_name(f".{self.path.name}.tmp")
        scratch.write_text(json.dumps(self.data, indent=2) + "\n")
        scratch.replace(self.path)
