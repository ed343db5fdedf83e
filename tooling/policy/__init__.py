"""The policy pack from Python: its process and gRPC client, its config, its results.

- ``client``: :class:`PolicyPackAnalyzer`, the engine's Analyzer protocol over gRPC;
- ``process`` (+ ``launcher``): the pack's child process, started in two steps, always stopped;
- ``config``: ``--policy-pack-config`` reconciled and validated as the CLI does, and the one
  enforcement-level resolver (:func:`resolve_level`);
- ``results``: policies and verdicts; ``wire``: values as the engine encodes them, one
  :data:`UNKNOWN` marker (the guardrails' own).
"""

from tooling.policy.client import PACK_DIR, PolicyPackAnalyzer
from tooling.policy.config import (
    ENFORCEMENT_LEVEL_KEY,
    PolicySettings,
    load_pack_config,
    merge_config,
    resolve_level,
)
from tooling.policy.errors import PolicyPackError
from tooling.policy.results import Analysis, Diagnostic, NotApplicable, PolicyDescription
from tooling.policy.wire import (
    LEVEL_NAMES,
    LEVELS,
    SEVERITY_NAMES,
    UNKNOWN,
    UNKNOWN_SENTINEL,
    AnalyzableResource,
    encode_value,
    provider_resource,
    to_struct,
)

__all__ = [
    "ENFORCEMENT_LEVEL_KEY",
    "LEVELS",
    "LEVEL_NAMES",
    "PACK_DIR",
    "SEVERITY_NAMES",
    "UNKNOWN",
    "UNKNOWN_SENTINEL",
    "Analysis",
    "AnalyzableResource",
    "Diagnostic",
    "NotApplicable",
    "PolicyDescription",
    "PolicyPackAnalyzer",
    "PolicyPackError",
    "PolicySettings",
    "encode_value",
    "load_pack_config",
    "merge_config",
    "provider_resource",
    "resolve_level",
    "to_struct",
]
