import signal
import threading

from django.conf import settings

from archive.commands import RegistraturCommand
from ingest.watcher import HotFolderWatcher


class Command(RegistraturCommand):
    help = "Watch the hot folder and receive every file put into it."

    def handle(self, *args, **options):
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        self.stdout.write(f"Watching {settings.CONSUME_DIR}")
        HotFolderWatcher(settings.CONSUME_DIR).run(settings.WATCH_INTERVAL_SECONDS, stop)
