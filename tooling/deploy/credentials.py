"""Is there an AWS identity to deploy with? Asked of boto3's credential chain, without an API call."""

from __future__ import annotations

import os

import boto3


def has_aws_credentials() -> bool:
    """True if boto3 finds credentials (env vars, profile, SSO cache, web identity, container, IMDS).

    The instance-metadata look-up is bounded (1 s, one attempt) so that a laptop does not hang.
    """
    os.environ.setdefault("AWS_METADATA_SERVICE_TIMEOUT", "1")
    os.environ.setdefault("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "1")
    return boto3.session.Session().get_credentials() is not None
