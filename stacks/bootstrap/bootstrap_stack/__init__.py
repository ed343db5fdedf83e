"""The bootstrap stack's modules: config, the permissions table, policy documents, components."""
