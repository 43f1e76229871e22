"""Reading settings from the environment with safe defaults."""
import os
import secrets
import tempfile
from pathlib import Path


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_json(name: str, default):
    import json

    raw = os.environ.get(name)
    return json.loads(raw) if raw not in (None, "") else default


def data_dir() -> Path:
    """REGISTRATUR_DATA_DIR, resolved: settings and start-up agree on it without either
    importing the other."""
    return Path(env_str("REGISTRATUR_DATA_DIR", "./data")).resolve()


def broker_folders(root: Path) -> dict[str, str]:
    """Where kombu's filesystem transport keeps its queue and its exchange table (the
    transport's own default is a `control/` folder in the working directory)."""
    queue = root / "broker" / "queue"
    return {"data_folder_in": str(queue), "data_folder_out": str(queue),
            "control_folder": str(root / "broker" / "control")}


def upload_spool(root: Path) -> Path:
    """Where the web process writes an arriving upload (settings.FILE_UPLOAD_TEMP_DIR)."""
    return root / "work" / "uploads"


def uses_filesystem_broker() -> bool:
    return env_str("REGISTRATUR_BROKER_URL", "filesystem://localhost/").startswith("filesystem://")


def read_secret_key(root: Path) -> str:
    """The key generated into the data directory by `ensure_data_dir`, or "" before that."""
    try:
        return (root / "secret_key").read_text().strip()
    except FileNotFoundError:
        return ""


def ensure_data_dir() -> Path:
    """Create the data directory and what settings expect in it: the secret key (unless the
    environment gives one) and the broker folders. Called by every entry point before Django
    is set up; importing the settings creates nothing. Everything is for the service account
    alone (the entry points set umask 077; the modes here hold without it too)."""
    root = data_dir()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not env_str("REGISTRATUR_SECRET_KEY", "") and not read_secret_key(root):
        # Written aside and linked into place, so that a process starting at the same moment
        # never reads a half-written key; link() keeps the key of whoever was first.
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp, root / "secret_key")
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    upload_spool(root).mkdir(parents=True, exist_ok=True, mode=0o700)
    if uses_filesystem_broker():
        for folder in set(broker_folders(root).values()):
            Path(folder).mkdir(parents=True, exist_ok=True, mode=0o700)
    return root
