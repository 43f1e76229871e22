from django.conf import settings
from django.core.wsgi import get_wsgi_application
from waitress import serve

from archive.commands import RegistraturCommand


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
    help = "Serve the web interface with waitress (used by `registratur run`)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.WEB_HOST)
        parser.add_argument("--port", type=int, default=settings.WEB_PORT)

    def handle(self, *args, **options):
        serve(
            get_wsgi_application(),
            host=options["host"],
            port=options["port"],
            threads=8,
            ident="Registratur",
            **proxy_options(),
        )
