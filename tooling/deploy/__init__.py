"""The deploy driver behind ``make preview|deploy|refresh|destroy|outputs|drift``: the real Pulumi
CLI path.

Stacks run in dependency order from ``shared.stacks`` (destroy in reverse), each with the policy
pack and its env's config; every selected stack's config is validated and its secrets-provider
lines checked before anything changes; state goes to a local file backend unless
``PULUMI_BACKEND_URL`` says otherwise; prod deploys and refreshes ask for confirmation (before a
stack is even created) and prod destroys need ``CONFIRM=prod``. Every ``pulumi`` call goes through
:mod:`tooling.pulumi_cli` (time limits, signals, locks, redaction).
"""
