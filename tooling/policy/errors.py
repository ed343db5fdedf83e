"""The one error the policy client raises."""

from __future__ import annotations


class PolicyPackError(Exception):
    """The pack did not start or failed a call, or its config is invalid. The message is one line."""
