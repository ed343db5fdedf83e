"""The one way every tool talks to the ``pulumi`` executable (deploy, verify, drift; rollout and
bootstrap later): :class:`PulumiCli`.

What every call gets, so no tool has to remember it:

- **argv lists only** (never a shell), the stack's folder as working directory, stdin ``/dev/null``:
  the CLI never prompts (callers pass ``--yes`` and ask the human themselves), so it never touches
  the terminal's modes and may run outside its process group.
- **Its own session.** A terminal's Ctrl-C or hang-up reaches pulumi once, through us, never twice
  (a second SIGINT is pulumi's "terminate now") and never as a SIGHUP, which pulumi does not catch.
- **Signals.** While a command runs, SIGINT, SIGTERM and SIGHUP to this process are forwarded as one
  SIGINT, pulumi's "cancel cleanly" (finish in-flight operations, save the state, release the lock),
  and we wait for it. A second signal is forwarded as pulumi's second SIGINT ("terminate now"), a
  third kills its process group. If this process is killed anyway (SIGKILL), Linux sends pulumi
  SIGTERM, which it treats like a first Ctrl-C: no pulumi outlives its caller unchecked. Afterwards
  :class:`Interrupted` is raised (a ``KeyboardInterrupt``, exit code 128 + the signal).
- **Time limits** per kind of command (:class:`TimeLimits`); past one, pulumi is cancelled like a
  Ctrl-C, killed after a grace period, and :class:`TimedOut` is raised (exit code 124). A captured
  command that is slow prints one line naming the stack it waits for.
- **Redaction.** Output is passed through line by line with credentials (backend URL user info and
  secret query parameters, passphrase, tokens, AWS secret keys) replaced by ``***``.
- **Exit codes** are pulumi's own (1 generic, 6 no such stack, 8 cancelled); a command killed by a
  signal is described as ``killed by SIGKILL`` and maps to 128 + N, the shell's convention.
- **Recognised failures**: a locked stack (``the stack is currently locked``, or the service's
  ``Another update is currently in progress``) becomes one line saying what is happening and how to
  clear a stale lock; ``no stack named 'S' found`` is :attr:`Completed.no_such_stack`.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

INSTALL_HINT = (
    "install it: curl -fsSL https://get.pulumi.com | sh (https://www.pulumi.com/docs/install/)"
)
TIMED_OUT = 124
"""Exit code when a command ran past its time limit (GNU ``timeout``'s)."""
NO_SUCH_STACK = "no stack named"
"""How the CLI says a stack does not exist: ``error: no stack named 'dev' found`` (exit 6)."""
EXIT_NO_SUCH_STACK = 6
EXIT_CANCELLED = 8
LOCKED = ("the stack is currently locked", "another update is currently in progress")
"""DIY backends: ``the stack is currently locked by N lock(s)``; Pulumi Cloud: ``[409] Conflict:
Another update is currently in progress``."""
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SECRET_VARIABLES = (
    "PULUMI_CONFIG_PASSPHRASE",
    "PULUMI_ACCESS_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)
URL_VARIABLES = re.compile(r"^(PULUMI_BACKEND_URL|SECRETS_PROVIDER(_\w+)?)$")
_USERINFO = re.compile(r"(?<=://)[^/\s@'\"]+@")
_SECRET_QUERY = re.compile(
    r"([?&][\w.-]*(?:key|secret|token|password|passwd|sig|signature|credential|sas)[\w.-]*=)[^&\s'\"]*",
    re.IGNORECASE,
)


class PulumiCliError(Exception):
    """A call could not be made or did not finish: one line, with the exit code it carries."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class TimedOut(PulumiCliError):
    """A command ran past its time limit; it was cancelled (or killed after the grace period)."""

    def __init__(self, message: str, limit: float) -> None:
        super().__init__(message, TIMED_OUT)
        self.limit = limit


class Interrupted(KeyboardInterrupt):
    """We got SIGINT, SIGTERM or SIGHUP; pulumi (if one ran) has stopped. Exit ``128 + signum``.

    A ``KeyboardInterrupt``, so a tool that already stops cleanly on Ctrl-C stops on the others too.
    """

    def __init__(self, signum: int, message: str = "") -> None:
        super().__init__(message or f"{signal_name(signum)} received")
        self.signum = signum
        self.message = message or f"{signal_name(signum)} received"

    @property
    def code(self) -> int:
        return 128 + self.signum


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def exit_status(code: int) -> int:
    """A process's return code as a shell reports it: 128 + N for one killed by signal N."""
    return 128 - code if code < 0 else code


def describe_exit(code: int) -> str:
    """``exit 3``, or ``killed by SIGKILL`` (never ``exit -9``)."""
    return f"killed by {signal_name(-code)}" if code < 0 else f"exit {code}"


# ---- redaction ---------------------------------------------------------------------------------
def redact_url(text: str) -> str:
    """Credentials inside URLs: ``https://***@host``, ``s3://b?access_key=***&region=eu-west-1``."""
    return _SECRET_QUERY.sub(r"\1***", _USERINFO.sub("***@", text))


@dataclass(frozen=True)
class Redactor:
    """Replaces known secret values, then URL credentials, in any text we print."""

    secrets: tuple[str, ...] = ()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Redactor:
        values = [environ.get(name, "") for name in SECRET_VARIABLES]
        for name, url in environ.items():
            if URL_VARIABLES.match(name):
                for userinfo in (m.group(0)[:-1] for m in _USERINFO.finditer(url)):
                    values += [userinfo, *userinfo.split(":", 1)]
                values += [m.group(0).split("=", 1)[1] for m in _SECRET_QUERY.finditer(url)]
        # Longest first, so a secret that contains another is replaced whole; short ones would
        # blank out ordinary words.
        kept = sorted({v for v in values if len(v) >= 4}, key=len, reverse=True)
        return cls(tuple(kept))

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return redact_url(text)


# ---- time limits -------------------------------------------------------------------------------
READ, PREVIEW, UPDATE = "read", "preview", "update"
UPDATES = ("up", "update", "destroy", "refresh", "import", "cancel")


def kind_of(args: list[str]) -> str:
    """Which limit applies: updates (hold the stack's lock), previews, or quick reads."""
    if args[:1] == ["preview"] or "--preview-only" in args:
        return PREVIEW
    return UPDATE if args[:1] and args[0] in UPDATES else READ


@dataclass(frozen=True)
class TimeLimits:
    """Seconds. Each can be set from the environment (``DEPLOY_TIMEOUT_UPDATE=5400``)."""

    read: float = 120
    """``stack ls``, ``stack output``, ``stack select``: a slow backend, never this slow."""
    preview: float = 1800
    update: float = 2700
    """``up``, ``refresh``, ``destroy``: below CI's job timeout, so pulumi cancels cleanly first."""
    grace: float = 300
    """After a cancel for a time limit, how long pulumi gets to save its state before SIGKILL
    (reads hold nothing: at most 10 s)."""
    notice: float = 10
    """A captured command running this long prints one line naming the stack it waits for."""
    debounce: float = 1.0
    """The same signal twice within this many seconds is one event (see ``_Signals``)."""

    VARIABLES = {
        "read": "DEPLOY_TIMEOUT_READ",
        "preview": "DEPLOY_TIMEOUT_PREVIEW",
        "update": "DEPLOY_TIMEOUT_UPDATE",
        "grace": "DEPLOY_CANCEL_GRACE",
        "notice": "DEPLOY_NOTICE_AFTER",
        "debounce": "DEPLOY_SIGNAL_DEBOUNCE",
    }

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> TimeLimits:
        values: dict[str, float] = {}
        for name, variable in cls.VARIABLES.items():
            raw = environ.get(variable, "").strip()
            if not raw:
                continue
            try:
                value = float(raw)
            except ValueError:
                value = -1.0
            if not 0 <= value <= 86400:
                raise PulumiCliError(f"{variable}={raw!r}: expected seconds, from 0 to 86400")
            values[name] = value
        return cls(**values)

    def for_args(self, args: list[str]) -> float:
        return float(getattr(self, kind_of(args)))


# ---- results -----------------------------------------------------------------------------------
def stack_flag(args: list[str]) -> str | None:
    for flag in ("--stack", "-s"):
        if flag in args[:-1]:
            return args[args.index(flag) + 1]
    return None


def command_name(args: list[str]) -> str:
    """``stack ls``, ``up``: how a message names the command."""
    return " ".join(args[:2]) if args[:1] in (["stack"], ["config"]) else args[0]


@dataclass(frozen=True)
class Completed:
    args: list[str]
    cwd: Path
    code: int
    stdout: str
    stderr: str
    """All of it for a captured command; the last lines for a streamed one."""

    @property
    def error_line(self) -> str:
        """The CLI's ``error: …`` line (its last on stderr), or how it ended."""
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("error:")]
        return (errors or lines or [describe_exit(self.code)])[-1]

    @property
    def no_such_stack(self) -> bool:
        return self.code != 0 and NO_SUCH_STACK in self.stderr

    @property
    def locked(self) -> bool:
        text = self.stderr.lower()
        return self.code != 0 and any(marker in text for marker in LOCKED)

    def failure(self, label: str) -> str:
        """One line: what failed and, for a lock, what is happening and how to clear a stale one."""
        what = command_name(self.args)
        if self.locked:
            count = re.search(r"locked by (\d+) lock", self.stderr)
            held = f" ({count.group(1)} lock(s))" if count else ""
            stack = stack_flag(self.args) or "<stack>"
            return (
                f"{label}: pulumi {what}: the stack is locked{held} by another update: if a deploy "
                f"is running (CI or a colleague), wait for it; if none is (one was killed), clear "
                f"the stale lock: (cd stacks/{self.cwd.name} && pulumi cancel --stack {stack} --yes)"
            )
        return f"{label}: pulumi {what} failed ({describe_exit(self.code)})"


# ---- running -----------------------------------------------------------------------------------
def _die_with(parent: int) -> Callable[[], None]:
    """Linux: SIGTERM (pulumi's "cancel cleanly") to the child when ``parent`` dies, even by SIGKILL."""

    def arm() -> None:  # pragma: no cover - runs in the child, between fork and exec
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return arm


def _pump(source: IO[str], sink: IO[str] | None, keep: deque[str], redact: Redactor) -> None:
    """Copy lines until pulumi closes the pipe; a reader that went away (``| head``) must not
    block pulumi on a full pipe: keep draining."""
    for line in iter(source.readline, ""):
        keep.append(line)
        if sink is not None:
            try:
                sink.write(redact(line))
                sink.flush()
            except (OSError, ValueError):
                sink = None
    source.close()


@dataclass
class _Signals:
    """Signals that arrive while a child runs (or is being started), and what we do about them."""

    notify: Callable[[str], None]
    clock: Callable[[], float] = time.monotonic
    debounce: float = 1.0
    """One event delivered twice (``kill`` to the process group *and* make forwarding its SIGTERM)
    must not read as the "again" that makes pulumi stop at once: the same signal within this many
    seconds counts once."""
    process: subprocess.Popen[str] | None = None
    received: list[int] = field(default_factory=list)
    last: tuple[int, float] | None = None

    def forward(self, signum: int, _frame: FrameType | None = None) -> None:
        now = self.clock()
        if self.last is not None and self.last[0] == signum and now - self.last[1] < self.debounce:
            return
        self.last = (signum, now)
        self.received.append(signum)
        if self.process is None:  # not started yet: started() forwards it
            return
        name, count = signal_name(signum), len(self.received)
        if count == 1:
            self.notify(
                f"{name} received: pulumi is cancelling cleanly (finishing in-flight operations, "
                f"saving the state); waiting for it (again to make it stop at once)"
            )
            _signal_group(self.process, signal.SIGINT)
        elif count == 2:
            self.notify(f"{name} again: pulumi stops at once (check the stack with pulumi refresh)")
            _signal_group(self.process, signal.SIGINT)
        else:
            self.notify(f"{name} a third time: killing pulumi")
            _signal_group(self.process, signal.SIGKILL)

    def started(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        pending, self.received, self.last = self.received, [], None
        for signum in pending:
            self.forward(signum)


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextlib.contextmanager
def signals_stop_the_run() -> Iterator[None]:
    """A tool's signals between pulumi calls (during one, :class:`PulumiCli` forwards them):
    :class:`Interrupted` raised where the tool is, so it can end the run its own way."""
    previous = {signum: signal.signal(signum, _raise_interrupted) for signum in FORWARDED}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _signal_group(process: subprocess.Popen[str], signum: int) -> None:
    if process.returncode is not None:  # reaped: its id may belong to someone else by now
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


@contextlib.contextmanager
def _forwarding(signals: _Signals) -> Iterator[None]:
    """While a child runs: our SIGINT/SIGTERM/SIGHUP go to it (only the main thread can catch)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, signals.forward) for signum in FORWARDED}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@dataclass
class PulumiCli:
    executable: str
    variables: dict[str, str]
    """The environment of every ``pulumi`` child process."""
    echo: bool = True
    """Print ``$ (cd stacks/<name>) pulumi …`` before each streamed command."""
    tool: str = "deploy"
    """The prefix of the lines we print (``deploy: …``)."""
    limits: TimeLimits = field(default_factory=TimeLimits)
    redact: Redactor = field(default_factory=Redactor)
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def find(cls, variables: dict[str, str], **options: object) -> PulumiCli:
        """The ``pulumi`` on the child environment's PATH, with limits and redaction from it."""
        found = shutil.which("pulumi", path=variables.get("PATH"))
        if found is None:
            raise PulumiCliError(f"pulumi CLI not found on PATH: {INSTALL_HINT}")
        return cls(
            found,
            variables,
            limits=TimeLimits.from_environ(variables),
            redact=Redactor.from_environ(variables),
            **options,  # type: ignore[arg-type]
        )

    def notify(self, message: str) -> None:
        print(f"{self.tool}: {self.redact(message)}", file=sys.stderr, flush=True)

    def run(
        self, args: list[str], cwd: Path, *, label: str, limit: float | None = None
    ) -> Completed:
        """Stream the command's output to ours (redacted); keep stderr's tail for :meth:`Completed.failure`."""
        if self.echo:
            print(self.redact(f"$ (cd stacks/{cwd.name}) pulumi {' '.join(args)}"), flush=True)
        return self._call(args, cwd, label=label, limit=limit, stream=True)

    def capture(
        self, args: list[str], cwd: Path, *, label: str, limit: float | None = None
    ) -> Completed:
        """Run a command and keep its output (``stack ls --json``, ``stack output --json``)."""
        return self._call(args, cwd, label=label, limit=limit, stream=False)

    def _call(
        self, args: list[str], cwd: Path, *, label: str, limit: float | None, stream: bool
    ) -> Completed:
        limit = self.limits.for_args(args) if limit is None else limit
        signals = _Signals(self.notify, clock=self.clock, debounce=self.limits.debounce)
        out: deque[str] = deque(maxlen=0 if stream else None)
        err: deque[str] = deque(maxlen=200 if stream else None)
        with _forwarding(signals):
            process = self._start(args, cwd)
            pumps = [
                threading.Thread(target=_pump, args=(pipe, sink, keep, self.redact), daemon=True)
                for pipe, sink, keep in (
                    (process.stdout, sys.stdout if stream else None, out),
                    (process.stderr, sys.stderr if stream else None, err),
                )
            ]
            try:
                signals.started(process)
                for pump in pumps:
                    pump.start()
                code, timed_out = self._wait(process, args, cwd, label, limit, notice=not stream)
            finally:
                if process.poll() is None:  # an exception of ours: never leave pulumi behind
                    _signal_group(process, signal.SIGKILL)
                    process.wait()
                for pump in pumps:
                    if pump.is_alive() or pump.ident is not None:
                        pump.join()
        done = Completed(list(args), cwd, code, "".join(out), "".join(err))
        what = command_name(args)
        if signals.received:
            signum = signals.received[0]
            raise Interrupted(
                signum,
                f"{label}: {signal_name(signum)} received; pulumi {what} stopped "
                f"({describe_exit(code)}); stopping",
            )
        if timed_out:
            raise TimedOut(
                f"{label}: pulumi {what} did not finish within {limit:g} s (its time limit); "
                f"cancelled it ({describe_exit(code)}); stopping",
                limit,
            )
        return done

    def _start(self, args: list[str], cwd: Path) -> subprocess.Popen[str]:
        try:
            return subprocess.Popen(
                [self.executable, *args],
                cwd=cwd,
                env=self.variables,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
                start_new_session=True,
                preexec_fn=_die_with(os.getpid()) if sys.platform == "linux" else None,  # noqa: PLW1509
            )
        except OSError as error:
            raise PulumiCliError(f"cannot run {self.executable}: {error.strerror}") from None

    def _wait(
        self,
        process: subprocess.Popen[str],
        args: list[str],
        cwd: Path,
        label: str,
        limit: float,
        *,
        notice: bool,
    ) -> tuple[int, bool]:
        """Wait with the time limit; past it, cancel like Ctrl-C, then kill after the grace."""
        start = self.clock()
        deadline, notice_at = start + limit, start + self.limits.notice if notice else None
        timed_out = False
        while True:
            wake = min(t for t in (deadline, notice_at) if t is not None)
            try:
                return process.wait(timeout=max(0.0, wake - self.clock())), timed_out
            except subprocess.TimeoutExpired:
                pass
            now = self.clock()
            if notice_at is not None and now >= notice_at:
                notice_at = None
                self.notify(
                    f"{label}: waiting for pulumi {command_name(args)} in stacks/{cwd.name} "
                    f"(time limit {limit:g} s)"
                )
            if now >= deadline and not timed_out:
                timed_out = True
                # Reads hold nothing: a short grace, and no line (the error says it all).
                reading = kind_of(args) == READ
                grace = min(self.limits.grace, 10.0) if reading else self.limits.grace
                if not reading:
                    self.notify(
                        f"{label}: pulumi {command_name(args)} is still running after {limit:g} s: "
                        f"cancelling it (killed if it has not stopped within {grace:g} s)"
                    )
                _signal_group(process, signal.SIGINT)
                deadline = now + grace
            elif now >= deadline:
                _signal_group(process, signal.SIGKILL)
                deadline = now + 3600  # SIGKILL cannot be ignored: the next wait returns
