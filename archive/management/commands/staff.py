import os

from archive.commands import RegistraturCommand
from archive.errors import InvalidInput
from archive.models import StaffProfile
from archive.services.staff import staff_set


def _list(value):
    return [item.strip() for item in value.split(",") if item.strip()] if value else None


class Command(RegistraturCommand):
    help = ("Staff administration: `staff list`, or `staff set NAME [--role R] [--units A,B] "
            "[--clearance N] [--personnel-admin yes|no] [--grant P,..] [--revoke P,..] "
            "[--password-env VAR]`. Permissions: reopen_casefile, share_casefile, "
            "manage_fileplan.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "set"])
        parser.add_argument("username", nargs="?")
        parser.add_argument("--role")
        parser.add_argument("--units")
        parser.add_argument("--clearance", type=int)
        parser.add_argument("--personnel-admin", choices=["yes", "no"])
        parser.add_argument("--grant")
        parser.add_argument("--revoke")
        parser.add_argument("--password-env", help="read the password from this variable")
        parser.add_argument("--user", dest="by", default="",
                            help="the administrator acting (default: the OS account alone)")

    def handle(self, *args, **o):
        if o["action"] == "list":
            for profile in StaffProfile.objects.select_related("user").order_by("user__username"):
                units = ",".join(profile.units.values_list("code", flat=True)) or "-"
                personnel = " personnel-admin" if profile.personnel_administration else ""
                self.stdout.write(f"{profile.user.username:<22} {profile.role:<16} {units:<8} "
                                  f"clearance={profile.clearance}{personnel}")
            return
        if not o["username"]:
            raise InvalidInput("staff set braucht einen Benutzernamen.", code="USER_REQUIRED")
        password = os.environ.get(o["password_env"]) if o["password_env"] else None
        personnel = None if o["personnel_admin"] is None else o["personnel_admin"] == "yes"
        # --user: an administrator; without it, the machine's operator (by OS account).
        staff_set(actor=self.actor(o["by"], required=False), username=o["username"], role=o["role"],
                  units=_list(o["units"]), clearance=o["clearance"],
                  personnel_administration=personnel, grant=_list(o["grant"]),
                  revoke=_list(o["revoke"]), password=password)
        self.stdout.write(f"{o['username']} updated.")
