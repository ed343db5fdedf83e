"""Each policy's tunables: its ``PolicyConfigSchema`` (with defaults) and the config a check gets.

The engine sends a policy's config as the CLI merged it (schema defaults, then the config file);
numbers arrive as floats. :func:`effective_config` fills in the defaults again, so a check called
directly, or by an engine that sent nothing, sees the same complete config.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyConfigSchema

from guardrails.exemptions import EXEMPTIONS_SCHEMA
from guardrails.meta import Guardrail
from guardrails.values import plain


def schema_properties(guardrail: Guardrail) -> dict[str, dict[str, Any]]:
    return {**guardrail.config, "exemptions": EXEMPTIONS_SCHEMA}


def config_schema(guardrail: Guardrail) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties=schema_properties(guardrail))


def config_defaults(guardrail: Guardrail) -> dict[str, Any]:
    return {
        key: spec["default"]
        for key, spec in schema_properties(guardrail).items()
        if "default" in spec
    }


def effective_config(guardrail: Guardrail, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The schema defaults with ``given`` (the engine's config for this policy) on top."""
    return {**config_defaults(guardrail), **plain(given or {})}
