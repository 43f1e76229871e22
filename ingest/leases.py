"""A running job's lease, kept alive by the process that runs it.

The lease is short (`JOB_LEASE_SECONDS`, 20 s by default): a thread of the process running the
job renews it every quarter of that while the job runs, whatever step it is in (OCR in a
child, a long classification, the commit). When the worker dies (SIGKILL, a host that is
gone, a pool process lost) the renewals stop, the lease runs out, and the recovery loop that
every live worker runs every few seconds (`ingest.heartbeat`) queues the job again ahead of
new post: it is taken up again well within a minute instead of after the job's time limit.

Safety does not rest on the lease being long. Each claim of a job increments its `attempts`;
every write of the pipeline (progress, the commit that files the document, the job's end) is
made only while the job is still RUNNING under that very claim (`ingest.jobs.job_mine`). A
worker that only stalled past its lease (a frozen VM, a database that did not answer) finds
at its commit that someone else holds the job and drops its work (`JobLost`): the document is
filed once, by whoever holds the claim."""

import logging
import threading

from django.conf import settings
from django.db import connection, transaction

log = logging.getLogger(__name__)


class LeaseKeeper:
    """Renews `job`'s lease from a thread until stopped; a context manager. `renew(job)`
    pushes the lease on and says whether the claim still holds (an ingest job's by default;
    redactions pass their own). It does nothing when the caller holds an open transaction
    (tests that run a job inside one): another connection could not see the job, and the
    caller's own renewals at every step suffice."""

    def __init__(self, job, renew=None):
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
        from .jobs import job_renew_lease

        renew = self.renew or job_renew_lease
        interval = max(0.5, settings.JOB_LEASE_SECONDS / 4)
        try:
            while not self._stop.wait(interval):
                try:
                    if not renew(self.job):
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
