"""Checkov on the rendered stacks: ``make compliance`` (and ``tests/compliance``).

Checkov reads Terraform plans, not Pulumi programs; pulumi-aws is bridged from the Terraform
provider, so a render converts to a Terraform plan JSON (``terraform_plan.py``: resource types by
table, camelCase inputs to the provider's snake_case, nested objects to blocks, links from the
engine's property dependencies). Checkov runs from its own virtual environment (``.venv-checkov``,
made by ``make setup`` from ``requirements-checkov.lock``: its pins conflict with ours), and every
finding is either fixed or listed, with its reason, in ``accepted.py`` (and the README).
"""
