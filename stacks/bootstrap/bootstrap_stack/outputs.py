"""The stack's outputs: what ``make bootstrap`` prints and writes for the repository's settings.

| output              | what                                                          | GitHub setting                       |
|---------------------|---------------------------------------------------------------|--------------------------------------|
| `backend_url`       | `s3://<bucket>?region=<region>`                               | variable `PULUMI_BACKEND_URL`        |
| `preview_role`      | the read-only role for pull requests                          | variables `AWS_PREVIEW_ROLE_<env>`   |
| `deploy_roles`      | env -> its deploy role                                        | environment `<env>`: `AWS_DEPLOY_ROLE` |
| `secrets_providers` | env -> `awskms://alias/<prefix>-pulumi-<env>?region=<region>` | environment `<env>`: `SECRETS_PROVIDER` |
| `state_bucket`, `oidc_provider_arn`, `key_arns`, `account_id`, `region` | for reference |  |
"""

from __future__ import annotations

import pulumi

from bootstrap_stack.build import Bootstrap, Where

SETTINGS_OUTPUTS = ("backend_url", "preview_role", "deploy_roles", "secrets_providers")


def export_outputs(result: Bootstrap, where: Where) -> None:
    pulumi.export("account_id", where.account)
    pulumi.export("region", where.region)
    pulumi.export("backend_url", result.backend_url)
    pulumi.export("state_bucket", result.state_bucket)
    pulumi.export("oidc_provider_arn", result.oidc_provider_arn)
    pulumi.export("preview_role", result.preview_role_arn)
    pulumi.export("deploy_roles", result.deploy_role_arns)
    pulumi.export("secrets_providers", result.secrets_providers)
    pulumi.export("key_arns", result.key_arns)
