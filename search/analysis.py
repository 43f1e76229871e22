"""German analysis shared by every backend.

All three backends index and query the tokens produced here, verbatim (tantivy and whoosh split
on whitespace, PostgreSQL receives ready lexemes), so Müller, Mueller and MÜLLER meet and
Bescheid / Bescheide / Bescheides stem alike whichever backend runs. Relying on each engine's own
German analysis would not do: tantivy folds nothing, PostgreSQL's 'german' configuration
neither folds ß-less spellings nor keeps file references whole, and whoosh ships a different
stemmer port.

Pipeline: tokenize (IBANs, file references, dates and numbers stay whole tokens) -> fold
umlauts and ß -> lowercase -> Snowball German stemmer (for words without digits).
"""
import re
from collections.abc import Iterator
from functools import lru_cache

import snowballstemmer

# Bump when the analysis changes: every backend's index is then rebuilt on upgrade.
ANALYSIS_VERSION = "2"
MAX_TOKEN = 64

FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                      "ß": "ss", "ẞ": "SS"})
# An IBAN as printed (groups of four), then words that may be joined by . / - (file
# references 50.20.1-2026-000001, dates 03.03.2026, client numbers KD-4711, Müller-Lüdenscheidt).
IBAN = r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"
TOKEN = re.compile(IBAN + r"|\w+(?:[./\-]\w+)*", re.UNICODE)
# In queries people type IBANs in any case; in letters they are printed upper case.
QUERY_IBAN = re.compile(IBAN, re.IGNORECASE)
WORD = re.compile(r"\w+", re.UNICODE)
_JOINERS = re.compile(r"[./\-]")
_DIGIT = re.compile(r"\d")
_STEMMER = snowballstemmer.stemmer("german")


def fold(text: str) -> str:
    return text.translate(FOLD)


def fold_lower(text: str) -> str:
    return fold(text).lower()


@lru_cache(maxsize=500_000)
def _word(word: str) -> str:
    # Zipf: a small cache answers nearly every call, which keeps rebuilds fast.
    return _STEMMER.stemWord(fold_lower(word))


@lru_cache(maxsize=500_000)
def _normalise(raw: str) -> tuple[str, ...]:
    """The index tokens of one raw token."""
    if _DIGIT.search(raw):
        token = fold_lower(raw.replace(" ", ""))
        return (token,) if len(token) <= MAX_TOKEN else ()
    return tuple(_word(part) for part in _JOINERS.split(raw) if part and len(part) <= MAX_TOKEN)


def token_spans(text: str) -> Iterator[tuple[int, int, tuple[str, ...]]]:
    """(start, end, index tokens) for each raw token, for highlighting snippets."""
    for match in TOKEN.finditer(text):
        tokens = _normalise(match.group(0))
        if tokens:
            yield match.start(), match.end(), tokens


def analyse(text: str) -> list[str]:
    """The tokens of a text, in order, as every backend indexes them."""
    return [token for raw in TOKEN.findall(text) for token in _normalise(raw)]


def analyse_prefix(text: str) -> str:
    """A prefix typed by a user (`Bescheid*`): folded and lowercased, not stemmed, because a
    stem may not be a prefix of what was typed. The stem is used when it is one, so that
    "Bescheide*" still finds "Bescheid"."""
    folded = fold_lower(text.strip())
    stem = _word(folded) if folded.isalpha() else folded
    return stem if folded.startswith(stem) else folded
