import json

from archive.commands import RegistraturCommand
from followups.listing import deadlines_list
from followups.records import deadline_record


class Command(RegistraturCommand):
    help = ("`deadlines --user NAME [--json]`: the open deadlines whose responsible caseworker "
            "NAME is (the file's caseworker, else the unit's default one), each with its "
            "derivation: receipt from the trail, rule, legal basis, end, risk.")

    def add_arguments(self, parser):
        parser.add_argument("--user", default="")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        user = self.actor(o["user"]).user
        # Those NAME is responsible for, and those of NAME's units nobody is.
        units = (list(user.staff_profile.units.values_list("pk", flat=True))
                 if hasattr(user, "staff_profile") else [])
        for deadline in deadlines_list(user=user, user_ids=[user.pk], unit_ids=units,
                                       purpose="Fristen (Kommandozeile)"):
            record = deadline_record(deadline)
            if o["json"]:
                self.stdout.write(json.dumps(record, ensure_ascii=False))
            else:
                self.stdout.write(f"{record['end']}  {record['risk']:<8} "
                                  f"{record['file_reference']:<26} {record['rule']}")
