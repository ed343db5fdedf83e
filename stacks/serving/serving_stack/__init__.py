"""The serving stack's modules: config, routing, security groups, load balancer, targets, alarms."""
