"""The network stack's modules: config model, VPC look-up, VPC creation."""
