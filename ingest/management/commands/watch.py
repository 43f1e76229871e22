import signal
import threading

from django.conf import settings
from django.core.management.base import CommandError

from archive.commands import RegistraturCommand
from ingest.watcher import HotFolderWatcher, watcher_healthy, watcher_name


class Command(RegistraturCommand):
    help = "Watch the hot folder and receive every file put into it."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="exit non-zero unless this host's watcher passed over the hot "
                                 "folder within REGISTRATUR_WATCH_STALE_SECONDS")

    def handle(self, *args, **options):
        if options["check"]:
            if not watcher_healthy(watcher_name(settings.CONSUME_DIR)):
                raise CommandError("Eingangsordner wird nicht überwacht / the hot folder is not "
                                   f"watched: no pass over {settings.CONSUME_DIR} within "
                                   f"{settings.WATCH_STALE_SECONDS:.0f}s", returncode=1)
            self.stdout.write("ok")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        self.stdout.write(f"Watching {settings.CONSUME_DIR}")
        HotFolderWatcher(settings.CONSUME_DIR).run(settings.WATCH_INTERVAL_SECONDS, stop)
