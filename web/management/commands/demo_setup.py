import os

from archive.commands import RegistraturCommand
from web.demo import DEMO_USERS, demo_setup


class Command(RegistraturCommand):
    help = "Create the demo units, users, file plan and case files unless they exist."

    def handle(self, *args, **options):
        result = demo_setup(password=os.environ.get("REGISTRATUR_DEMO_PASSWORD") or None)
        if not result.created:
            self.stdout.write("Demo setup already present; nothing changed.")
            return
        users = ", ".join(name for name, _, _ in DEMO_USERS)
        self.stdout.write("Demo setup created.")
        self.stdout.write(f"  Users:    {users}")
        self.stdout.write(f"  Password: {result.password}   (shown only this once)")
        for case_file in result.case_files:
            self.stdout.write(f"  Case file {case_file.file_reference} ({case_file.unit.name})")
