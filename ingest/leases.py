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

from archive.leases import LeaseKeeper as _LeaseKeeper


def _ingest_renew(job) -> bool:
    from .jobs import job_renew_lease  # jobs imports the pipeline, which imports this

    return job_renew_lease(job)


class LeaseKeeper(_LeaseKeeper):
    """The kernel's keeper (archive/leases.py), renewing an ingest job's claim unless the
    caller passes its own `renew` (redactions do)."""

    def __init__(self, job, renew=None):
        super().__init__(job, renew or _ingest_renew)
