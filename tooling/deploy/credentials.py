"""Is there an AWS identity to deploy with, and whose is it?

:func:`has_aws_credentials` is the cheap check every run makes: boto3's own credential chain
(environment, profile and SSO cache, web identity, container, instance metadata bounded to one
1-second attempt), without an API call. :func:`caller_identity` asks STS who that is; a prod deploy
on a terminal names the account before it asks for confirmation.
"""

from __future__ import annotations

from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tooling.deploy.errors import DeployError

NO_CREDENTIALS = (
    "no AWS credentials found: run `aws sso login` / set AWS_PROFILE or AWS_ACCESS_KEY_ID "
    "(CI: the OIDC role)"
)


def _session() -> botocore.session.Session:
    """botocore's own session (what boto3's wraps): the driver starts without boto3's import."""
    core = botocore.session.Session()
    core.set_config_variable("metadata_service_timeout", 1)
    core.set_config_variable("metadata_service_num_attempts", 1)
    return core


def has_aws_credentials() -> bool:
    """True if boto3 finds credentials; a broken AWS config is a one-line :class:`DeployError`."""
    try:
        return _session().get_credentials() is not None
    except BotoCoreError as error:
        raise DeployError(f"AWS credentials: {error}") from None


def caller_identity() -> str:
    """``account 210987654321 (arn:aws:sts::…)`` from STS; invalid or expired credentials: one line."""
    try:
        # botocore's clients are generated at run time: typed as Any, like boto3's.
        sts: Any = _session().create_client(
            "sts", config=Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 2})
        )
        identity = sts.get_caller_identity()
    except ClientError as error:
        detail = error.response.get("Error", {})
        raise DeployError(
            f"AWS credentials rejected by STS: {detail.get('Code')}: {detail.get('Message')}"
        ) from None
    except BotoCoreError as error:
        raise DeployError(f"AWS credentials: {error}") from None
    return f"account {identity['Account']} ({identity['Arn']})"
