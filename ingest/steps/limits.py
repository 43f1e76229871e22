"""The limits of a job's child processes (OCRmyPDF, LibreOffice, and the forked children that
parse untrusted files): an address-space limit, death with the worker, and an honest reading of
how a child ended."""
import ctypes
import logging
import os
import pickle
import resource
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from archive.errors import RegistraturError

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None

# How running out of the address-space limit shows in Python, the loader, C++, leptonica
# (tesseract's image library) and tesseract.
MEMORY_MARKERS = ("MemoryError", "failed to map segment", "Cannot allocate memory",
                  "std::bad_alloc", "Out of memory", "malloc fail for")


def limit_child() -> None:
    """In the child, before exec: the job's memory limit, and death with the worker (a
    SIGKILLed worker must not leave an orphaned conversion behind)."""
    limit = settings.INGEST_MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if _libc is not None:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def heap_release() -> None:
    """In the worker, before it waits minutes for a child: hand back to the system the heap that
    the in-process steps freed (rendered pages, an opened PDF), which glibc otherwise keeps."""
    if _libc is not None and hasattr(_libc, "malloc_trim"):
        _libc.malloc_trim(0)


def out_of_memory(code: int, stderr: str) -> bool:
    """Whether a child that ended with `code` ran out of memory. Under an address-space limit
    an allocation fails and the program says so; the kernel's OOM killer sends SIGKILL (the
    job's own time limit kills too, but is reported before the exit code is read). Any other
    signal (SIGSEGV, SIGABRT without an allocation failure, ...) is a crash, not the limit."""
    return code == -signal.SIGKILL or any(marker in stderr for marker in MEMORY_MARKERS)


def signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"Signal {-code}"


# Fields a step running in a child may change on the context and hand back to the worker.
_NOT_HANDED_BACK = {"job", "renew", "deadline"}


def _address_space() -> int:
    """This process's virtual size in bytes (Linux); 0 where unknown."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _run_in_child(result_path: Path, budget: int, step, ctx) -> None:
    """The forked child: the job's memory budget on top of what it inherited, then the step."""
    try:
        limit = _address_space() + budget
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if _libc is not None:
            _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        try:
            outcome = ("ok", step(ctx), {name: value for name, value in vars(ctx).items()
                                          if name not in _NOT_HANDED_BACK})
        except RegistraturError as error:
            outcome = ("error", type(error).__name__, error.code, error.message)
        except MemoryError:
            outcome = ("memory",)
        except OSError as error:  # the disk, say: the worker decides whether to retry
            outcome = ("oserror", error.errno, error.strerror or str(error))
        except RecursionError:
            outcome = ("error", "IngestRefused", "CORRUPT_INPUT", f"Die Datei „{ctx.name}“ ist "
                       "beschädigt (zyklische oder zu tief geschachtelte Struktur).")
        except Exception as exc:  # noqa: BLE001 - reported to the worker, which decides
            outcome = ("crash", f"{type(exc).__name__}: {exc}")
        try:
            payload = pickle.dumps(outcome)
        except MemoryError:
            payload = pickle.dumps(("memory",))
        result_path.write_bytes(payload)
    finally:
        os._exit(0)  # never the parent's atexit handlers, database connections or test runner


def run_limited(step: Callable, ctx):
    """Run `step(ctx)` in a forked child under the job's memory budget and time limit, and
    take over what it set on the context. Untrusted files are parsed there: a PDF whose tiny
    stream inflates to gigabytes, or an image bomb, exhausts the child, not the worker (whose
    own size a worker's memory limit does not bound). The step's result comes back pickled."""
    from ..errors import refused

    result_path = ctx.workdir / f".child-{os.getpid()}-{time.monotonic_ns()}"
    budget = settings.INGEST_MEMORY_MB * 1024 * 1024
    heap_release()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its outcome is read below
        _run_in_child(result_path, budget, step, ctx)
    slice_seconds = max(1.0, settings.JOB_LEASE_SECONDS / 3)
    renewed = time.monotonic()
    while True:
        done, status, _usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        now = time.monotonic()
        if now >= ctx.deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            result_path.unlink(missing_ok=True)
            raise refused("TIMEOUT", f"Die Verarbeitung von „{ctx.name}“ hat das Zeitlimit von "
                          f"{settings.INGEST_TIMEOUT_SECONDS} s überschritten.")
        if now - renewed >= slice_seconds:
            ctx.renew()
            renewed = now
        time.sleep(0.02)
    try:
        outcome = pickle.loads(result_path.read_bytes())
    except (OSError, EOFError, pickle.UnpicklingError):
        outcome = None
    finally:
        result_path.unlink(missing_ok=True)
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    if outcome is None or outcome[0] == "memory":
        # No answer: the child ran out of its budget (an allocation failed, or a library
        # aborted on it) or crashed while reading the file, which only its bytes can cause.
        log.warning("child for %s ended with %s and no result", step.__name__, code)
        raise refused("MEMORY_LIMIT", f"Die Verarbeitung von „{ctx.name}“ hat das Speicherlimit "
                      f"von {settings.INGEST_MEMORY_MB} MB überschritten oder ist an der Datei "
                      "gescheitert.")
    if outcome[0] == "error":
        from .. import errors

        _, kind, error_code, message = outcome
        raise getattr(errors, kind, errors.IngestFailed)(message, code=error_code)
    if outcome[0] == "oserror":
        raise OSError(outcome[1], outcome[2])
    if outcome[0] == "crash":
        log.error("%s failed in its child: %s", step.__name__, outcome[1])
        raise RuntimeError(f"{step.__name__}: {outcome[1]}")
    _, result, fields = outcome
    for name, value in fields.items():
        setattr(ctx, name, value)
    return result
