"""Which old resource each new registration would update, the way the engine decides it.

A refactor that moves a resource (a new parent component, say) changes its URN; an alias tells the
engine the old URN, and children inherit their parent's alias. This mirrors the engine's step
generator (``pkg/resource/deploy/step_generator.go``: ``generateAliases``, ``collapseAliasToUrn``,
``inheritedChildAlias``), so tests can prove offline that a deployed stack sees no replacement.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class AliasSpec:
    """One ``aliases=`` entry as the engine receives it: a whole URN, or parts of one."""

    urn: str = ""
    name: str = ""
    type: str = ""
    parent_urn: str = ""
    no_parent: bool = False
    stack: str = ""
    project: str = ""


def _qualified_type(urn: str) -> str:
    return urn.split("::")[2]


def _name(urn: str) -> str:
    return urn.split("::", 3)[3]


def _is_root(urn: str) -> bool:
    return _qualified_type(urn).split("$")[-1] == ROOT_STACK_TYPE


def create_urn(name: str, type_: str, parent: str, *, stack: str, project: str) -> str:
    """``resource.CreateURN``: the URN of ``type_::name`` under ``parent`` ("" or the root: top level)."""
    if not parent or _is_root(parent):
        return f"urn:pulumi:{stack}::{project}::{type_}::{name}"
    return f"{parent[: parent.rindex('::')]}${type_}::{name}"


def _collapse(
    spec: AliasSpec, resource: tuple[str, str, str], aliased: dict[str, str], where: tuple[str, str]
) -> str:
    name, type_, parent = resource
    if spec.urn:
        return spec.urn
    alias_parent = spec.parent_urn or parent
    if spec.parent_urn and spec.parent_urn in aliased:
        alias_parent = aliased[spec.parent_urn]
    if spec.no_parent:
        alias_parent = ""
    stack, project = where
    return create_urn(
        spec.name or name,
        spec.type or type_,
        alias_parent,
        stack=spec.stack or stack,
        project=spec.project or project,
    )


def _inherited(type_: str, name: str, parent_name: str, parent_alias: str) -> str:
    """A child's alias under its parent's old URN (a ``<parent>-x`` name follows a renamed parent)."""
    alias_name = name
    if name.startswith(parent_name):
        alias_name = _name(parent_alias) + name[len(parent_name) :]
    return f"{parent_alias[: parent_alias.rindex('::')]}${type_}::{alias_name}"


def match_old_urns(
    registrations: Sequence[tuple[str, str, str, str, Sequence[AliasSpec]]],
    old_urns: Collection[str],
    *,
    stack: str,
    project: str,
) -> dict[str, str]:
    """New URN -> the old URN it takes over (its own, or the first alias found in ``old_urns``).

    ``registrations`` are ``(urn, type, name, parent, aliases)`` in registration order (parents
    first, as the SDK sends them). A registration missing from the result is a create.
    """
    aliased: dict[str, str] = {}
    matched: dict[str, str] = {}
    for urn, type_, name, parent, specs in registrations:
        candidates = [urn]
        collapsed = [_collapse(s, (name, type_, parent), aliased, (stack, project)) for s in specs]
        candidates += collapsed
        if parent in aliased:
            parent_alias = aliased[parent]
            parent_name = _name(parent)
            candidates.append(_inherited(type_, name, parent_name, parent_alias))
            candidates += [
                _inherited(_qualified_type(c).split("$")[-1], _name(c), parent_name, parent_alias)
                for c in collapsed
            ]
        for candidate in candidates:
            if candidate in old_urns:
                matched[urn] = candidate
                if candidate != urn:
                    aliased[urn] = candidate
                break
    return matched
