from pathlib import Path

from archive.commands import RegistraturCommand
from retention.services.fileplan_export import file_plan_export


class Command(RegistraturCommand):
    help = ("xdomea exports besides the hand-over (`disposal offer|import|package`): "
            "`fileplan --out DIR` writes the file plan as message 0301.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["fileplan"])
        parser.add_argument("--out", type=Path, required=True, help="folder for the message")
        parser.add_argument("--user", default="", help="an administrator or the officer")

    def handle(self, *args, **o):
        name, data = file_plan_export(actor=self.actor(o["user"]))
        o["out"].mkdir(parents=True, exist_ok=True)
        path = o["out"] / name
        path.write_bytes(data)
        self.stdout.write(str(path))
