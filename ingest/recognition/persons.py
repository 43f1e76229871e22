"""Whom a letter concerns: the names, birth dates and client numbers (Kundennummer, BG-Nummer)
that stand in it, read from the places where letters put them."""
import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from archive.services.persons import (
    PersonEvidence,
    case_file_for_person,
    case_files_by_sender_reference,
    case_files_for_person,
)

from .correspondents import is_organisation
from .letters import RECIPIENT_START, _clean_name, _head, _lines, _name_like, letter_sender

BIRTH_DATE = re.compile(
    r"(?:\bgeb(?:oren)?\.?(?:\s+am)?|\bGeburtsdatum\s*:?|\*)\s*(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})",
    re.IGNORECASE)
CLIENT_NUMBER = re.compile(
    r"(?:Kundennummer|Kunden-Nr\.?|BG-Nummer|BG-Nr\.?|Nummer\s+der\s+Bedarfsgemeinschaft)"
    # groups of digits and capitals, also with single spaces: "25301 BG 0012345"
    r"\s*:?\s*(?-i:([0-9][0-9A-Z/-]*(?:[ ][0-9A-Z][0-9A-Z/-]*)*))", re.IGNORECASE)
SALUTATION_NAME = re.compile(r"Sehr\s+geehrte[rs]?\s+(?:Frau|Herr)\s+(?:Dr\.\s+)?"
                             r"([A-ZÄÖÜ][\w-]+(?:\s+[A-ZÄÖÜ][\w-]+)?)")
NAME_LABEL = re.compile(
    r"^\W{0,3}(?:Name|Mieter(?:in)?|Kund(?:e|in)|Antragsteller(?:in)?|Patient(?:in)?|"
    r"Leistungsberechtigte[rn]?|Versicherte[rn]?|Betroffene[rn]?)\s*:\s*(.+)$", re.IGNORECASE)
SURNAME_LABEL = re.compile(r"^\W{0,3}(?:Familienname|Nachname)\s*:\s*(.+)$", re.IGNORECASE)
GIVEN_LABEL = re.compile(r"^\W{0,3}Vorname(?:n)?\s*:\s*(.+)$", re.IGNORECASE)
BEFORE_BIRTH = re.compile(r"(?:^|\s)((?:[A-ZÄÖÜ][\w-]+\s){1,3}[A-ZÄÖÜ][\w-]+),?\s+geb(?:oren)?\b")
PARTIES = re.compile(r"^(.+?)\s+\./\.\s+(.+)$")
# The sender's own reference in its information block ("Unser Zeichen: 4711-K", a court's
# "Aktenzeichen: S 12 AS 345/26"); "Ihr Zeichen" is the recipient's, ours.
SENDER_REFERENCE = re.compile(
    r"^\W{0,3}(?:Unser(?:e)?\s+Zeichen|Aktenzeichen|Az\.|Gesch(?:äfts)?\.?\s?-?\s?Z(?:eichen|\.)|"
    r"Vorgangsnummer|Kassenzeichen|Rechnungsnummer|Vertragsnummer)\s*:?\s*"
    r"([A-Z0-9][\w ./-]{1,38}?)\s*$")
# Where the recognised person's file is taken from earlier post under the sender's reference.
SENDER_REFERENCE_CONFIDENCE = 0.85


@dataclass
class PersonMention:
    names: list[str] = field(default_factory=list)
    surnames: list[str] = field(default_factory=list)  # from a salutation: surname only
    birth_dates: list[date] = field(default_factory=list)
    client_numbers: list[str] = field(default_factory=list)
    sender_references: list[str] = field(default_factory=list)


def normalise_client_number(number: str) -> str:
    return re.sub(r"[\s/-]", "", number or "").upper()


def _add(values: list, value) -> None:
    if value and value not in values:
        values.append(value)


def _person_name(candidate: str) -> str:
    name = _clean_name(re.sub(r"^(?:Frau|Herrn?)\s+", "", candidate.split(",")[0].strip()))
    name = re.sub(r"^Dr\.\s+", "", name)
    words = name.split()
    if 2 <= len(words) <= 4 and _name_like(name) and not is_organisation(name):
        return name
    return ""


def find_person(text: str) -> PersonMention:
    lines = _lines(text)
    head = _head(lines)
    found = PersonMention()
    for day, month, year in BIRTH_DATE.findall(text or ""):
        try:
            _add(found.birth_dates, date(int(year), int(month), int(day)))
        except ValueError:
            pass
    for number in CLIENT_NUMBER.findall(text or ""):
        if 5 <= len(normalise_client_number(number)) <= 24:
            _add(found.client_numbers, normalise_client_number(number))
    # the recipient in the address window: "Frau" / "Sabine Krause", or on one line
    for index, line in enumerate(head):
        if RECIPIENT_START.match(line):
            rest = re.sub(r"^\W{0,3}(?:Frau|Herrn?|Familie|Eheleute)\s*", "", line)
            following = next((x for x in head[index + 1:index + 3] if x), "")
            _add(found.names, _person_name(rest) or _person_name(following))
    surname, given = "", ""
    for line in lines:
        label = NAME_LABEL.match(line)
        if label:
            _add(found.names, _person_name(label.group(1)))
        surname = (SURNAME_LABEL.match(line) or [None, surname])[1]
        given = (GIVEN_LABEL.match(line) or [None, given])[1]
        parties = PARTIES.match(line)
        if parties:  # "Sabine Krause ./. Jobcenter Leipzig"
            for party in parties.groups():
                _add(found.names, _person_name(party))
        for match in BEFORE_BIRTH.finditer(line):
            _add(found.names, _person_name(match.group(1)))
    if surname and given:
        _add(found.names, _person_name(f"{given} {surname}"))
    for reference in sender_references(text):
        _add(found.sender_references, reference)
    sender = letter_sender(text)
    if sender.confidence >= 0.5:
        _add(found.names, _person_name(sender.value))
    for match in SALUTATION_NAME.finditer(text or ""):
        _add(found.surnames, match.group(1))
    return found


def sender_references(text: str) -> list[str]:
    """The sender's references in the information block: each label on a line or in a column
    of its own (OCR puts the block beside the address on the same line, two spaces apart).
    Our own file references are no sender's reference (they route by themselves)."""
    found: list[str] = []
    for line in (text or "").splitlines():
        for segment in re.split(r"\s{2,}", line.strip()):
            match = SENDER_REFERENCE.match(segment)
            if not match:
                continue
            value = " ".join(match.group(1).split()).strip(" .,;:")
            if any(ch.isdigit() for ch in value) and not re.search(
                    settings.FILE_REFERENCE_PATTERN, value):
                _add(found, value[:40])
    return found


def _person_fields(found: PersonMention) -> dict:
    """Name, birth date and client number as the letter states them (never the cover's: the
    suggestion may reach whoever handed the letter in)."""
    return {"name": (found.names or found.surnames or [None])[0],
            "birth_date": found.birth_dates[0].isoformat() if found.birth_dates else None,
            "client_number": (found.client_numbers or [None])[0]}


def suggest_person(text: str, *, sender: str = "") -> tuple[dict, PersonEvidence]:
    """Whom the letter concerns and the case file that fits, as the job's "person"
    suggestion (JSON), with the evidence for routing. The sender's reference finds the file
    that earlier post of the same sender under that reference went to, when the person alone
    does not single one out (or agrees with it)."""
    found = find_person(text)
    evidence = case_files_for_person(names=found.names, surnames=found.surnames,
                                     birth_dates=found.birth_dates,
                                     client_numbers=found.client_numbers)
    reference = found.sender_references[0] if found.sender_references else None
    for candidate in found.sender_references:
        earlier = case_files_by_sender_reference(sender=sender, reference=candidate)
        if len(earlier) != 1:
            continue
        reference = candidate
        if evidence.case_file == earlier[0] and \
                evidence.confidence >= SENDER_REFERENCE_CONFIDENCE:
            pass  # the person already decides, and the reference agrees
        elif evidence.case_file == earlier[0] or (
                evidence.case_file is None and (not evidence.candidates
                                                or earlier[0] in evidence.candidates)):
            # alone, or picking one of the files the person fits, or confirming a name
            evidence = PersonEvidence(
                earlier[0], max(evidence.confidence, SENDER_REFERENCE_CONFIDENCE),
                f"Zeichen des Absenders {candidate} wie in früherer Post", (earlier[0],))
        elif evidence.case_file is not None and evidence.case_file != earlier[0]:
            evidence = PersonEvidence(
                None, 0.0, f"Person und Zeichen des Absenders {candidate} weisen auf "
                           "verschiedene Akten", (evidence.case_file, earlier[0]))
        break
    units = {case_file.unit.code for case_file in evidence.candidates}
    suggestion = {
        **_person_fields(found),
        "file_reference": evidence.case_file.file_reference if evidence.case_file else None,
        "sender_reference": reference,
        "confidence": evidence.confidence, "reason": evidence.reason,
        "candidates": len(evidence.candidates),
        # several files of one unit still name the unit the post is for
        "unit": units.pop() if len(units) == 1 else None,
        "found": {"names": found.names, "surnames": found.surnames,
                  "birth_dates": [d.isoformat() for d in found.birth_dates],
                  "client_numbers": found.client_numbers,
                  "sender_references": found.sender_references},
    }
    return suggestion, evidence


def case_file_for_letter(text: str):
    """The one open case file whose person the letter names, or none (PersonMatch). For the
    pipeline only: the answer must not reach a user who may not see that case file."""
    found = find_person(text)
    return case_file_for_person(names=found.names, surnames=found.surnames,
                                birth_dates=found.birth_dates,
                                client_numbers=found.client_numbers)
