"""The model's weights in ``stacks/serving/Pulumi.<env>.yaml``, edited in place.

The file is the truth a rollout moves: each step writes the weights into it (keeping its comments,
order and quoting, with ruamel.yaml's round trip), deploys it, and at the end the file is what to
commit. Before anything is written, the file is validated with the serving stack's own config model,
so a rollout never deploys a config the program would refuse.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from serving_stack.config import ServingConfig
from shared.config import ConfigError, load_config
from tooling.mock_runtime.render import config_text

MODELS_KEY = "serving:models"


class RolloutConfigError(Exception):
    """The file, the model or the version cannot be rolled; one line naming the file and key."""


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments, order and quotes survive
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


@dataclass
class ServingFile:
    path: Path
    data: Any
    """The round-trip document (a ``CommentedMap``); edit it through :meth:`set_weights`."""
    original: str

    @classmethod
    def read(cls, path: Path) -> ServingFile:
        try:
            text = path.read_text()
            data = _yaml().load(text)
        except (OSError, YAMLError) as exc:
            raise RolloutConfigError(f"{path}: cannot read it as YAML ({exc})") from None
        if not isinstance(data, Mapping) or not isinstance(data.get("config"), Mapping):
            raise RolloutConfigError(f"{path}: expected a mapping with a config: mapping")
        return cls(path, data, text)

    @property
    def models(self) -> list[Any]:
        models = self.data["config"].get(MODELS_KEY)
        if not isinstance(models, list):
            raise RolloutConfigError(f"{self.path}: {MODELS_KEY} is not a list")
        return models

    def model(self, name: str) -> Any:
        for model in self.models:
            if isinstance(model, Mapping) and model.get("name") == name:
                return model
        names = [m.get("name") for m in self.models if isinstance(m, Mapping)]
        raise RolloutConfigError(
            f"{self.path}: {MODELS_KEY} has no model {name!r} (it has: {', '.join(map(str, names))})"
        )

    def weights(self, model: str) -> dict[str, int]:
        """The model's versions and their weights, in file order."""
        versions = self.model(model).get("versions")
        if not versions:
            raise RolloutConfigError(
                f"{self.path}: {MODELS_KEY}[{model}] has no versions: list the current one as "
                "'initial' and the new one with weight 0, then roll out"
            )
        return {str(v["name"]): int(v["weight"]) for v in versions}

    def set_weights(self, model: str, weights: Mapping[str, int]) -> None:
        for version in self.model(model).get("versions") or []:
            if str(version["name"]) in weights:
                version["weight"] = int(weights[str(version["name"])])

    def drop_version(self, model: str, version: str) -> None:
        versions = self.model(model)["versions"]
        for index, entry in enumerate(versions):
            if str(entry["name"]) == version:
                del versions[index]
                return

    def text(self) -> str:
        out = io.StringIO()
        _yaml().dump(self.data, out)
        return out.getvalue()

    def validate(self, env: str) -> ServingConfig:
        """The edited config as the serving program would read it (its one-line error if not)."""
        values = {str(k): config_text(_plain(v)) for k, v in self.data["config"].items()}
        try:
            return load_config(ServingConfig, "serving", config=values, stack=env)
        except ConfigError as exc:
            raise RolloutConfigError(
                str(exc).replace(f"Pulumi.{env}.yaml", str(self.path), 1)
            ) from None

    def write(self) -> None:
        self.path.write_text(self.text())

    def diff(self, name: str | None = None) -> str:
        """What to commit: the file as it was when read, against it now (``name``: its path in
        the ``a/``/``b/`` lines, by default the path it was read from)."""
        name = name or str(self.path)
        return "".join(
            difflib.unified_diff(
                self.original.splitlines(keepends=True),
                self.text().splitlines(keepends=True),
                fromfile=f"a/{name}",
                tofile=f"b/{name}",
            )
        )


def _plain(value: Any) -> Any:
    """ruamel's commented containers as plain dicts and lists (for the config model)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
