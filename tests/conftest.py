"""Fixtures shared by every test folder."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import botocore.loaders
import botocore.session
import pytest

from tooling.mock_runtime import FakeAwsAccount


@pytest.fixture
def account() -> FakeAwsAccount:
    """A fresh fake AWS account (eu-west-1, 3 AZs, default + tagged VPC, 3 instances)."""
    return FakeAwsAccount()


@pytest.fixture(scope="session", autouse=True)
def one_botocore_loader() -> Iterator[None]:
    """One botocore data loader for every boto3 session a test process makes: the tools make a
    session per run (as they should), and each would parse the service models again (EC2's is
    megabytes of JSON), which was a third of a moto test's time. The models are read-only data."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            botocore.session, "create_loader", functools.cache(botocore.loaders.create_loader)
        )
        yield
