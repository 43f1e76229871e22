import json

from archive.commands import RegistraturCommand
from archive.errors import InvalidInput, NotFound
from archive.models import FilePlanUnit
from archive.schedules import schedule_choices
from archive.services.fileplan import plan_unit_create, plan_unit_update


class Command(RegistraturCommand):
    help = ("The file plan: list, schedules, create CODE TITLE --schedule KEY, "
            "set-schedule CODE KEY, deactivate, activate (as an administrator, --user).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "schedules", "create", "set-schedule",
                                               "deactivate", "activate"])
        parser.add_argument("code", nargs="?")
        parser.add_argument("value", nargs="?", metavar="TITLE|SCHEDULE",
                            help="the title (create) or the schedule key (set-schedule)")
        parser.add_argument("--schedule", default="", help="retention schedule key (create)")
        parser.add_argument("--user", default="")

    def handle(self, *args, **o):
        if o["action"] == "list":
            for unit in FilePlanUnit.objects.all():
                state = "" if unit.active else "  (deaktiviert)"
                self.stdout.write(f"{unit.code:<12} {unit.title}  [{unit.retention_schedule}]"
                                  f"{state}")
            return
        if o["action"] == "schedules":
            for key, name in schedule_choices():
                self.stdout.write(f"{key:<28} {name}")
            return
        if not o["code"]:
            raise InvalidInput("Bitte das Kennzeichen angeben.", code="PLAN_CODE_REQUIRED")
        if o["action"] == "set-schedule" and not o["value"]:
            raise InvalidInput("set-schedule braucht Kennzeichen und Aufbewahrungsfrist.",
                               code="PLAN_SCHEDULE_MISSING")
        actor = self.actor(o["user"])
        if o["action"] == "create":
            parent_code = o["code"].rpartition(".")[0]
            parent = FilePlanUnit.objects.filter(code=parent_code).first()
            unit = plan_unit_create(actor=actor, code=o["code"], title=o["value"] or o["code"],
                                    parent=parent, retention_schedule=o["schedule"])
        else:
            unit = FilePlanUnit.objects.filter(code=o["code"]).first()
            if unit is None:
                raise NotFound(f"Keine Aktenplaneinheit {o['code']}.", code="PLAN_UNIT_UNKNOWN")
            if o["action"] == "set-schedule":
                plan_unit_update(actor=actor, plan_unit=unit, retention_schedule=o["value"])
            else:
                plan_unit_update(actor=actor, plan_unit=unit, active=o["action"] == "activate")
        self.stdout.write(json.dumps({"code": unit.code, "active": unit.active,
                                      "retention_schedule": unit.retention_schedule}))
