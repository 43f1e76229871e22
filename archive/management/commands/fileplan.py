import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from archive.errors import RegistraturError
from archive.models import FilePlanUnit
from archive.schedules import schedule_choices
from archive.services.fileplan import plan_unit_create, plan_unit_update


class Command(BaseCommand):
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
        if not o["code"] or not o["user"]:
            raise CommandError("code and --user are required")
        if o["action"] == "set-schedule" and not o["value"]:
            raise CommandError("set-schedule needs CODE and SCHEDULE")
        try:
            user = get_user_model().objects.get(username=o["user"], is_active=True)
            if o["action"] == "create":
                parent_code = o["code"].rpartition(".")[0]
                parent = FilePlanUnit.objects.filter(code=parent_code).first()
                unit = plan_unit_create(user=user, code=o["code"], title=o["value"] or o["code"],
                                        parent=parent, retention_schedule=o["schedule"])
            elif o["action"] == "set-schedule":
                unit = FilePlanUnit.objects.get(code=o["code"])
                plan_unit_update(user=user, plan_unit=unit, retention_schedule=o["value"])
            else:
                unit = FilePlanUnit.objects.get(code=o["code"])
                plan_unit_update(user=user, plan_unit=unit, active=o["action"] == "activate")
        except (RegistraturError, FilePlanUnit.DoesNotExist,
                get_user_model().DoesNotExist) as error:
            message = getattr(error, "message", str(error))
            code = getattr(error, "code", "NOT_FOUND")
            raise CommandError(f"{message} ({code})") from None
        self.stdout.write(json.dumps({"code": unit.code, "active": unit.active,
                                      "retention_schedule": unit.retention_schedule}))
