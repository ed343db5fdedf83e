"""Fixtures shared by every test folder."""

from __future__ import annotations

import pytest

from tooling.mock_runtime import FakeAwsAccount


@pytest.fixture
def account() -> FakeAwsAccount:
    """A fresh fake AWS account (eu-west-1, 3 AZs, default + tagged VPC, 3 instances)."""
    return FakeAwsAccount()
