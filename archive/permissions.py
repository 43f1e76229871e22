"""Need-to-know, denied by default. Access is expressed as principals: a user holds some, a
document is readable by some, and a user may read a document when the two sets meet. The same
sets are written into the search index, so that search trims inside the query."""
from .models import Document, Role

INBOX = "inbox"


def unit_principal(unit_id: int) -> str:
    return f"unit:{unit_id}"


def user_role(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    profile = getattr(user, "staff_profile", None)
    return profile.role if profile else None


def user_principals(user) -> frozenset[str]:
    role = user_role(user)
    if role == Role.MAILROOM:
        # The mailroom sorts unfiled post; it does not read the units' case files.
        return frozenset({INBOX})
    if role == Role.CASEWORKER:
        unit_ids = user.staff_profile.units.values_list("id", flat=True)
        return frozenset(unit_principal(unit_id) for unit_id in unit_ids)
    # Data-protection officers and administrators audit and administer; they get no content
    # access by role alone.
    return frozenset()


def document_principals(document: Document) -> frozenset[str]:
    if document.case_file_id is None:
        return frozenset({INBOX})
    return frozenset({unit_principal(document.case_file.unit_id)})
