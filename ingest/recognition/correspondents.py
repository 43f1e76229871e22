"""The recognised sender as the archive's correspondent, so that one organisation keeps one
name however its letters spell it ("Jobcenter Leipzig, Team 412" is "Jobcenter Leipzig")."""
import re

from archive.services.correspondents import correspondent_match, correspondent_match_or_create

from .letters import sender_address

# Who is an organisation. Private persons are matched against known correspondents but never
# recorded automatically: a table of every citizen who wrote would be personal data outside
# the case files and their access rules.
ORGANISATION = re.compile(
    r"jobcenter|stadt|landkreis|landrats|\bamt\b|ämter|amt$|gericht|kasse|bank|gmbh|\bag\b|"
    r"\beg\b|e\.\s?v\.|\bkg\b|praxis|kanzlei|rechtsanw|versicherung|agentur|behörde|"
    r"verwaltung|ministerium|gemeinde|genossenschaft|wohnungsbau|stadtwerke|klinik|"
    r"krankenhaus|schule|kita|caritas|diakonie|verein|verband|zentrum|referat",
    re.IGNORECASE)
# Below this the sender is a guess: used to look up, not to record.
RECORD_CONFIDENCE = 0.7


def is_organisation(name: str) -> bool:
    return bool(ORGANISATION.search(name or ""))


def canonical_sender(sender: str, confidence: float, text: str) -> str:
    """The correspondent's name for a recognised sender (recording a new organisation when
    the recognition is confident), or the sender unchanged."""
    if not sender:
        return sender
    if confidence >= RECORD_CONFIDENCE and is_organisation(sender):
        return correspondent_match_or_create(name=sender,
                                             address=sender_address(text, sender)).name
    known = correspondent_match(name=sender)
    return known.name if known else sender
