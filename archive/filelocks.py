"""One writer at a time for the files kept beside the checkpoints (the checkpoint file, the
destruction journal), on one host and across hosts.

In multi-host mode several hosts write these files on a shared directory (every worker may run
the scheduled checkpoint, any host may destroy or take a backup). `flock` alone serialises the
processes of one host, and across hosts only as far as the shared file system's lock manager
honours it (NFSv4 does, a misconfigured mount or an object store may not). The database is the
one thing every host shares for certain, so on PostgreSQL the writers first take a session
advisory lock named after the file, then the flock. The order is always the same, so two
writers cannot deadlock. SQLite is single-host: the flock is enough there."""

import fcntl
import hashlib
from contextlib import contextmanager

from django.db import connection


def _advisory_key(name: str) -> int:
    digest = hashlib.sha256(f"registratur:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def exclusive(handle, name: str):
    """Hold the cross-host lock called `name` and an exclusive flock on the open `handle`."""
    key = _advisory_key(name)
    shared = connection.vendor == "postgresql"
    if shared:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield handle
    finally:
        if shared:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
