"""Command lines of the long-running processes of an instance."""
import sys

from django.conf import settings


def worker_argv(extra: list[str]) -> list[str]:
    argv = ["worker", "--queues", "ingest,index", "--loglevel", "INFO", "--hostname",
            "registratur@%h"]
    if not any(arg.startswith("--concurrency") or arg == "-c" for arg in extra):
        # OCRmyPDF parallelises pages itself; two jobs keep two cores busy across documents.
        argv += ["--concurrency", "2"]
    return argv + extra


def beat_argv(extra: list[str]) -> list[str]:
    settings.RUN_DIR.mkdir(parents=True, exist_ok=True)
    schedule = settings.RUN_DIR / "celerybeat-schedule"
    return ["beat", "--loglevel", "INFO", "--schedule", str(schedule)] + extra


def instance_commands() -> dict[str, list[str]]:
    """The children that `registratur run` starts and keeps alive."""
    exe = [sys.executable, "-m", "config.cli"]
    return {
        "web": exe + ["serve"],
        "worker": exe + ["worker"],
        "beat": exe + ["beat"],
        "watcher": exe + ["watch"],
    }
