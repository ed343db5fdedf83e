"""The deployment environments. A stack's name is its environment's name."""

from __future__ import annotations

from typing import Literal, get_args

Environment = Literal["dev", "staging", "prod"]
ENVIRONMENTS: tuple[Environment, ...] = get_args(Environment)
PRODUCTION: Environment = "prod"


def parse_environment(value: str) -> Environment:
    """Return ``value`` as an :data:`Environment`, or raise ``ValueError`` listing the valid ones."""
    for env in ENVIRONMENTS:
        if value == env:
            return env
    raise ValueError(f"unknown environment {value!r}; expected one of: {', '.join(ENVIRONMENTS)}")


def is_production(env: str) -> bool:
    return env == PRODUCTION
