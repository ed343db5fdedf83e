"""The stack registry: the one place that knows the stacks, their owners and their references.

Deploy order, destroy order, the offline plan and the CI matrix are all derived from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class StackSpec:
    name: str
    """Pulumi project name and folder name under ``stacks/``."""
    owner: str
    """GitHub team that owns the stack (see CODEOWNERS)."""
    references: tuple[str, ...] = ()
    """Stacks whose outputs this stack reads through a StackReference."""

    @property
    def directory(self) -> Path:
        return REPO_ROOT / "stacks" / self.name

    def config_file(self, env: str) -> Path:
        return self.directory / f"Pulumi.{env}.yaml"


STACKS: dict[str, StackSpec] = {
    spec.name: spec
    for spec in (
        StackSpec(name="network", owner="@acme/network-team"),
        StackSpec(name="serving", owner="@acme/ml-platform-team", references=("network",)),
    )
}


ACCOUNT_STACK = "bootstrap"
"""The stack name of a per-account project (there is one such stack in each AWS account)."""
ACCOUNT_STACKS: dict[str, StackSpec] = {
    spec.name: spec for spec in (StackSpec(name="bootstrap", owner="@acme/security-team"),)
}
"""Projects with one stack per AWS account, named ``bootstrap``, created first and once by
``make bootstrap`` (state bucket, KMS keys, deploy roles); never part of an env's deploy order."""


def spec_of(name: str) -> StackSpec:
    """The spec of any project, per-env or per-account."""
    return STACKS[name] if name in STACKS else ACCOUNT_STACKS[name]


def stack_names() -> tuple[str, ...]:
    return tuple(STACKS)


def deploy_order(selected: str = "all") -> list[StackSpec]:
    """Stacks in dependency order (referenced stacks first), restricted to ``selected``.

    ``selected`` is a stack name or ``"all"``; an unknown name raises ``ValueError`` listing the valid ones.
    """
    graph = {name: set(spec.references) for name, spec in STACKS.items()}
    ordered = [STACKS[name] for name in TopologicalSorter(graph).static_order()]
    if selected == "all":
        return ordered
    if selected not in STACKS:
        valid = ", ".join((*STACKS, "all"))
        raise ValueError(f"unknown stack {selected!r}; expected one of: {valid}")
    return [STACKS[selected]]


def destroy_order(selected: str = "all") -> list[StackSpec]:
    """Reverse of :func:`deploy_order`: dependants are destroyed before what they reference."""
    return list(reversed(deploy_order(selected)))


def dependants(name: str) -> list[StackSpec]:
    """Stacks that reference ``name``."""
    return [spec for spec in STACKS.values() if name in spec.references]
