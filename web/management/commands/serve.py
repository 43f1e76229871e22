"""`registratur serve`: the web interface, as `registratur run` starts it.

One process (`--processes 1`) is waitress with threads, as before. More than one is gunicorn,
pre-forked: a master holds the socket and keeps N worker processes (each with a few threads)
alive, so that pages are rendered on every core instead of one interpreter's (see
docs/design.md, "Web server processes")."""
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connections

from archive.commands import RegistraturCommand
from archive.errors import InvalidInput

from ...gc_freeze import long_lived_frozen

THREADS = 8  # waitress, one process (as before)
WORKER_THREADS = 4  # gunicorn, per worker process


def gunicorn_serve(host: str, port: int, processes: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self):
            for key, value in {
                "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
                "workers": processes,
                # gthread: keep-alive connections and a few requests per process at once; the
                # processes share the listening socket.
                "worker_class": "gthread",
                "threads": threads,
                "keepalive": 5,
                # A document's upload or PDF rendition may take a while; the ingest pipeline
                # runs in the Celery worker, not here.
                "timeout": 120,
                "graceful_timeout": 20,
                "proc_name": "registratur-web",
                "accesslog": None,
                "loglevel": "warning",
                # Each worker loads the application after the fork: no database connection
                # or index reader is shared between processes.
                "preload_app": False,
            }.items():
                self.cfg.set(key, value)

        def load(self):
            return long_lived_frozen(get_wsgi_application())

    Application().run()


def proxy_options() -> dict:
    """waitress' handling of the reverse proxy's headers (README "HTTPS"): X-Forwarded-For and
    X-Forwarded-Proto count only on requests from REGISTRATUR_TRUSTED_PROXY (one proxy, so
    the last address of X-Forwarded-For is the client); waitress then sets REMOTE_ADDR and
    the scheme from them. From every other peer, and with no trusted proxy set, it removes
    all forwarding headers before the application sees the request."""
    options = {"clear_untrusted_proxy_headers": True}
    if settings.TRUSTED_PROXY:
        options.update(
            trusted_proxy=settings.TRUSTED_PROXY,
            trusted_proxy_count=1,
            trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto"},
        )
    return options


class Command(RegistraturCommand):
    help = ("Serve the web interface (used by `registratur run`): waitress in one process, or "
            "gunicorn with several pre-forked processes (--processes).")

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.WEB_HOST)
        parser.add_argument("--port", type=int, default=settings.WEB_PORT)
        parser.add_argument("--processes", type=int, default=settings.WEB_PROCESSES,
                            help="web processes (REGISTRATUR_WEB_PROCESSES, default 1): 1 is "
                                 "waitress in this process, more are gunicorn's workers")
        parser.add_argument("--threads", type=int, default=None,
                            help=f"threads per process (default {THREADS} for one process, "
                                 f"{WORKER_THREADS} per process for several)")

    def handle(self, *args, **options):
        processes = max(1, options["processes"])
        if processes > 1 and settings.TRUSTED_PROXY:
            # Only waitress applies the trusted-proxy rules (proxy_options); gunicorn would
            # show every client as the proxy's address to the login throttling and the trail.
            raise InvalidInput("Mehrere Webprozesse hinter dem Reverse Proxy werden noch nicht "
                               "unterstützt: bitte REGISTRATUR_WEB_PROCESSES=1.",
                               code="SERVE_PROCESSES_BEHIND_PROXY")
        # Nothing opened by the command's start-up (checks) may be inherited by a fork.
        connections.close_all()
        if processes == 1:
            from waitress import serve

            serve(long_lived_frozen(get_wsgi_application()), host=options["host"],
                  port=options["port"],
                  threads=options["threads"] or THREADS, ident="Registratur",
                  **proxy_options())
            return
        gunicorn_serve(options["host"], options["port"], processes,
                       options["threads"] or WORKER_THREADS)
