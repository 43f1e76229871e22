"""`registratur run`: one command for the embedded instance.

Prepares the database and the demo setup, then starts the web server, worker, scheduler and
hot-folder watcher as child processes, restarts any that dies, and stops them all on Ctrl+C.
"""
import os
import signal
import subprocess
import sys
import time

RESTART_BACKOFF_SECONDS = (1, 2, 5, 10, 30)
HEALTH_EVERY_SECONDS = 10


def watcher_stuck(started_at: float, now: float) -> bool:
    """The watcher process lives but has not passed over the hot folder for a while (a blocked
    read, a hung network share): only a restart helps."""
    from django.conf import settings

    from ingest.watcher import watcher_healthy, watcher_name

    if now - started_at < settings.WATCH_STALE_SECONDS:
        return False
    try:
        return not watcher_healthy(watcher_name(settings.CONSUME_DIR))
    except Exception:  # the database is busy: ask again next time
        return False


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "config.cli", *args], check=True)


def stop_if_stuck(watcher: subprocess.Popen, started_at: float, now: float) -> bool:
    """End a stuck watcher (SIGKILL if a blocked call ignores SIGTERM); the loop below then
    starts it again like any child that exited."""
    if watcher.poll() is not None or not watcher_stuck(started_at, now):
        return False
    print("Registratur: the hot-folder watcher is stuck; restarting it", file=sys.stderr,
          flush=True)
    watcher.terminate()
    try:
        watcher.wait(timeout=5)
    except subprocess.TimeoutExpired:
        watcher.kill()
        watcher.wait()
    return True


def run_embedded(args: list[str]) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.db import close_old_connections

    from .processes import instance_commands

    print("Registratur: preparing the database ...", flush=True)
    _manage("migrate", "--noinput", "-v", "0")
    # Style sheets, fonts and scripts under content-hashed names (whitenoise serves them); it
    # fails with registratur.E010 when `npm ci` has not run.
    _manage("collectstatic", "--noinput", "-v", "0")
    if "--no-demo" not in args:
        _manage("demo_setup")
    settings.CONSUME_DIR.mkdir(parents=True, exist_ok=True)

    commands = instance_commands()
    children: dict[str, subprocess.Popen] = {}
    started: dict[str, float] = {}
    failures: dict[str, int] = {name: 0 for name in commands}
    for name, argv in commands.items():
        children[name] = subprocess.Popen(argv, env=os.environ.copy())
        started[name] = time.monotonic()
    last_health = time.monotonic()

    url = f"http://{settings.WEB_HOST}:{settings.WEB_PORT}/"
    print(
        "\nRegistratur is running.\n"
        f"  Web interface:  {url}\n"
        f"  Hot folder:     {settings.CONSUME_DIR}\n"
        f"  Data directory: {settings.DATA_DIR}\n"
        f"  Database:       {settings.DATABASES['default']['NAME']}\n"
        f"  Search index:   {settings.SEARCH_INDEX_DIR} ({settings.SEARCH_BACKEND})\n"
        "Stop with Ctrl+C.\n",
        flush=True,
    )

    stopping = False

    def _stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    while not stopping:
        time.sleep(0.5)
        if time.monotonic() - last_health >= HEALTH_EVERY_SECONDS:
            last_health = time.monotonic()
            stop_if_stuck(children["watcher"], started["watcher"], last_health)
            close_old_connections()  # no connection held open between two looks
        for name, child in list(children.items()):
            if child.poll() is None or stopping:
                continue
            delay = RESTART_BACKOFF_SECONDS[min(failures[name], len(RESTART_BACKOFF_SECONDS) - 1)]
            failures[name] += 1
            print(f"Registratur: {name} exited with {child.returncode}; restarting in {delay}s",
                  file=sys.stderr, flush=True)
            time.sleep(delay)
            children[name] = subprocess.Popen(commands[name], env=os.environ.copy())
            started[name] = time.monotonic()

    print("Registratur: stopping ...", flush=True)
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    return 0
