"""The README's table of what each policy sees is true: every field a check reads is in it.

Every check runs on every case and on every corpus program with props that record which fields
are read; a field read on a resource type must be declared for that type in the policy's
``sees`` (the identifiers by which references are followed excepted: ``links.IDENTIFIER_KEYS``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from guardrails import GUARDRAILS
from guardrails.adapters import RESOURCE_CHECKS, STACK_CHECKS
from guardrails.links import IDENTIFIER_KEYS
from guardrails.meta import ANY_TYPE
from guardrails.resource import Resource
from guardrails.settings import effective_config
from tests.policies.cases import RESOURCE_CASES, STACK_CASES
from tests.policies.conftest import FakeResource
from tests.policies.corpus.programs import PROGRAMS
from tests.policies.test_corpus import rendered
from tests.policies.test_stack_policies import plain
from tooling.policy_docs import SEES_BEGIN, SEES_END, sees_table


class Recording(dict[str, Any]):
    """Props that remember which of their (top-level) fields were read."""

    def __init__(self, data: dict[str, Any], reads: set[str]) -> None:
        super().__init__(data)
        self.reads = reads

    def __getitem__(self, key: str) -> Any:
        self.reads.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.reads.add(str(key))
        return super().__contains__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.reads.add(key)
        return super().get(key, default)


def declared(policy: str, type_: str) -> set[str]:
    fields = {
        field.split(".")[0].split("[")[0]
        for seen in GUARDRAILS[policy].sees
        if type_ in seen.types or ANY_TYPE in seen.types
        for field in seen.fields
    }
    return fields | set(IDENTIFIER_KEYS)


def recorded(resources: list[Resource]) -> tuple[list[Resource], dict[str, set[str]]]:
    reads: dict[str, set[str]] = {}
    for resource in resources:
        resource.props = Recording(resource.props, reads.setdefault(resource.urn, set()))
    return resources, reads


def stacks() -> Iterable[list[Resource]]:
    for case in STACK_CASES:
        yield plain(case.good())
        yield plain(case.bad())
    for case in RESOURCE_CASES:
        for props, type_ in ((case.good, case.type), (case.bad, case.bad_kind)):
            yield plain([FakeResource(type_, "case", props)])
    for name in PROGRAMS:
        yield plain(rendered(name, "update"))  # type: ignore[arg-type]


def undeclared_reads(policy: str) -> set[tuple[str, str]]:
    config = effective_config(GUARDRAILS[policy], None)
    extra: set[tuple[str, str]] = set()
    for stack in stacks():
        resources, reads = recorded(stack)
        if policy in STACK_CHECKS:
            STACK_CHECKS[policy](resources, config)
        else:
            types, check = RESOURCE_CHECKS[policy]
            for resource in resources:
                if resource.type in types or ANY_TYPE in types:
                    check(resource, config)
        for resource in resources:
            extra |= {
                (resource.type, f) for f in reads[resource.urn] - declared(policy, resource.type)
            }
    return extra


@pytest.mark.parametrize("policy", sorted({*RESOURCE_CHECKS, *STACK_CHECKS}))
def test_every_field_a_check_reads_is_in_the_table(policy: str) -> None:
    assert undeclared_reads(policy) == set()


def test_every_policy_says_what_it_sees_and_resource_policies_see_their_types() -> None:
    for name, guardrail in GUARDRAILS.items():
        assert guardrail.sees, name
        assert all(seen.types and seen.fields for seen in guardrail.sees), name
    for name, (types, _) in RESOURCE_CHECKS.items():
        seen = {t for s in GUARDRAILS[name].sees for t in s.types}
        assert types <= seen, name


def test_the_table_has_a_row_per_policy_in_the_readme() -> None:
    table = sees_table()
    assert table.startswith(SEES_BEGIN) and table.endswith(SEES_END)
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == list(GUARDRAILS)
    (tls,) = [row for row in rows if row.startswith("| `alb-tls-policy-allowed`")]
    assert (
        tls
        == "| `alb-tls-policy-allowed` | `aws.alb.Listener`, `aws.lb.Listener`: `protocol`, `sslPolicy` |"
    )
