import json
from pathlib import Path

from archive.commands import RegistraturCommand
from archive.errors import InvalidInput, NotFound
from archive.models import CaseFile
from retention.models import DisposalList
from retention.services.disposal import disposal_approve, disposal_execute, disposal_propose
from retention.services.transfer import transfer_import, transfer_offer, transfer_package


def _list(raw: str) -> DisposalList:
    disposal = DisposalList.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if disposal is None:
        raise NotFound("Unbekannte Aussonderungsliste.", code="DISPOSAL_UNKNOWN")
    return disposal


class Command(RegistraturCommand):
    help = ("Reviewed disposal: `disposal propose REF... --user U`, `disposal approve ID "
            "--user V` (a second person, at another OS account), `disposal execute ID --user "
            "DPO`; xdomea transfer to the public archive (--user DPO): `disposal offer --out "
            "DIR` (0501), `disposal import FILE` (0502, 0504, 0506, 0507), `disposal package "
            "--out DIR` (0503).")

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
            raise InvalidInput(f"disposal {o['action']} braucht ein Ziel.", code="TARGET_REQUIRED")
        if o["action"] == "propose":
            ids = list(CaseFile.objects.filter(file_reference__in=o["targets"])
                       .values_list("pk", flat=True))
            if len(ids) != len(set(o["targets"])):
                raise NotFound("Unbekanntes Aktenzeichen.", code="CASE_FILE_UNKNOWN")
            result = disposal_propose(actor=self.actor(o["user"]), case_file_ids=ids)
        elif o["action"] == "approve":
            disposal = _list(o["targets"][0])
            result = disposal_approve(actor=self.actor(o["user"]), disposal=disposal)
        else:
            result = disposal_execute(disposal_id=_list(o["targets"][0]).pk,
                                      actor=self.actor(o["user"]))
        self.stdout.write(json.dumps({"list": result.pk, "state": result.state,
                                      "protocol_sha256": result.protocol_sha256 or None}))

    def _transfer(self, o):
        if o["action"] == "import":
            if len(o["targets"]) != 1:
                raise InvalidInput("disposal import nimmt genau eine Datei.",
                                   code="TARGET_REQUIRED")
            source = Path(o["targets"][0])
            if not source.is_file():
                raise NotFound(f"Keine Datei {source.name}.", code="FILE_UNKNOWN")
            result = transfer_import(data=source.read_bytes(), actor=self.actor(o["user"]),
                                     out_dir=o["out"] or source.parent)
        elif o["out"] is None:
            raise InvalidInput(f"disposal {o['action']} braucht --out DIR.", code="OUT_REQUIRED")
        elif o["action"] == "offer":
            offered = transfer_offer(actor=self.actor(o["user"]), out_dir=o["out"])
            result = {"process_id": str(offered[0].process_id) if offered else None,
                      "file": str(offered[1]) if offered else None,
                      "case_files": offered[0].items.count() if offered else 0}
        else:
            packages = transfer_package(actor=self.actor(o["user"]), out_dir=o["out"])
            result = {"packages": [str(p) for p in packages]}
        self.stdout.write(json.dumps(result, ensure_ascii=False))
