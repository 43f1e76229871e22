"""The limits of a job's child processes (OCRmyPDF, LibreOffice): an address-space limit, death
with the worker, and an honest reading of how a child ended."""
import ctypes
import resource
import signal
import sys

from django.conf import settings

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
