"""File inspection and court packages (§ 25 SGB X, § 65d SGG) and the case file's disclosure
register: the guided selection page and the build. Thin: the service decides who may, what
is preselected and what is read (retention/services/disclosure.py)."""

import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from archive.actors import actor_for_request
from archive.errors import InvalidInput
from retention.models import DisclosureBasis
from retention.services.disclosure import (
    disclosure_build,
    disclosure_candidates,
    disclosures_for,
)


@login_required
@require_GET
def disclosure_page(request, case_file_id: int):
    case_file, candidates = disclosure_candidates(
        actor=actor_for_request(request), case_file_id=case_file_id
    )
    return render(
        request,
        "web/disclosure.html",
        {
            "case_file": case_file,
            "candidates": candidates,
            "bases": DisclosureBasis.choices,
            "register": disclosures_for(case_file),
        },
    )


@login_required
@require_POST
def disclosure_package(request, case_file_id: int):
    """Builds the package in the request (a file's selection; see the design's limits) and
    hands it out as one zip; a refused form goes back to the page with the message."""
    Path(settings.WORK_DIR).mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="disclosure-", dir=settings.WORK_DIR))
    try:
        target = workdir / "paket.zip"
        disclosure = disclosure_build(
            actor=actor_for_request(request),
            case_file_id=case_file_id,
            document_ids=request.POST.getlist("dokument"),
            recipient=request.POST.get("empfaenger", ""),
            basis=request.POST.get("rechtsgrundlage", ""),
            basis_text=request.POST.get("rechtsgrundlage_text", ""),
            purpose=request.POST.get("zweck", ""),
            target=target,
        )
        handle = open(target, "rb")  # noqa: SIM115 (stays readable after the folder is gone)
    except InvalidInput as error:
        messages.error(request, f"{error.message} ({error.code})")
        return redirect(reverse("web:disclosure", args=[case_file_id]))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    reference = disclosure.case_file.file_reference.replace("/", "-")
    return FileResponse(
        handle,
        as_attachment=True,
        content_type="application/zip",
        filename=f"Offenlegung-{disclosure.pk}-{reference}.zip",
    )
