"""The SDK modules the stacks use, imported once by the gate so every render child has them free.

``pulumi_aws`` loads its service modules lazily (``aws.lb`` on first use), and one service module
costs up to ~0.6 s. The modules are found in the programs' source (``aws.<service>`` and
``pulumi_aws.<service>``), so a new service used by a stack is preloaded without a list to keep.
``make bench`` imports the same modules in a bare process: the floor the plan is measured against.
"""

from __future__ import annotations

import importlib
import re
import types
from collections.abc import Iterable
from pathlib import Path

_USE = re.compile(r"\b(?:aws|pulumi_aws)\.([a-z][a-z0-9_]*)\b")
_FROM = re.compile(r"^\s*from\s+pulumi_aws\s+import\s+\(?([\w\s,]+)\)?", re.MULTILINE)


def sdk_modules(folders: Iterable[Path]) -> list[str]:
    """``pulumi_aws.<service>`` modules named in the Python files under ``folders``."""
    import pulumi_aws

    names: set[str] = set()
    for folder in folders:
        files = [folder] if folder.is_file() else folder.rglob("*.py")
        for path in files:
            try:
                text = path.read_text(errors="replace")
            except OSError:
                continue
            names.update(_USE.findall(text))
            for group in _FROM.findall(text):
                names.update(n.strip() for n in group.split(",") if n.strip())
    return sorted(
        f"pulumi_aws.{name}"
        for name in names
        if isinstance(getattr(pulumi_aws, name, None), types.ModuleType)
    )


def load(modules: Iterable[str]) -> None:
    """Import ``modules`` for real (an attribute read ends the SDK's lazy loading)."""
    for name in modules:
        module = importlib.import_module(name)
        getattr(module, "__all__", None)


def is_loaded(name: str) -> bool:
    import sys

    module = sys.modules.get(name)
    return module is not None and type(module) is types.ModuleType
