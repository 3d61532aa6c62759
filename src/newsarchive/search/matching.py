"""A user's query: read into a tree, turned into an FTS5 expression over the index's columns,
and matched against an article's own text for phrases and for the words that snippets mark.

Syntax: words, "phrases", `=word`, `prefix*`, AND / OR / NOT (upper case), parentheses; words
side by side must all match. NOT binds tighter than AND, and AND tighter than OR.

* A word matches its other forms in the languages of the archive (or the one asked for):
  `negotiation` finds "negotiations", `переговоры` finds "переговоров" (see `text`).
* A quoted phrase, `=word` and `prefix*` match exact forms only (case and accents aside).
* A word of a script written without spaces (`虐待`) is matched as the pairs of characters
  it is made of, one after the other (see `text`); one character finds every word holding it.

The index records which words each article holds, not where (see `schema`), so a phrase (or
a longer word in those scripts) is first looked up as all of its words, and each article
found is then checked against its text, which also gives the places to mark in snippets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from newsarchive.errors import UsageError
from newsarchive.search.model import MARK_END, MARK_START, Field
from newsarchive.search.text import (
    STEM_MARK,
    WORD,
    Span,
    Words,
    has_paired,
    pieces,
    stemmers_for,
    stems_of,
    word_weights,
)

_QUERY_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"(?P<pstar>\*?)|(?P<paren>[()])|(?P<word>[^\s"()]+)')
_OPERATORS = ("AND", "OR", "NOT")
# The article's texts a query can match: the title, the description with the authors and
# tags ("extra"), and the body (also the names of their columns in the index).
FIELDS = ("title", "extra", "body")
_FIELDS_OF: dict[str, tuple[str, ...]] = {"all": FIELDS, "title": ("title",), "body": ("body",)}
_SNIPPET_WEIGHT = 24.0  # about as many words as a snippet shows (a paired character: half)
_SNIPPET_CHARS = 150  # about as many characters


@dataclass(frozen=True)
class Term:
    """One word, phrase or prefix of a query, as exact forms (`pieces`)."""

    forms: tuple[str, ...]  # exact forms, in order
    words: tuple[str, ...]  # the same as typed, for the stemmers
    exact: bool  # quoted, or =word
    prefix: bool  # the last form is a prefix

    @property
    def kind(self) -> Literal["word", "exact", "prefix", "phrase"]:
        if len(self.forms) > 1:
            return "phrase"
        if self.prefix:
            return "prefix"
        return "exact" if self.exact else "word"


@dataclass(frozen=True)
class Node:
    """AND, OR (over `children`), or NOT (`children[0]` without `children[1]`)."""

    op: Literal["AND", "OR", "NOT"]
    children: tuple[Query, ...]


Query = Term | Node


def _term(text: str, *, exact: bool, prefix: bool) -> Term | None:
    """A Term for `text` (None when it has no word characters)."""
    forms: list[str] = []
    words: list[str] = []
    for match in WORD.finditer(text):
        parts = pieces(match.group())
        for n, piece in enumerate(parts):
            # A run of paired characters ends with its last character on its own, for
            # the index; a query of two characters or more needs only the pairs.
            if piece.paired and piece.end - piece.start == 1 and n and parts[n - 1].paired:
                if parts[n - 1].end == piece.end:
                    continue
            forms.append(piece.exact)
            words.append(match.group()[piece.start : piece.end])
    if not forms:
        return None
    if len(forms) == 1 and len(words[0]) == 1 and pieces(words[0])[0].paired:
        prefix = True  # one character: every pair that starts with it
    return Term(tuple(forms), tuple(words), exact or len(forms) > 1, prefix)


def parse(query: str) -> Query:
    """The tree of a user's query; UsageError when it has no words or cannot be read."""
    items: list[str | Term] = []
    for match in _QUERY_TOKEN.finditer(query):
        if match.group("paren"):
            items.append(match.group("paren"))
        elif match.group("word") is not None:
            word = match.group("word")
            if word in _OPERATORS:
                items.append(word)
                continue
            exact = word.startswith("=")
            term = _term(word.lstrip("="), exact=exact, prefix=word.endswith("*"))
            if term is not None:
                items.append(term)
        else:
            term = _term(match.group("phrase"), exact=True, prefix=bool(match.group("pstar")))
            if term is not None:
                items.append(term)
    # An operator with nothing on one side reads naturally ("wagner AND", "OR mali"): drop it.
    while items and items[-1] in _OPERATORS:
        items.pop()
    while items and items[0] in ("AND", "OR"):
        items.pop(0)
    if not any(isinstance(item, Term) for item in items):
        raise UsageError(f"the query {query!r} has no words to search for")
    return _Parser(query, items).parse()


class _Parser:
    """Recursive descent over the query's items: OR of ANDs of NOTs of terms or groups."""

    def __init__(self, query: str, items: list[str | Term]) -> None:
        self.query = query
        self.items = items
        self.at = 0

    def parse(self) -> Query:
        tree = self._or()
        if self.at < len(self.items):
            raise self._error(f'syntax error near "{self.items[self.at]}"')
        return tree

    def _peek(self) -> str | Term | None:
        return self.items[self.at] if self.at < len(self.items) else None

    def _or(self) -> Query:
        children = [self._and()]
        while self._peek() == "OR":
            self.at += 1
            children.append(self._and())
        return children[0] if len(children) == 1 else Node("OR", tuple(children))

    def _and(self) -> Query:
        children = [self._not()]
        while (item := self._peek()) is not None and item not in ("OR", ")"):
            if item == "AND":
                self.at += 1
            children.append(self._not())
        return children[0] if len(children) == 1 else Node("AND", tuple(children))

    def _not(self) -> Query:
        tree = self._primary()
        while self._peek() == "NOT":
            self.at += 1
            tree = Node("NOT", (tree, self._primary()))
        return tree

    def _primary(self) -> Query:
        item = self._peek()
        if isinstance(item, Term):
            self.at += 1
            return item
        if item == "(":
            self.at += 1
            tree = self._or()
            if self._peek() != ")":
                raise self._error('a "(" is not closed')
            self.at += 1
            return tree
        if item == "NOT":
            raise self._error(
                "syntax error near \"NOT\" (NOT needs a term before it, e.g. 'wagner NOT mali')"
            )
        if item is None:
            raise self._error("it ends where a word was expected")
        raise self._error(f'syntax error near "{item}"')

    def _error(self, detail: str) -> UsageError:
        return UsageError(f"cannot read the query {self.query!r}: {detail}")


@dataclass(frozen=True)
class Resolved:
    """A query made ready to run: its FTS5 expression; whether the articles it finds all
    match (else each is checked against its text); the expression for the articles that
    hold the very forms typed, which rank before those that hold only other forms (None
    where it is the same); and the stems of each word."""

    tree: Query
    expression: str
    complete: bool
    typed_forms: str | None
    stems: Mapping[Term, frozenset[str]]
    field: Field


def resolve(tree: Query, field: Field, stemmers: Iterable[str]) -> Resolved:
    """The FTS5 expression of `tree` over the columns of `field`, each word also matching
    its stems by `stemmers` (Snowball names, and that of the word's script, see
    `text.stemmers_for`)."""
    names = set(stemmers)
    stems: dict[Term, frozenset[str]] = {}
    for term in _terms(tree):
        if term.kind == "word":
            word = term.words[0]
            stems[term] = frozenset(stems_of(word, sorted(stemmers_for(word, names))))
    columns = "" if field == "all" else f"{{{field}}} : "
    expression, complete = _expression(tree, stems, columns, typed=False)
    typed, _ = _expression(tree, stems, columns, typed=True)
    return Resolved(
        tree, expression, complete, typed if typed != expression else None, stems, field
    )


def _terms(tree: Query) -> Iterable[Term]:
    if isinstance(tree, Term):
        yield tree
    else:
        for child in tree.children:
            yield from _terms(child)


def _quoted(form: str) -> str:
    return '"' + form.replace('"', '""') + '"'


def _expression(
    tree: Query, stems: Mapping[Term, frozenset[str]], columns: str, *, typed: bool
) -> tuple[str, bool]:
    """(FTS5 expression, whether it matches exactly the articles `tree` does); where it
    cannot, the expression matches more, never fewer. `columns`: a column filter, or "".
    `typed`: the words match only the forms typed (those after a NOT, every form)."""
    if isinstance(tree, Term):
        if tree.kind == "word" and typed:
            return f"{columns}{_quoted(tree.forms[0])}", True
        if tree.kind == "word":
            # The word, and each of its stems, as an exact form (a word that is its own
            # stem is stored that way) and as a stem.
            forms = sorted({tree.forms[0], *stems[tree]})
            alternatives = [
                alternative
                for form in forms
                for alternative in ((form,) if has_paired(form) else (form, STEM_MARK + form))
            ]
            inner = " OR ".join(map(_quoted, alternatives))
            return f"{columns}({inner})", True
        if tree.kind == "exact":
            return f"{columns}{_quoted(tree.forms[0])}", True
        if tree.kind == "prefix":
            return f"{columns}{_quoted(tree.forms[0])}*", True
        # A phrase: all its words, each article then checked for them side by side.
        parts = [_quoted(form) for form in tree.forms]
        if tree.prefix:
            parts[-1] += "*"
        return f"{columns}({' AND '.join(parts)})", False
    results = [
        _expression(child, stems, columns, typed=typed and (tree.op != "NOT" or n == 0))
        for n, child in enumerate(tree.children)
    ]
    if tree.op == "NOT":
        (keep, keep_exact), (drop, drop_exact) = results
        if not drop_exact:
            # Leaving out every article holding all the words of a phrase would leave out
            # some that do not hold the phrase: keep them, and check each one.
            return keep, False
        return f"({keep} NOT {drop})", keep_exact
    joined = f" {tree.op} ".join(expression for expression, _ in results)
    return f"({joined})", all(exact for _, exact in results)


# -- matching an article's text -----------------------------------------------------------------


def matches(resolved: Resolved, fields: Mapping[str, Words]) -> dict[str, list[Span]] | None:
    """Where the query matches an article, given the words of its fields ("title",
    "extra", "body"): the matched character ranges per field, or None if it does not."""
    found: dict[str, list[Span]] = {}
    if not _match(resolved.tree, resolved, fields, found):
        return None
    return found


def body_marks(resolved: Resolved, body: Words) -> list[Span]:
    """The ranges of the body that the query's words match (not those after a NOT), for a
    snippet; whether the query matches is not asked."""
    found: dict[str, list[Span]] = {}
    _match(resolved.tree, resolved, {"body": body}, found)
    return found.get("body", [])


def _match(
    tree: Query,
    resolved: Resolved,
    fields: Mapping[str, Words],
    found: dict[str, list[Span]],
) -> bool:
    if isinstance(tree, Term):
        hit = False
        for name in _FIELDS_OF[resolved.field]:
            words = fields.get(name)
            spans = _spans(tree, resolved.stems.get(tree, frozenset()), words) if words else []
            if spans:
                found.setdefault(name, []).extend(spans)
                hit = True
        return hit
    if tree.op == "NOT":
        if not _match(tree.children[0], resolved, fields, found):
            return False
        return not _match(tree.children[1], resolved, fields, {})
    results = [_match(child, resolved, fields, found) for child in tree.children]
    return all(results) if tree.op == "AND" else any(results)


def _spans(term: Term, stems: frozenset[str], words: Words) -> list[Span]:
    """The ranges of a text that `term` matches (a phrase: from its first to its last)."""
    kind = term.kind
    if kind == "word":
        return words.matching(stems | {term.forms[0]})
    if kind == "exact":
        return words.exactly(term.forms[0])
    if kind == "prefix":
        return words.starting(term.forms[0])
    return words.phrase(term.forms, term.prefix)


def snippet(text: str, spans: Sequence[Span]) -> str:
    """About two dozen words of `text` around its densest group of matches (`spans`), each
    match wrapped in MARK_START ... MARK_END, with "…" where text was left out; the start
    of the text when nothing in it matched. One line."""
    merged = _merge(spans)
    begin = _snippet_start(text, merged)
    end = len(text)
    weight = 0.0
    for start, _stop, counts in word_weights(text, begin):
        if weight + counts > _SNIPPET_WEIGHT:
            if counts == 1.0:
                end = start  # after the word before
            else:  # a long run of a script without spaces: the snippet ends inside it
                end = start + max(1, int((_SNIPPET_WEIGHT - weight) * 2))
            break
        weight += counts
    parts: list[str] = ["…"] if text[:begin].strip() else []
    at = begin
    for start, finish in merged:
        if finish <= begin or start >= end:
            continue
        start, finish = max(start, begin), min(finish, end)
        parts += [text[at:start], MARK_START, text[start:finish], MARK_END]
        at = finish
    parts.append(text[at:end].rstrip())
    if text[end:].strip():
        parts.append("…")
    return " ".join("".join(parts).split())


_SENTENCE_END = re.compile(r"[.!?。！？]\s|\n")


def _snippet_start(text: str, merged: Sequence[Span]) -> int:
    """Where a snippet of `text` starts: at the text's start when the densest group of
    matches is near it; else at the start of the sentence holding it, when that is near,
    or a few words before it."""
    if not merged:
        return 0
    best, best_count = merged[0][0], 0
    for n, (start, _) in enumerate(merged):
        count = sum(1 for other, _ in merged[n:] if other < start + _SNIPPET_CHARS)
        if count > best_count:
            best, best_count = start, count
    if best < _SNIPPET_CHARS // 2:
        return 0
    sentences = list(_SENTENCE_END.finditer(text, max(0, best - 60), best))
    if sentences:
        return sentences[-1].end()
    before = [start for start, _, _ in word_weights(text, max(0, best - 40)) if start < best]
    return before[-3] if len(before) >= 3 else (before[0] if before else best)


def _merge(spans: Sequence[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(set(spans)):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def fts_query(query: str, field: Field = "all", stemmers: Iterable[str] = ()) -> str:
    """The FTS5 expression of a user's query (see `resolve`)."""
    return resolve(parse(query), field, stemmers).expression
