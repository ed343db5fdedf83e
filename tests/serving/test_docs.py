"""The README's serving section stays in step with the config model, and its example works."""

from __future__ import annotations

import re

import yaml

from serving_stack.backends import BACKENDS
from serving_stack.config import ModelConfig, ServingConfig
from shared.serving_outputs import FailoverFigures, ServingOutputs
from shared.stacks import REPO_ROOT
from tests.serving.conftest import render_serving

SECTION = re.compile(r"<!-- BEGIN serving -->(.*)<!-- END serving -->", re.DOTALL)


def _section() -> str:
    match = SECTION.search((REPO_ROOT / "README.md").read_text())
    assert match is not None
    return match.group(1)


def _first_column(table_header: str) -> set[str]:
    """Backticked keys in the first column of the table that starts with ``table_header``."""
    lines = _section().split(table_header, 1)[1].splitlines()[2:]
    keys: set[str] = set()
    for line in lines:
        if not line.startswith("|"):
            break
        keys |= set(re.findall(r"`([A-Za-z0-9_]+)`", line.split("|")[1]))
    return keys


def _aliases(model: type[ServingConfig] | type[ModelConfig]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def test_every_config_key_is_documented() -> None:
    documented = _first_column("| key | default | what |")
    assert documented == _aliases(ServingConfig) - {"team"}  # team is noted with costCenter
    assert "`team`: `ml-platform`" in _section()


def test_every_model_key_is_documented() -> None:
    """The model's own keys, and one row per backend key (which stands for ``targets``)."""
    keys = _aliases(ModelConfig) - {"targets"} | set(BACKENDS)
    assert _first_column("| model key | default | what |") == keys


def test_every_failover_figure_is_explained() -> None:
    assert _first_column("| figure | from | meaning |") == set(FailoverFigures.model_fields)


def test_the_seed_example_renders_as_documented() -> None:
    block = re.search(r"```yaml\n(.*?)```", _section(), re.DOTALL)
    assert block is not None
    config = yaml.safe_load(block.group(1))["config"]
    rendered = render_serving("dev", config)
    outputs = ServingOutputs.model_validate(rendered.outputs)
    assert list(outputs.models) == ["sentiment"]
    assert outputs.models["sentiment"].targets == "instances"
    assert outputs.failover.detection_seconds == 10
