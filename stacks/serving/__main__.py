"""The serving stack: typed config -> network contract -> checks -> components -> outputs.

Everything that can be wrong is checked before the first resource is registered: the config (its
model), the network contract (its StackReference), ARNs against the region and account, each
model's targets against the ALB's AZs (its backend's placement), and the listener rules'
priorities.
"""

import pulumi
import pulumi_aws as aws

from serving_stack.config import load_serving_config
from serving_stack.outputs import export_outputs
from serving_stack.placement import check_arns, place
from serving_stack.routing import plan_routes
from serving_stack.serving_layer import ModelServingLayer, ServingLayerArgs
from shared.contract import default_network_stack_name, read_network_contract
from shared.environments import profile
from shared.tagging import register_tagging, standard_tags

env = pulumi.get_stack()
env_profile = profile(env)
config = load_serving_config()
register_tagging(
    standard_tags(
        team=config.team, env=env, stack=pulumi.get_project(), cost_center=config.cost_center
    )
)
contract = read_network_contract(
    config.network_stack or default_network_stack_name(env, pulumi.get_organization())
)
region = aws.get_region().region
account_id = aws.get_caller_identity().account_id
check_arns(config, region, account_id)
placement = place(config, contract, env_profile)
routes = plan_routes(config.models)
layer = ModelServingLayer(
    "serving",
    ServingLayerArgs(
        env=env,
        profile=env_profile,
        config=config,
        contract=contract,
        placement=placement,
        routes=routes,
        region=region,
        account_id=account_id,
    ),
)
export_outputs(config, env_profile, placement, layer, region)
