import hashlib
import io
from dataclasses import replace

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone
from PIL import Image, ImageDraw

from archive.actors import system_actor
from archive.blobstore import blob_put_bytes
from archive.models import PdfaCheck, Role, StaffProfile, Unit
from archive.services.documents import VersionContent, document_file_new
from tests.second_factor import confirmed_device


def content(text: str = "Antrag auf Leistungen") -> VersionContent:
    digest = hashlib.sha256(text.encode()).hexdigest()
    return VersionContent(
        original_sha256=digest, original_size=len(text), original_name="scan.pdf",
        original_mime="application/pdf", rendition_sha256="", rendition_is_pdfa=False,
        text=text, text_sha256=digest, page_count=1)


def thumbnail_png(text: str) -> bytes:
    """A page-like thumbnail (white, the text in black), different for every text."""
    image = Image.new("L", (240, 340), 255)
    ImageDraw.Draw(image).text((16, 24), text[:36], fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def file_document(case_file, text: str = "Antrag auf Leistungen", title: str = "Antrag",
                  store: bool = False):
    """A filed document; with store=True its original, rendition and thumbnail exist in the
    blob store."""
    version_content = content(text)
    if store:
        original = blob_put_bytes(f"%PDF-1.7 Original: {text}".encode())
        rendition = blob_put_bytes(f"%PDF-1.7 PDF/A: {text}".encode())
        version_content = replace(version_content, original_sha256=original.sha256,
                                  original_size=original.size, rendition_sha256=rendition.sha256,
                                  # stands in for a validated rendition; tests of
                                  # the validator use real files (test_pdfa_check.py)
                                  rendition_is_pdfa=True, pdfa_check=PdfaCheck.PASS,
                                  thumbnail_sha256=blob_put_bytes(thumbnail_png(text)).sha256)
    return document_file_new(content=version_content, case_file=case_file, title=title,
                             received_at=timezone.now(), actor=system_actor(name="test"))


def grant(username: str, codename: str):
    user = get_user_model().objects.get(username=username)
    user.user_permissions.add(Permission.objects.get(codename=codename))
    return get_user_model().objects.get(username=username)  # fresh permission cache


def staff(username: str, *, role=Role.CASEWORKER, unit_code: str | None = None,
          clearance: int = 0, personnel_administration: bool = False):
    user = get_user_model().objects.create_user(username=username, password="x" * 12)
    profile = StaffProfile.objects.create(user=user, role=role, clearance=clearance,
                                          personnel_administration=personnel_administration)
    if unit_code:
        profile.units.add(Unit.objects.get(code=unit_code))
    if role in (Role.ADMINISTRATOR, Role.DATA_PROTECTION):
        confirmed_device(user)  # their second factor (tests/second_factor.py)
    return user


def sql_as_owner(statement: str, params=()):
    """Tamper as someone who owns the database: on SQLite they drop the append-only triggers
    first (inside the test's transaction, so they come back afterwards)."""
    from django.db import connection

    from archive.services.dbroles import SQLITE_TRIGGERS

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(statement, params)


def chain_rewrite_from(k: int) -> str:
    """Change entry k and recompute every hash after it, as an insider with the code would;
    reset the chain head. Returns the new head hash."""
    from archive.chain import GENESIS, _canonical, _entry_hash
    from archive.models import Event

    prev = Event.objects.get(seq=k - 1).hash if k > 1 else GENESIS
    for event in Event.objects.filter(seq__gte=k).order_by("seq"):
        actor = "verschleiert" if event.seq == k else event.actor
        digest = _entry_hash(prev, _canonical(
            seq=event.seq, at=event.at, actor=actor, action=event.action,
            object_type=event.object_type, object_id=event.object_id, purpose=event.purpose,
            data=event.data))
        sql_as_owner("UPDATE archive_event SET actor = %s, prev_hash = %s, hash = %s "
                     "WHERE seq = %s", [actor, prev, digest, event.seq])
        prev = digest
    last = Event.objects.order_by("-seq").first()
    sql_as_owner("UPDATE archive_chainhead SET seq = %s, hash = %s", [last.seq, prev])
    return prev


def trail_analysis_approved(subject: str, start, end, officer: str = "datenschutz"):
    """The four eyes a staff member's activity report needs: the officer asks, the
    administrator approves (archive/services/trail_analysis.py)."""
    from django.contrib.auth import get_user_model

    from archive.actors import actor_for_user
    from archive.services.trail_analysis import trail_analysis_decide, trail_analysis_request

    users = get_user_model().objects
    analysis = trail_analysis_request(actor=actor_for_user(users.get(username=officer)),
                                      subject=subject, start=start, end=end,
                                      reason="Hinweis auf Missbrauch geprüft")
    return trail_analysis_decide(actor=actor_for_user(users.get(username="admin")),
                                 analysis=analysis, approve=True)
