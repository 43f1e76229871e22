from archive.commands import RegistraturCommand
from ingest.imap import imap_poll


class Command(RegistraturCommand):
    help = "Receive unseen mail from the configured IMAP mailbox (REGISTRATUR_IMAP_URL) once."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="imap[s]://user:password@host:port/BOX")

    def handle(self, *args, **options):
        jobs = imap_poll(options["url"] or None)
        self.stdout.write(f"{len(jobs)} mail(s) received")
