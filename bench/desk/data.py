"""A desk-shaped data set: units of caseworkers, each responsible for about 25 case files with
their post (some of it new and unseen), deputies and absences, hand-overs and signing routes
awaiting. Bulk-inserted (no signals, no index, no blobs): the desk reads rows, not files.

Overlap: bench/web (another benchmark) has its own generator for the web pages; this one only
adds what the desk reads (responsibility, seen marks, deputies, hand-overs, routes)."""
import hashlib
import random
import sys
import time
from datetime import datetime, timedelta

from django.db.models import F

from bench.search.corpus import person

UNITS = 10
NEW_POST_SHARE = 0.05       # of all documents: filed within the desk's 30 "new" days
SEEN_SHARE = 0.5            # of the new post: already opened by the caseworker
UNASSIGNED_FILES = 0.02     # no responsible caseworker: the unit's shared desk
ABSENT_PER_UNIT = 1
HANDOVERS_PER_USER = 3
ROUTES_PER_USER = 2         # open signing routes each caseworker authored


def generate(*, documents: int, case_files: int, users: int, seed: int, now: datetime) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection, transaction

    from archive.models import CaseFile, Document, FilePlanUnit, Role, StaffProfile, Unit, Version
    from desk.models import Absence, Deputy, DocumentSeen, Handover
    from signoff.models import RouteStep, SigningRoute, StepKind

    if CaseFile.objects.exists():
        return
    rng = random.Random(seed)
    User = get_user_model()
    started = time.monotonic()
    with transaction.atomic():
        units = [Unit.objects.create(code=f"U{n}", name=f"Sachgebiet {n}") for n in range(UNITS)]
        plan = FilePlanUnit.objects.get_or_create(code="50.20.1", defaults={"title": "SGB XII"})[0]
        User.objects.bulk_create([User(username=f"sb{n:03d}", first_name=person(rng).split()[0],
                                       last_name=f"Nr. {n}") for n in range(users)])
        people = list(User.objects.filter(username__startswith="sb").order_by("username"))
        StaffProfile.objects.bulk_create([StaffProfile(user=u, role=Role.CASEWORKER)
                                          for u in people])
        unit_of = {u.pk: units[i % UNITS] for i, u in enumerate(people)}
        members = {unit.pk: [u for u in people if unit_of[u.pk] == unit] for unit in units}
        Through = StaffProfile.units.through
        profiles = {p.user_id: p.pk for p in StaffProfile.objects.filter(user__in=people)}
        Through.objects.bulk_create([Through(staffprofile_id=profiles[u.pk],
                                             unit_id=unit_of[u.pk].pk) for u in people])
        # About every fifth caseworker of a unit, and at least two, may sign off.
        signers = {u.pk for colleagues in members.values() for i, u in enumerate(colleagues)
                   if i in (1, 2) or i % 5 == 0}
        permission = Permission.objects.get(codename="sign_off")
        User.user_permissions.through.objects.bulk_create([
            User.user_permissions.through(user_id=pk, permission_id=permission.pk)
            for pk in signers])

        files = []
        for n in range(case_files):
            unit = units[n % UNITS]
            colleagues = members[unit.pk]
            responsible = (None if rng.random() < UNASSIGNED_FILES
                           else colleagues[(n // UNITS) % len(colleagues)])
            files.append(CaseFile(file_reference=f"50.20.1-{2020 + n % 7}-{n:06d}", plan_unit=plan,
                                  unit=unit, title="Hilfe zum Lebensunterhalt",
                                  subject_name=person(rng), responsible=responsible,
                                  client_number=f"K-{rng.randrange(10**6):06d}"))
        CaseFile.objects.bulk_create(files, batch_size=1000)
        files = list(CaseFile.objects.order_by("pk"))
    print(f"  users, units, {len(files)} case files", file=sys.stderr)

    recent = now - timedelta(days=29)
    batch = 5000
    for start in range(0, documents, batch):
        with transaction.atomic():
            rows = []
            for n in range(start, min(start + batch, documents)):
                case_file = files[n % len(files)]
                if rng.random() < NEW_POST_SHARE:
                    received = recent + timedelta(seconds=rng.randrange(29 * 86400))
                else:
                    received = now - timedelta(days=rng.randrange(30, 3 * 365))
                rows.append(Document(case_file=case_file, title=f"Schreiben {n}",
                                     document_type="antrag", sender=person(rng),
                                     received_at=received))
            Document.objects.bulk_create(rows)
            Version.objects.bulk_create([
                Version(document=d, number=1,
                        original_sha256=hashlib.sha256(str(d.pk).encode()).hexdigest(),
                        original_size=1000, original_name="scan.pdf",
                        original_mime="application/pdf", text=d.title, page_count=1)
                for d in rows])
        print(f"\r  {min(start + batch, documents)}/{documents} documents", end="",
              file=sys.stderr)
    print(file=sys.stderr)
    with transaction.atomic():
        # bulk_create stamps created_at now; the desk reads created_at (filed), so spread it.
        Document.objects.update(created_at=F("received_at"))
        fresh = list(Document.objects.filter(created_at__gte=recent)
                     .values_list("pk", "case_file__responsible_id"))
        DocumentSeen.objects.bulk_create([
            DocumentSeen(user_id=owner, document_id=pk) for pk, owner in fresh
            if owner and rng.random() < SEEN_SHARE], batch_size=2000)

        # Deputies: each names the next colleague of the unit; one per unit is absent today.
        deputies, absences = [], []
        for unit in units:
            colleagues = members[unit.pk]
            for i, u in enumerate(colleagues):
                deputies.append(Deputy(absentee=u, deputy=colleagues[(i + 1) % len(colleagues)]))
            for u in colleagues[:ABSENT_PER_UNIT]:
                absences.append(Absence(user=u, starts_on=(now - timedelta(days=3)).date(),
                                        ends_on=(now + timedelta(days=7)).date()))
            for u in colleagues[ABSENT_PER_UNIT:ABSENT_PER_UNIT + 2]:  # past absences
                absences.append(Absence(user=u, starts_on=(now - timedelta(days=60)).date(),
                                        ends_on=(now - timedelta(days=50)).date()))
        Deputy.objects.bulk_create(deputies)
        Absence.objects.bulk_create(absences)

        by_unit = {}
        for f in files:
            by_unit.setdefault(f.unit_id, []).append(f)
        documents_of = {}
        for pk, case_file_id in Document.objects.values_list("pk", "case_file_id"):
            documents_of.setdefault(case_file_id, []).append(pk)
        handovers = []
        for u in people:
            colleagues = members[unit_of[u.pk].pk]
            for k in range(HANDOVERS_PER_USER):
                case_file = rng.choice(by_unit[unit_of[u.pk].pk])
                giver = rng.choice([c for c in colleagues if c.pk != u.pk])
                document_id = rng.choice(documents_of[case_file.pk]) if k % 2 else None
                handovers.append(Handover(from_user=giver, to_user=u, note="Bitte übernehmen",
                                          case_file=None if document_id else case_file,
                                          document_id=document_id))
                # and one already done, which must not show
                handovers.append(Handover(from_user=giver, to_user=u, case_file=case_file,
                                          done_at=now))
        Handover.objects.bulk_create(handovers)

        # Signing routes: the author's draft, a colleague co-signs, a signer of the unit signs
        # off; some steps name the unit instead of a person.
        routes, steps = [], []
        used = set()
        for u in people:
            unit = unit_of[u.pk]
            colleagues = [c for c in members[unit.pk] if c.pk != u.pk]
            unit_signers = [c for c in colleagues if c.pk in signers]
            for _ in range(ROUTES_PER_USER):
                case_file = rng.choice(by_unit[unit.pk])
                document_id = rng.choice([d for d in documents_of[case_file.pk] if d not in used])
                used.add(document_id)
                routes.append(SigningRoute(
                    document_id=document_id, round=1, version_number=1,
                    version_sha256=hashlib.sha256(str(document_id).encode()).hexdigest(),
                    author=u))
        SigningRoute.objects.bulk_create(routes)
        for route in SigningRoute.objects.select_related("author"):
            unit = unit_of[route.author_id]
            colleagues = [c for c in members[unit.pk] if c.pk != route.author_id]
            unit_signers = [c for c in colleagues if c.pk in signers]
            cosigner = rng.choice(colleagues)
            on_unit = rng.random() < 0.2
            steps.append(RouteStep(route=route, position=1, kind=StepKind.COSIGN,
                                   user=None if on_unit else cosigner,
                                   unit=unit if on_unit else None))
            steps.append(RouteStep(route=route, position=2, kind=StepKind.SIGN_OFF,
                                   user=rng.choice(unit_signers)))
        RouteStep.objects.bulk_create(steps)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  generated in {time.monotonic() - started:.0f} s", file=sys.stderr)


def extend(*, now: datetime, seed: int) -> None:
    """Follow-ups and deadlines (the followups app), added to a generated set once: document
    types in realistic shares (deadline rules exist for applications, objections, decisions and
    unclassified post), deadlines of post older than four months marked done (answered), and
    open follow-ups per caseworker and unit, some due or overdue, most in the future."""
    from django.apps import apps

    if not apps.is_installed("followups"):
        return
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models.functions import Mod

    from archive.models import CaseFile, Document, Unit
    from followups.models import DeadlineDone, DeadlineRule, FollowUp

    if FollowUp.objects.exists():
        return
    rng = random.Random(seed + 1)
    started = time.monotonic()
    # per 100 documents (by id): 10 applications, 3 objections, 10 decisions, 2 unclassified,
    # the rest types without a deadline rule
    shares = [(0, 10, "antrag"), (10, 13, "widerspruch"), (13, 23, "bescheid"), (23, 25, ""),
              (25, 45, "kontoauszug"), (45, 65, "einkommensnachweis"),
              (65, 80, "mietvertrag"), (80, 100, "attest")]
    with transaction.atomic():
        numbered = Document.objects.annotate(share=Mod("pk", 100))
        for low, high, key in shares:
            numbered.filter(share__gte=low, share__lt=high).update(document_type=key)
        rules = {}
        for rule in DeadlineRule.objects.filter(active=True):
            rules.setdefault(rule.document_type, []).append(rule.pk)
        answered = (Document.objects.filter(document_type__in=list(rules),
                                            created_at__lt=now - timedelta(days=120))
                    .values_list("pk", "document_type"))
        DeadlineDone.objects.bulk_create([
            DeadlineDone(document_id=pk, rule_id=rule_id, done_by="bench")
            for pk, key in answered for rule_id in rules[key]], batch_size=2000)

        people = list(get_user_model().objects.filter(username__startswith="sb"))
        files_of = {}
        for pk, responsible_id in CaseFile.objects.values_list("pk", "responsible_id"):
            files_of.setdefault(responsible_id, []).append(pk)
        today = now.date()
        rows = []
        for u in people:
            for k in range(12):
                due = today + timedelta(days=rng.randrange(-10, 2) if k < 3
                                        else rng.randrange(2, 90))
                rows.append(FollowUp(case_file_id=rng.choice(files_of[u.pk]), due=due,
                                     reason=f"Unterlagen nachfordern {k}", assignee=u,
                                     created_by=u.username,
                                     closed_at=now if k >= 10 else None,
                                     closed_by=u.username if k >= 10 else ""))
        for unit in Unit.objects.filter(code__startswith="U"):
            unit_files = list(CaseFile.objects.filter(unit=unit).values_list("pk", flat=True))
            for k in range(5):
                rows.append(FollowUp(case_file_id=rng.choice(unit_files),
                                     due=today + timedelta(days=rng.randrange(-5, 30)),
                                     reason=f"Sachgebiet: Rückruf {k}", unit=unit,
                                     created_by="bench"))
        FollowUp.objects.bulk_create(rows)
    print(f"  follow-ups and deadlines in {time.monotonic() - started:.0f} s", file=sys.stderr)
