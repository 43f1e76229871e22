"""Prometheus metrics, read at scrape time.

Job outcomes, OCR time per page and worker beats come from the database when scraped; queue
lengths from the broker. So the worker processes (and their OCR children) share nothing with
the web server but the database they already share, and a restart loses no count. Only search
latency is measured where it happens, in the web server (one process, see search/metrics.py).

Every label value comes from a fixed list (states, known error codes, queue and backend names);
no label ever carries a name, a file reference, a query or a title."""
import hmac
import ipaddress
import os
import re
from pathlib import Path

from django.conf import settings
from django.db.models import Case, Count, F, FloatField, IntegerField, Sum, When
from django.db.models.functions import Cast
from prometheus_client import CollectorRegistry
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)

from archive.labels import ERROR_CODES
from ingest.heartbeat import workers_seen
from ingest.models import IngestJob, JobState
from search.metrics import SEARCH_SECONDS

from .health import BROKER_TIMEOUT_SECONDS

QUEUES = ("ingest", "index")
OUTCOMES = {JobState.FILED: "done", JobState.INBOX: "done", JobState.DUPLICATE: "done",
            JobState.SPLIT: "done", JobState.REFUSED: "refused", JobState.FAILED: "failed"}
OCR_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
# kombu's Redis transport keeps a queue's priorities in lists of their own.
_REDIS_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def code_label(code: str) -> str:
    """A job's code as a label: a known error code, "none", or "OTHER" (a job's code is set by
    the pipeline, but a label must never carry anything else)."""
    if not code:
        return "none"
    return code if code in ERROR_CODES and _CODE.match(code) else "OTHER"


def queue_lengths() -> dict[str, int]:
    """Messages waiting per queue; empty when the broker cannot be asked."""
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith("filesystem://"):
            folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
            names = [name.partition(".")[2] for name in os.listdir(folder)]
            return {queue: names.count(f"{queue}.msg") for queue in QUEUES}
        if url.startswith(("redis://", "rediss://", "unix://")):
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
                                          socket_timeout=BROKER_TIMEOUT_SECONDS)
            try:
                return {queue: sum(client.llen(queue + suffix)
                                   for suffix in _REDIS_PRIORITY_SUFFIXES)
                        for queue in QUEUES}
            finally:
                client.close()
    except Exception:  # noqa: BLE001 - a broker that does not answer has no lengths
        return {}
    return {}


class RegistraturCollector:
    def collect(self):
        lengths = queue_lengths()
        queue = GaugeMetricFamily("registratur_queue_length",
                                  "Messages waiting in the broker, per queue.", labels=["queue"])
        for name, length in lengths.items():
            queue.add_metric([name], length)
        yield queue
        yield GaugeMetricFamily("registratur_broker_up",
                                "1 when the broker answered the last scrape.",
                                value=1 if lengths else 0)

        waiting = GaugeMetricFamily("registratur_ingest_jobs_open",
                                    "Ingest jobs waiting or running.", labels=["state"])
        counts = dict(IngestJob.objects.filter(state__in=[JobState.QUEUED, JobState.RUNNING])
                      .values_list("state").annotate(n=Count("pk")))
        for state in (JobState.QUEUED, JobState.RUNNING):
            waiting.add_metric([str(state)], counts.get(state, 0))
        yield waiting

        outcomes = CounterMetricFamily(
            "registratur_ingest_jobs", "Finished ingest jobs by outcome, state and code "
            "(jobs still recorded).", labels=["outcome", "state", "code"])
        totals: dict[tuple[str, str, str], int] = {}
        for state, code, n in (IngestJob.objects.filter(state__in=list(OUTCOMES))
                               .values_list("state", "code").annotate(n=Count("pk"))):
            key = (OUTCOMES[state], str(state), code_label(code))
            totals[key] = totals.get(key, 0) + n
        for key, n in sorted(totals.items()):
            outcomes.add_metric(list(key), n)
        yield outcomes

        yield self._ocr_per_page()

        beats = workers_seen()
        workers = GaugeMetricFamily("registratur_workers",
                                    "Workers by whether their heartbeat is fresh.",
                                    labels=["heartbeat"])
        fresh = sum(beat.fresh for beat in beats)
        workers.add_metric(["fresh"], fresh)
        workers.add_metric(["stale"], len(beats) - fresh)
        yield workers

    @staticmethod
    def _ocr_per_page():
        """Each page of a job counts once, with the job's OCR seconds divided by its pages."""
        jobs = IngestJob.objects.filter(ocr_seconds__isnull=False, pages__gt=0).annotate(
            per_page=F("ocr_seconds") / Cast("pages", FloatField()))
        sums = {f"le{i}": Sum(Case(When(per_page__lte=bound, then="pages"), default=0,
                                   output_field=IntegerField()))
                for i, bound in enumerate(OCR_BUCKETS)}
        found = jobs.aggregate(count=Sum("pages"), total=Sum("ocr_seconds"), **sums)
        count = found["count"] or 0
        buckets = [(str(bound), found[f"le{i}"] or 0) for i, bound in enumerate(OCR_BUCKETS)]
        buckets.append(("+Inf", count))
        return HistogramMetricFamily(
            "registratur_ocr_seconds_per_page", "OCR time per page of finished jobs.",
            buckets=buckets, sum_value=found["total"] or 0.0)


def metrics_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RegistraturCollector())
    registry.register(SEARCH_SECONDS)
    return registry


REGISTRY = metrics_registry()


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def metrics_allowed(request) -> bool:
    """With the bearer token from REGISTRATUR_METRICS_TOKEN, or from this host itself. A
    request that came through a proxy (it names the client in a header) is not local, even
    though the proxy connects from localhost."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[len("Bearer "):].encode(), token.encode())
    proxied = any(request.headers.get(name) for name in (
        "X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host"))
    return not proxied and _is_loopback(request.META.get("REMOTE_ADDR", ""))
