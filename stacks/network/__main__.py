"""The network stack: load typed config -> look up or create the VPC -> export the contract."""

import pulumi

from network_stack.build import build_network
from network_stack.config import load_network_config
from shared.contract import export_contract
from shared.tagging import register_tagging, standard_tags

config = load_network_config()
register_tagging(
    standard_tags(
        team=config.team,
        env=pulumi.get_stack(),
        stack=pulumi.get_project(),
        cost_center=config.cost_center,
    )
)
network = build_network(config)
export_contract(
    vpc_id=network.vpc_id,
    vpc_cidr=network.vpc_cidr,
    availability_zones=network.availability_zones,
    public_subnet_ids=network.public_subnet_ids,
    private_subnet_ids=network.private_subnet_ids,
)
