"""The serving stack: typed config -> network contract -> placement checks -> components -> outputs."""

import pulumi
import pulumi_aws as aws

from serving_stack.config import load_serving_config
from serving_stack.outputs import export_outputs
from serving_stack.placement import place
from serving_stack.serving_layer import ModelServingLayer, ServingLayerArgs
from shared.contract import default_network_stack_name, read_network_contract
from shared.tagging import register_tagging, standard_tags

env = pulumi.get_stack()
config = load_serving_config()
register_tagging(
    standard_tags(
        team=config.team, env=env, stack=pulumi.get_project(), cost_center=config.cost_center
    )
)
contract = read_network_contract(
    config.network_stack or default_network_stack_name(env, pulumi.get_organization())
)
placement = place(config, contract, env)
layer = ModelServingLayer(
    "serving",
    ServingLayerArgs(
        env=env,
        config=config,
        contract=contract,
        placement=placement,
        region=aws.get_region().region,
        account_id=aws.get_caller_identity().account_id,
    ),
)
export_outputs(config, env, placement, layer)
