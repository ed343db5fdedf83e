"""Values and resources as the engine puts them on the Analyzer protocol.

There is one marker for a value a preview cannot know: :data:`guardrails.values.UNKNOWN` (the
checks read it), re-exported here as :data:`UNKNOWN`. The client also accepts Pulumi's own
``pulumi.output.Unknown`` (what the mock runtime records) and sends both as the engine's sentinel.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Protocol

from google.protobuf import struct_pb2
from pulumi.output import Unknown as PulumiUnknown
from pulumi.runtime.proto import analyzer_pb2

from guardrails.values import UNKNOWN

UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How the engine encodes a value a preview cannot know (``pulumi.runtime.rpc.UNKNOWN``)."""

LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
LEVEL_NAMES = {v: k for k, v in LEVELS.items()}
SEVERITY_NAMES = {0: "", 1: "low", 2: "medium", 3: "high", 4: "critical"}


class AnalyzableResource(Protocol):
    """What the analyzer needs of a resource (``tooling.mock_runtime.RegisteredResource`` fits)."""

    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def urn(self) -> str: ...
    @property
    def inputs(self) -> dict[str, Any]: ...
    @property
    def outputs(self) -> dict[str, Any]: ...
    @property
    def parent(self) -> str: ...
    @property
    def dependencies(self) -> list[str]: ...
    @property
    def property_dependencies(self) -> dict[str, list[str]]: ...
    @property
    def protect(self) -> bool: ...
    @property
    def provider(self) -> str:
        """The provider reference ``<provider URN>::<provider id>``, or ``""``."""
        ...


def is_unknown(value: object) -> bool:
    """The guardrails' marker, Pulumi's ``Unknown``, or the engine's sentinel string."""
    return value is UNKNOWN or isinstance(value, PulumiUnknown) or value == UNKNOWN_SENTINEL


def encode_value(value: Any) -> Any:
    """A Python value as the engine puts it in a protobuf Struct (unknowns as the sentinel)."""
    if value is UNKNOWN or isinstance(value, PulumiUnknown):
        return UNKNOWN_SENTINEL
    if isinstance(value, Mapping):
        return {str(k): encode_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode_value(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else str(value)
    return str(value)


def decode_value(value: Any) -> Any:
    """The inverse for JSON-shaped data: the sentinel string becomes :data:`UNKNOWN`."""
    if value == UNKNOWN_SENTINEL:
        return UNKNOWN
    if isinstance(value, dict):
        return {k: decode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(encode_value(dict(props)))
    return struct


def provider_resource(reference: str) -> analyzer_pb2.AnalyzerProviderResource | None:
    """The provider of a resource from its reference ``<provider URN>::<id>``, as the engine sends it.

    The provider's own inputs are not part of the reference, so its properties are left empty.
    """
    urn, sep, _ = reference.rpartition("::")
    parts = urn.split("::")
    if not sep or not urn.startswith("urn:pulumi:") or len(parts) < 4:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        type=parts[2].rpartition("$")[2], urn=urn, name=parts[-1], properties=struct_pb2.Struct()
    )


def resource_options(resource: AnalyzableResource) -> analyzer_pb2.AnalyzerResourceOptions:
    options = analyzer_pb2.AnalyzerResourceOptions(
        protect=bool(resource.protect), parent=resource.parent or ""
    )
    # Optional on the protocol; RegisteredResource records them.
    options.ignoreChanges.extend(getattr(resource, "ignore_changes", None) or [])
    if getattr(resource, "delete_before_replace", False):
        options.deleteBeforeReplace = True
        options.deleteBeforeReplaceDefined = True
    return options
