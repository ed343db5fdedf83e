"""The bootstrap stack's configuration (namespace ``bootstrap``), validated before anything is built.

| key                         | default                                   | meaning                                                        |
|-----------------------------|-------------------------------------------|----------------------------------------------------------------|
| `accountId`                 | required                                  | the AWS account this stack is for; any other stops the program |
| `costCenter`                | required                                  | `cost-center` tag                                              |
| `team`                      | `security`                                | `team` tag                                                     |
| `namePrefix`                | `alb-serving`                             | prefix of the bucket, key aliases, roles and policies         |
| `repository`                | `acme/alb-serving-platform`               | the GitHub `<owner>/<repo>` whose workflows may assume the roles |
| `environments`              | `[dev, staging, prod]`                    | one deploy role, KMS key and GitHub environment per entry      |
| `stateBucket`               | `<namePrefix>-pulumi-state-<account>-<region>` | the state bucket's name (S3 names are global)              |
| `stateVersionRetentionDays` | `90`                                      | how long a replaced state file's old versions are kept        |
| `keyDeletionWindowDays`     | `30`                                      | KMS waiting period before a scheduled key deletion (7-30)      |
| `oidcProviderArn`           | none: created                             | an existing GitHub OIDC provider (an account has one per URL)  |

The state bucket's name and the backend URL are functions of this config alone, so ``make
bootstrap`` knows where to look for the state before it runs anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from shared.config import StackConfigModel, load_config
from shared.environments import ENVIRONMENTS
from shared.tagging import REPO

NAMESPACE = "bootstrap"
STACK_NAME = "bootstrap"
"""The one stack of this project in each AWS account."""
GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class BootstrapConfig(StackConfigModel):
    account_id: str = Field(pattern=r"^\d{12}$")
    cost_center: str = Field(min_length=1)
    team: str = "security"
    name_prefix: str = Field(default="alb-serving", pattern=r"^[a-z][a-z0-9-]{1,18}[a-z0-9]$")
    repository: str = Field(default=REPO, pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    environments: list[str] = Field(default_factory=lambda: list(ENVIRONMENTS), min_length=1)
    state_bucket: str | None = None
    state_version_retention_days: int = Field(default=90, ge=1, le=3650)
    key_deletion_window_days: int = Field(default=30, ge=7, le=30)
    oidc_provider_arn: str | None = Field(
        default=None,
        pattern=rf"^arn:aws[a-z-]*:iam::\d{{12}}:oidc-provider/{re.escape(GITHUB_OIDC_HOST)}$",
    )

    @field_validator("environments")
    @classmethod
    def _environments(cls, value: list[str]) -> list[str]:
        for env in value:
            if env not in ENVIRONMENTS:
                raise ValueError(
                    f"{env!r} is not an env (expected some of: {', '.join(ENVIRONMENTS)})"
                )
        if len(set(value)) != len(value):
            raise ValueError("an env is listed twice")
        return value

    @field_validator("state_bucket")
    @classmethod
    def _bucket(cls, value: str | None) -> str | None:
        if value is not None and (not _BUCKET.match(value) or ".." in value):
            raise ValueError("not a valid S3 bucket name (3-63 of a-z 0-9 . -)")
        return value

    def bucket_name(self, region: str) -> str:
        return self.state_bucket or f"{self.name_prefix}-pulumi-state-{self.account_id}-{region}"

    def backend_url(self, region: str) -> str:
        """The ``PULUMI_BACKEND_URL`` of the state bucket."""
        return f"s3://{self.bucket_name(region)}?region={region}"

    def key_alias(self, env: str) -> str:
        return f"alias/{self.name_prefix}-pulumi-{env}"

    def secrets_provider(self, env: str, region: str) -> str:
        """The ``--secrets-provider`` for ``env``'s stacks: its KMS key, by alias."""
        return f"awskms://{self.key_alias(env)}?region={region}"

    def deploy_role_name(self, env: str) -> str:
        return f"{self.name_prefix}-deploy-{env}"

    @property
    def preview_role_name(self) -> str:
        return f"{self.name_prefix}-preview"

    def subject(self, env: str | None) -> str:
        """The OIDC ``sub`` GitHub gives a job in ``env``'s environment (None: a pull request)."""
        if env is None:
            return f"repo:{self.repository}:pull_request"
        return f"repo:{self.repository}:environment:{env}"


def load_bootstrap_config(
    config: Mapping[str, Any] | None = None, stack: str | None = None
) -> BootstrapConfig:
    return load_config(BootstrapConfig, NAMESPACE, config=config, stack=stack)
