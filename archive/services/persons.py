"""Which case file a letter concerns, by the person on its cover (name, birth date, client
number). Used by recognition, which runs as the system: the answer is a suggestion for the
pipeline and must not be shown to a user who may not see that case file."""
import re
from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_
from typing import NamedTuple

from django.db.models import Q
from rapidfuzz import fuzz

from ..models import CaseFile, Version

SAME_NAME = 90
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


class PersonMatch(NamedTuple):
    case_file: CaseFile | None
    confidence: float
    reason: str


@dataclass(frozen=True)
class PersonEvidence:
    """A PersonMatch with the case files that fit: one when the person is singled out, several
    when the evidence does not tell them apart (two people of one name), none when no file
    fits. For the pipeline's routing (several files of one unit still name the unit)."""

    case_file: CaseFile | None
    confidence: float
    reason: str
    candidates: tuple = ()

    def as_match(self) -> PersonMatch:
        return PersonMatch(self.case_file, self.confidence, self.reason)


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
    return case_files_for_person(names=names, surnames=surnames, birth_dates=birth_dates,
                                 client_numbers=client_numbers).as_match()


def case_files_for_person(*, names=(), surnames=(), birth_dates=(),
                          client_numbers=()) -> PersonEvidence:
    """As case_file_for_person, with the case files that fit when none is singled out."""
    numbers = {_number_key(n) for n in client_numbers if _number_key(n)}
    birth_dates = set(birth_dates)
    surnames = {name.split()[-1] for name in names if name.split()} | set(surnames)
    lookups = [Q(subject_name__icontains=s) for s in surnames if len(s) >= 2]
    lookups += [Q(client_number__icontains=n[-6:]) for n in numbers]
    if not lookups:
        return PersonEvidence(None, 0.0, "keine Angaben zur Person gefunden")
    # open, existing and not restricted: post is filed only where it may still be worked on
    candidates = list(CaseFile.objects.filter(
        reduce(or_, lookups), closed_at__isnull=True, destroyed_at__isnull=True,
        restricted=False).select_related("unit"))
    by_number = [cf for cf in candidates if cf.client_number
                 and _number_key(cf.client_number) in numbers]
    if len(by_number) == 1:
        return PersonEvidence(by_number[0], 0.95, "Kundennummer", (by_number[0],))
    pool = by_number or candidates
    by_name = [cf for cf in pool if cf.subject_name and (
        any(_same_person_name(name, cf.subject_name) for name in names)
        or (not names and any(_name_key(cf.subject_name).split()[-1:] == [_name_key(s)]
                              for s in surnames)))]
    fitting = [cf for cf in by_name if _fits(cf.subject_birth_date, birth_dates)]
    confirmed = [cf for cf in fitting if cf.subject_birth_date in birth_dates]
    if len(confirmed) == 1:
        return PersonEvidence(confirmed[0], 0.9, "Name und Geburtsdatum", (confirmed[0],))
    if len(fitting) == 1 and names:
        return PersonEvidence(fitting[0], 0.7, "Name", (fitting[0],))
    if len(fitting) > 1:
        return PersonEvidence(None, 0.0, "mehrere Akten passen zu Name und Angaben",
                              tuple(fitting))
    return PersonEvidence(None, 0.0, "keine Akte passt zur Person")


def case_files_by_sender_reference(*, sender: str, reference: str) -> list[CaseFile]:
    """The open case files holding earlier post of this sender under the same reference of
    the sender's (a court's "S 12 AS 345/26", a creditor's "Unser Zeichen"): recognition
    records both in each version's provenance."""
    if not sender or not reference:
        return []
    ids = (Version.objects
           .filter(document__sender=sender, document__case_file__isnull=False,
                   document__destroyed_at__isnull=True,
                   provenance__recognition__person__sender_reference=reference)
           .values_list("document__case_file_id", flat=True).distinct())
    return list(CaseFile.objects.filter(pk__in=list(ids), closed_at__isnull=True,
                                        destroyed_at__isnull=True, restricted=False)
                .select_related("unit"))


def _fits(known: date | None, found: set) -> bool:
    return known is None or not found or known in found
