"""Classification by the document types' own rules: deterministic and explainable.

A fresh instance has no confirmed examples to learn from, so the administrator's rules decide.
Each rule word found scores 3 when it stands in the head of the letter (letterhead, address,
subject: everything before the salutation) and 1 in the body, because what a letter *is* is
said in its subject while the body mentions other documents ("Ihr Antrag vom ...", "der
Bewilligungsbescheid"). The highest score wins; on a tie the type of higher priority (the more
specific one) wins. The confidence grows with the score and shrinks with a close runner-up."""
import re
from dataclasses import dataclass
from typing import NamedTuple

from archive.services.doctypes import document_types_for_recognition

HEAD_WEIGHT, BODY_WEIGHT = 3, 1
# A regular expression is one deliberate, specific rule: its match counts as two words.
REGEX_FACTOR = 2
# A score at which a lone type is as certain as rules get.
FULL_SCORE = 6
MAX_CONFIDENCE = 0.95
SALUTATION = re.compile(r"^\s*(?:Sehr\s+geehrte|Guten\s+Tag|Hallo\b|Liebe[rs]?\b)",
                        re.IGNORECASE | re.MULTILINE)
HEAD_LINES = 15
NO_RULE_MATCHED = "keine Regel eines Dokumenttyps trifft zu"


class Classification(NamedTuple):
    key: str
    confidence: float
    reasons: list[str]


@dataclass
class _Score:
    key: str
    name: str
    priority: int
    points: int
    found: list[tuple[str, bool]]  # (the words in the text, in the head?)


def normalise(text: str) -> str:
    """Join words hyphenated across a line break ("Wider-\\nspruch") and unify spaces."""
    text = re.sub(r"(\w)-[ \t]*\n[ \t]*(\w)", r"\1\2", text)
    return text.replace("\u00a0", " ").replace("\u00ad", "")


def head_end(text: str) -> int:
    """Where the head ends: at the salutation, or after the first lines without one."""
    match = SALUTATION.search(text)
    if match:
        return match.start()
    lines = [m.end() for m in re.finditer(r"\S.*(?:\n|$)", text)]
    return lines[min(HEAD_LINES, len(lines)) - 1] if lines else 0


def _word_pattern(word: str) -> re.Pattern:
    # At the start of a word, any ending: "Bescheid" finds "Bescheides", not "Widerspruchsbescheid"
    parts = [re.escape(part) for part in word.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"\w*", re.IGNORECASE)


def _shorten(found: str) -> str:
    words = found.split()
    return " ".join(words) if len(words) <= 8 else f"{' '.join(words[:2])} … {' '.join(words[-5:])}"


def _score(document_type, text: str, head: int) -> _Score | None:
    found: dict[str, bool] = {}
    if document_type.rule_is_regex:
        try:
            pattern = re.compile(document_type.rule, re.IGNORECASE | re.MULTILINE)
        except re.error:
            return None  # refused when added; a broken row must not stop the pipeline
        matches = [pattern.search(text)]
    else:
        matches = []
        for word in document_type.rule_words():
            hits = list(_word_pattern(word).finditer(text))
            # the head decides when the word stands there at all
            matches.append(next((m for m in hits if m.start() < head), hits[0] if hits else None))
    for match in matches:
        if match:
            words = _shorten(match.group(0))
            found[words] = found.get(words, False) or match.start() < head
    if not found:
        return None
    points = sum(HEAD_WEIGHT if in_head else BODY_WEIGHT for in_head in found.values())
    if document_type.rule_is_regex:
        points *= REGEX_FACTOR
    return _Score(document_type.key, document_type.name, document_type.priority, points,
                  list(found.items()))


def _explain(score: _Score) -> str:
    head = [f"„{words}“" for words, in_head in score.found if in_head]
    body = [f"„{words}“" for words, in_head in score.found if not in_head]
    parts = ([f"im Kopf/Betreff {', '.join(head)}"] if head else []) + \
            ([f"im Text {', '.join(body)}"] if body else [])
    return f"{score.name}: {'; '.join(parts)}"


def classify(text: str, document_types) -> Classification:
    """The best type among `document_types` (objects with key, name, priority, rule,
    rule_is_regex and rule_words())."""
    text = normalise(text or "")
    head = head_end(text)
    scores = [s for s in (_score(t, text, head) for t in document_types) if s]
    if not scores:
        return Classification("", 0.0, [NO_RULE_MATCHED])
    scores.sort(key=lambda s: (-s.points, -s.priority, s.key))
    best = scores[0]
    runner_up = scores[1].points if len(scores) > 1 else 0
    share = best.points / (best.points + runner_up)
    strength = min(1.0, best.points / FULL_SCORE)
    confidence = round(MAX_CONFIDENCE * (0.4 + 0.6 * strength) * (0.5 + 0.5 * share) ** 0.5, 2)
    reasons = [_explain(best)]
    for other in scores[1:3]:
        reasons.append(f"auch möglich: {_explain(other)} ({other.points} gegen {best.points})")
    return Classification(best.key, confidence, reasons)


def classify_by_rules(text: str) -> Classification:
    """Classify by the rules of the active document types kept in the archive."""
    return classify(text, document_types_for_recognition())
