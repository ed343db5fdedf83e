"""Typed stack configuration.

Each stack declares a pydantic model (subclass of :class:`StackConfigModel`) for its config
namespace; :func:`load_config` reads every ``<namespace>:*`` key of the running stack, validates it
and returns the model, or raises :class:`ConfigError` (a ``pulumi.RunError``, printed by the engine as
one line without a traceback) naming the stack config file, the key and the value. Programs call it
first, so a bad value stops the program before any resource is registered.

Config keys are camelCase in ``Pulumi.<env>.yaml`` (``serving:idleTimeoutSeconds``); model fields are
snake_case and mapped with an alias generator. Structured values (lists, objects) are YAML in the
file and arrive as JSON text, which is decoded before validation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

import pulumi
from pulumi.runtime import config as runtime_config
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

M = TypeVar("M", bound=BaseModel)


class ConfigError(pulumi.RunError):
    """A stack configuration value is missing or invalid. The message is one line."""


class ConfigValueError(ValueError):
    """Raised by a model validator to blame one precise key (relative to the model) and value."""

    def __init__(self, key: str, value: Any, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.value = value
        self.message = message


class ConfigModel(BaseModel):
    """Base for config models and their nested objects: camelCase keys, unknown keys rejected."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
    )


class StackConfigModel(ConfigModel):
    """Base for a stack's top-level config model."""


def all_config() -> dict[str, str]:
    """Every config key of the running program (``namespace:key`` -> raw string)."""
    merged: dict[str, Any] = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    return {str(k): v for k, v in merged.items()}


def namespace_values(namespace: str, config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The keys of ``namespace`` with their values decoded (JSON objects/lists parsed)."""
    source = all_config() if config is None else config
    prefix = f"{namespace}:"
    return {
        key[len(prefix) :]: _decode(value)
        for key, value in source.items()
        if key.startswith(prefix)
    }


def _decode(raw: Any) -> Any:
    """Structured config values arrive as JSON text; scalars stay as text for pydantic to coerce."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if text[:1] in ("{", "["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return raw
    return raw


def config_file_name(stack: str | None = None) -> str:
    return f"Pulumi.{stack or pulumi.get_stack()}.yaml"


def config_error(key: str, value: Any, message: str) -> ConfigError:
    """``Pulumi.<stack>.yaml: <key> = <value>: <message>`` for checks made outside the model."""
    return ConfigError(f"{config_file_name()}: {key} = {show_value(value)}: {message}")


def load_config(
    model: type[M],
    namespace: str,
    *,
    config: Mapping[str, Any] | None = None,
    stack: str | None = None,
) -> M:
    """Validate the stack's ``namespace`` config into ``model`` or raise :class:`ConfigError`.

    ``config`` and ``stack`` default to the running program's; tools pass them to validate a config
    file without a Pulumi runtime.
    """
    values = namespace_values(namespace, config)
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(
            format_validation_error(exc, namespace, config_file_name(stack))
        ) from None


MISSING = object()
"""The value of an error about a required key that is not there (shown as ``<missing>``)."""


def error_location(exc: ValidationError) -> tuple[list[str | int], Any, str]:
    """The first error's key path, value and message, with a :class:`ConfigValueError`'s own
    key and value (relative to the model that raised it) taken in."""
    first = exc.errors(include_url=False)[0]
    loc: list[str | int] = list(first["loc"])
    value: Any = MISSING if first["type"] == "missing" else first.get("input")
    message = first["msg"]
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, ConfigValueError):
        loc.extend(int(part) if part.isdigit() else part for part in cause.key.split("."))
        value = cause.value
        message = cause.message
    elif message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return loc, value, message


def format_validation_error(exc: ValidationError, namespace: str, file_name: str) -> str:
    """One line: ``Pulumi.prod.yaml: serving:models[0].port = 70000: <reason>`` (+ how many more)."""
    loc, value, message = error_location(exc)
    key = f"{namespace}:{format_loc(loc)}" if loc else namespace
    count = len(exc.errors())
    more = f" (and {count - 1} more)" if count > 1 else ""
    return f"{file_name}: {key} = {show_value(value)}: {message}{more}"


def format_loc(loc: list[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def show_value(value: Any, limit: int = 80) -> str:
    """A config value as it is quoted in an error: JSON for structures, repr for scalars."""
    if value is MISSING:
        return "<missing>"
    text = json.dumps(value, default=str) if isinstance(value, dict | list) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
