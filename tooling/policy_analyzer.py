"""Compatibility path: the policy client now lives in :mod:`tooling.policy` (one module per concern).

New code imports from ``tooling.policy`` (or its modules); this keeps ``from tooling.policy_analyzer
import PolicyPackAnalyzer, UNKNOWN, ...`` working for existing callers.
"""

from tooling.policy import *  # noqa: F403
from tooling.policy import __all__  # noqa: F401 (re-exported)
