from datetime import date

from django.conf import settings
from django.utils import timezone, translation

from archive.commands import RegistraturCommand
from archive.services.reports import Narrowing, Period, report_csv, report_run

KINDS = {"case-file": "case_file", "person": "person", "user": "user"}


class Command(RegistraturCommand):
    help = ("Access reports for the data-protection officer, as CSV for German Excel: "
            "`report case-file REF | person NAME | user NAME --from D --to D --user DPO "
            "[--actor NAME] [--action ACTION]`.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("subject")
        parser.add_argument("--from", dest="start", type=date.fromisoformat,
                            default=date(2000, 1, 1))
        parser.add_argument("--to", dest="end", type=date.fromisoformat,
                            default=timezone.localdate(),
                            help="last day, local (default: today in TIME_ZONE)")
        parser.add_argument("--user", required=True, help="the data-protection officer")
        parser.add_argument("--actor", default="", help="only what this user did")
        parser.add_argument("--action", default="", help="only this action, e.g. viewed")

    def handle(self, *args, **o):
        # The configured language, not whatever an earlier caller in this process activated.
        with translation.override(settings.LANGUAGE_CODE):
            events = report_run(actor=self.actor(o["user"]), kind=KINDS[o["kind"]],
                                subject=o["subject"], period=Period(o["start"], o["end"]),
                                narrowing=Narrowing(user=o["actor"], action=o["action"]))
            self.stdout.write(report_csv(events), ending="")
