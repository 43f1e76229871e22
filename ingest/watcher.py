"""The hot folder: files that stopped changing are received (stored durably, job committed),
then removed from the folder. A file that cannot be received stays and is tried again.

Only regular files are taken, opened without following links and checked on the opened
descriptor, so a link cannot smuggle in a file from elsewhere (the secret key, another
department's share) and a named pipe cannot block the watcher. What is left in place is
reported once on the quarantine page and the report goes when the file goes.

Hidden and temporary names (`.name`, `~$name`, `*.tmp`, `*.part`, `*.crdownload`, `*~`) are
what scanners and copy tools write before they rename the finished file: they are never
received; one that has not changed for WATCH_TEMP_GRACE_SECONDS is reported. Hidden folders
(`.snapshot`, `.Trash`) are not looked into."""
import errno
import logging
import os
import socket
import stat
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from .jobs import job_receive
from .models import HotFolderReport, WatcherHeartbeat

log = logging.getLogger(__name__)
TEMPORARY_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", "~")
TEMPORARY_PREFIXES = (".", "~$")
# How often a watcher that polls every second writes its heartbeat.
BEAT_EVERY_SECONDS = 5.0

SYMLINK = ("HOTFOLDER_SYMLINK",
           "Verknüpfung (symbolischer Link): nicht übernommen. Bitte die Datei selbst in den "
           "Eingangsordner legen, keine Verknüpfung.")
NOT_REGULAR = ("HOTFOLDER_NOT_REGULAR",
               "Keine gewöhnliche Datei (z. B. benannte Pipe oder Gerätedatei): nicht "
               "übernommen. Bitte entfernen.")
HARDLINK = ("HOTFOLDER_HARDLINK",
            "Die Datei ist noch an anderer Stelle verknüpft (harter Link): nicht übernommen. "
            "Bitte eine Kopie ablegen.")
UNREADABLE = ("HOTFOLDER_UNREADABLE",
              "Die Datei darf vom Dienst nicht gelesen werden: bleibt liegen. Bitte die "
              "Berechtigungen prüfen.")
TEMPORARY = ("HOTFOLDER_TEMPORARY",
             "Versteckte oder temporäre Datei, seit über {minutes} Minuten unverändert: nicht "
             "übernommen. Zum Übernehmen umbenennen (ohne Punkt am Anfang bzw. "
             ".tmp/.part am Ende), sonst löschen.")


def shown(path) -> str:
    """A name as the database and the pages can hold it: a file name that is not UTF-8 (an
    old scanner's Latin-1) gets replacement characters instead of failing every pass."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def is_temporary(name: str) -> bool:
    return name.startswith(TEMPORARY_PREFIXES) or name.endswith(TEMPORARY_SUFFIXES)


def hotfolder_route(relative: Path) -> dict:
    """A subfolder the configuration maps to a case file or a unit routes what lands in it
    (settings.HOTFOLDER_ROUTES; the longest matching folder wins)."""
    folders = [part for part in relative.parent.parts]
    for depth in range(len(folders), 0, -1):
        route = settings.HOTFOLDER_ROUTES.get("/".join(folders[:depth]))
        if route:
            found = {"route_source": f"Eingangsordner {'/'.join(folders[:depth])}"}
            if route.get("case_file"):
                found["route_reference"] = route["case_file"]
            if route.get("unit"):
                found["route_unit"] = route["unit"]
            return found
    return {}


# --- health: the heartbeat of the watcher, read by the pages, `watch --check` and `run` -------

def watcher_name(root: Path) -> str:
    return shown(f"{socket.gethostname()}:{Path(root).resolve()}")[:300]


def watcher_beat(name: str) -> None:
    WatcherHeartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})


def watcher_gone(name: str) -> None:
    WatcherHeartbeat.objects.filter(name=name).delete()


def watcher_healthy(name: str | None = None) -> bool:
    """A watcher (this one, or any) passed over the hot folder within WATCH_STALE_SECONDS."""
    fresh = WatcherHeartbeat.objects.filter(
        seen_at__gte=timezone.now() - timedelta(seconds=settings.WATCH_STALE_SECONDS))
    return (fresh.filter(name=name) if name else fresh).exists()


def watchers_seen() -> list[tuple[float, bool]]:
    """Each registered watcher's age of its last pass in seconds, and whether that is fresh
    (the health page shows ages only: a watcher's name holds the hot folder's path)."""
    now = timezone.now()
    ages = [max(0.0, (now - seen).total_seconds())
            for seen in WatcherHeartbeat.objects.order_by("-seen_at").values_list(
                "seen_at", flat=True)]
    return [(age, age <= settings.WATCH_STALE_SECONDS) for age in ages]


def hotfolder_reports():
    return HotFolderReport.objects.all()


# --- the watcher ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Seen:
    state: tuple  # size, mtime, ctime, inode: any change restarts the wait
    since: float  # monotonic time this state was first seen


class HotFolderWatcher:
    def __init__(self, root: Path, *, settle_seconds: float | None = None,
                 temp_grace_seconds: float | None = None, clock=time.monotonic):
        # Resolved: fwalk does not enter a hot folder that is itself a link (a configured share).
        self.root = Path(root).resolve()
        self.settle = (settings.WATCH_SETTLE_SECONDS if settle_seconds is None
                       else settle_seconds)
        self.temp_grace = (settings.WATCH_TEMP_GRACE_SECONDS if temp_grace_seconds is None
                           else temp_grace_seconds)
        self.clock = clock
        self.name = watcher_name(self.root)
        self._seen: dict[Path, Seen] = {}
        self._failing: set[Path] = set()
        self._reported: dict[str, str] | None = None  # path -> code, as in the database
        self._last_beat = float("-inf")

    def scan_once(self) -> list:
        """One pass. A file is taken once it looked the same on two consecutive passes and for
        at least `settle` seconds."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._beat()
        now = self.clock()
        jobs = []
        current: dict[Path, Seen] = {}
        refused: dict[Path, tuple[str, str]] = {}
        # fwalk never follows a link to a directory, also not one swapped in during the walk,
        # and hands out each directory's descriptor for the opens below.
        for dirpath, dirnames, filenames, dirfd in os.fwalk(self.root):
            folder = Path(dirpath).relative_to(self.root)
            for name in list(dirnames):
                if name.startswith("."):
                    dirnames.remove(name)
                elif self._is_link(name, dirfd):
                    dirnames.remove(name)
                    refused[folder / name] = SYMLINK
            for name in filenames:
                relative = folder / name
                try:
                    found = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
                except FileNotFoundError:
                    continue
                if stat.S_ISLNK(found.st_mode):
                    refused[relative] = SYMLINK
                    continue
                if not stat.S_ISREG(found.st_mode):
                    refused[relative] = NOT_REGULAR
                    continue
                state = (found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino)
                before = self._seen.get(relative)
                seen = before if before and before.state == state else Seen(state, now)
                current[relative] = seen
                unchanged = now - seen.since
                if is_temporary(name):
                    if unchanged >= self.temp_grace:
                        refused[relative] = (TEMPORARY[0], TEMPORARY[1].format(
                            minutes=max(1, round(self.temp_grace / 60))))
                    continue
                if found.st_nlink > 1:
                    refused[relative] = HARDLINK
                    continue
                if seen is not before or unchanged < self.settle:
                    continue  # new, or still being written
                job, problem = self._receive(name, dirfd, relative, found)
                if problem:
                    refused[relative] = problem
                if job is not None:
                    jobs.append(job)
                    current.pop(relative, None)
                    self._beat()
        self._seen = current
        self._failing &= set(current)  # a file that went is forgotten
        self._report(refused)
        return jobs

    @staticmethod
    def _is_link(name: str, dirfd: int) -> bool:
        try:
            return stat.S_ISLNK(os.stat(name, dir_fd=dirfd, follow_symlinks=False).st_mode)
        except FileNotFoundError:
            return False

    def _receive(self, name: str, dirfd: int, relative: Path, found: os.stat_result):
        """Open without following a link and without blocking (a pipe swapped in after the
        look), check what was opened, and store exactly that."""
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                         dir_fd=dirfd)
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return None, SYMLINK
            if exc.errno in (errno.EACCES, errno.EPERM):
                return None, UNREADABLE
            self._log_failure(relative)
            return None, None
        with os.fdopen(fd, "rb") as handle:
            opened = os.fstat(fd)
            if (not stat.S_ISREG(opened.st_mode)
                    or (opened.st_dev, opened.st_ino) != (found.st_dev, found.st_ino)):
                return None, None  # replaced since the look: the next pass decides
            try:
                job = job_receive(stream=handle, original_name=shown(name), source="hotfolder",
                                  provenance={"hotfolder_path": shown(relative),
                                              **hotfolder_route(relative)})
            except Exception:
                self._log_failure(relative)
                return None, None
            finally:
                close_old_connections()
        self._failing.discard(relative)
        # Remove the name only while it still is what was received.
        try:
            now = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
            if (now.st_dev, now.st_ino) == (opened.st_dev, opened.st_ino):
                os.unlink(name, dir_fd=dirfd)
        except FileNotFoundError:
            pass
        log.info("received %s as job %s", shown(relative), job.pk)
        return job, None

    def _log_failure(self, relative: Path) -> None:
        if relative not in self._failing:
            log.exception("could not receive %s; it stays in the hot folder", shown(relative))
            self._failing.add(relative)

    def _report(self, refused: dict[Path, tuple[str, str]]) -> None:
        """Write what is left in place once (not on every pass) and drop what is gone."""
        now = {shown(relative)[:1024]: problem for relative, problem in refused.items()}
        if self._reported is None:
            self._reported = dict(HotFolderReport.objects.values_list("path", "code"))
        for path, (code, message) in now.items():
            if self._reported.get(path) != code:
                HotFolderReport.objects.update_or_create(
                    path=path, defaults={"code": code, "message": message})
                log.warning("hot folder: %s left in place (%s)", path, code)
        gone = [path for path in self._reported if path not in now]
        if gone:
            HotFolderReport.objects.filter(path__in=gone).delete()
        self._reported = {path: code for path, (code, _) in now.items()}

    def _beat(self) -> None:
        if self.clock() - self._last_beat < BEAT_EVERY_SECONDS:
            return
        try:
            watcher_beat(self.name)
        except Exception:  # a locked database must not keep the files from being received
            log.exception("could not write the heartbeat of %s", self.name)
        else:
            self._last_beat = self.clock()

    def run(self, interval: float, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        log.info("watching %s every %.1fs", self.root, interval)
        while not stop.is_set():
            try:
                self.scan_once()
            except Exception:  # the watcher must outlive any single bad pass
                log.exception("hot folder pass failed; continuing")
            finally:
                close_old_connections()
            stop.wait(interval)
        try:
            watcher_gone(self.name)
        except Exception:
            log.exception("could not remove the heartbeat of %s", self.name)
