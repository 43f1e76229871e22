"""A running job's lease, kept alive from a thread of the process that runs it.

Jobs of several apps (ingest, redactions, inspection packages) hold a short lease
(`JOB_LEASE_SECONDS`) while they run; a worker that dies stops renewing it, and the job is
taken up again once it has run out. What renewing means (which row, which claim) is the
job's own: the caller passes `renew(job)`, which pushes the lease on and says whether the
claim still holds. The safety of a job never rests on the lease alone: each app's commit
checks its claim (see ingest/leases.py)."""

import logging
import threading

from django.conf import settings
from django.db import connection, transaction

log = logging.getLogger(__name__)


class LeaseKeeper:
    """Renews `job`'s lease with `renew(job)` from a thread until stopped; a context manager.
    It does nothing when the caller holds an open transaction (tests that run a job inside
    one): another connection could not see the job, and the caller's own renewals at every
    step suffice."""

    def __init__(self, job, renew):
        self.job = job
        self.renew = renew
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost = False

    def __enter__(self):
        if transaction.get_connection().in_atomic_block:
            return self
        self._thread = threading.Thread(
            target=self._run, daemon=True, name=f"registratur-lease-{self.job.pk}"
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=settings.JOB_LEASE_SECONDS)
        return False

    def _run(self) -> None:
        interval = max(0.5, settings.JOB_LEASE_SECONDS / 4)
        try:
            while not self._stop.wait(interval):
                try:
                    if not self.renew(self.job):
                        # Taken over (or ended): the commit's fence decides; stop renewing.
                        self.lost = True
                        if not self._stop.is_set():
                            log.warning(
                                "job %s: lease lost, another worker holds the job", self.job.pk
                            )
                        return
                except Exception:  # noqa: BLE001 - a database hiccup: try again next round
                    log.warning("job %s: lease not renewed", self.job.pk, exc_info=True)
        finally:
            connection.close()  # this thread's own connection
