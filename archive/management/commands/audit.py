import sys

from django.core.management.base import BaseCommand

from archive.services.events import events_verify


class Command(BaseCommand):
    help = "Audit log tools. `audit verify` checks the hash chain of the event log."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        result = events_verify()
        if result.ok:
            self.stdout.write(f"OK: {result.checked} entries, chain intact.")
            return
        self.stderr.write(f"TAMPERED: first bad entry is #{result.first_bad_seq}: {result.reason}")
        sys.exit(1)
