"""The snippet's first matching word is found by a cheap pattern and checked by the analysis;
it must be the same word the analysis of every word would find, however the word is spelled
(umlauts, ß, case, inflection, joined words)."""
from hypothesis import given, settings
from hypothesis import strategies as st

from search.analysis import analyse, token_spans
from search.query import Prefix, Term
from search.services import _candidates, _first_match, _matcher, snippet_for

WORDS = ("Märchen Mäuse Maus Mueller Müller MÜLLER Straße Strasse Grüße Bescheid Bescheides "
         "BESCHEIDEN Müller-Lüdenscheidt Übernahme übernehmen Öl Oelheizung Äpfel Aepfel "
         "Fuß Fuss Füße Heizkosten Heizkostenabrechnung Antrag Anträge Antragsteller "
         "Widerspruch Widersprüche KD-4711 50.20.1-2026-000001 03.03.2026 DE12 3456 7890 "
         "Kaution Kautionen Mietkaution Schuld Schulden Schuldner ärztliche Ärztin Arzt "
         "groß größer Größe gross Sanktion Mehrbedarf mehr Bedarf Bedarfe").split()


def _slow_first(text, terms):
    matches = _matcher({t for t in terms if not t.endswith("*")},
                       tuple(t[:-1] for t in terms if t.endswith("*")))
    return next((s for s, _, tokens in token_spans(text) if matches(tokens)), None)


def _fast_first(text, terms):
    matches = _matcher({t for t in terms if not t.endswith("*")},
                       tuple(t[:-1] for t in terms if t.endswith("*")))
    return _first_match(text, terms, matches)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=60),
       st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
       st.sampled_from([" ", ", ", "\n", " - ", ". "]),
       st.booleans())
def test_the_fast_first_match_is_the_analysed_first_match(words, query_words, separator,
                                                           as_prefix):
    text = separator.join(words)
    terms = {t for word in query_words for t in analyse(word)}
    if as_prefix:
        terms = {t[:3] + "*" for t in terms if t.isalpha()} or terms
    assert _fast_first(text, terms) == _slow_first(text, terms)


def test_the_pattern_undoes_the_folding():
    pattern = _candidates(frozenset({"mull", "strass", "ma"}))
    for word in ("Müller", "Mueller", "MÜLLER", "Straße", "Strasse", "Märchen", "Maus"):
        assert pattern.search(word), word
    assert not pattern.search("Amulett")  # only at the start of a word
    # Numbers and references are analysed whole: every word is looked at.
    assert _candidates(frozenset({"kd-4711"})) is None


def test_snippets_mark_every_spelling_of_a_late_first_match():
    text = "Einleitung ohne Treffer. " * 40 + "Ihr Antrag vom Mai, Herr Mueller-Lüdenscheidt."
    snippet = snippet_for(text, Term("mull"))
    assert "[[Mueller-Lüdenscheidt]]" in snippet and snippet.startswith("… ")
    assert "[[Antrag]]" in snippet_for(text, Prefix("antr"))
