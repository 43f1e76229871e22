import json

from archive.commands import RegistraturCommand
from archive.errors import NotFound
from archive.models import CaseFile, FilePlanUnit, Unit
from archive.services.casefiles import case_file_close, case_file_create, case_file_reopen
from archive.services.exchange import case_file_export, case_file_import


def _case_file(reference):
    case_file = CaseFile.objects.filter(file_reference=reference).first()
    if case_file is None:
        raise NotFound(f"Keine Akte {reference}.", code="CASE_FILE_UNKNOWN")
    return case_file


class Command(RegistraturCommand):
    help = ("Case files: create, close (zdA), reopen, export to and import from a package. "
            "Every action runs with the permissions of --user and is logged.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--plan", required=True, help="file plan code, e.g. 50.20.1")
        create.add_argument("--unit", required=True, help="owning unit code, e.g. A")
        create.add_argument("--title", required=True)
        create.add_argument("--subject", default="")
        create.add_argument("--client-number", default="")
        create.add_argument("--street", default="", help="subject's street and house number")
        create.add_argument("--postcode", default="", help="subject's postcode (5 digits)")
        create.add_argument("--city", default="", help="subject's city")
        create.add_argument("--user", required=True)
        for name in ("close", "reopen"):
            action = sub.add_parser(name)
            action.add_argument("reference")
            action.add_argument("--user", required=True)
            action.add_argument("--reason", default="")
        export = sub.add_parser("export")
        export.add_argument("reference")
        export.add_argument("--out", required=True)
        export.add_argument("--user", required=True)
        export.add_argument("--purpose", default="")
        imported = sub.add_parser("import")
        imported.add_argument("package")
        imported.add_argument("--user", default="")

    def handle(self, *args, **options):
        result = getattr(self, f"_{options['action']}")(options)
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _create(self, o):
        plan_unit = FilePlanUnit.objects.filter(code=o["plan"]).first()
        unit = Unit.objects.filter(code=o["unit"]).first()
        if plan_unit is None or unit is None:
            raise NotFound("Unbekanntes Aktenplankennzeichen oder unbekannte Einheit.",
                           code="PLAN_OR_UNIT_UNKNOWN")
        case_file = case_file_create(plan_unit=plan_unit, unit=unit, title=o["title"],
                                     actor=self.actor(o["user"]), subject_name=o["subject"],
                                     client_number=o["client_number"],
                                     subject_street=o["street"], subject_postcode=o["postcode"],
                                     subject_city=o["city"])
        return {"id": case_file.pk, "file_reference": case_file.file_reference}

    def _close(self, o):
        case_file = case_file_close(actor=self.actor(o["user"]),
                                    case_file=_case_file(o["reference"]), note=o["reason"])
        return {"file_reference": case_file.file_reference, "closed_at": str(case_file.closed_at)}

    def _reopen(self, o):
        case_file = case_file_reopen(actor=self.actor(o["user"]),
                                     case_file=_case_file(o["reference"]), reason=o["reason"])
        return {"file_reference": case_file.file_reference, "closed_at": None}

    def _export(self, o):
        path = case_file_export(actor=self.actor(o["user"]),
                                case_file_id=_case_file(o["reference"]).pk, target=o["out"],
                                purpose=o["purpose"])
        return {"package": str(path)}

    def _import(self, o):
        # --user: an administrator; without it, the machine's operator (recorded by OS account).
        case_file = case_file_import(path=o["package"],
                                     actor=self.actor(o["user"], required=False))
        return {"id": case_file.pk, "file_reference": case_file.file_reference}
