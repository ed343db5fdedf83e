"""The private SDK function behind ``shared.sync_wait``: a test that fails loudly when it changes."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from shared import sync_wait


def test_the_sdk_still_has_the_function_with_its_signature() -> None:
    from pulumi.runtime import sync_await

    assert inspect.signature(sync_await._sync_await).parameters.keys() == {"awaitable"}
    assert sync_wait.sdk_wait_function() is sync_await._sync_await


def test_it_waits_for_a_value_on_the_loop() -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:

        async def answer() -> int:
            await asyncio.sleep(0)
            return 42

        assert sync_wait.wait_now(answer()) == 42
    finally:
        loop.close()
        asyncio.set_event_loop(None)


def test_a_changed_sdk_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_wait, "_SDK_WAIT", lambda awaitable, timeout: None)
    with pytest.raises(
        RuntimeError, match=r"_sync_await\(awaitable\) changed .* shared/sync_wait.py"
    ):
        sync_wait.sdk_wait_function()
