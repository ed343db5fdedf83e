"""Start a policy pack as the language host does (``python -u <pack dir>``), in two steps.

``python -u -P launcher.py <pack dir> [<parent pid>]``: import the SDK and every module of the pack,
compile its ``__main__.py``, print ``ready``; wait for ``go`` on stdin; then run ``__main__.py``
(which serves and prints its port). The plan gate starts the pack while stack programs render, so
its imports overlap the renders, but it must not read a file or listen on a port while a program
under review is running: everything it will run is read before ``ready``, it serves after ``go``.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import types
from pathlib import Path


def _guard(parent: int | None) -> None:
    """Die with the gate; keep other same-user processes out of this one's memory."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(4, ctypes.c_ulong(0), 0, 0, 0)  # PR_SET_DUMPABLE 0
    if parent is not None:
        libc.prctl(1, ctypes.c_ulong(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os._exit(70)


def _import_pack_modules(pack_dir: Path) -> None:
    for module in pkgutil.iter_modules([str(pack_dir)]):
        if module.name == "__main__":
            continue
        imported = importlib.import_module(module.name)
        if module.ispkg:
            for sub in pkgutil.walk_packages(imported.__path__, f"{module.name}."):
                importlib.import_module(sub.name)


def main() -> int:
    pack_dir = Path(sys.argv[1]).resolve()
    _guard(int(sys.argv[2]) if len(sys.argv) > 2 else None)
    sys.argv = [str(pack_dir)]
    sys.path.insert(0, str(pack_dir))  # as for ``python <pack dir>`` (-P left the launcher's out)
    import concurrent.futures.thread  # noqa: F401 (the pack's gRPC server runs on it)

    import grpc  # noqa: F401
    import pulumi_policy  # noqa: F401

    main_file = pack_dir / "__main__.py"
    code = compile(main_file.read_bytes(), str(main_file), "exec")
    _import_pack_modules(pack_dir)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    if sys.stdin.readline().strip() != "go":
        return 0  # the gate went away before it needed the pack
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # the engine gives a pack no stdin
    module = types.ModuleType("__main__")
    module.__file__ = str(main_file)
    sys.modules["__main__"] = module
    exec(code, module.__dict__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
