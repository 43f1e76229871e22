from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from archive.errors import RegistraturError
from archive.services.reports import Period, report_csv, report_run

KINDS = {"case-file": "case_file", "person": "person", "user": "user"}


class Command(BaseCommand):
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
        try:
            user = get_user_model().objects.get(username=o["user"], is_active=True)
            events = report_run(user=user, kind=KINDS[o["kind"]], subject=o["subject"],
                                period=Period(o["start"], o["end"]))
        except (RegistraturError, get_user_model().DoesNotExist) as error:
            raise CommandError(f"not permitted or unknown: {error}") from None
        self.stdout.write(report_csv(events), ending="")
