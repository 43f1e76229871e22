"""German text folding shared by every backend, so that Müller, Mueller and MÜLLER meet.
Case is kept here (query operators such as AND stay upper case); the backends lowercase."""
import re

FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                      "ß": "ss", "ẞ": "SS"})
WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    return text.translate(FOLD)


def fold_lower(text: str) -> str:
    return fold(text).lower()


def query_words(query: str) -> list[str]:
    """The plain words of a query, for highlighting snippets."""
    operators = {"and", "or", "not"}
    return [w for w in WORD.findall(fold_lower(query)) if w not in operators and len(w) > 1]
