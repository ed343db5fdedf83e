"""The bootstrap stack rendered under the mock runtime, and its policy documents."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bootstrap_stack.config import STACK_NAME
from bootstrap_stack.policies import Target, deploy_documents, preview_documents
from tooling.mock_runtime import Rendered, render
from tooling.mock_runtime.account import FakeAwsAccount

ACCOUNT = FakeAwsAccount().account_id
REGION = FakeAwsAccount().region
BUCKET_ARN = f"arn:aws:s3:::alb-serving-pulumi-state-{ACCOUNT}-{REGION}"
ENVS = ("dev", "staging", "prod")


def config(**extra: Any) -> dict[str, str]:
    """A minimal bootstrap config (not the committed file's values)."""
    base: dict[str, Any] = {
        "aws:region": REGION,
        "bootstrap:accountId": ACCOUNT,
        "bootstrap:costCenter": "security-test",
    }
    base.update(extra)
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in base.items()}


def bootstrap(**extra: Any) -> Rendered:
    return render("bootstrap", STACK_NAME, config=config(**extra))


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    return bootstrap()


def target(env: str) -> Target:
    return Target(partition="aws", region=REGION, account=ACCOUNT, env=env)


def deploy(env: str) -> dict[str, dict[str, Any]]:
    return deploy_documents(target(env), BUCKET_ARN)


def preview() -> dict[str, dict[str, Any]]:
    return preview_documents(target("*"), BUCKET_ARN)


def document(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else value
