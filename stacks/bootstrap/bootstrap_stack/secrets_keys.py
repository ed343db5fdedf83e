"""``SecretsKey``: one env's KMS key for Pulumi secrets (``awskms://alias/<prefix>-pulumi-<env>``).

One key per env, so that a dev deploy role can never decrypt a prod stack's data key (which a
stack created from a workstation commits in ``Pulumi.prod.yaml``). Rotation on; ``protect``ed and
retained on delete, with the longest waiting period: a deleted key makes every secret of its
env unreadable. The key policy (``policies.key_policy``) names the roles, which must exist first:
KMS rejects a policy whose principals it cannot resolve.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class SecretsKeyArgs:
    env: str
    alias: str
    policy: dict[str, Any]
    deletion_window_days: int = 30
    depends_on: tuple[pulumi.Resource, ...] = ()
    """The roles the policy names."""


class SecretsKey(pulumi.ComponentResource):
    key: aws.kms.Key

    def __init__(
        self, name: str, args: SecretsKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("acme:bootstrap:SecretsKey", name, None, opts)
        self.key = aws.kms.Key(
            name,
            description=f"Pulumi secrets of the {args.env} stacks",
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            enable_key_rotation=True,
            rotation_period_in_days=365,
            deletion_window_in_days=args.deletion_window_days,
            policy=json.dumps(args.policy),
            tags={"Name": args.alias.removeprefix("alias/"), "secrets-of": args.env},
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=True,
                retain_on_delete=True,
                depends_on=list(args.depends_on),
            ),
        )
        aws.kms.Alias(
            name,
            name=args.alias,
            target_key_id=self.key.key_id,
            opts=pulumi.ResourceOptions(parent=self.key),
        )
        self.register_outputs({"key_arn": self.key.arn})
