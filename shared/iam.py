"""IAM documents both stacks write, as JSON text (no invoke needed, so previews know them)."""

from __future__ import annotations

import json


def assume_role_policy(service: str) -> str:
    """A trust policy that lets ``service`` (e.g. ``ec2.amazonaws.com``) assume the role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )
