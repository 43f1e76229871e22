import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from archive.actors import actor_for_request
from archive.errors import NotFound
from archive.guards import may_work_on, require_work
from archive.models import Unit
from archive.selectors import (
    case_file_documents,
    case_file_processes,
    case_file_visible_or_404,
    events_for_object,
)
from archive.services.access import case_file_read, case_files_list
from archive.services.breakglass import break_glass_open
from archive.services.casefiles import (
    case_file_by_reference,
    case_file_close,
    case_file_create,
    case_file_name_person,
    case_file_reopen,
    case_file_share,
    case_file_unshare,
    case_file_update,
)
from archive.services.exchange import case_file_export
from archive.services.processes import (
    process_close,
    process_create,
    process_move,
    process_reopen,
)
from archive.services.subject_rights import case_file_mark_disputed
from retention.models import CaseFileRetention, RetentionSchedule
from retention.services.holds import holds_active

from ..forms import (
    BreakGlassForm,
    CaseFileCreateForm,
    CaseFileEditForm,
    PersonForm,
    ReasonForm,
    ShareForm,
    TitleForm,
)
from ..listing import PAGE_PARAM, SORT_PARAM, Column, Listing, order_for, page_size
from ..params import whole_number
from .actions import cleaned, run_action
from .purpose import asks_purpose

REOPEN = "archive.reopen_casefile"


def reopeners(case_file) -> list[str]:
    """Who may reopen this closed case file (or a closed process in it): its unit's staff
    with the permission, named so that a user knows whom to ask."""
    # Permissions are granted in the database (ModelBackend), whatever backend signs people in.
    return sorted(get_user_model().objects.with_perm(
        REOPEN, backend="django.contrib.auth.backends.ModelBackend").filter(
        is_active=True, staff_profile__units=case_file.unit_id).values_list("username",
                                                                             flat=True))


def _own_units(user):
    profile = getattr(user, "staff_profile", None)
    return profile.units.all() if profile else Unit.objects.none()


@login_required
@require_GET
def case_file_list(request):
    return render(request, "web/casefile_list.html",
                  {"case_files": case_files_list(user=request.user),
                   "may_create": _own_units(request.user).exists()})


@login_required
@require_http_methods(["GET", "POST"])
def case_file_new(request):
    units = _own_units(request.user)
    if not units.exists():
        raise NotFound()
    form = CaseFileCreateForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        case_file = case_file_create(actor=actor_for_request(request), **form.cleaned_data)
        return redirect("web:case_file", case_file.pk)
    return render(request, "web/casefile_new.html", {"form": form})


DOCUMENT_COLUMNS = [
    Column("eingang", gettext_lazy("Eingang"), ("received_at",)),
    Column("titel", gettext_lazy("Titel"), ("title",)),
    Column("typ", gettext_lazy("Dokumenttyp"), ("type_name", "document_type")),
]


def _document_tree(request, case_file) -> tuple[Listing, list[dict], list]:
    """The case file's documents as a tree, sorted and paged: the documents without a process
    at the top level, then every process with its documents nested. Sorting orders the
    documents inside each level; paging runs over the documents in that order, so a page
    holds a contiguous part of the tree. Every process is shown on every page (with its
    count), its documents where they fall. A fixed number of queries however long the file:
    one for the processes, a COUNT and a slice for the documents."""
    columns = {column.key: column for column in DOCUMENT_COLUMNS}
    sort = request.GET.get(SORT_PARAM, "") or "-eingang"
    if sort.lstrip("-") not in columns:
        sort = "-eingang"
    ordered = case_file_documents(case_file).order_by(
        F("process_id").asc(nulls_first=True), *order_for(sort, columns))
    paginator = Paginator(ordered, page_size())
    page = paginator.get_page(whole_number(request.GET.get(PAGE_PARAM)) or 1)
    documents = list(page.object_list)
    processes = list(case_file_processes(case_file))
    nested: dict[int, list] = {process.pk: [] for process in processes}
    loose = []
    for document in documents:
        (nested[document.process_id] if document.process_id in nested else loose).append(
            document)
    branches = [{"process": process, "documents": nested[process.pk],
                 "elsewhere": process.document_count - len(nested[process.pk])}
                for process in processes]
    return Listing(page=page, sort=sort, columns=columns), branches, loose


def _retention(case_file) -> dict:
    """The file cover's retention line: schedule, end, measure, and whether a hold blocks it."""
    record = CaseFileRetention.objects.filter(case_file=case_file).first()
    key = record.schedule_key if record and record.schedule_key \
        else case_file.plan_unit.retention_schedule
    return {"record": record,
            "schedule": RetentionSchedule.objects.filter(key=key).first() if key else None,
            "held": holds_active([case_file.pk]).exists()}


@login_required
@require_GET
@asks_purpose
def case_file_page(request, case_file_id: int):
    case_file = case_file_read(user=request.user, case_file_id=case_file_id,
                               purpose=request.GET.get("zweck", ""))
    works = may_work_on(request.user, case_file)
    found, branches, loose = _document_tree(request, case_file)
    context = {
        "case_file": case_file,
        # The purpose stated for the file serves the documents opened from it.
        "read_purpose": request.GET.get("zweck", "").strip(),
        "works": works,
        "editable": works and not case_file.is_closed,
        "may_reopen": works and case_file.is_closed and request.user.has_perm(REOPEN),
        "reopeners": reopeners(case_file) if case_file.is_closed else [],
        "listing": found, "branches": branches, "loose": loose,
        "retention": _retention(case_file),
        "history": events_for_object("case_file", case_file.pk).order_by("-seq")[:100],
    }
    if works and not case_file.is_closed:
        context.update({
            "shares": case_file.shares.filter(revoked_at__isnull=True).select_related("unit"),
            "edit_form": CaseFileEditForm(initial={
                "title": case_file.title, "subject_name": case_file.subject_name,
                "client_number": case_file.client_number,
                "subject_street": case_file.subject_street,
                "subject_postcode": case_file.subject_postcode,
                "subject_city": case_file.subject_city,
                "confidentiality": case_file.confidentiality,
                "staff_case": case_file.staff_case}),
            "share_form": ShareForm(), "person_form": PersonForm(), "process_form": TitleForm(),
        })
    elif case_file.is_closed:
        context["reason_form"] = ReasonForm()
    return render(request, "web/casefile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_file_close_page(request, case_file_id: int):
    """zdA with a confirmation step: GET names the file and the consequences, a POST with
    confirm=1 closes it. Without the confirmation a POST only leads back to the question,
    so no stray form (or a browser without script) closes a file by one click. Only who may
    work on the file sees the question; naming the file reference is no read of its content."""
    case_file = case_file_visible_or_404(request.user, case_file_id)
    require_work(request.user, case_file)
    if case_file.is_closed:
        messages.info(request, _("Die Akte ist bereits zdA verfügt."))
        return redirect(_back(case_file.pk))
    if request.method == "POST":
        if request.POST.get("confirm") != "1":
            return redirect("web:case_file_close", case_file.pk)
        return run_action(request, lambda: case_file_close(actor=actor_for_request(request),
                                                           case_file=case_file),
                          success=_("Die Akte ist zdA verfügt."), back=_back(case_file.pk))
    return render(request, "web/casefile_close.html", {
        "case_file": case_file,
        "open_processes": case_file.processes.filter(closed_at__isnull=True).count(),
        "reopeners": reopeners(case_file),
    })


def _back(case_file_id):
    return reverse("web:case_file", args=[case_file_id])


@login_required
@require_POST
def case_file_action(request, case_file_id: int, action: str):
    case_file = case_file_visible_or_404(request.user, case_file_id)
    post, actor = request.POST, actor_for_request(request)
    actions = {
        "aendern": (lambda: _edit(actor, case_file, post), _("Die Akte wurde geändert.")),
        "wiederaufnahme": (lambda: case_file_reopen(actor=actor, case_file=case_file,
                                                    reason=post.get("reason", "")),
                           _("Die Akte wurde wieder aufgenommen.")),
        "freigeben": (lambda: _share(actor, case_file, post), _("Die Akte wurde freigegeben.")),
        "freigabe-entziehen": (
            lambda: case_file_unshare(actor=actor, share=_one(case_file.shares, post, "share")),
            _("Die Freigabe wurde entzogen.")),
        "person": (lambda: case_file_name_person(
            actor=actor, case_file=case_file, person=get_user_model().objects.filter(
                username=post.get("username", "")).first()), _("Die Person wurde benannt.")),
        "vorgang": (lambda: process_create(actor=actor, case_file=case_file,
                                           title=post.get("title", "")),
                    _("Der Vorgang wurde angelegt.")),
        "vorgang-zda": (lambda: process_close(actor=actor, process=_one(
            case_file.processes, post, "process")), _("Der Vorgang ist zdA verfügt.")),
        "vorgang-wiederaufnahme": (lambda: process_reopen(
            actor=actor, process=_one(case_file.processes, post, "process"),
            reason=post.get("reason", "")), _("Der Vorgang wurde wieder aufgenommen.")),
        "vorgang-verschieben": (lambda: _move_process(actor, case_file, post),
                                _("Der Vorgang wurde verschoben.")),
        "bestritten": (lambda: case_file_mark_disputed(actor=actor, case_file=case_file,
                                                       note=post.get("note", "")),
                       _("Die Markierung wurde gespeichert.")),
    }
    if action not in actions:
        raise NotFound()
    run, success = actions[action]
    return run_action(request, run, success=success, back=_back(case_file.pk))


def _one(related, post, name: str):
    """The share or process of this case file named by a form field; anything else, a
    malformed id too, is unknown."""
    pk = whole_number(post.get(name))
    found = related.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise NotFound()
    return found


def _edit(actor, case_file, post):
    case_file_update(actor=actor, case_file=case_file, **cleaned(CaseFileEditForm(post)))


def _share(actor, case_file, post):
    case_file_share(actor=actor, case_file=case_file, **cleaned(ShareForm(post)))


def _move_process(actor, case_file, post):
    process = _one(case_file.processes, post, "process")
    target = case_file_by_reference(post.get("file_reference", "").strip())
    if target is None:
        raise NotFound()
    process_move(actor=actor, process=process, target=target)


@login_required
@require_GET
def case_file_export_download(request, case_file_id: int):
    Path(settings.WORK_DIR).mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="export-", dir=settings.WORK_DIR))
    try:
        package = case_file_export(actor=actor_for_request(request), case_file_id=case_file_id,
                                   target=workdir / "akte.zip",
                                   purpose=request.GET.get("zweck", "Export"))
        handle = open(package, "rb")  # stays readable after the folder is removed
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    reference = case_file_visible_or_404(request.user, case_file_id).file_reference
    return FileResponse(handle, as_attachment=True, content_type="application/zip",
                        filename=f"{reference}.zip")


@login_required
@require_http_methods(["GET", "POST"])
def break_glass_page(request):
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        opening = break_glass_open(actor=actor_for_request(request), **form.cleaned_data)
        # The reason is recorded with the opening; in the URL it would end in access logs
        # and the browser's history.
        return redirect(reverse("web:case_file", args=[opening.case_file_id])
                        + "?zweck=Notfallzugriff")
    return render(request, "web/breakglass.html", {"form": form})
