"""`registratur`: the manage.py of this project, plus the process commands of an instance.

    registratur run       embedded instance: migrate, demo setup, web + worker + beat + watcher
    registratur worker    a Celery worker (ingest and index queues)
    registratur beat      the Celery scheduler
    registratur <cmd>     any Django management command (ingest, search, audit, watch, ...)
"""
import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    # Social data: whatever this process creates (database, blobs, index, broker queue, work
    # files) is for the service account alone.
    os.umask(0o077)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from .env import ensure_data_dir

    ensure_data_dir()
    from .checks import register

    register()  # Django commands (serve, watch, migrate, check) run it at start
    command = argv[1] if len(argv) > 1 else "help"
    if command in ("worker", "beat", "run"):
        import django

        from .checks import warn_data_dir_permissions

        django.setup()
        warn_data_dir_permissions(sys.stderr)
    if command == "worker":
        from .celery import app
        from .processes import worker_argv

        app.start(worker_argv(argv[2:]))
        return
    if command == "beat":
        from .celery import app
        from .processes import beat_argv

        app.start(beat_argv(argv[2:]))
        return
    if command == "run":
        from .runner import run_embedded

        sys.exit(run_embedded(argv[2:]))
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
