import json

from archive.commands import RegistraturCommand
from retention.services.disposal import retention_due


class Command(RegistraturCommand):
    help = "`retention due [--json]`: what is past its retention end and not held, and why."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["due"])
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        for item in retention_due():
            record = {"case_file": item.case_file.pk,
                      "file_reference": item.case_file.file_reference,
                      "retention_end": item.retention_end.isoformat(), "action": item.action,
                      "schedule": item.schedule_key, "why": item.why}
            if o["json"]:
                self.stdout.write(json.dumps(record, ensure_ascii=False))
            else:
                self.stdout.write(f"{record['file_reference']:<26} {record['retention_end']}  "
                                  f"{record['action']:<8} {record['why']}")
