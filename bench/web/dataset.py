"""The instance the web benchmark drives: the search benchmark's corpus (bench/search), plus
the people who use it (caseworkers of two units, the mailroom) and unfiled post for the
mailroom's inbox, indexed with the project's own `registratur search rebuild`.

Built once per size and seed in its own data directory; a stamp file records what was built,
so a rerun with the same size starts measuring at once."""
import hashlib
import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

PASSWORD = "bench-web-kennwort"
# Who logs in: four caseworkers of each of two units (U0 and U1 of the corpus's ten), two
# people of the mailroom.
CASEWORKERS = {"U0": [f"sb-u0-{n}" for n in range(1, 5)],
               "U1": [f"sb-u1-{n}" for n in range(1, 5)]}
MAILROOM = ["post-1", "post-2"]
STAMP = "bench-web.json"


def stamp_read(data_dir: Path) -> dict:
    try:
        return json.loads((data_dir / STAMP).read_text())
    except (OSError, ValueError):
        return {}


def stamp_write(data_dir: Path, stamp: dict) -> None:
    (data_dir / STAMP).write_text(json.dumps(stamp, indent=1))


def inbox_size(documents: int) -> int:
    """Unfiled post waiting for the mailroom: 2 % of the archive, at most 2,000 documents
    (a department's backlog of a few days, not of a year)."""
    return min(2000, max(50, documents // 50))


def _users() -> None:
    from django.contrib.auth import get_user_model

    from archive.models import Role, StaffProfile, Unit

    users = get_user_model().objects
    for code, names in CASEWORKERS.items():
        unit = Unit.objects.get(code=code)
        for name in names:
            if users.filter(username=name).exists():
                continue
            user = users.create_user(username=name, password=PASSWORD)
            StaffProfile.objects.create(user=user, role=Role.CASEWORKER).units.add(unit)
    for name in MAILROOM:
        if not users.filter(username=name).exists():
            user = users.create_user(username=name, password=PASSWORD)
            StaffProfile.objects.create(user=user, role=Role.MAILROOM)


def _inbox(count: int, seed: int) -> None:
    """Unfiled letters as ingest leaves them: the unit the post was handed in for and, for a
    third, a suggested case file on the first version's provenance."""
    from django.db import transaction

    from archive.models import CaseFile, Document, Version
    from bench.search.corpus import Vocabulary, letter, person

    if Document.objects.filter(case_file__isnull=True).exists():
        return
    rng = random.Random(seed + 7)
    vocabulary = Vocabulary(random.Random(seed))
    references = list(CaseFile.objects.values_list("file_reference", flat=True)[:5000])
    today = date(2026, 11, 1)
    documents, versions = [], []
    for n in range(count):
        item = letter(rng, vocabulary, file_reference=rng.choice(references),
                      subject=person(rng), today=today)
        provenance = {"route_unit": f"U{n % 3}"}
        if n % 3 == 0:
            provenance["recognition"] = {"file_reference": {"value": rng.choice(references)}}
        documents.append(Document(
            case_file=None, title=item["title"][:300], document_type=item["document_type"],
            sender=item["sender"][:300], letter_date=item["letter_date"],
            received_at=datetime.combine(item["letter_date"] + timedelta(days=2),
                                         datetime.min.time(), tzinfo=UTC)))
        versions.append((item, provenance))
    with transaction.atomic():
        Document.objects.bulk_create(documents)
        Version.objects.bulk_create([
            Version(document=document, number=1,
                    original_sha256=hashlib.sha256(item["text"].encode()).hexdigest(),
                    original_size=len(item["text"]), original_name="scan.pdf",
                    original_mime="application/pdf", text=item["text"],
                    text_sha256=hashlib.sha256(item["text"].encode()).hexdigest(),
                    page_count=item["pages"], provenance=provenance)
            for document, (item, provenance) in zip(documents, versions, strict=True)])


def _filed_when_received() -> None:
    """Bulk creation stamps every document as filed today; an archive that grew over the
    years filed each around its receipt, and what counts as new post (the desk) depends
    on it. Cheap when done already."""
    from django.db.models import F

    from archive.models import Document

    Document.objects.filter(created_at__gt=F("received_at") + timedelta(days=3)).update(
        created_at=F("received_at"))


def dataset_build(data_dir: Path, documents: int, seed: int, env: dict) -> dict:
    """Migrate, generate (filed documents through bench/search's generator), add the users and
    the inbox, rebuild the index; skipped where the stamp says it was done for this size."""
    from django.apps import apps
    from django.core.management import call_command
    from django.db.models.signals import post_migrate

    from bench.search.run import generate, rebuild

    # The benchmark rebuilds the index itself, once, after everything is in the database.
    # Migrating a built instance brings it to the code's schema (new indexes) at once.
    post_migrate.disconnect(sender=apps.get_app_config("search"),
                            dispatch_uid="search.ensure_current")
    call_command("migrate", verbosity=0)
    _filed_when_received()
    stamp = stamp_read(data_dir)
    wanted = {"documents": documents, "seed": seed, "inbox": inbox_size(documents)}
    if all(stamp.get(key) == value for key, value in wanted.items()) and stamp.get("indexed"):
        return stamp
    started = time.monotonic()
    generate(documents, seed)
    _users()
    _inbox(wanted["inbox"], seed)
    generated = time.monotonic() - started
    print("  rebuilding the search index (registratur search rebuild) ...", file=sys.stderr)
    build_s, peak_mib = rebuild(env)
    stamp = {**wanted, "indexed": True, "generate_s": round(generated, 1),
             "rebuild_s": round(build_s, 1), "rebuild_peak_mib": round(peak_mib)}
    stamp_write(data_dir, stamp)
    return stamp
