import io
import json
import sys
from pathlib import Path

from django.core.management import call_command

from archive.actors import system_actor
from archive.backup.rebuild import backup_restore, destructions_replay
from archive.checkpoints import checkpoint_write
from archive.commands import RegistraturCommand
from archive.errors import IntegrityFailure
from archive.models import CaseFile, Document
from archive.services.events import event_append, events_verify
from archive.services.fixity import fixity_check


class Command(RegistraturCommand):
    help = ("Rebuild this (empty) instance from a backup written by `registratur backup`: "
            "check it, put every file in place, destroy again what the destruction journal "
            "records since, rebuild the search index, then verify the trail and the stored "
            "objects. A damaged, incomplete or foreign backup is refused before anything is "
            "written.")
    # The database may not exist yet: no system checks before the restore.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path)
        parser.add_argument("--journal", action="append", type=Path, default=[],
                            help="a surviving copy of the destruction journal "
                                 "(destructions.jsonl), newer than the backup")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        manifest = backup_restore(root=options["backup"], journals=options["journal"])
        call_command("migrate", verbosity=0)
        replay = destructions_replay()
        # The trail now ends where the backup was taken; it says so, and what came back out.
        event_append(action="restored", object_type="instance", object_id="all",
                     actor=self.actor(required=False),
                     data={"backup_created_at": manifest["created_at"],
                           "redestroyed_case_files": [c["id"] for c in replay.case_files],
                           "redestroyed_documents": replay.documents})
        # The index is not in the backup: built again from the restored database.
        call_command("search", "rebuild", stdout=io.StringIO())
        checkpoint_write()
        verified = events_verify()
        findings = fixity_check(actor=system_actor(name="restore"))
        report = {
            "backup": str(options["backup"]), "created_at": manifest["created_at"],
            "database": manifest["database"],
            "case_files": CaseFile.objects.filter(destroyed_at__isnull=True).count(),
            "documents": Document.objects.filter(destroyed_at__isnull=True).count(),
            "redestroyed": {"case_files": replay.case_files, "documents": replay.documents,
                            "blobs_removed": replay.blobs_removed},
            "journal_problems": replay.problems,
            "audit_verify": "ok" if verified.ok else verified.reason,
            "fixity": [{"sha256": f.sha256, "problem": f.problem} for f in findings],
        }
        if options["json"]:
            self.stdout.write(json.dumps(report))
        else:
            self._print(report)
        if not verified.ok or findings:
            sys.exit(IntegrityFailure.exit_code)

    def _print(self, report: dict) -> None:
        self.stdout.write(f"Restored the backup of {report['created_at']}: "
                          f"{report['case_files']} case files, {report['documents']} documents.")
        for case_file in report["redestroyed"]["case_files"]:
            self.stdout.write(f"Destroyed again (journal {case_file['destroyed_at']}): case file "
                              f"{case_file['id']} {case_file['file_reference']}")
        if report["redestroyed"]["documents"]:
            ids = ", ".join(str(i) for i in report["redestroyed"]["documents"])
            self.stdout.write(f"Documents destroyed again: {ids}")
        for problem in report["journal_problems"]:
            self.stderr.write(f"JOURNAL: {problem}")
        self.stdout.write(f"audit verify: {report['audit_verify']}")
        self.stdout.write("fixity: " + ("clean" if not report["fixity"] else
                                        f"{len(report['fixity'])} findings"))
