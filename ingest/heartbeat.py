"""Worker heartbeats: a running worker records that it is alive every few seconds."""
import threading
from datetime import timedelta

from django.db import close_old_connections
from django.utils import timezone

INTERVAL_SECONDS = 5
ALIVE_WITHIN = timedelta(seconds=20)


def beat(name: str) -> None:
    from .models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})


def worker_alive() -> bool:
    from .models import WorkerHeartbeat

    return WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - ALIVE_WITHIN).exists()


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
        name = getattr(sender, "hostname", "worker")
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
            WorkerHeartbeat.objects.filter(name=getattr(sender, "hostname", "worker")).delete()
        except Exception:
            pass
