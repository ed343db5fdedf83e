"""References that say one thing by dependency and another by value.

An input that came from another resource (``bucket=log_bucket.bucket``) carries a property
dependency on it. A program can keep the dependency and change the value
(``log_bucket.bucket.apply(lambda _: "someone-elses-bucket")``): a check that trusted the dependency
would then credit the side resource to the wrong bucket. Every reference the guardrails follow
(:data:`guardrails.links.LINKS`) must name the resource it depends on.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails.adapters import stack_policy
from guardrails.findings import Finding, Unverified
from guardrails.links import LINKS, identifier
from guardrails.meta import Guardrail, sees
from guardrails.resource import Resource

LINKS_CONSISTENT = Guardrail(
    name="resource-links-consistent",
    description="An input that depends on another resource names that resource (its ARN, id or name), not something else.",
    severity=Severity.HIGH,
    controls=("guardrail integrity",),
    remediation="Pass the other resource's own output (bucket=log_bucket.bucket, loadBalancerArn=alb.arn) instead of a value computed from it.",
    sees=tuple(sees(s.sources, s.prop) for s in LINKS),
)


def check_links(resources: list[Resource], _: dict[str, Any]) -> list[tuple[Resource, Finding]]:
    found: list[tuple[Resource, Finding]] = []
    for spec in LINKS:
        for source in resources:
            if source.type not in spec.sources:
                continue
            link = spec.follow(source, resources)
            found += [
                (
                    source,
                    Unverified(
                        f"the {spec.key} of {target.name}, which {source.name}.{spec.prop} depends on"
                    ),
                )
                for target in link.uncompared
            ]
            for target in link.mismatched:
                shown = ", ".join(str(v) for v in spec.values(source))
                found.append(
                    (
                        source,
                        f"{source.name}.{spec.prop} depends on {target.name} but names {shown}, "
                        f"not {target.name}'s {spec.key} {identifier(target, spec.key)}",
                    )
                )
    return found


POLICIES = [stack_policy(LINKS_CONSISTENT, check_links)]
GUARDRAILS = [LINKS_CONSISTENT]
