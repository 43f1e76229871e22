"""File inspection and court packages (§ 25 SGB X, § 65d SGG) and the case file's disclosure
register: the guided selection page, the request of a package (built by the worker), its
status page with progress and the download. Thin: the services decide who may, what is
preselected, what is read and who sees a package (retention/services/disclosure.py,
disclosure_jobs.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import InvalidInput
from retention.models import DisclosureBasis
from retention.services.disclosure import disclosure_candidates, disclosures_for
from retention.services.disclosure_jobs import (
    disclosure_job_of,
    disclosure_jobs_of,
    disclosure_package_open,
    disclosure_request,
)
from retention.services.disclosure_jobs import disclosure_job_status as job_status


@login_required
@require_GET
def disclosure_page(request, case_file_id: int):
    case_file, candidates = disclosure_candidates(
        actor=actor_for_request(request), case_file_id=case_file_id
    )
    jobs = [
        _shown(job, case_file.pk)
        for job in disclosure_jobs_of(user=request.user, case_file=case_file)[:5]
    ]
    return render(
        request,
        "web/disclosure.html",
        {
            "case_file": case_file,
            "candidates": candidates,
            "bases": DisclosureBasis.choices,
            "register": disclosures_for(case_file),
            "jobs": jobs,
        },
    )


@login_required
@require_POST
def disclosure_package(request, case_file_id: int):
    """Checks the form and queues the build (the worker reads and packs); answers with the
    package's status page at once. A refused form goes back to the page with the message."""
    try:
        job = disclosure_request(
            actor=actor_for_request(request),
            case_file_id=case_file_id,
            document_ids=request.POST.getlist("dokument"),
            recipient=request.POST.get("empfaenger", ""),
            basis=request.POST.get("rechtsgrundlage", ""),
            basis_text=request.POST.get("rechtsgrundlage_text", ""),
            purpose=request.POST.get("zweck", ""),
        )
    except InvalidInput as error:
        messages.error(request, f"{error.message} ({error.code})")
        return redirect(reverse("web:disclosure", args=[case_file_id]))
    return redirect(reverse("web:disclosure_job", args=[case_file_id, job.pk]))


def progress_text(status: dict) -> str:
    """What the status page says about a build that runs: "Dokument k von n"."""
    values = {"done": status["done"], "total": status["total"],
              "current": min(status["done"] + 1, status["total"])}
    if status["state"] == "queued":
        return _("wartet auf den Verarbeitungsdienst")
    texts = {
        "pdf": _("Gesamt-PDF: Dokument %(done)s von %(total)s aufgenommen"),
        "check": _("PDF/A-Prüfung der Gesamtdatei"),
        "originals": _("Originale: Dokument %(current)s von %(total)s wird beigefügt"),
        "register": _("Eintrag in das Offenlegungsverzeichnis"),
    }
    return texts.get(status["step"], _("wird vorbereitet")) % values


def _shown(job, case_file_id: int) -> dict:
    status = job_status(job)
    return status | {
        "progress_text": progress_text(status) if not status["finished"] else "",
        "page": reverse("web:disclosure_job", args=[case_file_id, job.pk]),
        "status_url": reverse("web:disclosure_job_status", args=[case_file_id, job.pk]),
        "download": reverse("web:disclosure_download", args=[case_file_id, job.pk]),
        "created_at": job.created_at,
        "expires": job.expires_at,
    }


@login_required
@require_GET
@never_cache
def disclosure_job_page(request, case_file_id: int, job_id):
    """The package's status: progress while it is built (the page polls, or is reloaded
    without JavaScript), the download once it is done, the reason if it failed. Job state
    only, no content of the file: no access event."""
    job = disclosure_job_of(
        actor=actor_for_request(request), case_file_id=case_file_id, job_id=job_id
    )
    return render(request, "web/disclosure_job.html",
                  {"job": _shown(job, case_file_id), "case_file_id": case_file_id})


@login_required
@require_GET
@never_cache
def disclosure_job_status(request, case_file_id: int, job_id):
    """The same state as JSON, for the status page's polling."""
    job = disclosure_job_of(
        actor=actor_for_request(request), case_file_id=case_file_id, job_id=job_id
    )
    shown = _shown(job, case_file_id)
    shown.pop("created_at"), shown.pop("expires")
    return JsonResponse(shown)


@login_required
@require_GET
@never_cache
def disclosure_download(request, case_file_id: int, job_id):
    """The finished zip, for the person who built it while they may still disclose the file;
    each download is an entry in the trail."""
    job, handle = disclosure_package_open(
        actor=actor_for_request(request), case_file_id=case_file_id, job_id=job_id
    )
    reference = job.case_file.file_reference.replace("/", "-")
    return FileResponse(
        handle,
        as_attachment=True,
        content_type="application/zip",
        filename=f"Offenlegung-{job.disclosure_id}-{reference}.zip",
    )
