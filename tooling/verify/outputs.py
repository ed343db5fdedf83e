"""The serving stack's outputs: from the Pulumi CLI, or from a JSON file (``--outputs``)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from pydantic import ValidationError

from shared.serving_outputs import ServingOutputs
from shared.stacks import STACKS


class OutputsError(Exception):
    """Outputs are missing or malformed; the message is one line."""


def _validate(data: object, source: str) -> ServingOutputs:
    if not isinstance(data, dict):
        raise OutputsError(f"{source}: expected a JSON object of stack outputs")
    try:
        return ServingOutputs.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        key = ".".join(str(p) for p in first["loc"])
        value = "<missing>" if first["type"] == "missing" else repr(first.get("input"))[:80]
        raise OutputsError(f"{source}: {key} = {value}: {first['msg']}") from None


def from_file(path: Path) -> ServingOutputs:
    try:
        text = path.read_text()
    except OSError as exc:
        raise OutputsError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OutputsError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    return _validate(data, str(path))


def from_stack(env: str) -> ServingOutputs:
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        raise OutputsError(
            "pulumi CLI not found on PATH: pass the serving stack's outputs with --outputs FILE.json"
        )
    result = subprocess.run(
        [pulumi, "stack", "output", "--json", "--show-secrets", "--stack", env],
        cwd=STACKS["serving"].directory,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise OutputsError(f"serving/{env}: pulumi stack output failed: {last}")
    try:
        data = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        raise OutputsError(f"serving/{env}: pulumi stack output did not print JSON") from None
    return _validate(data, f"serving/{env} outputs")
