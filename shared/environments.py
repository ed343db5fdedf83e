"""The deployment environments and what each one promises. A stack's name is its environment's name.

:func:`profile` is the one place that decides what is different in prod: code asks the profile
(``profile(env).protect``), never ``env == "prod"``.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class EnvironmentProfile:
    """What an environment promises, read by the stacks (and by the tools that check them)."""

    name: str
    protect: bool
    """Resources that carry traffic or hold data are ``protect``ed (a destroy needs an unprotect
    first) and the log bucket is retained on delete."""
    deletion_protection: bool
    """The ALB's own deletion protection, unless the stack's config says otherwise."""
    min_targets_per_az: int
    """Targets every model keeps in every AZ of the ALB: losing an AZ leaves each model served."""
    log_retention_days: int
    """Default retention of CloudWatch log groups (a value CloudWatch Logs accepts)."""


_PROD = EnvironmentProfile(
    name=PRODUCTION,
    protect=True,
    deletion_protection=True,
    min_targets_per_az=1,
    log_retention_days=365,
)


def profile(env: str) -> EnvironmentProfile:
    """The profile of ``env``; every stack name other than prod (dev, staging, local) is relaxed."""
    if is_production(env):
        return _PROD
    return EnvironmentProfile(
        name=env,
        protect=False,
        deletion_protection=False,
        min_targets_per_az=0,
        log_retention_days=30,
    )
