"""The query language, parsed once in Python into a small tree that each backend translates.

    Widerspruch Bescheid          all words (AND is the default)
    "Bescheid vom 3. März"        a phrase
    Miete OR Heizkosten           either
    -Mahnung / NOT Mahnung        without
    -(A OR B) / -"a phrase"       without any of these / without this phrase
    (A OR B) C                    grouping
    Heiz*                         words beginning with
    titel:Widerspruch             only in the title, sender, file reference and case file head

Parsing here rather than in each engine keeps the syntax, the German analysis and the error
messages identical for tantivy, whoosh and PostgreSQL.
"""
import re
from dataclasses import dataclass

from archive.errors import InvalidInput

from .analysis import MAX_TOKEN, QUERY_IBAN, analyse, analyse_prefix

FIELDS = {"titel": "head"}
TEXT = "text"  # head and body together
# Brackets and exclusions nest; deeper than anyone types, a query is refused before the
# parser or a backend's translation runs out of stack.
MAX_DEPTH = 32


@dataclass(frozen=True)
class Term:
    token: str
    field: str = TEXT


@dataclass(frozen=True)
class Phrase:
    tokens: tuple[str, ...]
    field: str = TEXT


@dataclass(frozen=True)
class Prefix:
    prefix: str
    field: str = TEXT


@dataclass(frozen=True)
class And:
    parts: tuple


@dataclass(frozen=True)
class Or:
    parts: tuple


@dataclass(frozen=True)
class Not:
    part: object


# A minus right before a bracket or a quote excludes the group or phrase: it is lexed as NOT
# (as a word of its own it would be analysed away, turning the exclusion into an inclusion).
_LEX = re.compile(r'\s*(?:(?P<quote>"[^"]*"?)|(?P<paren>[()])|(?P<minus>-(?=[("]))'
                  r'|(?P<word>[^\s()"]+))')


def _syntax(message: str) -> InvalidInput:
    return InvalidInput(f"Die Suchanfrage ist ungültig: {message}", code="QUERY_SYNTAX")


def _lex(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text):
        match = _LEX.match(text, position)
        if not match or match.end() == position:
            break
        position = match.end()
        if match.group("minus"):
            tokens.append("NOT")
            continue
        value = match.group("quote") or match.group("paren") or match.group("word")
        if value:
            if value.startswith('"') and (len(value) == 1 or not value.endswith('"')):
                raise _syntax("Ein Anführungszeichen ist nicht geschlossen.")
            tokens.append(value)
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.position = 0
        self.depth = 0

    def deeper(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _syntax(f"Klammern und Ausschlüsse sind tiefer als {MAX_DEPTH} Ebenen "
                          "verschachtelt.")

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self):
        node = self.or_expr()
        if self.peek() is not None:
            raise _syntax("Eine Klammer „)“ ist zu viel.")
        return node

    def or_expr(self):
        parts = [self.and_expr()]
        while self.peek() == "OR":
            self.take()
            if self.peek() in (None, ")", "OR"):
                raise _syntax("Nach OR fehlt ein Suchbegriff.")
            parts.append(self.and_expr())
        parts = [p for p in parts if p is not None]
        return _combine(Or, parts)

    def and_expr(self):
        parts = []
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "AND":
                self.take()
                if self.peek() in (None, ")", "OR"):
                    raise _syntax("Nach AND fehlt ein Suchbegriff.")
                continue
            parts.append(self.unary())
        if not parts and self.peek() == "OR":
            raise _syntax("Vor OR fehlt ein Suchbegriff.")
        return _combine(And, [p for p in parts if p is not None])

    def unary(self):
        token = self.peek()
        if token == "NOT" or (token.startswith("-") and len(token) > 1):
            self.deeper()
            if token == "NOT":
                self.take()
                if self.peek() in (None, ")", "OR"):
                    raise _syntax("Nach NOT fehlt ein Suchbegriff.")
                part = self.unary()
            else:
                self.tokens[self.position] = token[1:]
                part = self.unary()
            self.depth -= 1
            return Not(part) if part is not None else None
        return self.atom()

    def atom(self):
        token = self.take()
        if token == "(":
            self.deeper()
            node = self.or_expr()
            if self.peek() != ")":
                raise _syntax("Eine Klammer „(“ ist nicht geschlossen.")
            self.take()
            self.depth -= 1
            return node
        if token == ")":
            raise _syntax("Eine Klammer „)“ ist zu viel.")
        field = TEXT
        name, colon, value = token.partition(":")
        if colon and not (name.isdigit() and value[:1].isdigit()):  # 10:30 is a word
            if name.lower() not in FIELDS:
                known = ", ".join(f"{f}:" for f in FIELDS)
                raise _syntax(f"Das Feld „{name}“ gibt es nicht (bekannt: {known}).")
            field = FIELDS[name.lower()]
            if not value:
                value = self.take() if self.peek() not in (None, ")", "OR") else ""
                if not value:
                    raise _syntax(f"Nach „{name}:“ fehlt ein Suchbegriff.")
            token = value
        if token.startswith('"'):
            return _words(token.strip('"'), field)
        if token.endswith("*") and len(token.rstrip("*")) >= 2:
            prefix = analyse_prefix(token.rstrip("*"))
            if len(prefix) > MAX_TOKEN:
                # No indexed word is longer, and a longer pattern outgrows a regex engine.
                raise _syntax(f"Ein Wortanfang mit * darf höchstens {MAX_TOKEN} Zeichen "
                              "haben.")
            return Prefix(prefix, field) if prefix else None
        return _words(token, field)


def _words(text: str, field: str):
    tokens = analyse(text)
    if not tokens:
        return None
    if len(tokens) == 1:
        return Term(tokens[0], field)
    return Phrase(tuple(tokens), field)


def _combine(kind, parts):
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else kind(tuple(parts))


def parse(text: str):
    """The query tree, or None when nothing searchable is left (only punctuation)."""
    # An IBAN typed in groups is one word, not six.
    text = QUERY_IBAN.sub(lambda match: match.group(0).replace(" ", ""), text)
    node = _Parser(_lex(text)).parse()
    if isinstance(node, Not):
        raise _syntax("Eine Anfrage nur aus Ausschlüssen findet nichts; "
                      "nennen Sie mindestens einen Suchbegriff.")
    if isinstance(node, And) and all(isinstance(p, Not) for p in node.parts):
        raise _syntax("Eine Anfrage nur aus Ausschlüssen findet nichts; "
                      "nennen Sie mindestens einen Suchbegriff.")
    return node


def terms_of(node) -> set[str]:
    """The positive tokens of a query, for highlighting."""
    if isinstance(node, Term):
        return {node.token}
    if isinstance(node, Phrase):
        return set(node.tokens)
    if isinstance(node, Prefix):
        return {node.prefix + "*"}
    if isinstance(node, And | Or):
        return set().union(*(terms_of(p) for p in node.parts))
    return set()
