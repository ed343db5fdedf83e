"""The policy pack: assembles the guardrails. Policies live in ``guardrails/``, one module per area."""

from pulumi_policy import EnforcementLevel, PolicyPack

from guardrails import PACK_NAME, POLICIES

PolicyPack(name=PACK_NAME, enforcement_level=EnforcementLevel.ADVISORY, policies=POLICIES)
