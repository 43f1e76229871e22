import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from archive.errors import RegistraturError
from archive.models import FilePlanUnit
from archive.services.fileplan import plan_unit_create, plan_unit_update


class Command(BaseCommand):
    help = "The file plan: list, create, deactivate, activate (as an administrator, --user)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "create", "deactivate", "activate"])
        parser.add_argument("code", nargs="?")
        parser.add_argument("title", nargs="?")
        parser.add_argument("--schedule", default="", help="retention schedule key")
        parser.add_argument("--user", default="")

    def handle(self, *args, **o):
        if o["action"] == "list":
            for unit in FilePlanUnit.objects.all():
                state = "" if unit.active else "  (deaktiviert)"
                self.stdout.write(f"{unit.code:<12} {unit.title}  [{unit.retention_schedule}]"
                                  f"{state}")
            return
        if not o["code"] or not o["user"]:
            raise CommandError("code and --user are required")
        try:
            user = get_user_model().objects.get(username=o["user"], is_active=True)
            if o["action"] == "create":
                parent_code = o["code"].rpartition(".")[0]
                parent = FilePlanUnit.objects.filter(code=parent_code).first()
                unit = plan_unit_create(user=user, code=o["code"], title=o["title"] or o["code"],
                                        parent=parent, retention_schedule=o["schedule"])
            else:
                unit = FilePlanUnit.objects.get(code=o["code"])
                plan_unit_update(user=user, plan_unit=unit, active=o["action"] == "activate")
        except (RegistraturError, FilePlanUnit.DoesNotExist,
                get_user_model().DoesNotExist) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps({"code": unit.code, "active": unit.active}))
