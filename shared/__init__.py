"""Code shared by the network and serving stacks, the policy pack, the tooling and the tests.

Modules, one concern each:

- :mod:`shared.environments` - the deployment environments (dev, staging, prod).
- :mod:`shared.stacks` - the stack registry: folders, owners and which stack references which.
- :mod:`shared.config` - typed, validated stack configuration (pydantic) with one-line errors.
- :mod:`shared.naming` - physical names within AWS length limits, env in every name.
- :mod:`shared.tagging` - the required tags and the stack transformation that applies them.
- :mod:`shared.contract` - the network -> serving contract (stack outputs), defined once.
- :mod:`shared.serving_outputs` - the serving stack's outputs, read by `make verify`.
- :mod:`shared.cidrs` - CIDR blocks as AWS reads them, and whether a set of them reaches the world.
- :mod:`shared.aws_values` - the values AWS enumerates (log retention, TLS policies, instance types).
- :mod:`shared.buckets` - what every S3 bucket gets (no public access, no ACLs, SSE-S3, TLS only).
- :mod:`shared.errors` - one line of an error.
- :mod:`shared.sync_wait` - the one synchronous wait for a value while a program runs.
"""
