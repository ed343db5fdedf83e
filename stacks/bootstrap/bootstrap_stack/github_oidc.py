"""The GitHub OIDC provider and the roles GitHub Actions may assume with it.

- ``DeployRole``: one per env, trusted only for jobs running in that env's GitHub environment of
  this repository (``repo:<owner>/<repo>:environment:<env>``; required reviewers on ``prod`` gate
  it), with the managed policies ``policies.deploy_documents`` builds for that env;
- ``PreviewRole``: pull requests of this repository (``repo:<owner>/<repo>:pull_request``), reads
  only. A fork's pull request gets no OIDC token, and a fork's workflow run carries its own
  repository in ``sub``, so neither matches.

The provider's and the roles' ARNs are computed from their names, so every trust and key policy
is known in a preview (the policy pack judges it there); each role depends on the provider.
Pulumi-aws 7.x needs no thumbprint: IAM validates GitHub's certificate against its own CAs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from bootstrap_stack.config import GITHUB_OIDC_HOST, GITHUB_OIDC_URL, STS_AUDIENCE

MAX_SESSION_SECONDS = 3600


def provider_arn(partition: str, account: str) -> str:
    return f"arn:{partition}:iam::{account}:oidc-provider/{GITHUB_OIDC_HOST}"


def role_arn(partition: str, account: str, name: str) -> str:
    return f"arn:{partition}:iam::{account}:role/{name}"


def github_oidc_provider(name: str, existing_arn: str | None) -> pulumi.Resource | None:
    """The account's GitHub provider (one per URL per account), unless it already exists."""
    if existing_arn is not None:
        return None
    return aws.iam.OpenIdConnectProvider(
        name,
        url=GITHUB_OIDC_URL,
        client_id_lists=[STS_AUDIENCE],
        tags={"Name": GITHUB_OIDC_HOST},
    )


@dataclass(frozen=True)
class GitHubRoleArgs:
    role_name: str
    description: str
    trust_policy: dict[str, Any]
    documents: dict[str, dict[str, Any]]
    """Family -> policy document; each a managed policy named ``<role>-<family>``."""
    provider: pulumi.Resource | None


class GitHubRole(pulumi.ComponentResource):
    role: aws.iam.Role

    def __init__(
        self, name: str, args: GitHubRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("acme:bootstrap:GitHubRole", name, None, opts)
        self.role = aws.iam.Role(
            name,
            name=args.role_name,
            description=args.description,
            assume_role_policy=json.dumps(args.trust_policy),
            max_session_duration=MAX_SESSION_SECONDS,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[args.provider] if args.provider else None
            ),
        )
        for family, document in args.documents.items():
            policy = aws.iam.Policy(
                f"{name}-{family}",
                name=f"{args.role_name}-{family}",
                description=f"{args.description}: {family}",
                policy=json.dumps(document),
                opts=pulumi.ResourceOptions(parent=self.role),
            )
            aws.iam.RolePolicyAttachment(
                f"{name}-{family}",
                role=self.role.name,
                policy_arn=policy.arn,
                opts=pulumi.ResourceOptions(parent=policy),
            )
        self.register_outputs({"arn": self.role.arn})
