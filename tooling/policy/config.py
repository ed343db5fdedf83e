"""A pack's config as the CLI reconciles ``--policy-pack-config``: levels, properties, validation.

:func:`resolve_level` is the one place that decides a policy's enforcement level from a config
file (the plan gate's ``Configure`` and the README's rules table both use it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
import jsonschema.exceptions

from tooling.policy.errors import PolicyPackError
from tooling.policy.results import PolicyDescription

LEVEL_NAMES = ("advisory", "mandatory", "remediate", "disabled")
ENFORCEMENT_LEVEL_KEY = "enforcementLevel"


class PolicySettings(NamedTuple):
    """A policy's reconciled config: what ``Configure`` sends for it."""

    level: str
    properties: dict[str, Any]


def load_pack_config(path: Path) -> dict[str, Any]:
    """A ``--policy-pack-config`` file; an empty file is no config, as for the CLI."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise PolicyPackError(f"{path}: no such policy config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise PolicyPackError(f"{path}: cannot read ({reason})") from None
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyPackError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(data, dict):
        raise PolicyPackError(f"{path}: expected a JSON object of policy names")
    return data


def _level(value: Any, where: str) -> str:
    if not isinstance(value, str) or value not in LEVEL_NAMES:
        raise PolicyPackError(
            f"{where}: enforcement level {value!r} is not one of {', '.join(LEVEL_NAMES)}"
        )
    return value


def parse_entry(name: str, entry: Any, source: str) -> tuple[str | None, dict[str, Any]]:
    """A config file entry: ``"mandatory"`` or ``{"enforcementLevel": ..., <properties>}``."""
    if isinstance(entry, str):
        return _level(entry, f"{source}: {name}"), {}
    if isinstance(entry, Mapping):
        properties = {str(k): v for k, v in entry.items() if k != ENFORCEMENT_LEVEL_KEY}
        if ENFORCEMENT_LEVEL_KEY in entry:
            return _level(entry[ENFORCEMENT_LEVEL_KEY], f"{source}: {name}"), properties
        return None, properties
    raise PolicyPackError(
        f"{source}: {name} = {json.dumps(entry)}: expected an enforcement level or an object"
    )


def resolve_level(
    name: str, config: Mapping[str, Any], *, default: str, source: str = "policy config"
) -> str:
    """A policy's level under a ``--policy-pack-config`` mapping: its own entry, else ``all``,
    else ``default`` (the policy's own level, or the pack's)."""
    if name in config:
        given = parse_entry(name, config[name], source)[0]
        if given:
            return given
    if "all" in config:
        return parse_entry("all", config["all"], source)[0] or default
    return default


def validate_properties(policy: PolicyDescription, properties: dict[str, Any], source: str) -> None:
    known = policy.schema.get("properties", {})
    unknown = sorted(set(properties) - set(known))
    if unknown:
        raise PolicyPackError(
            f"{source}: {policy.name}: unknown property {unknown[0]!r} "
            f"(known: {', '.join(sorted(known)) or 'none'})"
        )
    schema = {"type": "object", **policy.schema}
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft7Validator(schema).iter_errors(properties)
    )
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path)
        shown = f"{where} = {json.dumps(error.instance)}: " if where else ""
        raise PolicyPackError(f"{source}: {policy.name}: {shown}{error.message}")


def merge_config(
    policies: Sequence[PolicyDescription],
    config: Mapping[str, Any],
    *,
    source: str = "policy config",
    initial: Mapping[str, PolicySettings] | None = None,
) -> dict[str, PolicySettings]:
    """Every policy's level and properties, reconciled and validated as the CLI does.

    Order: the schema defaults and the policy's own level; the pack's initial config; the
    config's ``all`` level; the config's entry for the policy. Unlike the CLI (which ignores
    them), an unknown policy name or property is an error: it is almost always a typo.
    """
    known = {p.name for p in policies}
    unknown = sorted(set(config) - known - {"all"})
    if unknown:
        raise PolicyPackError(
            f"{source}: unknown policy {unknown[0]!r} (the pack has {len(known)} policies)"
        )
    if "all" in config:
        parse_entry("all", config["all"], source)  # a bad ``all`` is an error even if unused
    merged: dict[str, PolicySettings] = {}
    for policy in policies:
        level, properties = policy.enforcement_level, policy.defaults
        if initial and policy.name in initial:
            level = initial[policy.name].level or level
            properties = {**properties, **initial[policy.name].properties}
        level = resolve_level(policy.name, config, default=level, source=source)
        if policy.name in config:
            properties = {**properties, **parse_entry(policy.name, config[policy.name], source)[1]}
        validate_properties(policy, properties, source)
        merged[policy.name] = PolicySettings(level, properties)
    return merged
