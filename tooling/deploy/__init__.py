"""The deploy driver behind ``make preview|deploy|refresh|destroy|outputs``: the real Pulumi CLI path.

Stacks run in dependency order from ``shared.stacks`` (destroy in reverse), each with the policy
pack and its env's config; state goes to a local file backend unless ``PULUMI_BACKEND_URL`` says
otherwise; prod deploys ask for confirmation and prod destroys need ``CONFIRM=prod``.
"""
