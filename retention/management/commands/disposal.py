import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from archive.errors import RegistraturError
from archive.models import CaseFile
from retention.models import DisposalList
from retention.services.disposal import disposal_approve, disposal_execute, disposal_propose
from retention.services.transfer import transfer_import, transfer_offer, transfer_package


def _user(name):
    try:
        return get_user_model().objects.get(username=name, is_active=True)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No active user {name!r}") from None


class Command(BaseCommand):
    help = ("Reviewed disposal: `disposal propose REF... --user U`, `disposal approve ID "
            "--user V` (a second person), `disposal execute ID`; xdomea transfer to the public "
            "archive: `disposal offer --out DIR` (0501), `disposal import FILE` (0502, 0504, "
            "0506, 0507), `disposal package --out DIR` (0503).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["propose", "approve", "execute",
                                               "offer", "import", "package"])
        parser.add_argument("targets", nargs="*",
                            help="file references, the list id, or the message file to import")
        parser.add_argument("--user", default="")
        parser.add_argument("--out", type=Path, default=None,
                            help="where to write xdomea messages (import: default next to FILE)")

    def handle(self, *args, **o):
        if o["action"] in ("offer", "import", "package"):
            return self._transfer(o)
        if not o["targets"]:
            raise CommandError(f"disposal {o['action']} needs a target")
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

    def _transfer(self, o):
        actor = o["user"] or "cli"
        try:
            if o["action"] == "import":
                if len(o["targets"]) != 1:
                    raise CommandError("disposal import takes exactly one FILE")
                source = Path(o["targets"][0])
                if not source.is_file():
                    raise CommandError(f"no such file: {source}")
                result = transfer_import(data=source.read_bytes(), actor=actor,
                                         out_dir=o["out"] or source.parent)
            elif o["out"] is None:
                raise CommandError(f"disposal {o['action']} needs --out DIR")
            elif o["action"] == "offer":
                offered = transfer_offer(actor=actor, out_dir=o["out"])
                result = {"process_id": str(offered[0].process_id) if offered else None,
                          "file": str(offered[1]) if offered else None,
                          "case_files": offered[0].items.count() if offered else 0}
            else:
                result = {"packages": [str(p) for p in transfer_package(actor=actor,
                                                                          out_dir=o["out"])]}
        except RegistraturError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        self.stdout.write(json.dumps(result, ensure_ascii=False))
