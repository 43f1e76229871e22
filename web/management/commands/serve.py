from django.conf import settings
from django.core.wsgi import get_wsgi_application
from waitress import serve

from archive.commands import RegistraturCommand


class Command(RegistraturCommand):
    help = "Serve the web interface with waitress (used by `registratur run`)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.WEB_HOST)
        parser.add_argument("--port", type=int, default=settings.WEB_PORT)

    def handle(self, *args, **options):
        serve(get_wsgi_application(), host=options["host"], port=options["port"], threads=8,
              ident="Registratur")
