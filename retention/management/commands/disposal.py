import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from archive.errors import RegistraturError
from archive.models import CaseFile
from retention.models import DisposalList
from retention.services.disposal import disposal_approve, disposal_execute, disposal_propose


def _user(name):
    try:
        return get_user_model().objects.get(username=name, is_active=True)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No active user {name!r}") from None


class Command(BaseCommand):
    help = ("Reviewed disposal: `disposal propose REF... --user U`, `disposal approve ID "
            "--user V` (a second person), `disposal execute ID`.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["propose", "approve", "execute"])
        parser.add_argument("targets", nargs="+", help="file references, or the list id")
        parser.add_argument("--user", default="")

    def handle(self, *args, **o):
        try:
            if o["action"] == "propose":
                ids = list(CaseFile.objects.filter(file_reference__in=o["targets"])
                           .values_list("pk", flat=True))
                if len(ids) != len(set(o["targets"])):
                    raise CommandError("unknown file reference")
                result = disposal_propose(user=_user(o["user"]), case_file_ids=ids)
            elif o["action"] == "approve":
                disposal = DisposalList.objects.filter(pk=int(o["targets"][0])).first()
                if disposal is None:
                    raise CommandError("unknown disposal list")
                result = disposal_approve(user=_user(o["user"]), disposal=disposal)
            else:
                result = disposal_execute(disposal_id=int(o["targets"][0]),
                                          actor=o["user"] or "cli")
        except RegistraturError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        self.stdout.write(json.dumps({"list": result.pk, "state": result.state,
                                      "protocol_sha256": result.protocol_sha256 or None}))
