"""The one place that waits for a Pulumi value *now*, synchronously, while a program runs.

The serving program must read and validate the network contract before it registers anything, so
that a broken contract stops it with one line instead of half a deployment. The SDK has no public
synchronous API for that; it does it itself for synchronous invokes with the private
``pulumi.runtime.sync_await._sync_await`` (which pumps the running event loop). That function is
used only here, pinned with the SDK version; ``tests/shared/test_sync_wait.py`` fails loudly if an
SDK upgrade moves or changes it.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

T = TypeVar("T")

try:
    from pulumi.runtime import sync_await as _sdk
except ImportError as exc:  # pragma: no cover - only with an SDK that dropped the module
    raise ImportError(
        "pulumi.runtime.sync_await is gone from this pulumi SDK: shared/sync_wait.py needs a new way "
        "to wait for a value synchronously (see its docstring)"
    ) from exc

_SDK_WAIT: Callable[[Awaitable[Any]], Any] | None = getattr(_sdk, "_sync_await", None)


def sdk_wait_function() -> Callable[[Awaitable[Any]], Any]:
    """The SDK function this module relies on, or a one-line error naming what changed."""
    if _SDK_WAIT is None or list(inspect.signature(_SDK_WAIT).parameters) != ["awaitable"]:
        raise RuntimeError(
            "pulumi.runtime.sync_await._sync_await(awaitable) changed in this pulumi SDK: "
            "update shared/sync_wait.py before upgrading"
        )
    return _SDK_WAIT


def wait_now(awaitable: Awaitable[T]) -> T:
    """The value of ``awaitable``, waited for on the program's event loop."""
    return cast(T, sdk_wait_function()(awaitable))
