"""A render as it crosses from the child to the gate: JSON, validated, never unpickled.

The child runs the program, so the bytes it sends are the program's to shape: the gate reads them
as data only (``json`` + a strict pydantic model, size-capped by the pipe reader), so the worst a
program can do is describe resources it did not register, which is no more than it could do by
registering them. Unknown values travel as the engine's sentinel and come back as ``UNKNOWN``.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tooling.mock_runtime import RegisteredResource
from tooling.mock_runtime.aliases import AliasSpec
from tooling.policy.wire import UNKNOWN_SENTINEL, decode_value, is_unknown


class WireResource(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    type: str
    name: str
    urn: str
    id: str = ""
    inputs: dict[str, Any] = Field(default_factory=dict)
    outputs: dict[str, Any] = Field(default_factory=dict)
    parent: str = ""
    custom: bool = True
    dependencies: list[str] = Field(default_factory=list)
    property_dependencies: dict[str, list[str]] = Field(default_factory=dict)
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    ignore_changes: list[str] = Field(default_factory=list)
    replace_on_changes: list[str] = Field(default_factory=list)
    provider: str = ""
    read: bool = False
    aliases: list[dict[str, Any]] = Field(default_factory=list)
    """The ``aliases`` option, one :class:`~tooling.mock_runtime.aliases.AliasSpec` each."""


class WireRender(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    resources: list[WireResource] = Field(default_factory=list)
    outputs: dict[str, Any] = Field(default_factory=dict)


class RenderPayload(BaseModel):
    """What one render child sends: a preview, the outputs it would export once deployed, or why not."""

    model_config = ConfigDict(extra="forbid", strict=True)

    preview: WireRender | None = None
    deployed_outputs: dict[str, Any] | None = None
    error: str | None = None
    traceback: str | None = None


class BadPayload(Exception):
    """The child's bytes are not a render; the message is one line."""


def plain(value: Any) -> Any:
    """Any value a render holds as JSON data (unknowns as the sentinel, the rest as text)."""
    if is_unknown(value):
        return UNKNOWN_SENTINEL
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return str(value)


def encode_resource(resource: RegisteredResource) -> dict[str, Any]:
    return {
        "type": resource.type,
        "name": resource.name,
        "urn": resource.urn,
        "id": str(resource.id or ""),
        "inputs": plain(resource.inputs),
        "outputs": plain(resource.outputs),
        "parent": resource.parent or "",
        "custom": bool(resource.custom),
        "dependencies": list(resource.dependencies),
        "property_dependencies": {k: list(v) for k, v in resource.property_dependencies.items()},
        "protect": bool(resource.protect),
        "retain_on_delete": bool(resource.retain_on_delete),
        "delete_before_replace": bool(resource.delete_before_replace),
        "ignore_changes": list(resource.ignore_changes),
        "replace_on_changes": list(resource.replace_on_changes),
        "provider": resource.provider or "",
        "read": bool(resource.read),
        "aliases": [dataclasses.asdict(a) for a in getattr(resource, "aliases", []) or []],
    }


def encode_payload(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, allow_nan=False, separators=(",", ":")).encode()


def decode_payload(data: bytes) -> RenderPayload:
    """The child's bytes as a render, or :class:`BadPayload`."""
    try:
        raw = json.loads(data)
        return RenderPayload.model_validate(raw)
    except (ValueError, RecursionError) as exc:
        reason = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else type(exc).__name__
        raise BadPayload(f"the render sent a malformed result ({reason})") from None


def _alias_fields(alias: dict[str, Any]) -> dict[str, Any]:
    """An alias as the child sent it, checked field by field (text, and one flag)."""
    known = {f.name for f in dataclasses.fields(AliasSpec)}
    out = {k: v for k, v in alias.items() if k in known}
    if not all(isinstance(v, bool if k == "no_parent" else str) for k, v in out.items()):
        raise BadPayload("the render sent a malformed alias")
    return out


def resources_of(render: WireRender) -> list[RegisteredResource]:
    """The gate's own objects, unknowns marked with ``UNKNOWN``."""
    out = []
    for r in render.resources:
        resource = RegisteredResource(
            type=r.type,
            name=r.name,
            urn=r.urn,
            id=r.id,
            inputs=decode_value(r.inputs),
            outputs=decode_value(r.outputs),
            parent=r.parent,
            custom=r.custom,
            dependencies=r.dependencies,
            property_dependencies=r.property_dependencies,
            protect=r.protect,
            retain_on_delete=r.retain_on_delete,
            delete_before_replace=r.delete_before_replace,
            ignore_changes=r.ignore_changes,
            replace_on_changes=r.replace_on_changes,
            provider=r.provider,
            read=r.read,
            aliases=[AliasSpec(**_alias_fields(a)) for a in r.aliases],
        )
        out.append(resource)
    return out
