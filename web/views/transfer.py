"""The data-protection officer's hand-over to the public archive (xdomea Aussonderung): what
is due, what was offered, how the archive decided, what it took over and what stayed. The
pages do what `registratur disposal offer | import | package` does, through the same
services, which authorize and log; a message for download is built again in a work folder
that goes when the response is on its way, so no copy of social data stays behind."""
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import InvalidInput, NotFound
from archive.guards import require_role
from archive.models import Role
from retention.models import Transfer, TransferItem, TransferItemState
from retention.services.transfer import (
    transfer_due,
    transfer_message_download,
    transfer_messages_available,
    transfer_messages_refused,
    transfer_offer,
    transfer_package,
    transfer_receive,
)

from ..errors import as_domain_error
from .actions import object_or_404

# An appraisal of thousands of files is a few megabytes; more is not an archive's answer.
MESSAGE_MAX_BYTES = 20 * 1024 * 1024
CONTENT_TYPES = {"0501": "application/xml", "0505": "application/xml",
                 "0503": "application/zip"}


def _list():
    return reverse("web:transfers")


def _detail(transfer_id) -> str:
    return reverse("web:transfer", args=[transfer_id])


def _workdir() -> Path:
    Path(settings.WORK_DIR).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="xdomea-", dir=settings.WORK_DIR))


def _refused(request, exception, back: str):
    """A refusal becomes a message on the page it came from; 'not found' stays a 404."""
    if isinstance(exception, NotFound):
        raise exception
    error = as_domain_error(exception)
    if error is None:
        raise exception
    messages.error(request, f"{error.message} ({error.code})")
    return redirect(back)


@login_required
@require_GET
def transfers_page(request):
    require_role(request.user, Role.DATA_PROTECTION)
    items = TransferItem.objects.select_related("case_file").order_by("case_file__file_reference")
    transfers = Transfer.objects.prefetch_related(Prefetch("items", queryset=items))[:50]
    return render(request, "web/transfers.html", {
        "transfers": transfers, "due": transfer_due(), "refused": transfer_messages_refused(),
        "max_megabytes": MESSAGE_MAX_BYTES // (1024 * 1024)})


def _decisions() -> dict[str, str]:
    """The archive's appraisal of an item, whatever happened to it since."""
    archive = _("archivwürdig")
    return {TransferItemState.OFFERED: _("noch nicht bewertet"),
            TransferItemState.DESTROY: _("kassieren (hier vernichten)"),
            TransferItemState.ARCHIVE: archive, TransferItemState.PACKAGED: archive,
            TransferItemState.ARCHIVED: archive, TransferItemState.FAILED: archive}


@login_required
@require_GET
def transfer_page(request, transfer_id: int):
    require_role(request.user, Role.DATA_PROTECTION)
    transfer = object_or_404(Transfer, transfer_id)
    items = list(transfer.items.select_related("case_file").order_by("case_file__file_reference"))
    decisions = _decisions()
    for item in items:
        item.decision = decisions[item.state]
    return render(request, "web/transfer.html", {
        "transfer": transfer, "items": items, "counts": Counter(i.state for i in items),
        "available": transfer_messages_available(transfer),
        "max_megabytes": MESSAGE_MAX_BYTES // (1024 * 1024)})


@login_required
@require_POST
def offer_action(request):
    """0501: offer what is due. The message is downloaded from the transfer's page."""
    require_role(request.user, Role.DATA_PROTECTION)
    workdir = _workdir()
    try:
        offered = transfer_offer(actor=actor_for_request(request), out_dir=workdir)
    except Exception as exception:  # noqa: BLE001 - _refused re-raises what is no refusal
        return _refused(request, exception, _list())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if offered is None:
        messages.info(request, _("Zurzeit ist keine Akte dem Archiv anzubieten."))
        return redirect(_list())
    messages.success(request, _("Das Anbieteverzeichnis (0501) ist erstellt. Laden Sie es "
                                "herunter und senden Sie es dem Archiv."))
    return redirect(_detail(offered[0].pk))


def _received(report: dict) -> str:
    code = report["message"]
    if code == "0502":
        text = _("Die Bewertung (0502) ist eingelesen: %(archive)d archivwürdig, %(destroy)d "
                 "zu kassieren, %(undecided)d noch nicht bewertet.") % {
            key: len(report[key]) for key in ("archive", "destroy", "undecided")}
        if report["unknown"]:
            text += " " + _("Nicht angeboten und daher übergangen: %(ids)s.") % {
                "ids": ", ".join(report["unknown"])}
        return text
    if code == "0506":
        return _("Die Importbestätigung (0506) ist eingelesen: %(archived)d übernommen, "
                 "%(kept)d hier erhalten.") % {"archived": len(report["archived"]),
                                                "kept": len(report["kept"])}
    return _("Die Empfangsbestätigung (%(code)s) ist eingelesen.") % {"code": code}


@login_required
@require_POST
def receive_action(request):
    """A message of the archive (0502, 0504, 0506, 0507), checked against the schemas."""
    require_role(request.user, Role.DATA_PROTECTION)
    upload = request.FILES.get("message")
    workdir = _workdir()
    try:
        if upload is None:
            raise InvalidInput(_("Bitte die Nachricht des Archivs (XML-Datei) auswählen."),
                               code="NO_FILE")
        if upload.size > MESSAGE_MAX_BYTES:
            raise InvalidInput(_("Die Datei ist größer als %(mb)d MB und damit keine "
                                 "Nachricht des Archivs.")
                               % {"mb": MESSAGE_MAX_BYTES // (1024 * 1024)}, code="TOO_LARGE")
        report = transfer_receive(actor=actor_for_request(request), data=upload.read(),
                                  name=upload.name, out_dir=workdir)
    except Exception as exception:  # noqa: BLE001 - _refused re-raises what is no refusal
        return _refused(request, exception, _list())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    messages.success(request, _received(report))
    transfer = Transfer.objects.get(process_id=report["process_id"])
    return redirect(_detail(transfer.pk))


@login_required
@require_POST
def package_action(request, transfer_id: int):
    """0503: the package of what the archive wants; downloaded from the transfer's page."""
    require_role(request.user, Role.DATA_PROTECTION)
    transfer = object_or_404(Transfer, transfer_id)
    workdir = _workdir()
    try:
        built = transfer_package(actor=actor_for_request(request), out_dir=workdir,
                                 transfer=transfer)
    except Exception as exception:  # noqa: BLE001 - _refused re-raises what is no refusal
        return _refused(request, exception, _detail(transfer.pk))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if built:
        messages.success(request, _("Das Aussonderungspaket (0503) ist gebildet. Laden Sie es "
                                    "herunter und übergeben Sie es dem Archiv."))
    else:
        messages.info(request, _("Nichts zu übergeben: Der Vorgang ist nicht bewertet, schon "
                                 "übergeben, oder das Archiv will keine seiner Akten."))
    return redirect(_detail(transfer.pk))


@login_required
@require_GET
def message_download(request, transfer_id: int, code: str):
    """This side's message of a transfer (0501, 0505, 0503), built again; a logged read."""
    require_role(request.user, Role.DATA_PROTECTION)
    transfer = object_or_404(Transfer, transfer_id)
    workdir = _workdir()
    try:
        path = transfer_message_download(actor=actor_for_request(request), transfer=transfer,
                                         code=code, out_dir=workdir)
        handle = open(path, "rb")  # stays readable after the folder is removed
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return FileResponse(handle, as_attachment=True, content_type=CONTENT_TYPES[code],
                        filename=path.name)
