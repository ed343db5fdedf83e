"""Physical names: ``<app>-<env>-<part>...``, lower-case, within the AWS limit of the resource.

A name that would exceed its limit is shortened deterministically: the tail is replaced by a short
hash of the full name, so two long names never collide and the env always stays in the name.
"""

from __future__ import annotations

import hashlib
import re

# Hard limits from the AWS APIs for the names this repository sets.
MAX_LEN = {
    "alb": 32,  # elbv2 load balancer name
    "target_group": 32,  # elbv2 target group name
    "s3_bucket": 63,
    "security_group": 255,
    "iam_role": 64,
    "launch_template": 128,
    "autoscaling_group": 255,
    "alarm": 255,
    "default": 63,
}

_INVALID = re.compile(r"[^a-z0-9-]+")


def slug(text: str) -> str:
    """Lower-case, ``[a-z0-9-]`` only, no doubled or edge hyphens."""
    return _INVALID.sub("-", text.lower()).strip("-").replace("--", "-")


def physical_name(app: str, env: str, *parts: str, kind: str = "default", reserve: int = 0) -> str:
    """``app-env-part...`` within the length limit of ``kind`` minus ``reserve`` characters.

    ``reserve`` leaves room for a suffix added later (e.g. a random suffix Pulumi appends so that a
    replacement can be created before the old resource is deleted).
    """
    limit = MAX_LEN[kind] - reserve
    if limit < 12:
        raise ValueError(f"name limit {limit} is too small for {kind!r}")
    full = "-".join(slug(p) for p in (app, env, *parts) if p)
    if len(full) <= limit:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:6]
    head = "-".join(slug(p) for p in (app, env) if p)
    # Keep app-env, then as much of the rest as fits, then the hash.
    rest = "-".join(slug(p) for p in parts if p)
    room = limit - len(head) - len(digest) - 2
    if room <= 0:
        return f"{head[: limit - len(digest) - 1].rstrip('-')}-{digest}"
    return f"{head}-{rest[:room].rstrip('-')}-{digest}"
