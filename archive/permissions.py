"""Need-to-know, denied by default.

Access is expressed as principals. A user holds some; a case file (and every document in it)
is readable by some; a user may read when the two sets meet. The same sets go into the search
index, so search trims inside the query, and `principals_q` turns them into a database filter,
so pages and search cannot disagree.

    inbox            unfiled post: the mailroom
    unit:U           normal case files owned by or shared with unit U
    unit:U/cL        case files of confidentiality level L (needs clearance >= L)
    casefile:F       case file F itself (shares and break-glass, computed per request, so
                     their expiry needs no re-indexing)
    user:N           staff cases (Beschäftigtenfälle): only the named persons
    restricted       case files whose processing is restricted (GDPR Art. 18): only the
                     data-protection officer, whatever else would apply
"""
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from .models import BreakGlass, CaseFile, Document, Role, Share, StaffProfile

INBOX = "inbox"
RESTRICTED = "restricted"


def unit_principal(unit_id: int, level: int = 0) -> str:
    return f"unit:{unit_id}" if level == 0 else f"unit:{unit_id}/c{level}"


def user_role(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    profile = getattr(user, "staff_profile", None)
    return profile.role if profile else None


def _active(queryset, expiry_field: str):
    now = timezone.now()
    return queryset.filter(Q(**{f"{expiry_field}__isnull": True})
                           | Q(**{f"{expiry_field}__gt": now}))


# Within one request (or one command run), each user's principals are computed once: a page
# asks the selectors several times (its list, counts, the desk's sources in the frame), and
# each answer costs four queries. The memo lives only as long as `principals_memo()` is
# entered; any change to what principals are made of (accounts, profiles and their units,
# shares, break-glass openings, case files) empties it (archive/apps.py connects
# `principals_memo_clear` to those models' signals). Outside the context nothing is kept.
_memo: ContextVar[dict | None] = ContextVar("principals_memo", default=None)


@contextmanager
def principals_memo():
    if _memo.get() is not None:  # inside one already: keep using it
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def principals_memo_clear(*args, **kwargs) -> None:
    memo = _memo.get()
    if memo is not None:
        memo.clear()


def user_principals(user) -> frozenset[str]:
    memo = _memo.get()
    if memo is None or getattr(user, "pk", None) is None:
        return _user_principals(user)
    scope = getattr(user, "unit_scope", None)
    key = (user.pk, user.is_active, None if scope is None else frozenset(scope))
    if key not in memo:
        memo[key] = _user_principals(user)
    return memo[key]


def _user_principals(user) -> frozenset[str]:
    # A service token's unit scope (web/api/tokens.py) narrows what its account could see
    # to those units' case files: no inbox, no restricted files, no personal openings.
    scope = getattr(user, "unit_scope", None)
    if scope is not None:
        return _unit_principals(user, scope)
    role = user_role(user)
    if role == Role.MAILROOM:
        # The mailroom sorts unfiled post; it does not read the units' case files.
        return frozenset({INBOX})
    if role == Role.DATA_PROTECTION:
        # The DPO audits; content only where processing is restricted and must be overseen.
        return frozenset({RESTRICTED})
    if role != Role.CASEWORKER:
        return frozenset()
    profile = user.staff_profile
    unit_ids, readable = _caseworker_grants(user, profile)
    principals = {unit_principal(unit_id, level)
                  for unit_id in unit_ids for level in range(profile.clearance + 1)}
    principals |= {f"casefile:{pk}" for pk in readable}
    if not profile.personnel_administration:
        principals.add(f"user:{user.pk}")
    return frozenset(principals)


def _caseworker_grants(user, profile) -> tuple[list[int], list[int]]:
    """The caseworker's units, and the case files readable through an active share with one
    of them or the user's own open break-glass (neither a staff case nor above the
    clearance). One statement: every search asks, and the ORM took longer to build the
    three queries this was than the database took to answer them."""
    members = StaffProfile.units.through
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    tables = {"members": members._meta.db_table, "case_files": CaseFile._meta.db_table,
              "shares": Share._meta.db_table, "openings": BreakGlass._meta.db_table,
              "profile": members._meta.get_field("staffprofile").column,
              "unit": members._meta.get_field("unit").column}
    sql = """
        SELECT m.{unit}, NULL FROM {members} m WHERE m.{profile} = %s
        UNION ALL
        SELECT NULL, c.id FROM {case_files} c
        WHERE c.staff_case = %s AND c.confidentiality <= %s AND c.id IN (
            SELECT s.case_file_id FROM {shares} s
            WHERE s.revoked_at IS NULL AND (s.valid_until IS NULL OR s.valid_until > %s)
            AND s.unit_id IN (SELECT m.{unit} FROM {members} m WHERE m.{profile} = %s)
            UNION
            SELECT b.case_file_id FROM {openings} b WHERE b.user_id = %s AND b.expires_at > %s)
    """.format(**tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, [profile.pk, False, profile.clearance, now, profile.pk, user.pk,
                             now])
        rows = cursor.fetchall()
    return ([unit for unit, _ in rows if unit is not None],
            [case_file for _, case_file in rows if case_file is not None])


def _unit_principals(user, scope: frozenset[int]) -> frozenset[str]:
    if user_role(user) != Role.CASEWORKER:
        return frozenset()
    profile = user.staff_profile
    unit_ids = [pk for pk in profile.units.values_list("id", flat=True) if pk in scope]
    principals = {unit_principal(unit_id, level)
                  for unit_id in unit_ids for level in range(profile.clearance + 1)}
    shared = _active(Share.objects.filter(unit_id__in=unit_ids, revoked_at__isnull=True),
                     "valid_until").values_list("case_file_id", flat=True)
    readable = CaseFile.objects.filter(pk__in=list(shared), staff_case=False,
                                       confidentiality__lte=profile.clearance)
    return frozenset(principals | {f"casefile:{pk}" for pk in readable.values_list("pk",
                                                                                 flat=True)})


def case_file_principals(case_file: CaseFile) -> frozenset[str]:
    if case_file.restricted:
        return frozenset({RESTRICTED})
    if case_file.staff_case:
        return frozenset(f"user:{pk}" for pk in case_file.named_persons.values_list("pk",
                                                                                    flat=True))
    return frozenset({unit_principal(case_file.unit_id, case_file.confidentiality),
                      f"casefile:{case_file.pk}"})


def document_principals(document: Document) -> frozenset[str]:
    if document.case_file_id is None:
        return frozenset({INBOX})
    return case_file_principals(document.case_file)


def principals_q(principals: frozenset[str], prefix: str = "") -> Q:
    """The database filter for case files (prefix "") or documents (prefix "case_file__")."""
    condition = Q(pk__in=[])
    unrestricted = Q(**{f"{prefix}restricted": False})
    not_staff = unrestricted & Q(**{f"{prefix}staff_case": False})
    for principal in principals:
        kind, _, value = principal.partition(":")
        if kind == "unit":
            unit_id, _, level = value.partition("/c")
            condition |= not_staff & Q(**{f"{prefix}unit_id": int(unit_id),
                                          f"{prefix}confidentiality": int(level or 0)})
        elif kind == "casefile":
            own_key = "case_file_id" if prefix else "pk"
            condition |= not_staff & Q(**{own_key: int(value)})
        elif kind == "user":
            # A subquery, not a join over named_persons: a join repeats a row per named
            # person and needed a DISTINCT over every column of every permitted row, which
            # made each count and page of a list read and compare all of them.
            own_key = "case_file_id" if prefix else "pk"
            named = CaseFile.named_persons.through.objects.filter(
                user_id=int(value)).values("casefile_id")
            condition |= unrestricted & Q(**{f"{prefix}staff_case": True,
                                             f"{own_key}__in": named})
        elif principal == RESTRICTED:
            condition |= Q(**{f"{prefix}restricted": True})
    return condition


def documents_q(principals: frozenset[str]) -> Q:
    condition = principals_q(principals, prefix="case_file__")
    if INBOX in principals:
        condition |= Q(case_file__isnull=True)
    return condition


# On what ground a user reads a case file they may read. Only a share is a read outside the
# reader's own unit and assigned files that nothing else has justified: break-glass asked
# for its reason when it was opened, the officer oversees restricted files, a staff case
# names its persons, and the mailroom sorts the inbox.
PURPOSE_BASES = frozenset({"share"})


def read_basis(user, case_file: CaseFile | None) -> str:
    """"inbox", "restricted", "staff_case", "unit", "break_glass" or "share". Called only
    after the principals allowed the read, so whatever is left is a share."""
    if case_file is None:
        return "inbox"
    if case_file.restricted:
        return "restricted"
    if case_file.staff_case:
        return "staff_case"
    profile = getattr(user, "staff_profile", None)
    if profile is not None and profile.units.filter(pk=case_file.unit_id).exists():
        return "unit"
    if BreakGlass.objects.filter(user=user, case_file=case_file,
                                 expires_at__gt=timezone.now()).exists():
        return "break_glass"
    return "share"
