from datetime import date

from django.utils import timezone

from archive.commands import RegistraturCommand
from archive.services.reports import Period, report_csv, report_run

KINDS = {"case-file": "case_file", "person": "person", "user": "user"}


class Command(RegistraturCommand):
    help = ("Access reports for the data-protection officer, as CSV: "
            "`report case-file REF | person NAME | user NAME --from D --to D --user DPO`.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("subject")
        parser.add_argument("--from", dest="start", type=date.fromisoformat,
                            default=date(2000, 1, 1))
        parser.add_argument("--to", dest="end", type=date.fromisoformat,
                            default=timezone.localdate(),
                            help="last day, local (default: today in TIME_ZONE)")
        parser.add_argument("--user", required=True, help="the data-protection officer")

    def handle(self, *args, **o):
        events = report_run(actor=self.actor(o["user"]), kind=KINDS[o["kind"]],
                            subject=o["subject"], period=Period(o["start"], o["end"]))
        self.stdout.write(report_csv(events), ending="")
