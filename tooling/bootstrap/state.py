"""Where the bootstrap stack's state is, and how it gets into the bucket it creates.

The state starts in the local file backend (``.pulumi-state/``, git-ignored and never cleaned),
because the bucket does not exist yet, and ends in that bucket. Every step can be interrupted
and re-run; :func:`locate` decides from both backends what is left to do:

| in the bucket | local      | what is left                                                       |
|---------------|------------|--------------------------------------------------------------------|
| no stack      | none       | create the stack locally (``pulumi up``), then move it             |
| no stack      | N resources| finish the local update (``pulumi up`` is idempotent), then move it |
| 0 resources   | N > 0      | the move stopped before the import: import again, from local        |
| M > 0         | N != M     | two different copies: stop, the bucket's is the one in use          |
| N resources   | N          | the move stopped before the local copy was removed: remove it       |
| N resources   | none       | moved: preview (``--expect-no-changes``) or, with UPDATE=1, update   |

The move is ``pulumi stack export`` (local), ``stack select --create`` and ``stack import``
(bucket), a check that both now hold the same number of resources, then ``stack rm --force
--preserve-config`` of the local copy, so there is one state only. A bucket that does not exist
yet is an answer; any other failure to read it stops the run with the CLI's own error.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shared.stacks import ACCOUNT_STACK, ACCOUNT_STACKS, REPO_ROOT
from tooling.deploy.errors import INTERRUPTED, DeployError
from tooling.deploy.stack_state import resource_count
from tooling.pulumi_cli import Interrupted, PulumiCli

SPEC = ACCOUNT_STACKS["bootstrap"]
NO_BUCKET = ("NoSuchBucket", "bucket does not exist")
"""How the S3 backend says the bucket is not there yet (AWS's error code, in the CLI's error)."""
PASSPHRASE = "passphrase"
"""The bootstrap stack's own secrets: a passphrase (the KMS keys are for the env stacks only)."""
NO_CHANGES_EXPECTED = 7
"""``pulumi preview --expect-no-changes`` exits 7 when it finds changes."""
PENDING = 3
"""``make bootstrap`` exits 3 when the stack in the bucket has changes to apply."""


@dataclass(frozen=True)
class Backends:
    local: PulumiCli
    remote: PulumiCli
    remote_url: str
    policy_args: tuple[str, ...]
    interactive: bool


@dataclass(frozen=True)
class Location:
    remote: int | None
    """Resources of the stack in the bucket; None: no stack (or no bucket) yet."""
    local: int | None


def run(cli: PulumiCli, args: Sequence[str], where: str) -> None:
    """One pulumi command in the stack's folder; a failure stops the run with its exit code."""
    what = " ".join(args[:2]) if args[0] == "stack" else args[0]
    print(f"bootstrap: [{where}] pulumi {' '.join(args)}", flush=True)
    try:
        code = cli.run(list(args), SPEC.directory, label=f"bootstrap ({where})").code
    except Interrupted as stopped:
        raise DeployError(
            f"interrupted; pulumi {what} stopped (exit {stopped.code}); re-run make bootstrap to resume",
            code=INTERRUPTED,
        ) from None
    if code:
        raise DeployError(f"pulumi {what} ({where}) failed (exit {code}); stopping", code=code)


def remote_count(backends: Backends) -> int | None:
    captured = backends.remote.capture(
        ["stack", "ls", "--json"], SPEC.directory, label="bootstrap (state bucket)"
    )
    if captured.code != 0:
        if any(marker in captured.stderr for marker in NO_BUCKET):
            return None
        raise DeployError(
            f"cannot read the state bucket ({backends.remote_url}): {captured.error_line}",
            code=captured.code,
        )
    try:
        listing = json.loads(captured.stdout or "[]")
    except json.JSONDecodeError:
        raise DeployError("pulumi stack ls --json (state bucket) did not print JSON") from None
    for entry in listing if isinstance(listing, list) else []:
        if isinstance(entry, dict) and str(entry.get("name", "")).split("/")[-1] == ACCOUNT_STACK:
            return int(entry.get("resourceCount") or 0)
    return None


def locate(backends: Backends) -> Location:
    return Location(
        remote=remote_count(backends), local=resource_count(backends.local, SPEC, ACCOUNT_STACK)
    )


def create_locally(backends: Backends) -> None:
    """Create (or finish creating) the stack in the local file backend."""
    run(
        backends.local,
        ["stack", "select", ACCOUNT_STACK, "--create", "--secrets-provider", PASSPHRASE],
        "local",
    )
    confirm = [] if backends.interactive else ["--yes", "--non-interactive"]
    run(backends.local, ["up", "--stack", ACCOUNT_STACK, *backends.policy_args, *confirm], "local")


def move(backends: Backends) -> None:
    """Copy the local state into the bucket, check it, then remove the local copy."""
    scratch = REPO_ROOT / "build" / "bootstrap"
    scratch.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix="state-", suffix=".json", dir=scratch)
    os.close(descriptor)  # mkstemp's file is private to this user (0600)
    path = Path(name)
    try:
        run(
            backends.local,
            ["stack", "export", "--stack", ACCOUNT_STACK, "--file", str(path)],
            "local",
        )
        run(
            backends.remote,
            ["stack", "select", ACCOUNT_STACK, "--create", "--secrets-provider", PASSPHRASE],
            "bucket",
        )
        run(
            backends.remote,
            ["stack", "import", "--stack", ACCOUNT_STACK, "--file", str(path)],
            "bucket",
        )
    finally:
        path.unlink(missing_ok=True)
    remove_local_copy(backends)


def remove_local_copy(backends: Backends) -> None:
    """Only once the bucket holds as many resources as the local copy (the state is kept once)."""
    where = locate(backends)
    if where.remote is None or where.remote != where.local:
        raise DeployError(
            f"after the import the bucket holds {where.remote} resources and the local state "
            f"{where.local}; the local state is kept (.pulumi-state/): re-run make bootstrap"
        )
    run(
        backends.local,
        ["stack", "rm", "--stack", ACCOUNT_STACK, "--yes", "--force", "--preserve-config"],
        "local",
    )


def converge(backends: Backends, *, update: bool) -> None:
    """The stack is in the bucket: show that nothing changes, or (``update``) apply the changes."""
    if update:
        confirm = [] if backends.interactive else ["--yes", "--non-interactive"]
        run(
            backends.remote,
            ["up", "--stack", ACCOUNT_STACK, *backends.policy_args, *confirm],
            "bucket",
        )
        return
    args = ["preview", "--stack", ACCOUNT_STACK, "--expect-no-changes", *backends.policy_args]
    print(f"bootstrap: [bucket] pulumi {' '.join(args)}", flush=True)
    code = backends.remote.run(args, SPEC.directory, label="bootstrap (bucket)").code
    if code == NO_CHANGES_EXPECTED:
        raise DeployError(
            "the bootstrap stack has changes to apply (the preview above): review them, "
            "then make bootstrap UPDATE=1",
            code=PENDING,
        )
    if code:
        raise DeployError(f"pulumi preview (bucket) failed (exit {code}); stopping", code=code)


def bring_up(backends: Backends, *, update: bool) -> None:
    """Whatever is left to do (see the module's table)."""
    where = locate(backends)
    if where.remote is None:
        print("bootstrap: the state bucket has no bootstrap stack yet: creating it locally first")
        create_locally(backends)
        move(backends)
    elif where.local is not None and where.remote == 0 and where.local > 0:
        print("bootstrap: an earlier move stopped before the import: importing again")
        move(backends)
    elif where.local is not None and where.local != where.remote:
        # Never overwrite the bucket's state, which is the one in use, with another copy.
        raise DeployError(
            f"both the state bucket ({where.remote} resources) and .pulumi-state/ ({where.local}) "
            "hold a bootstrap stack: the bucket's is the one in use; check the local copy, remove "
            "it (cd stacks/bootstrap && PULUMI_BACKEND_URL=file://$PWD/../../.pulumi-state "
            "pulumi stack rm bootstrap --force --preserve-config), re-run"
        )
    elif where.local is not None:
        print("bootstrap: an earlier move stopped before the local copy was removed: removing it")
        remove_local_copy(backends)
    else:
        print("bootstrap: the bootstrap stack is in the state bucket")
        converge(backends, update=update)
