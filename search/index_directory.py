"""What the file-based backends (tantivy, whoosh) share about their index directory: the
version file that tells whether the index matches the current schema and analysis, and the
lock that makes writers across processes wait for each other instead of failing."""
import fcntl
from contextlib import contextmanager
from pathlib import Path


class IndexDirectory:
    directory: Path
    version: str  # the backend's schema and analysis version

    def _version_file(self) -> Path:
        return self.directory / "VERSION"

    def needs_rebuild(self) -> bool:
        version = self._version_file()
        return not version.exists() or version.read_text().strip() != self.version

    @contextmanager
    def _lock(self):
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        with open(self.directory.parent / f"{self.directory.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield
