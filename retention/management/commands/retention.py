import json
from datetime import date

from archive.commands import RegistraturCommand
from archive.errors import InvalidInput, NotFound
from archive.services.casefiles import case_file_by_reference
from retention.services.disposal import retention_due
from retention.services.schedules import retention_end_change


class Command(RegistraturCommand):
    help = ("`retention due [--json]`: what is past its retention end and not held, and why. "
            "`retention set-end REF YYYY-MM-DD --reason TEXT --user NAME`: change one case "
            "file's retention end (later: those who work on it or the data-protection officer; "
            "earlier: the data-protection officer alone, never under a legal hold).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["due", "set-end"])
        parser.add_argument("file_reference", nargs="?")
        parser.add_argument("until", nargs="?", help="the new retention end, YYYY-MM-DD")
        parser.add_argument("--reason", default="")
        parser.add_argument("--user", default="")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        if o["action"] == "set-end":
            self._set_end(o)
            return
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

    def _set_end(self, o):
        if not (o["file_reference"] and o["until"]):
            raise InvalidInput("set-end braucht AKTENZEICHEN und JJJJ-MM-TT.",
                               code="ARGUMENTS_MISSING")
        try:
            until = date.fromisoformat(o["until"])
        except ValueError:
            raise InvalidInput(f"Kein Datum (JJJJ-MM-TT): {o['until']}",
                               code="DATE_INVALID") from None
        actor = self.actor(o["user"])
        case_file = case_file_by_reference(o["file_reference"])
        if case_file is None:
            raise NotFound()
        record = retention_end_change(actor=actor, case_file=case_file, until=until,
                                      reason=o["reason"])
        self.stdout.write(json.dumps({"file_reference": case_file.file_reference,
                                      "retention_end": record.end.isoformat(),
                                      "reason": record.override_reason}, ensure_ascii=False))
