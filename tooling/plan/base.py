"""The revision a plan diff compares with (``--base REF``): its ``stacks/`` and ``shared/``, extracted.

``git archive`` of the two folders into a temporary directory (nothing in the repository or its
worktrees changes; a killed gate leaves only a temp folder). A stack x env is rendered again for
the base only when something it reads differs: its own folder (its program, ``Pulumi.yaml`` and
that env's ``Pulumi.<env>.yaml``; not other envs' files), ``shared/``, or a ``--config``/
``--program`` given for the change; otherwise the base's render is the change's.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shared.environments import ENVIRONMENTS
from shared.errors import first_line
from shared.stacks import REPO_ROOT

FOLDERS = ("stacks", "shared")


class BaseError(Exception):
    """The base revision cannot be had; the message is one line."""


@dataclass(frozen=True)
class BaseTree:
    root: Path
    label: str
    """How the report names it: ``origin/main (3f2a1bc)``, or the folder."""


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", "-C", str(REPO_ROOT), *args],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


@contextlib.contextmanager
def extracted(ref: str) -> Iterator[BaseTree]:
    """``ref``'s ``stacks/`` and ``shared/`` in a temporary folder, for the duration."""
    if ref.startswith("-"):
        raise BaseError(f"--base {ref!r}: not a git revision")
    try:
        found = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BaseError(f"--base {ref}: git failed ({first_line(exc)})") from None
    if found.returncode != 0:
        raise BaseError(f"--base {ref!r}: not a commit in {REPO_ROOT}")
    commit = found.stdout.decode().strip()
    archive = _git("archive", "--format=tar", commit, "--", *FOLDERS)
    if archive.returncode != 0:
        message = first_line(archive.stderr.decode(errors="replace") or "no output")
        raise BaseError(f"--base {ref}: git archive failed ({message})")
    with tempfile.TemporaryDirectory(prefix="plan-base-") as folder:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(folder, filter="data")
        yield BaseTree(root=Path(folder), label=f"{ref} ({commit[:7]})")


def _files(folder: Path, skip: set[str]) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    out = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if not path.is_file() or "__pycache__" in relative or relative in skip:
            continue
        out[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def inputs_digest(root: Path, stack: str, env: str) -> dict[str, dict[str, str]]:
    """Every file a render of ``stack``/``env`` from ``root`` reads (by content)."""
    other_envs = {f"Pulumi.{e}.yaml" for e in (*ENVIRONMENTS, "local") if e != env}
    return {
        "stack": _files(root / "stacks" / stack, other_envs),
        "shared": _files(root / "shared", set()),
    }


def differs(base: BaseTree, stack: str, env: str) -> bool:
    return inputs_digest(base.root, stack, env) != inputs_digest(REPO_ROOT, stack, env)
