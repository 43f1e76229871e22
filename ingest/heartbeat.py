"""Worker heartbeats: a running worker records that it is alive every few seconds. The beat
comes from a thread of the worker's main process, the one that takes jobs off the queue: a
worker that is stopped, hung or killed stops beating, and `/healthz` shows it."""
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

INTERVAL_SECONDS = 5
ALIVE_WITHIN = timedelta(seconds=20)
# The record of a worker that was killed (it could not remove it) is dropped after this long;
# until then the health page shows it as stale.
FORGET_AFTER = timedelta(minutes=15)


def beat(name: str) -> None:
    from .models import WorkerHeartbeat

    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"seen_at": now})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def worker_alive() -> bool:
    from .models import WorkerHeartbeat

    return WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - ALIVE_WITHIN).exists()


@dataclass(frozen=True)
class WorkerBeat:
    name: str  # host name and process id
    seen_at: datetime
    age_seconds: float
    fresh: bool


def workers_seen() -> list[WorkerBeat]:
    """Every worker's last beat, newest first; fresh when within WORKER_STALE_SECONDS."""
    from .models import WorkerHeartbeat

    now = timezone.now()
    beats = []
    for name, seen_at in WorkerHeartbeat.objects.order_by("-seen_at").values_list(
            "name", "seen_at"):
        age = max(0.0, (now - seen_at).total_seconds())
        beats.append(WorkerBeat(name=name, seen_at=seen_at, age_seconds=age,
                                fresh=age <= settings.WORKER_STALE_SECONDS))
    return beats


def worker_name(hostname: str) -> str:
    """Two workers on one host may share Celery's default name; the process id tells them
    apart."""
    return f"{hostname}:{os.getpid()}"[:200]


def _loop(name: str, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            beat(name)
            # Every live worker also recovers the jobs of workers that vanished, so nothing
            # waits for the scheduler (or for a scheduler that is not running).
            from .jobs import jobs_requeue_stale

            jobs_requeue_stale()
        except Exception:  # a locked or restarting database must not stop the worker
            pass
        finally:
            close_old_connections()
        stop.wait(INTERVAL_SECONDS)


def connect() -> None:
    from celery.signals import worker_ready, worker_shutdown

    stop = threading.Event()

    @worker_ready.connect(weak=False)
    def _start(sender=None, **kwargs):
        name = worker_name(getattr(sender, "hostname", "worker"))
        try:
            # Folders of jobs whose worker was killed: copies of the post they were reading.
            from .jobs import workdirs_sweep

            workdirs_sweep()
        except Exception:  # noqa: BLE001 - the recovery loop sweeps again
            pass
        threading.Thread(target=_loop, args=(name, stop), daemon=True,
                         name="registratur-heartbeat").start()

    @worker_shutdown.connect(weak=False)
    def _stop(sender=None, **kwargs):
        stop.set()
        from .models import WorkerHeartbeat

        try:
            WorkerHeartbeat.objects.filter(
                name=worker_name(getattr(sender, "hostname", "worker"))).delete()
        except Exception:
            pass
