"""The hot folder: files that stopped changing are received (stored durably, job committed),
then removed from the folder. A file that cannot be received stays and is tried again."""
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections

from .jobs import job_receive

log = logging.getLogger(__name__)
IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", "~")


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


@dataclass(frozen=True)
class Seen:
    size: int
    mtime_ns: int


def _candidates(root: Path):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith(".") or name.endswith(IGNORED_SUFFIXES):
                continue
            yield Path(dirpath) / name


class HotFolderWatcher:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._seen: dict[Path, Seen] = {}
        self._failing: set[Path] = set()

    def scan_once(self) -> list:
        """One pass. A file is taken once it looked the same on two consecutive passes."""
        self.root.mkdir(parents=True, exist_ok=True)
        jobs = []
        current: dict[Path, Seen] = {}
        for path in _candidates(self.root):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            seen = Seen(stat.st_size, stat.st_mtime_ns)
            current[path] = seen
            if self._seen.get(path) != seen:
                continue  # new or still being written
            job = self._receive(path)
            if job is not None:
                jobs.append(job)
                current.pop(path, None)
        self._seen = current
        return jobs

    def _receive(self, path: Path):
        relative = path.relative_to(self.root)
        try:
            job = job_receive(path=path, original_name=path.name, source="hotfolder",
                              provenance={"hotfolder_path": str(relative),
                                          **hotfolder_route(relative)})
        except Exception:
            if path not in self._failing:
                log.exception("could not receive %s; it stays in the hot folder", relative)
                self._failing.add(path)
            return None
        finally:
            close_old_connections()
        self._failing.discard(path)
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        log.info("received %s as job %s", relative, job.pk)
        return job

    def run(self, interval: float, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        log.info("watching %s every %.1fs", self.root, interval)
        while not stop.is_set():
            try:
                self.scan_once()
            except Exception:  # the watcher must outlive any single bad pass
                log.exception("hot folder pass failed; continuing")
            stop.wait(interval)
