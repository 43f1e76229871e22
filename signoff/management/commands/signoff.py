import json

from django.db.models import F

from archive.commands import RegistraturCommand
from signoff.models import SigningLimit
from signoff.routes import signing_limit_set


class Command(RegistraturCommand):
    help = ("`signoff limits [--json]`: the units' signing limits (euro). `signoff limit UNIT "
            "AMOUNT [--for NAME] [--user ADMIN]`: set a unit's limit for everyone with "
            "signing authority, or for one person (AMOUNT `-` removes it); an administrator, "
            "or the machine's operator without --user.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["limits", "limit"])
        parser.add_argument("unit", nargs="?")
        parser.add_argument("amount", nargs="?")
        parser.add_argument("--for", dest="person", default="")
        parser.add_argument("--user", default="")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        if o["action"] == "limit":
            actor = self.actor(o["user"], required=False)
            amount = None if o["amount"] in (None, "-") else o["amount"]
            signing_limit_set(actor=actor, unit_code=o["unit"] or "", max_amount=amount,
                              username=o["person"])
        for limit in SigningLimit.objects.select_related("unit", "user").order_by(
                # the unit-wide limit first on every database (NULLs sort first only in SQLite)
                "unit__code", F("user__username").asc(nulls_first=True)):
            record = {"unit": limit.unit.code, "user": limit.user.username if limit.user
                      else None, "max_amount": str(limit.max_amount)}
            if o["json"]:
                self.stdout.write(json.dumps(record, ensure_ascii=False))
            else:
                self.stdout.write(f"{record['unit']:<10} {record['user'] or '(alle)':<24} "
                                  f"{record['max_amount']:>14} EUR")
