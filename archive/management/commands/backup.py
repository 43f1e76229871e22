from pathlib import Path

from archive.backup.snapshot import backup_write
from archive.commands import RegistraturCommand
from archive.services.events import event_append


class Command(RegistraturCommand):
    help = ("Write one consistent, encrypted backup of this instance (database, blobs, "
            "checkpoints, destruction journal, keys, configuration) into a new directory, "
            "while it runs. The passphrase comes from REGISTRATUR_BACKUP_PASSPHRASE_FILE.")

    # A backup must not wait for the web's checks (front-end files): it touches none of it.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path, help="a new or empty directory")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        import json

        manifest = backup_write(out=options["out"])
        summary = {"out": str(options["out"]), "created_at": manifest["created_at"],
                   "database": manifest["database"], "blobs": manifest["blobs"],
                   "files": len(manifest["files"]),
                   "bytes": sum(entry["size"] for entry in manifest["files"])}
        # The backup holds every social datum: who took one is part of the trail.
        event_append(action="backup_written", object_type="instance", object_id="all",
                     actor=self.actor(required=False),
                     data={key: summary[key] for key in ("created_at", "files", "blobs")})
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(f"Backup of {summary['created_at']} written to {summary['out']}: "
                              f"{summary['files']} files, {summary['blobs']} stored objects.")
