"""The interpreter the recording stand-ins (``tests/*/bin/pulumi``, ``#!/usr/bin/env python3``) run on."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def interpreter_dir(folder: Path) -> Path:
    """``folder/python3``, a link to this test run's interpreter, for PATH right after a stand-in's
    folder: each call of the stand-in then starts that interpreter directly, not whatever
    ``python3`` comes first on PATH (a version manager's shim, e.g. pyenv's, costs ~0.1 s a call)."""
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "python3"
    if not link.exists():
        link.symlink_to(sys.executable)
    return folder


def stand_in_path(stand_ins: Path, scratch: Path) -> str:
    """PATH with the stand-ins' folder first and this run's interpreter (linked in ``scratch``)
    next, then the test process's own PATH."""
    return f"{stand_ins}:{interpreter_dir(scratch / 'python')}:{os.environ['PATH']}"
