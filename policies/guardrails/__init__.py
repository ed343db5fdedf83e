"""The guardrails of the ALB serving platform, one module per area.

``POLICIES`` is what ``policies/__main__.py`` puts in the pack; ``GUARDRAILS`` describes each policy
(name, description, severity, controls, remediation, what it sees) for reports and the README.
``preview-unverified`` comes last: it reports what every other policy could not judge.
"""

from __future__ import annotations

from guardrails import (
    autoscaling,
    bucket,
    compute,
    iam,
    integrity,
    inventory,
    kms,
    listener,
    load_balancer,
    security_group,
    state_bucket,
    tags,
    target_group,
    unverified,
)
from guardrails.meta import Guardrail

PACK_NAME = "alb-serving-guardrails"
_AREAS = (
    load_balancer,
    listener,
    target_group,
    security_group,
    bucket,
    tags,
    autoscaling,
    compute,
    inventory,
    integrity,
    iam,  # the bootstrap stack's trust roots
    kms,
    state_bucket,
    unverified,
)

POLICIES = [policy for area in _AREAS for policy in area.POLICIES]
GUARDRAILS: dict[str, Guardrail] = {g.name: g for area in _AREAS for g in area.GUARDRAILS}

__all__ = ["GUARDRAILS", "PACK_NAME", "POLICIES"]
