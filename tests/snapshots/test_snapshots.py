"""Every stack x env of ``tests/fixtures/stacks`` renders what its snapshot recorded: each old
resource is taken over by exactly one new registration (by its URN, or an alias the engine would
follow), with the same type, inputs, links and options; anything else new is a component without
cloud state. So a deployed stack sees no replacement it did not ask for.

An intended change regenerates the snapshots (``python -m tests.snapshots.snapshot``) and the diff
is reviewed with the code.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.snapshots.snapshot import CASES, render_case, snapshot_of, snapshot_path
from tooling.mock_runtime import Rendered
from tooling.mock_runtime.aliases import AliasSpec, match_old_urns


def _differences(old: Any, new: Any, path: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new)):
            where = f"{path}.{key}" if path else key
            if key not in new:
                out.append(f"{where}: removed")
            elif key not in old:
                out.append(f"{where}: added")
            else:
                out += _differences(old[key], new[key], where)
        return out
    return [] if old == new else [f"{path}: {json.dumps(old)[:120]} -> {json.dumps(new)[:120]}"]


def _in_old_terms(entry: dict[str, Any], to_old: dict[str, str]) -> dict[str, Any]:
    """A new snapshot entry with every URN it links to named as the old state names it."""

    def rename(urns: list[str]) -> list[str]:
        return sorted(to_old.get(u, u) for u in urns)

    entry = dict(entry)
    entry.pop("parent")  # a move is what aliases are for; the old parent is in the alias
    entry["dependencies"] = rename(entry["dependencies"])
    entry["property_dependencies"] = {
        key: rename(urns) for key, urns in entry["property_dependencies"].items()
    }
    return entry


def compare(expected: dict[str, Any], rendered: Rendered) -> list[str]:
    """What differs between a snapshot and a render, in the engine's terms; empty if nothing."""
    old = expected["resources"]
    actual = snapshot_of(rendered)["resources"]
    registrations = [(r.urn, r.type, r.name, r.parent, r.aliases) for r in rendered.resources]
    to_old = match_old_urns(registrations, set(old), stack=rendered.env, project=rendered.project)
    problems: list[str] = []
    taken: dict[str, str] = {}
    for new_urn, old_urn in to_old.items():
        if old_urn in taken:
            problems.append(f"{old_urn}: claimed by {taken[old_urn]} and {new_urn}")
        taken[old_urn] = new_urn
    problems += [f"replaced or deleted: {u}" for u in sorted(set(old) - set(taken))]
    components = {r.urn for r in rendered.resources if not r.custom}
    problems += [f"created: {u}" for u in sorted(set(actual) - set(to_old)) if u not in components]
    for new_urn, old_urn in sorted(to_old.items(), key=lambda pair: pair[1]):
        before = dict(old[old_urn])
        before.pop("parent")
        problems += [
            f"{old_urn}: {line}"
            for line in _differences(before, _in_old_terms(actual[new_urn], to_old))
        ]
    return problems


@pytest.mark.parametrize(("stack", "env"), CASES, ids=[f"{s}-{e}" for s, e in CASES])
def test_render_matches_its_snapshot(stack: str, env: str) -> None:
    expected = json.loads(snapshot_path(stack, env).read_text())
    problems = compare(expected, render_case(stack, env))
    assert not problems, "\n".join(problems[:40])


def test_a_moved_resource_without_an_alias_is_a_replacement() -> None:
    """The check itself: the engine's alias rules, on a parent swap with and without an alias."""
    stack, project = "prod", "serving"
    top = "urn:pulumi:prod::serving::pulumi:pulumi:Stack::serving-prod"
    layer = "urn:pulumi:prod::serving::acme:Layer::serving"
    old_alb = "urn:pulumi:prod::serving::acme:Layer$aws:lb:LB::alb"
    old_tg = "urn:pulumi:prod::serving::acme:Layer$aws:lb:LB$aws:lb:TG::tg"
    door = "urn:pulumi:prod::serving::acme:Layer$acme:Door::door"
    new_alb = "urn:pulumi:prod::serving::acme:Layer$acme:Door$aws:lb:LB::alb"
    new_tg = "urn:pulumi:prod::serving::acme:Layer$acme:Door$aws:lb:LB$aws:lb:TG::tg"
    old = {layer, old_alb, old_tg}

    def registrations(alias: list[AliasSpec]) -> list[tuple[str, str, str, str, list[AliasSpec]]]:
        return [
            (layer, "acme:Layer", "serving", top, []),
            (door, "acme:Door", "door", layer, []),
            (new_alb, "aws:lb:LB", "alb", door, alias),
            (new_tg, "aws:lb:TG", "tg", new_alb, []),
        ]

    with_alias = match_old_urns(
        registrations([AliasSpec(parent_urn=layer)]), old, stack=stack, project=project
    )
    assert with_alias == {layer: layer, new_alb: old_alb, new_tg: old_tg}
    assert match_old_urns(registrations([]), old, stack=stack, project=project) == {layer: layer}
