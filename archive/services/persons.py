"""Which case file a letter concerns, by the person on its cover (name, birth date, client
number). Used by recognition, which runs as the system: the answer is a suggestion for the
pipeline and must not be shown to a user who may not see that case file."""
import re
from datetime import date
from functools import reduce
from operator import or_
from typing import NamedTuple

from django.db.models import Q
from rapidfuzz import fuzz

from ..models import CaseFile

SAME_NAME = 90
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


class PersonMatch(NamedTuple):
    case_file: CaseFile | None
    confidence: float
    reason: str


def _name_key(name: str) -> str:
    name = (name or "").casefold().translate(UMLAUTS)
    return " ".join(re.sub(r"[^\w\s]", " ", name).split())


def _number_key(number: str) -> str:
    return re.sub(r"[\s/-]", "", number or "").upper()


def _same_person_name(a: str, b: str) -> bool:
    # token_sort: "Krause, Sabine" is "Sabine Krause"; OCR slips stay above the threshold
    return fuzz.token_sort_ratio(_name_key(a), _name_key(b)) >= SAME_NAME


def case_file_for_person(*, names=(), surnames=(), birth_dates=(),
                         client_numbers=()) -> PersonMatch:
    """The one open case file whose person fits, or none: a client number decides alone; a
    name needs a birth date when two people share it."""
    numbers = {_number_key(n) for n in client_numbers if _number_key(n)}
    birth_dates = set(birth_dates)
    surnames = {name.split()[-1] for name in names if name.split()} | set(surnames)
    lookups = [Q(subject_name__icontains=s) for s in surnames if len(s) >= 2]
    lookups += [Q(client_number__icontains=n[-6:]) for n in numbers]
    if not lookups:
        return PersonMatch(None, 0.0, "keine Angaben zur Person gefunden")
    # open, existing and not restricted: post is filed only where it may still be worked on
    candidates = list(CaseFile.objects.filter(
        reduce(or_, lookups), closed_at__isnull=True, destroyed_at__isnull=True,
        restricted=False))
    by_number = [cf for cf in candidates if cf.client_number
                 and _number_key(cf.client_number) in numbers]
    if len(by_number) == 1:
        return PersonMatch(by_number[0], 0.95, "Kundennummer")
    pool = by_number or candidates
    by_name = [cf for cf in pool if cf.subject_name and (
        any(_same_person_name(name, cf.subject_name) for name in names)
        or (not names and any(_name_key(cf.subject_name).split()[-1:] == [_name_key(s)]
                              for s in surnames)))]
    fitting = [cf for cf in by_name if _fits(cf.subject_birth_date, birth_dates)]
    confirmed = [cf for cf in fitting if cf.subject_birth_date in birth_dates]
    if len(confirmed) == 1:
        return PersonMatch(confirmed[0], 0.9, "Name und Geburtsdatum")
    if len(fitting) == 1 and names:
        return PersonMatch(fitting[0], 0.7, "Name")
    if len(fitting) > 1:
        return PersonMatch(None, 0.0, "mehrere Akten passen zu Name und Angaben")
    return PersonMatch(None, 0.0, "keine Akte passt zur Person")


def _fits(known: date | None, found: set) -> bool:
    return known is None or not found or known in found
