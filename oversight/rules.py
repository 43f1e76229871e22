"""The rules that raise misuse alerts: patterns typical of browsing social data without
cause. Each rule is a function of the trail entries of its window that returns findings; its
threshold, window and further settings are data (`AlertRule`, defaults in `DEFAULTS`).

- same_name: a person read a file whose subject has the reader's surname (compared with
  rapidfuzz, so "Müller" and "Mueller" match; `params.similarity`, 0-100).
- same_address: a person read a file whose subject lives at the reader's private address
  (StaffProfile.private_*, set by the administration): the same postcode, the same house
  number, and street names alike after normalising case, umlauts, accents, "Str."/"Straße",
  spaces and punctuation (rapidfuzz ratio >= `params.similarity`, 0-100). The finding
  records counts and the score, never an address.
- break_glass_repeated: `threshold` break-glass openings by one person within the window.
- bulk_previews: the person's searches showed (titles, snippets, pictures) at least
  `threshold` documents of files that are not their own (own: files they are responsible
  for, and files of their units without a responsible caseworker).
- closed_unfollowed: reads of closed or restricted files that no action of the same person on
  that file followed within `params.follow_up_hours`, in at least `threshold` files. Roles in
  `params.exempt_roles` (the officer, whose work it is to read restricted files) are left out.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from rapidfuzz import fuzz

from archive.selectors import READ_ACTIONS

from .models import AlertRule, RuleKey
from .trail import CaseFiles, ClosedAt, Seen, entries_between

DEFAULTS = {
    RuleKey.SAME_NAME: {"threshold": 1, "window_hours": 24, "params": {"similarity": 90}},
    RuleKey.SAME_ADDRESS: {"threshold": 1, "window_hours": 24, "params": {"similarity": 90}},
    RuleKey.BREAK_GLASS_REPEATED: {"threshold": 3, "window_hours": 7 * 24, "params": {}},
    RuleKey.BULK_PREVIEWS: {"threshold": 25, "window_hours": 24, "params": {}},
    RuleKey.CLOSED_UNFOLLOWED: {
        "threshold": 2,
        "window_hours": 7 * 24,
        "params": {"follow_up_hours": 48, "exempt_roles": ["data_protection"]},
    },
}
# Entries that are no action on a file: reading, listing, searching, refused reads.
NOT_ACTIONS = (*READ_ACTIONS, "searched", "listed", "read_refused", "report")


@dataclass(frozen=True)
class RuleSettings:
    key: str
    active: bool
    threshold: int
    window_hours: int
    params: dict

    @property
    def window(self) -> timedelta:
        return timedelta(hours=self.window_hours)


def rules_current() -> list[RuleSettings]:
    """Every rule with its stored settings, else its defaults."""
    stored = {rule.key: rule for rule in AlertRule.objects.all()}
    rules = []
    for key, default in DEFAULTS.items():
        rule = stored.get(key)
        rules.append(
            RuleSettings(
                key=str(key),
                active=rule.active if rule else True,
                threshold=rule.threshold if rule else default["threshold"],
                window_hours=rule.window_hours if rule else default["window_hours"],
                params={**default["params"], **(rule.params if rule else {})},
            )
        )
    return rules


@dataclass
class Finding:
    rule: str
    username: str
    seqs: list[int]
    first_at: datetime
    last_at: datetime
    case_file_id: int | None = None
    details: dict = field(default_factory=dict)


def _finding(
    rule: RuleSettings, username: str, entries: list[Seen], case_file_id=None, **details
) -> Finding:
    return Finding(
        rule=rule.key,
        username=username,
        seqs=[e.seq for e in entries],
        first_at=min(e.at for e in entries),
        last_at=max(e.at for e in entries),
        case_file_id=case_file_id,
        details=details,
    )


def _similar_reads(rule, grouped: dict, scores: dict) -> list:
    """One finding per reader and file whose reads reached the rule's threshold, with the
    similarity that linked them (surname or address)."""
    return [_finding(rule, username, entries, case_file_id, reads=len(entries),
                     similarity=scores[(username, case_file_id)])
            for (username, case_file_id), entries in grouped.items()
            if len(entries) >= rule.threshold]


class Readers:
    """The people behind the entries: surname, role, units; looked up once."""

    def __init__(self, usernames):
        users = (
            get_user_model()
            .objects.filter(username__in=set(usernames))
            .select_related("staff_profile")
            .prefetch_related("staff_profile__units")
        )
        self.users = {user.username: user for user in users}

    def surname(self, username: str) -> str:
        user = self.users.get(username)
        return user.last_name.strip() if user else ""

    def role(self, username: str) -> str:
        profile = getattr(self.users.get(username), "staff_profile", None)
        return profile.role if profile else ""

    def unit_ids(self, username: str) -> set[int]:
        profile = getattr(self.users.get(username), "staff_profile", None)
        return {unit.pk for unit in profile.units.all()} if profile else set()

    def address(self, username: str) -> tuple[str, str]:
        """The reader's private street line and postcode (HR data; read by this rule only)."""
        profile = getattr(self.users.get(username), "staff_profile", None)
        return (profile.private_street, profile.private_postcode) if profile else ("", "")

    def pk(self, username: str):
        user = self.users.get(username)
        return user.pk if user else None


def _name_key(name: str) -> str:
    """A surname compared without case and accents ("Müller" ~ "Muller" ~ "Mueller")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip()


def _surname(full_name: str) -> str:
    parts = full_name.replace(",", " ").split()
    if "," in full_name:  # "Müller, Jürgen"
        return full_name.split(",")[0].strip()
    return parts[-1] if parts else ""


def same_name(rule: RuleSettings, end: datetime) -> list[Finding]:
    reads = entries_between(end - rule.window, end, actions=READ_ACTIONS)
    readers = Readers(entry.actor for entry in reads)
    files = CaseFiles(reads)
    similarity = float(rule.params.get("similarity", 90))
    grouped: dict[tuple[str, int], list[Seen]] = defaultdict(list)
    scores = {}
    for entry in reads:
        reader = _name_key(readers.surname(entry.actor))
        case_file = files.of(entry)
        if not reader or case_file is None or not case_file.subject_name:
            continue
        score = fuzz.ratio(reader, _name_key(_surname(case_file.subject_name)))
        if score >= similarity:
            grouped[(entry.actor, case_file.pk)].append(entry)
            scores[(entry.actor, case_file.pk)] = round(score)
    return _similar_reads(rule, grouped, scores)


UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# Abbreviations at the end of a word: "Hauptstr." is "Hauptstrasse", "Marktpl." "Marktplatz".
ABBREVIATIONS = ((re.compile(r"str\b"), "strasse"), (re.compile(r"pl\b"), "platz"))


def _street_key(street: str) -> tuple[str, str]:
    """A street line as (street name, house number), normalised: "Hauptstraße 5",
    "Hauptstr. 5" and "HAUPT-STRASSE 5" are ("hauptstrasse", "5"); "5 a" and "5a" alike.
    The house number is everything from the first digit on, without spaces."""
    folded = street.casefold().translate(UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", folded)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = re.sub(r"[\W_]+", " ", plain)
    for pattern, full in ABBREVIATIONS:
        plain = pattern.sub(full, plain)
    digit = re.search(r"\d", plain)
    name, number = (plain[: digit.start()], plain[digit.start() :]) if digit else (plain, "")
    return name.replace(" ", ""), number.replace(" ", "")


def _postcode_key(postcode: str) -> str:
    return re.sub(r"\D", "", postcode or "")


def address_similarity(street_a: str, postcode_a: str, street_b: str, postcode_b: str) -> float:
    """0-100: how alike two addresses are; 0 unless both have a postcode and it is the same,
    and both have the same house number (a neighbour's house is another address)."""
    postcode = _postcode_key(postcode_a)
    if not postcode or postcode != _postcode_key(postcode_b):
        return 0.0
    (name_a, number_a), (name_b, number_b) = _street_key(street_a), _street_key(street_b)
    if not name_a or not name_b or number_a != number_b:
        return 0.0
    return fuzz.ratio(name_a, name_b)


def same_address(rule: RuleSettings, end: datetime) -> list[Finding]:
    reads = entries_between(end - rule.window, end, actions=READ_ACTIONS)
    readers = Readers(entry.actor for entry in reads)
    files = CaseFiles(reads)
    similarity = float(rule.params.get("similarity", 90))
    grouped: dict[tuple[str, int], list[Seen]] = defaultdict(list)
    scores = {}
    for entry in reads:
        street, postcode = readers.address(entry.actor)
        case_file = files.of(entry)
        if not (street and postcode) or case_file is None or not case_file.subject_postcode:
            continue
        score = address_similarity(
            street, postcode, case_file.subject_street, case_file.subject_postcode
        )
        if score and score >= similarity:
            grouped[(entry.actor, case_file.pk)].append(entry)
            scores[(entry.actor, case_file.pk)] = round(score)
    return _similar_reads(rule, grouped, scores)


def break_glass_repeated(rule: RuleSettings, end: datetime) -> list[Finding]:
    openings = entries_between(end - rule.window, end, actions=("break_glass",))
    by_user: dict[str, list[Seen]] = defaultdict(list)
    for entry in openings:
        by_user[entry.actor].append(entry)
    return [
        _finding(
            rule,
            username,
            entries,
            openings=len(entries),
            case_files=len({e.object_id for e in entries}),
        )
        for username, entries in by_user.items()
        if len(entries) >= rule.threshold
    ]


def _own(case_file, user_pk, unit_ids: set[int]) -> bool:
    if case_file.responsible_id is not None:
        return case_file.responsible_id == user_pk
    return case_file.unit_id in unit_ids


def bulk_previews(rule: RuleSettings, end: datetime) -> list[Finding]:
    searches = entries_between(end - rule.window, end, actions=("searched",))
    readers = Readers(entry.actor for entry in searches)
    files = CaseFiles(searches)
    by_user: dict[str, list[Seen]] = defaultdict(list)
    foreign: dict[str, set[str]] = defaultdict(set)
    for entry in searches:
        pk, units = readers.pk(entry.actor), readers.unit_ids(entry.actor)
        shown = {
            document
            for document in entry.documents
            if (case_file := files.of_shown(document)) is not None
            and not _own(case_file, pk, units)
        }
        if shown:
            by_user[entry.actor].append(entry)
            foreign[entry.actor] |= shown
    return [
        _finding(rule, username, entries, documents=len(foreign[username]), searches=len(entries))
        for username, entries in by_user.items()
        if len(foreign[username]) >= rule.threshold
    ]


def closed_unfollowed(rule: RuleSettings, end: datetime) -> list[Finding]:
    grace = timedelta(hours=float(rule.params.get("follow_up_hours", 48)))
    exempt = set(rule.params.get("exempt_roles") or ())
    # Reads whose time for a follow-up has passed, and every action since the first of them.
    reads = entries_between(end - rule.window - grace, end - grace, actions=READ_ACTIONS)
    readers = Readers(entry.actor for entry in reads)
    reads = [entry for entry in reads if readers.role(entry.actor) not in exempt]
    actions = [
        entry
        for entry in entries_between(
            end - rule.window - grace, end, actors={entry.actor for entry in reads}
        )
        if entry.action not in NOT_ACTIONS
    ]
    files = CaseFiles(reads + actions)
    acted: dict[tuple[str, int], list[datetime]] = defaultdict(list)
    for entry in actions:
        case_file = files.of(entry)
        if case_file is not None:
            acted[(entry.actor, case_file.pk)].append(entry.at)
    closed_at = ClosedAt(files.files.values())
    unfollowed: dict[str, dict[int, list[Seen]]] = defaultdict(lambda: defaultdict(list))
    for entry in reads:
        case_file = files.of(entry)
        if case_file is None:
            continue
        # Restricted at the time of the read: the read's basis says so (older entries
        # without a basis: the file's mark now).
        restricted = entry.basis == "restricted" or (not entry.basis and case_file.restricted)
        if not (closed_at(case_file.pk, entry.at) or restricted):
            continue
        if any(
            entry.at <= at <= entry.at + grace for at in acted.get((entry.actor, case_file.pk), ())
        ):
            continue
        unfollowed[entry.actor][case_file.pk].append(entry)
    return [
        _finding(
            rule,
            username,
            [e for entries in by_file.values() for e in entries],
            case_files=len(by_file),
        )
        for username, by_file in unfollowed.items()
        if len(by_file) >= rule.threshold
    ]


DETECTORS = {
    RuleKey.SAME_NAME: same_name,
    RuleKey.SAME_ADDRESS: same_address,
    RuleKey.BREAK_GLASS_REPEATED: break_glass_repeated,
    RuleKey.BULK_PREVIEWS: bulk_previews,
    RuleKey.CLOSED_UNFOLLOWED: closed_unfollowed,
}


def findings(end: datetime) -> list[Finding]:
    found = []
    for rule in rules_current():
        if rule.active:
            found += DETECTORS[rule.key](rule, end)
    return found
