"""Build the account's bootstrap: state bucket, OIDC provider, roles, then the keys that name them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from bootstrap_stack.config import BootstrapConfig
from bootstrap_stack.github_oidc import (
    GitHubRole,
    GitHubRoleArgs,
    github_oidc_provider,
    provider_arn,
    role_arn,
)
from bootstrap_stack.policies import (
    Target,
    deploy_documents,
    key_policy,
    preview_documents,
    trust_policy,
)
from bootstrap_stack.secrets_keys import SecretsKey, SecretsKeyArgs
from bootstrap_stack.state_bucket import StateBucket, StateBucketArgs


@dataclass(frozen=True)
class Where:
    """The account and region the stack runs in (checked against the config first)."""

    partition: str
    region: str
    account: str


@dataclass
class Bootstrap:
    """What the settings are made of (``outputs.py``)."""

    backend_url: str
    state_bucket: str
    oidc_provider_arn: str
    preview_role_arn: str
    deploy_role_arns: dict[str, str] = field(default_factory=dict)
    secrets_providers: dict[str, str] = field(default_factory=dict)
    key_arns: dict[str, pulumi.Output[str]] = field(default_factory=dict)


def build_bootstrap(cfg: BootstrapConfig, where: Where) -> Bootstrap:
    bucket = StateBucket(
        "state",
        StateBucketArgs(
            bucket_name=cfg.bucket_name(where.region),
            partition=where.partition,
            version_retention_days=cfg.state_version_retention_days,
        ),
    )
    provider = github_oidc_provider("github", cfg.oidc_provider_arn)
    oidc_arn = cfg.oidc_provider_arn or provider_arn(where.partition, where.account)
    result = Bootstrap(
        backend_url=cfg.backend_url(where.region),
        state_bucket=cfg.bucket_name(where.region),
        oidc_provider_arn=oidc_arn,
        preview_role_arn=role_arn(where.partition, where.account, cfg.preview_role_name),
    )
    preview = GitHubRole(
        "preview",
        GitHubRoleArgs(
            role_name=cfg.preview_role_name,
            description=f"Pull request previews of {cfg.repository} (read-only)",
            trust_policy=trust_policy(oidc_arn, cfg.subject(None)),
            documents=preview_documents(_target(where, "*"), bucket.arn),
            provider=provider,
        ),
    )
    for env in cfg.environments:
        _deploy_env(cfg, where, env, _Shared(bucket, provider, preview), result)
    return result


@dataclass(frozen=True)
class _Shared:
    """What every env's role and key refer to."""

    bucket: StateBucket
    provider: pulumi.Resource | None
    preview: GitHubRole


def _target(where: Where, env: str) -> Target:
    return Target(partition=where.partition, region=where.region, account=where.account, env=env)


def _deploy_env(
    cfg: BootstrapConfig, where: Where, env: str, shared: _Shared, result: Bootstrap
) -> None:
    """One env: its deploy role, then its KMS key (whose policy names the role)."""
    name = cfg.deploy_role_name(env)
    deploy = GitHubRole(
        f"deploy-{env}",
        GitHubRoleArgs(
            role_name=name,
            description=f"Deploys of {cfg.repository} to {env}",
            trust_policy=trust_policy(result.oidc_provider_arn, cfg.subject(env)),
            documents=deploy_documents(_target(where, env), shared.bucket.arn),
            provider=shared.provider,
        ),
    )
    arn = role_arn(where.partition, where.account, name)
    key = SecretsKey(
        f"secrets-{env}",
        SecretsKeyArgs(
            env=env,
            alias=cfg.key_alias(env),
            policy=key_policy(
                f"arn:{where.partition}:iam::{where.account}:root", arn, result.preview_role_arn
            ),
            deletion_window_days=cfg.key_deletion_window_days,
            depends_on=(deploy.role, shared.preview.role),
        ),
    )
    result.deploy_role_arns[env] = arn
    result.secrets_providers[env] = cfg.secrets_provider(env, where.region)
    result.key_arns[env] = key.key.arn
