"""The instance's health, as `/healthz` and the administrator's start page show it.

Each check answers "ok", "degraded" or "down" with a short detail for the operator; none names
a person, a path, a host or a version. The whole is "down" when a check is down (the instance
cannot serve), "degraded" when one is degraded (it serves, but work waits)."""
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils.translation import gettext, gettext_lazy

from ingest.heartbeat import workers_seen
from ingest.watcher import watchers_seen

OK, DEGRADED, DOWN = "ok", "degraded", "down"
_RANK = {OK: 0, DEGRADED: 1, DOWN: 2}
BROKER_TIMEOUT_SECONDS = 2.0


@dataclass
class Check:
    status: str
    detail: str = ""
    # Public, small facts (ages in seconds, counts); never names.
    facts: dict = field(default_factory=dict)


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return Check(DOWN, "no connection")
    return Check(OK)


def _filesystem_broker_folders() -> list[Path]:
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS or {}
    names = ("data_folder_in", "data_folder_out", "control_folder")
    return [Path(options[name]) for name in names if options.get(name)]


def check_broker() -> Check:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        # The embedded broker is a folder: it works while the folders are there and writable.
        for folder in _filesystem_broker_folders():
            if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
                return Check(DOWN, "queue folder missing or not writable")
        return Check(OK)
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
                                          socket_timeout=BROKER_TIMEOUT_SECONDS)
            try:
                client.ping()
            finally:
                client.close()
        else:
            from kombu import Connection

            with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
                conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception:  # noqa: BLE001 - any failure to reach it is the answer
        return Check(DOWN, "no connection")
    return Check(OK)


def check_index() -> Check:
    from search.backends import get_backend
    from search.indexing import index_is_current

    try:
        get_backend().count()  # opens it
        stale = not index_is_current()
    except Exception:  # noqa: BLE001 - an index that does not open is the answer
        return Check(DOWN, "does not open")
    if stale:
        return Check(DEGRADED, "needs a rebuild (registratur search rebuild)")
    return Check(OK)


def check_workers() -> Check:
    """Every worker's last beat. No fresh one: nothing takes jobs. A stale one: a worker
    stopped (or hangs) and its jobs wait for the lease to run out."""
    try:
        beats = workers_seen()
    except DatabaseError:
        return Check(DOWN, "unknown (no database)")
    ages = [round(beat.age_seconds, 1) for beat in beats]
    stale = sum(not beat.fresh for beat in beats)
    facts = {"last_beat_seconds_ago": ages, "fresh": len(beats) - stale, "stale": stale,
             "stale_after_seconds": settings.WORKER_STALE_SECONDS}
    if not beats:
        return Check(DEGRADED, "no worker running", facts)
    if stale == len(beats):
        return Check(DEGRADED, "no worker beat recently", facts)
    if stale:
        return Check(DEGRADED, "a worker stopped beating", facts)
    return Check(OK, "", facts)


def check_watcher() -> Check | None:
    """Only when a hot-folder watcher ever registered (it is optional)."""
    try:
        beats = watchers_seen()
    except DatabaseError:
        return None
    if not beats:
        return None
    ages = [round(age, 1) for age, _fresh in beats]
    fresh = sum(fresh for _age, fresh in beats)
    facts = {"last_beat_seconds_ago": ages, "fresh": fresh, "stale": len(beats) - fresh}
    if fresh < len(beats):
        return Check(DEGRADED, "a hot-folder watcher stopped", facts)
    return Check(OK, "", facts)


def health_report() -> tuple[str, dict[str, Check]]:
    checks = {"database": check_database(), "broker": check_broker()}
    if checks["database"].status == OK:
        checks["index"] = check_index()
        checks["workers"] = check_workers()
        watcher = check_watcher()
        if watcher is not None:
            checks["watcher"] = watcher
    else:
        # Without the database neither workers nor the index's state can be read.
        checks["workers"] = Check(DOWN, "unknown (no database)")
    status = max((check.status for check in checks.values()), key=_RANK.__getitem__)
    return status, checks


def health_json(status: str, checks: dict[str, Check]) -> dict:
    return {"status": status, "checks": {
        name: {"status": check.status, **({"detail": check.detail} if check.detail else {}),
               **check.facts} for name, check in checks.items()}}


# --- the administrator's start page -------------------------------------------------------

CHECK_LABELS = {
    "database": gettext_lazy("Datenbank"),
    "broker": gettext_lazy("Warteschlange (Broker)"),
    "index": gettext_lazy("Suchindex"),
    "workers": gettext_lazy("Verarbeitung (Worker)"),
    "watcher": gettext_lazy("Überwachung des Eingangsordners"),
}
STATUS_LABELS = {OK: gettext_lazy("in Ordnung"), DEGRADED: gettext_lazy("eingeschränkt"),
                 DOWN: gettext_lazy("gestört")}


def _note(name: str, check: Check) -> str:
    if name == "workers" and "fresh" in check.facts:
        if not check.facts["fresh"] and not check.facts["stale"]:
            return gettext("Kein Worker läuft: eingehende Post wartet.")
        return gettext("%(fresh)d aktiv, %(stale)d ohne Lebenszeichen seit mehr als "
                       "%(seconds)d s") % {"fresh": check.facts["fresh"],
                                           "stale": check.facts["stale"],
                                           "seconds": check.facts["stale_after_seconds"]}
    if name == "watcher" and check.status != OK:
        return gettext("Ein Eingangsordner wird nicht mehr überwacht.")
    if name == "index" and check.status == DEGRADED:
        return gettext("Der Suchindex muss neu aufgebaut werden (registratur search rebuild).")
    if check.status == DOWN:
        return gettext("Nicht erreichbar.")
    return ""


def health_summary() -> dict:
    """For the administrator's page: the overall state and one row per check, in German."""
    status, checks = health_report()
    return {"status": status, "label": STATUS_LABELS[status], "rows": [
        {"name": name, "label": CHECK_LABELS[name], "status": check.status,
         "status_label": STATUS_LABELS[check.status], "note": _note(name, check)}
        for name, check in checks.items()]}
