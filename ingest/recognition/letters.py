"""Reading a letter as a person does: who wrote it and what it is about.

A German business letter (DIN 5008) has the sender's letterhead at the top, left or right; a
small return-address line ("Jobcenter Leipzig · Georgiring 3 · 04103 Leipzig") just above the
address window; the recipient in the window; an information block beside it (date, reference,
telephone); then the emphasised subject, with or without "Betreff:", right before the
salutation. OCR keeps the reading order only roughly (the information block is interleaved
with the address lines, the middle dots come back as colons or hyphens, blank lines come and
go), so everything here works on single lines and never trusts paragraph breaks."""
import re
from typing import NamedTuple

from rapidfuzz import fuzz

MAX_HEAD_LINES = 30
SALUTATION = re.compile(r"^\W{0,3}(?:Sehr\s+geehrte|Guten\s+Tag|Hallo\b|Liebe[rs]?\s)",
                        re.IGNORECASE)
CLOSING = re.compile(r"^\W{0,3}(?:Mit\s+freundlichen\s+Grüßen|Freundliche\s+Grüße|"
                     r"Mit\s+besten\s+Grüßen|Hochachtungsvoll|Viele\s+Grüße)", re.IGNORECASE)
ON_BEHALF = re.compile(r"^\W{0,3}(?:Im\s+Auftrag|i\.\s?A\.|In\s+Vertretung|i\.\s?V\.|"
                       r"Auf\s+Anordnung)\W*$", re.IGNORECASE)
SENDER_LABEL = re.compile(r"^\s*(?:Absender|Von|From)\s*:\s*(.+)$", re.IGNORECASE)
SUBJECT_LABEL = re.compile(r"^\W{0,3}(?:Betreff|Betr\.|Betrifft|Subject)\s*[:.]?\s+(.+)$",
                           re.IGNORECASE)
POSTCODE = re.compile(r"(?<!\d)\d{5}\s+[A-ZÄÖÜ][\w.-]+")
POSTCODE_LINE = re.compile(r"^\W{0,3}(?:D-)?\d{5}\s+[A-ZÄÖÜ]")
# A street with its house number at the end of a line or segment: "Georgiring 3",
# "Karl-Liebknecht-Straße 40a", "Am Markt 1".
STREET = re.compile(r"[A-ZÄÖÜ][\w.-]*(?:\s+[\w.-]+){0,3}\s+\d{1,4}\s?[a-zA-Z]?(?:\s*-\s*\d+)?$")
# OCR reads the middle dot of a return-address line as one of these.
SEPARATOR = r"\s*(?:[·•|:;+»«]|\s[-–—]\s|,)\s*"
RECIPIENT_START = re.compile(r"^\W{0,3}(?:Frau|Herrn?|Familie|Eheleute|An\s+(?:das|den|die))\b")
INFO_LABEL = re.compile(
    r"^\W{0,3}(?:Datum|Aktenzeichen|Az\.?|Gesch\.-Z\.|Ihr(?:e)?\s+Zeichen|Unser\s+Zeichen|"
    r"Ihre\s+Nachricht|Kundennummer|Kunden-Nr\.?|BG-Nummer|Nummer\s+der\s+Bedarfsgemeinschaft|"
    r"Kassenzeichen|Personalnummer|Telefon|Tel\.|Fax|E-Mail|Sachbearbeit\w*|Zimmer|"
    r"Durchwahl|Sprechzeiten|Internet|Seite|Blatt)\b", re.IGNORECASE)
DATE = re.compile(r"\b\d{1,2}\.\s?(?:\d{1,2}\.|[A-ZÄÖÜ][a-zä]+)\s?\d{2,4}\b")


class Suggestion(NamedTuple):
    value: str
    confidence: float
    reason: str


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").splitlines()]


def _head(lines: list[str]) -> list[str]:
    """The lines before the salutation (or the first lines of a letter without one)."""
    for index, line in enumerate(lines):
        if SALUTATION.match(line):
            return lines[:index]
    return lines[:MAX_HEAD_LINES]


def _is_info(line: str) -> bool:
    if INFO_LABEL.match(line):
        return True
    # "Leipzig, den 03.03.2026", "München, 14.03.2026", a lone date
    return bool(DATE.search(line)) and len(line.split()) <= 5


def _is_address_part(line: str) -> bool:
    return bool(POSTCODE_LINE.match(line) or STREET.fullmatch(line.strip(" .,")))


def _clean_name(name: str) -> str:
    return name.strip(" \t.,:;·•|+»«-–—_")


def _name_like(line: str) -> bool:
    """A line that can be a person's or an organisation's name."""
    line = _clean_name(line)
    words = line.split()
    if not 1 <= len(words) <= 7 or len(line) < 3 or any(ch.isdigit() for ch in line):
        return False
    if not (words[0][0].isupper() or words[0] in ("eG",)):
        return False
    letters = sum(ch.isalpha() for ch in line)
    lower = sum(1 for w in words if w[0].islower() and w not in ("med.", "rer.", "nat.", "eG"))
    return letters >= 3 and lower <= len(words) // 2 and not line.endswith(",")


STREET_WORD = re.compile(r"(?:Straße|Strasse|Str\.|Weg|Allee|Platz|Ring|Gasse|Damm|Ufer|Markt|"
                         r"Chaussee|Steig|Pfad|Hof|Berg|Garten|Park|Brücke|Promenade)$")


def _split_street(before: str) -> tuple[str, str]:
    """("Jobcenter Leipzig", "Georgiring 3") from "Jobcenter Leipzig Georgiring 3", for a line
    whose separators OCR lost. A lone street word takes the word before it: "Berliner Straße"."""
    match = re.search(r"(?:^|\s)(\S+)\s+(\d{1,4}\s?[a-zA-Z]?)$", before)
    if not match:
        return before, ""
    start = match.start(1)
    if STREET_WORD.match(match.group(1)):
        previous = re.search(r"(?:^|\s)(\S+)\s*$", before[:start])
        start = previous.start(1) if previous else 0
    return before[:start].strip(), before[start:].strip()


def return_address(line: str) -> str:
    """The sender's name in a return-address line, or ""."""
    postcode = POSTCODE.search(line)
    if not postcode or postcode.start() == 0 or re.match(r"^[\wÄÖÜäöüß-]+:", line):
        return ""  # no address, or a label ("Anschrift: ...")
    before = re.sub(SEPARATOR + "$", "", line[:postcode.start()]).strip()
    segments = [s for s in re.split(SEPARATOR, before) if s.strip()]
    if len(segments) >= 2:
        # "Name · Abteilung · Straße 3 · PLZ Ort" or "Stadt Leipzig · Stadtkasse · PLZ Ort":
        # the organisation is the first segment
        if not (STREET.fullmatch(segments[-1].strip()) or all(_name_like(s) for s in segments)):
            return ""
        name = segments[0]
    else:
        name, street = _split_street(before)
        if not street or len(name.split()) < 2:
            return ""
    name = _clean_name(name)
    return name if _name_like(name) and not RECIPIENT_START.match(name) else ""


def _same(a: str, b: str) -> bool:
    return fuzz.token_set_ratio(a.casefold(), b.casefold()) >= 90


def _signature(lines: list[str]) -> str:
    for index, line in enumerate(lines):
        if CLOSING.match(line):
            for following in lines[index + 1:index + 6]:
                if following and not ON_BEHALF.match(following) and _name_like(following):
                    return _clean_name(following)
            return ""
    return ""


def letter_sender(text: str) -> Suggestion:
    """The sender: an "Absender:" label, else the return-address line above the window and the
    letterhead (agreeing, they are nearly certain), else the first name before the recipient,
    else the signature of a letter whose head holds only the recipient."""
    lines = _lines(text)
    head = _head(lines)
    for line in head:
        match = SENDER_LABEL.match(line)
        if match:
            return Suggestion(_clean_name(match.group(1))[:300], 0.9, "Absenderangabe")
    subject = letter_subject(text)
    returned, return_index = "", None
    for index, line in enumerate(head):
        returned = return_address(line)
        if returned:
            return_index = index
            break
    letterhead, letterhead_index, after_recipient, skip_until_postcode = "", 0, False, False
    for index, line in enumerate(head):
        if not line:
            continue
        if index == return_index:
            skip_until_postcode = after_recipient = True  # the address window follows
            continue
        if line == subject.value or (len(line) > 15 and subject.value.startswith(line)):
            break  # the subject ends the head
        if RECIPIENT_START.match(line):
            skip_until_postcode = after_recipient = True
            continue
        if skip_until_postcode:
            skip_until_postcode = not POSTCODE_LINE.match(line)
            continue
        if _is_info(line) or _is_address_part(line) or not _name_like(line):
            continue
        # after the recipient only an address block can be a (right-hand) letterhead
        if after_recipient and not any(_is_address_part(x) for x in head[index + 1:index + 4]):
            continue
        letterhead, letterhead_index = _clean_name(line), index
        break
    postcodes = [i for i, x in enumerate(head) if POSTCODE.search(x)]
    recipient_known = (return_index is not None or any(RECIPIENT_START.match(x) for x in head)
                       or len(postcodes) >= 2)
    if returned and letterhead:
        if _same(returned, letterhead):
            return Suggestion(returned[:300], 0.9, "Briefkopf und Rücksendeangabe")
        return Suggestion(returned[:300], 0.7, "Rücksendeangabe (Briefkopf weicht ab)")
    if returned:
        return Suggestion(returned[:300], 0.8, "Rücksendeangabe über dem Anschriftfeld")
    if letterhead and recipient_known:
        return Suggestion(letterhead[:300], 0.75, "Briefkopf vor der Empfängeranschrift")
    # One address and a signed closing: a window envelope needs the recipient, so that one
    # address is the recipient's and the signature names the sender.
    signer = _signature(lines)
    if signer and len(postcodes) <= 1 and not _same(signer, letterhead or "-"):
        return Suggestion(signer[:300], 0.5, "Unterschrift (Kopf enthält nur den Empfänger)")
    # a lone word at the top is more likely a heading ("Widerspruch") than a sender
    if letterhead and (len(letterhead.split()) >= 2 or any(
            _is_address_part(x) for x in head[letterhead_index + 1:letterhead_index + 4])):
        return Suggestion(letterhead[:300], 0.55, "erste Namenszeile des Schreibens")
    return Suggestion("", 0.0, "kein Absender erkannt")


def _subject_candidate(line: str) -> bool:
    return bool(line) and not (_is_info(line) or _is_address_part(line)
                               or RECIPIENT_START.match(line) or return_address(line)
                               or CLOSING.match(line))


def letter_subject(text: str) -> Suggestion:
    """The subject: after a "Betreff:" label, else the emphasised line right before the
    salutation, else a title standing alone at the top of a form-like document."""
    lines = _lines(text)
    head = _head(lines)
    for line in head:
        match = SUBJECT_LABEL.match(line)
        if match and match.group(1).strip():
            return Suggestion(match.group(1).strip()[:300], 0.9, "Betreffzeile")
    has_salutation = len(head) < len(lines) and bool(head)
    if has_salutation:
        # walk back from the salutation over blank, date and information lines
        for back, line in enumerate(reversed(head)):
            if back > 6:
                break
            if not line or _is_info(line) or re.fullmatch(r"\W*\w?\W*", line):
                continue
            if not _subject_candidate(line):
                break
            above = head[len(head) - back - 2] if len(head) - back - 2 >= 0 else ""
            # a name above a street is the recipient, not a subject
            if _is_address_part(above) and not _name_like(above):
                break
            return Suggestion(line[:300], 0.75, "hervorgehobene Zeile vor der Anrede")
    # no salutation (a certificate, a statement, a form): a short title standing alone, or
    # followed only by its own explanation ("zur Vorlage beim Jobcenter", "(nach § 18 ...)")
    for index, line in enumerate(head[:20]):
        before = head[index - 1] if index else ""
        after = head[index + 1] if index + 1 < len(head) else ""
        alone = not before and (not after or after[0] in "(" or after[0].islower())
        if (line and alone and line[0].isupper() and len(line.split()) <= 6
                and _subject_candidate(line) and not line.endswith((",", ":"))):
            return Suggestion(line[:300], 0.5, "alleinstehende Überschrift")
    return Suggestion("", 0.0, "kein Betreff erkannt")


def sender_address(text: str, name: str) -> str:
    """The sender's address: the rest of its return-address line, else the address lines
    under its letterhead ("Georgiring 3, 04103 Leipzig")."""
    if not name:
        return ""
    head = _head(_lines(text))
    for line in head:
        if return_address(line) == name:
            rest = line[line.index(name) + len(name):] if name in line else ""
            parts = [p for p in re.split(SEPARATOR, rest) if p.strip()]
            return ", ".join(_clean_name(p) for p in parts)
    for index, line in enumerate(head):
        if _clean_name(line) == name:
            parts = []
            for following in head[index + 1:index + 5]:
                if _is_address_part(following):
                    parts.append(_clean_name(following))
                    if POSTCODE_LINE.match(following):
                        return ", ".join(parts)
            return ""
    return ""
