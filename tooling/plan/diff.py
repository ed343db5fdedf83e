"""What a change does to one stack x env: the base revision's preview against the change's.

Resources are matched by URN, or by an alias the new one declares (a refactor that keeps a
resource). A resource whose URN changed without an alias is replaced (same type and name, e.g. a
new parent), as the engine would. A changed input that the provider cannot update in place, or
one the resource lists in ``replaceOnChanges``, replaces it; any other change is in place. Inputs
are compared as wire paths (``defaultActions[0].forward.targetGroups[1].weight``); a value that
is unknown on both sides is compared by the resources it comes from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from tooling.mock_runtime import RegisteredResource
from tooling.mock_runtime.aliases import match_old_urns
from tooling.mock_runtime.render import KNOWN_AFTER_DEPLOY
from tooling.plan.fields import PROTECT, is_key_field, replaces, top_level
from tooling.plan.report import PropertyChange, ResourceChange
from tooling.policy.wire import is_unknown

_MISSING = object()
_ORDER = {"remove": 0, "replace": 1, "change": 2, "add": 3}


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf values by wire path; an empty object or list is a leaf of its own."""
    if is_unknown(value):
        return {prefix: KNOWN_AFTER_DEPLOY}
    if isinstance(value, Mapping) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list | tuple) and value:
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def _managed(resources: Sequence[RegisteredResource]) -> dict[str, RegisteredResource]:
    return {r.urn: r for r in resources if r.custom and not r.read}


def _names(urns: Sequence[str]) -> str:
    return ", ".join(sorted(urn.rpartition("::")[2] for urn in urns)) or "-"


def property_changes(
    old: RegisteredResource, new: RegisteredResource, moved: Mapping[str, str]
) -> list[PropertyChange]:
    """Each changed leaf of ``new``'s inputs (and its ``protect`` option), key fields first."""
    before, after = flatten(old.inputs), flatten(new.inputs)
    before[PROTECT], after[PROTECT] = old.protect, new.protect
    changes = []
    for path in sorted(set(before) | set(after)):
        was, now = before.get(path, _MISSING), after.get(path, _MISSING)
        if was == now == KNOWN_AFTER_DEPLOY:
            # Both unknown: the same value only if computed from the same resources.
            prop = top_level(path)
            was_from = sorted(moved.get(u, u) for u in old.property_dependencies.get(prop, []))
            now_from = sorted(new.property_dependencies.get(prop, []))
            if was_from == now_from:
                continue
            was, now = f"(from {_names(was_from)})", f"(from {_names(now_from)})"
        elif was == now:
            continue
        changes.append(
            PropertyChange(
                path=path,
                old=None if was is _MISSING else was,
                new=None if now is _MISSING else now,
                key=is_key_field(new.type, path),
                replaces=replaces(new.type, path, new.replace_on_changes),
            )
        )
    return sorted(changes, key=lambda c: (not c.replaces, not c.key, c.path))


def _pairs(
    base: dict[str, RegisteredResource], head: dict[str, RegisteredResource]
) -> dict[str, str]:
    """head URN -> base URN for resources that moved under an alias (the engine's matching)."""
    if not head:
        return {}
    stack, project = (
        next(iter(head)).split("::")[0].removeprefix("urn:pulumi:"),
        next(iter(head)).split("::")[1],
    )
    registrations = [(r.urn, r.type, r.name, r.parent, r.aliases) for r in head.values()]
    matched = match_old_urns(registrations, set(base), stack=stack, project=project)
    return {new: old for new, old in matched.items() if new != old and new not in base}


MAX_RENAME_DIFFERENCES = 3
"""A removed and an added resource of one type and parent that differ in this few inputs are one
resource under a new name (a name derived from a value: a CIDR, a port), replaced."""


MAX_RENAME_PAIRS = 10_000


def _renamed(
    gone: dict[str, RegisteredResource], added: dict[str, RegisteredResource]
) -> list[tuple[str, str, str]]:
    """(old URN, new URN, why) for resources the change replaces by giving them a new URN."""
    pairs: list[tuple[str, str, str]] = []
    taken: set[str] = set()
    for urn, resource in added.items():
        same = next(
            (
                u
                for u, r in gone.items()
                if u not in taken and (r.type, r.name) == (resource.type, resource.name)
            ),
            None,
        )
        if same is not None:
            pairs.append(
                (same, urn, "its URN changed (a new parent or project) and no alias keeps it")
            )
            taken.add(same)
            continue
        candidates = [
            u for u, r in gone.items()
            if u not in taken and r.type == resource.type and r.parent == resource.parent
        ]  # fmt: skip
        if len(candidates) * len(added) > MAX_RENAME_PAIRS:
            continue  # a rewrite, not a rename: shown as removed and added
        near = sorted((len(property_changes(gone[u], resource, {})), u) for u in candidates)
        if near and near[0][0] <= MAX_RENAME_DIFFERENCES:
            pairs.append((near[0][1], urn, "a new name: the old one is deleted, this one created"))
            taken.add(near[0][1])
    return pairs


def _one_sided(action: Literal["add", "remove"], resource: RegisteredResource) -> ResourceChange:
    """An added or removed resource, with the values of its key fields."""
    values = flatten(resource.inputs)
    properties = [
        PropertyChange(
            path=path,
            old=value if action == "remove" else None,
            new=value if action == "add" else None,
            key=True,
        )
        for path, value in sorted(values.items())
        if is_key_field(resource.type, path)
    ]
    return ResourceChange(
        action=action,
        type=resource.type,
        name=resource.name,
        urn=resource.urn,
        properties=properties,
    )


def diff_resources(
    base: Sequence[RegisteredResource], head: Sequence[RegisteredResource]
) -> list[ResourceChange]:
    """The changes that take ``base``'s resources to ``head``'s."""
    old, new = _managed(base), _managed(head)
    moved = _pairs(old, new)
    old_of = {urn: urn for urn in new if urn in old} | moved
    new_of_old = {o: n for n, o in moved.items()}
    changes: list[ResourceChange] = []
    for urn, resource in new.items():
        base_urn = old_of.get(urn)
        if base_urn is None:
            continue
        props = property_changes(old[base_urn], resource, new_of_old)
        if props:
            triggers = [p.path for p in props if p.replaces]
            changes.append(
                ResourceChange(
                    action="replace" if triggers else "change",
                    type=resource.type,
                    name=resource.name,
                    urn=urn,
                    old_urn=base_urn if base_urn != urn else None,
                    reason=f"{', '.join(triggers)} cannot change in place" if triggers else "",
                    properties=props,
                )
            )
    gone = {u: r for u, r in old.items() if u not in old_of.values()}
    added = {u: r for u, r in new.items() if u not in old_of}
    for base_urn, urn, reason in _renamed(gone, added):
        resource = added.pop(urn)
        changes.append(
            ResourceChange(
                action="replace",
                type=resource.type,
                name=resource.name,
                urn=urn,
                old_urn=base_urn,
                reason=reason,
                properties=property_changes(gone.pop(base_urn), resource, new_of_old),
            )
        )
    changes += [_one_sided("add", resource) for resource in added.values()]
    changes += [_one_sided("remove", resource) for resource in gone.values()]
    return sorted(changes, key=lambda c: (_ORDER[c.action], c.type, c.name))
