"""The bootstrap stack: typed config -> the account check -> state bucket, OIDC roles, KMS keys."""

import pulumi
import pulumi_aws as aws

from bootstrap_stack.build import Where, build_bootstrap
from bootstrap_stack.config import NAMESPACE, load_bootstrap_config
from bootstrap_stack.outputs import export_outputs
from shared.config import config_error
from shared.tagging import register_tagging, standard_tags

config = load_bootstrap_config()
identity = aws.get_caller_identity()
if identity.account_id != config.account_id:
    # Wrong credentials must not build an account's trust roots somewhere else.
    raise config_error(
        f"{NAMESPACE}:accountId",
        config.account_id,
        f"the AWS credentials are for account {identity.account_id} ({identity.arn})",
    )
register_tagging(
    standard_tags(
        team=config.team,
        env=pulumi.get_stack(),
        stack=pulumi.get_project(),
        cost_center=config.cost_center,
    )
)
where = Where(
    partition=aws.get_partition().partition,
    region=aws.get_region().region,
    account=config.account_id,
)
export_outputs(build_bootstrap(config, where), where)
