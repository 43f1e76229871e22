"""The model files under DATA_DIR/models: readable by the service's user only. Light on
imports, so that the destruction receiver does not load scikit-learn into every process."""
import json
import os
from pathlib import Path

from django.conf import settings

# The Celery task that trains the classifier, queued by name (ingest/classification/tasks).
TRAIN_TASK = "ingest.train_classifier"

KEEP_MODELS = 2


def models_dir() -> Path:
    path = Path(settings.DATA_DIR) / "models"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def write_private(path: Path, payload: bytes) -> None:
    fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(path.with_suffix(".tmp"), path)


def model_versions(directory: Path | None = None) -> list[str]:
    directory = directory or models_dir()
    return sorted(path.name[len("classifier-"):-len(".joblib")]
                  for path in directory.glob("classifier-*.joblib"))


def model_metadata(version: str, directory: Path | None = None) -> dict:
    path = (directory or models_dir()) / f"classifier-{version}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def model_delete(version: str, directory: Path | None = None) -> None:
    directory = directory or models_dir()
    for suffix in (".joblib", ".json"):
        (directory / f"classifier-{version}{suffix}").unlink(missing_ok=True)
