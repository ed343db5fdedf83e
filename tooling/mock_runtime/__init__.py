"""Render a stack program under Pulumi's mock runtime, against a realistic fake AWS account.

Used by the tests (``tests/``) and by the offline plan gate (``make plan``)::

    from tooling.mock_runtime import FakeAwsAccount, render

    result = render("serving", "prod", stack_outputs={"organization/network/prod": {...}})
    alb = result.one("aws:lb/loadBalancer:LoadBalancer")
    assert alb.inputs["dropInvalidHeaderFields"] is True
"""

from tooling.mock_runtime.account import FakeAwsAccount, fake_id
from tooling.mock_runtime.render import (
    RegisteredResource,
    Rendered,
    RenderError,
    load_stack_config,
    render,
)

__all__ = [
    "FakeAwsAccount",
    "RegisteredResource",
    "RenderError",
    "Rendered",
    "fake_id",
    "load_stack_config",
    "render",
]
