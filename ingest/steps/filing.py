"""Filing: rendition into the blob store, then Document + Version 1 in the suggested case file
when the recognition is confident enough, else in the mailroom inbox with its suggestions."""
import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model

from archive.actors import actor_for_user, system_actor
from archive.blobstore import blob_put_file
from archive.guards import may_work_on
from archive.models import Role
from archive.permissions import user_role
from archive.services.casefiles import case_file_by_reference
from archive.services.documents import VersionContent, document_file_new, version_add

from ..classification.confirmations import confirming_actor, document_confirm
from ..context import PipelineContext
from ..scan_qa import held_reason, paper_origin, scan_qa_draw, scan_qa_record

# Several references in the text, exactly one an open case file of the unit the hot-folder
# subfolder belongs to: nearly as sure as a single reference (0.95).
ROUTED_UNIT_CONFIDENCE = 0.9


def _narrow_to_routed_unit(ctx: PipelineContext) -> None:
    """Post dropped into a unit's hot-folder subfolder is meant for that unit: of several
    references in the text, the one open case file of that unit is the likely target."""
    unit = ctx.job.provenance.get("route_unit")
    suggestion = ctx.suggestions.get("file_reference", {})
    if not unit or suggestion.get("confidence", 0.0) >= settings.INGEST_AUTOFILE_CONFIDENCE:
        return
    of_unit = []
    for reference in suggestion.get("found") or []:
        case_file = case_file_by_reference(reference)
        if case_file is not None and case_file.unit.code == unit and not case_file.is_closed:
            of_unit.append(reference)
    if len(of_unit) == 1:
        ctx.suggestions["file_reference"] = {
            **suggestion, "value": of_unit[0], "confidence": ROUTED_UNIT_CONFIDENCE,
            "reason": f"einzige offene Akte von Sachgebiet {unit} im Text "
                      f"({ctx.job.provenance.get('route_source', 'Eingangsordner')})"}


def may_file_into(submitted_by: str, case_file) -> tuple[bool, str]:
    """Whether the submitter may file into `case_file`, and who they are, for the reason.
    System sources (hot folder, mail, a CLI run without a user) and the mailroom, which
    sorts all post, may file anywhere; a caseworker only into case files they work on; any
    other role into none (their post goes to the mailroom)."""
    if not submitted_by:
        return True, ""
    submitter = get_user_model().objects.filter(username=submitted_by).first()
    if submitter is None:
        return True, ""  # an operator's name from the command line, not an account
    role = user_role(submitter)
    if role == Role.MAILROOM:
        return True, submitted_by
    return (role == Role.CASEWORKER and may_work_on(submitter, case_file)), submitted_by


def type_note(suggestion: dict) -> str:
    """The type suggestion as the filing event's reason carries it: who decided (the model's
    version, or the rules) and how sure it was."""
    if not suggestion or not suggestion.get("value"):
        return "Dokumenttyp nicht erkannt"
    return (f"Dokumenttyp {suggestion['value']} ({suggestion.get('model_version') or 'rules'}, "
            f"Sicherheit {float(suggestion.get('confidence') or 0.0):.2f})")


def _flagged(ctx: PipelineContext) -> bool:
    job = ctx.job
    return bool(ctx.flagged or job.flagged or job.provenance.get("batch", {}).get("flagged"))


def _decide(ctx: PipelineContext):
    """(case file or None, reason) by the confidence threshold and the batch's flags."""
    job = ctx.job
    suggestion = ctx.suggestions.get("file_reference", {})
    reference, confidence = suggestion.get("value"), suggestion.get("confidence", 0.0)
    routed_unit = job.provenance.get("route_unit")
    if not reference:
        return _decide_by_person(ctx, suggestion.get("reason", "kein Aktenzeichen"))
    if _flagged(ctx):
        return None, "Stapel markiert: Seitenzahl weicht ab, Prüfung durch die Poststelle"
    if confidence < settings.INGEST_AUTOFILE_CONFIDENCE:
        return None, f"Aktenzeichen {reference} unsicher ({confidence:.2f}), bitte prüfen"
    case_file = case_file_by_reference(reference)
    if case_file is not None and routed_unit and case_file.unit.code != routed_unit:
        return None, f"Aktenzeichen {reference} gehört nicht zu Sachgebiet {routed_unit}"
    if case_file is not None and case_file.is_closed:
        return None, f"Akte {reference} ist geschlossen (zdA), bitte prüfen"
    person = ctx.suggestions.get("person") or {}
    if case_file is not None and not ctx.routed_reference and person.get("file_reference") \
            and person["file_reference"] != reference \
            and float(person.get("confidence") or 0.0) >= settings.INGEST_AUTOFILE_CONFIDENCE:
        # The quoted reference and the person's own file disagree: one is a slip.
        return None, (f"Aktenzeichen {reference} im Text, aber die Person ({person.get('reason')}) "
                      f"hat die Akte {person['file_reference']}; bitte prüfen")
    if case_file is not None:
        # A letter quoting another unit's reference must not land in that unit's file on the
        # word of someone who may not work on it: the mailroom decides (the reason is for the
        # mailroom only; the submitter's view of the job does not show it).
        allowed, submitter = may_file_into(job.submitted_by, case_file)
        if not allowed:
            return None, (f"Aktenzeichen {reference} erkannt, aber {submitter} darf nicht in "
                          "diese Akte ablegen; bitte prüfen")
    return case_file, (f"Aktenzeichen {reference} ({suggestion.get('reason')}); "
                       f"{type_note(ctx.suggestions.get('document_type'))}")


def _decide_by_person(ctx: PipelineContext, no_reference: str):
    """Post without a file reference: filed into the one open case file its person fits, when
    that evidence is strong, the submitter may file there and, where a learned model typed
    it, the model's confidence reached its measured threshold; else to the review, with
    why. (Without a model the type is the rules' suggestion and does not hold filing up:
    the person decides where the post belongs, as a quoted reference does.)"""
    job = ctx.job
    person = ctx.suggestions.get("person") or {}
    document_type = ctx.suggestions.get("document_type") or {}
    unit = ctx.suggestions.get("unit") or {}
    routed_unit = job.provenance.get("route_unit")
    reference = person.get("file_reference")
    if not reference:
        if person.get("candidates", 0) > 1:
            return None, (f"{no_reference}; Person nicht eindeutig: {person.get('reason')} "
                          f"({person['candidates']} Akten), bitte prüfen")
        why = f"{no_reference}; {person.get('reason') or 'keine Angaben zur Person'}"
        return None, f"{why}; für Sachgebiet {routed_unit}" if routed_unit else why
    confidence = float(person.get("confidence") or 0.0)
    found = f"Person erkannt ({person.get('reason')}): Akte {reference}"
    if _flagged(ctx):
        return None, "Stapel markiert: Seitenzahl weicht ab, Prüfung durch die Poststelle"
    if confidence < settings.INGEST_AUTOFILE_CONFIDENCE:
        return None, f"{found}, aber unsicher ({confidence:.2f}), bitte prüfen"
    case_file = case_file_by_reference(reference)
    if case_file is None or case_file.is_closed:
        return None, f"{found}, aber sie ist nicht mehr offen, bitte prüfen"
    if routed_unit and case_file.unit.code != routed_unit:
        return None, f"{found}, sie gehört nicht zu Sachgebiet {routed_unit}"
    if document_type.get("source") == "model" and not document_type.get("auto_file"):
        return None, (f"{found}; {type_note(document_type)} unter der Schwelle des Modells, "
                      "bitte prüfen")
    if unit.get("auto_route") and unit.get("value") and unit["value"] != case_file.unit.code:
        return None, (f"{found}, aber das Modell ordnet die Post Sachgebiet {unit['value']} "
                      "zu, bitte prüfen")
    allowed, submitter = may_file_into(job.submitted_by, case_file)
    if not allowed:
        return None, f"{found}, aber {submitter} darf nicht in diese Akte ablegen; bitte prüfen"
    return case_file, f"{found}; {type_note(document_type)}"


def inbox_unit(ctx: PipelineContext) -> tuple[str, str]:
    """(unit code, why) of post that waits in the inbox: the hot-folder subfolder's unit, else
    the unit of every case file its person fits (two people of one name in one unit), else
    the model's unit when its confidence reached the measured threshold."""
    routed = ctx.job.provenance.get("route_unit")
    if routed:
        return routed, ctx.job.provenance.get("route_source", "Eingangsordner")
    person = ctx.suggestions.get("person") or {}
    if person.get("unit"):
        return person["unit"], "Akten der erkannten Person"
    unit = ctx.suggestions.get("unit") or {}
    if unit.get("auto_route") and unit.get("value"):
        return unit["value"], (f"Modell {unit.get('model_version')}, Sicherheit "
                               f"{float(unit.get('confidence') or 0.0):.2f}")
    return "", ""


def _scan_provenance(measured: dict, declared: dict) -> dict:
    """What the operator declared and what the file shows. Where both name a resolution or
    colour mode, the measurement is recorded and a differing declaration is kept beside it."""
    scan = {**declared, **measured}
    differing = {key: value for key, value in declared.items()
                 if key in measured and measured[key] != value}
    if differing:
        scan["declared"] = differing
    return scan


def rendition_store(ctx: PipelineContext):
    """The rendition into the blob store (before the filing transaction: a file, not a row)."""
    return blob_put_file(ctx.rendition_path)


def file_document(ctx: PipelineContext, rendition):
    """Document and Version 1 (or a new version); the pipeline calls this inside its
    transaction, after the duplicate check under the lock on the original's hash."""
    job = ctx.job
    _narrow_to_routed_unit(ctx)
    case_file, reason = _decide(ctx)
    scan = _scan_provenance(ctx.scan, job.provenance.get("scan", {}))
    marked = {}
    if case_file is None:
        unit, why = inbox_unit(ctx)
        if unit and not job.provenance.get("route_unit"):
            # the inbox shows and filters post by the unit it is meant for
            marked = {"route_unit": unit, "route_unit_source": f"Erkennung: {why}"}
    confirmed = job.provenance.get("confirmed") or {}
    content = VersionContent(
        original_sha256=job.original_sha256, original_size=job.original_size,
        original_name=job.original_name, original_mime=ctx.mime,
        rendition_sha256=rendition.sha256, rendition_is_pdfa=ctx.rendition_is_pdfa,
        pdfa_check=ctx.pdfa_check, pdfa_findings=ctx.pdfa_findings,
        text=ctx.text, text_sha256=hashlib.sha256(ctx.text.encode()).hexdigest(),
        page_count=ctx.page_count, thumbnail_sha256=ctx.thumbnail_sha256,
        provenance={**job.provenance, **marked, "source": job.source, "ingest_job": str(job.pk),
                    "notes": ctx.ocr_notes, "signed": ctx.signed, "scan": scan,
                    "recognition": ctx.suggestions, **ctx.metadata},
    )
    if job.provenance.get("new_version_of"):
        # Checked when it was handed in; version_add checks again (the file may have closed).
        submitter = get_user_model().objects.get(username=job.submitted_by)
        version = version_add(actor=actor_for_user(submitter, channel="ingest"),
                              document_id=job.provenance["new_version_of"], content=content)
        return version.document
    # The type a person stated on the command line, else the suggestion (the model's or the
    # rules'), recorded with its reasons in the recognition provenance and correctable on the
    # document page; no type is better than a guess without evidence.
    document_type = confirmed.get("document_type") or \
        (ctx.suggestions.get("document_type") or {}).get("value") or ""
    # Replacement scanning: a scan drawn for the visual check waits in the mailroom's hands;
    # where it would have gone is kept on its check and applied when it passes.
    draw = scan_qa_draw(ctx, document_type=document_type, case_file=case_file)
    if draw is not None and draw.sampled:
        case_file, reason = None, held_reason(draw, reason)
    routed = case_file is not None and case_file.file_reference == confirmed.get("file_reference")
    document = document_file_new(
        content=content, case_file=case_file, title=ctx.title or job.original_name,
        received_at=job.created_at, letter_date=ctx.letter_date, sender=ctx.sender,
        document_type=document_type,
        actor=system_actor("ingest", job.submitted_by or job.source), reason=reason,
        medium="email" if ctx.kind == "email" else "scan" if paper_origin(ctx) else "digital",
        # An API upload that named its target: the process it named (still of that file)
        # and the direction it stated (an outgoing decision); elsewhere incoming post.
        process=(case_file.processes.filter(pk=job.provenance.get("route_process"),
                                            closed_at__isnull=True).first()
                 if routed and job.provenance.get("route_process") else None),
        direction=job.provenance.get("direction") or "incoming",
    )
    scan_qa_record(draw, document)
    if confirmed and case_file is not None and \
            case_file.file_reference == confirmed.get("file_reference"):
        # Filed where the person said: a confirmation, training data as the mailroom's is.
        document_confirm(actor=confirming_actor(confirmed), document=document,
                         document_type=document_type, file_reference=case_file.file_reference)
    return document
