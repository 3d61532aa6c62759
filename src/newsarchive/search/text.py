"""Words as the search index holds them: found in a text, normalised, stemmed in the article's
language, and cut into pairs of characters in scripts written without spaces.

The same analysis serves the index, the queries and the snippets, so that they always agree:

* a word is a run of letters, digits and combining marks; `_` separates words;
* its *exact form* is the word in Unicode compatibility form (full-width `ＡＢＣ１` is
  `abc1`), case-folded (`ß` is `ss`), with the accents of Latin and Greek letters taken off
  (`Bündnis` is `bundnis`, `władza` is `wladza`) and `ё` read as `е`;
* its *stem* is what the Snowball stemmer of the article's language makes of it
  (`negotiations` and `negotiated` are `negoti`, `переговоров` is `переговор`), folded the
  same way; articles in a language without a stemmer, or without a language, have none;
* Chinese, Japanese, Korean, Thai, Lao, Khmer and Myanmar text, where words are not
  separated by spaces (or, in Korean, carry their particles), is cut into overlapping pairs
  of characters, the last character of a run on its own: `児童虐待` is `児童 童虐 虐待 待`.
  A word of two characters is one pair; a longer one is a phrase of pairs; one character is
  the pairs that start with it.

This is the one module that imports PyStemmer (the Snowball stemmers, in C).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import Stemmer

# Combining marks (Latin, Greek and Cyrillic accents, Hebrew and Arabic points) and the
# scripts whose vowel signs are marks (Indic, Thai, Lao, Myanmar, Khmer), which `\w` alone
# would cut out of the middle of a word.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
    "\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff"
    "\u20d0-\u20ff\u302a-\u302f\u3099\u309a\ufe20-\ufe2f"
)
WORD = re.compile(f"[\\w{_MARKS}]+")
# Scripts written without spaces between words: cut into pairs of characters.
_PAIRED = (
    "\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3005-\u3007\u3040-\u30ff"
    "\u3100-\u312f\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7ff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
_SEGMENT = re.compile(f"([{_PAIRED}]+)|([^{_PAIRED}_]+)")
_PAIRED_CHAR = re.compile(f"[{_PAIRED}]")
_LATIN_GREEK_END = 0x0400  # accents are taken off letters below this code point
# Latin letters whose marks are part of the letter (no decomposition), read as the plain one.
_PLAIN = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe"})

# ISO 639-1 codes -> Snowball stemmers (those PyStemmer has are used).
_SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian",
    "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
    "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian",
    "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "nn": "norwegian", "fa": "persian", "pl": "polish", "pt": "portuguese",
    "ro": "romanian", "ru": "russian", "sr": "serbian", "st": "sesotho", "es": "spanish",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
STEM_MARK = "\u00b7"  # before a stem in the index: never part of a word, so never an exact form
_CACHE_LIMIT = 400_000  # words remembered per language before the memo starts afresh


def fold(word: str) -> str:
    """A word's exact form: compatibility form, case-folded, without Latin and Greek accents."""
    if word.isascii():
        return word.lower()
    text = unicodedata.normalize("NFKD", word).casefold()
    kept = []
    base = 0
    for char in text:
        if unicodedata.combining(char):
            if base >= _LATIN_GREEK_END:
                kept.append(char)
            continue
        base = ord(char)
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)).replace("ё", "е").translate(_PLAIN)


_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN_LANGUAGES = frozenset(_SNOWBALL.values()) - {
    "russian", "serbian", "greek", "arabic", "persian", "armenian", "hindi", "nepali",
    "tamil", "yiddish",
}  # fmt: skip


_LATIN = re.compile("[a-zA-Z\u00c0-\u024f]")


def stemmer_of(word: str, language: str | None) -> str | None:
    """The stemmer for one word of a text in `language` (a stemmer's name; None: no
    stems): the language's, except for a word in another script (a Russian word quoted in
    an English text): Russian for Cyrillic words, English for Latin ones."""
    if language is None:
        return None
    if _CYRILLIC.search(word):
        return language if language in ("russian", "serbian") else "russian"
    if word.isascii() or _LATIN.match(word):
        return language if language in _LATIN_LANGUAGES else "english"
    return language


def stemmers_for(word: str, stemmers: set[str]) -> set[str]:
    """The stemmers a query word goes through: those of the archive's languages, and the
    one words of its script get in a text in another language (see `stemmer_of`)."""
    found = {name for name in (stemmer_of(word, name) for name in stemmers) if name}
    return found | stemmers


def stemmer_language(language: str | None) -> str | None:
    """The Snowball stemmer for a front-matter language ("en-GB" -> "english"), if any."""
    if not language:
        return None
    name = _SNOWBALL.get(language.strip().lower().replace("_", "-").split("-")[0])
    return name if name in _available() else None


@cache
def _available() -> frozenset[str]:
    return frozenset(Stemmer.algorithms())


@cache
def _stemmer(name: str) -> Any:
    return Stemmer.Stemmer(name)


def _stem(stemmer: Any, word: str) -> str:
    """The folded stem of one word as found in a text, by a Snowball stemmer (which wants
    the word lower-cased, with its accents)."""
    if not word.isascii():
        word = unicodedata.normalize("NFKC", word)
    return fold(stemmer.stemWord(word.lower()))


def stems_of(word: str, stemmers: Iterable[str]) -> set[str]:
    """The stems of a word (one piece, as `pieces` gives) by each of `stemmers`, that
    differ from its exact form."""
    exact = fold(word)
    found = {_stem(_stemmer(name), word) for name in stemmers}
    found.discard(exact)
    found.discard("")
    return found


@dataclass(frozen=True)
class Piece:
    """One token of a word: its exact form and where it is in the word (characters)."""

    start: int
    end: int
    exact: str
    paired: bool  # a pair of characters (or the last one of a run) of a script without spaces


def pieces(word: str) -> list[Piece]:
    """The tokens of one word as `WORD` finds it: itself, folded, or, where it mixes scripts,
    holds `_` or is written without spaces, its parts and pairs of characters."""
    if word.isascii() and "_" not in word:
        return [Piece(0, len(word), word.lower(), False)]
    found: list[Piece] = []
    for match in _SEGMENT.finditer(word):
        start, end = match.span()
        if match.group(2) is not None:
            found.append(Piece(start, end, fold(match.group(2)), False))
            continue
        for i in range(start, end):
            stop = min(i + 2, end)
            found.append(Piece(i, stop, fold(word[i:stop]), True))
    return found


class Analyzer:
    """What the index stores of texts in one language (a Snowball stemmer's name, or None):
    the exact forms, and the stems that differ from them. Remembers the words it has seen
    (most words of a text recur)."""

    def __init__(self, stemmer: str | None) -> None:
        self.language = stemmer
        # a run of text without white space, lower-cased -> the exact forms and stems of
        # its words, space-separated
        self._terms: dict[str, str] = {}

    def words(self, text: str) -> str:
        """The distinct exact forms of the words of `text`, and their stems that differ
        from them (marked with STEM_MARK), space-separated, for the full-text table: it
        records which words an article holds, not where (see `schema`)."""
        # Split at white space (fast), and remember what each piece holds: most pieces
        # ("the", "said,") recur from text to text.
        chunks = set(text.lower().split())
        new = chunks.difference(self._terms)
        if new:
            self._learn(new)
        return " ".join(set(map(self._terms.__getitem__, chunks)))

    def _learn(self, chunks: set[str]) -> None:
        if len(self._terms) > _CACHE_LIMIT:
            self._terms.clear()
        for chunk in chunks:
            terms: list[str] = []
            for word in WORD.findall(chunk):
                parts = pieces(word)
                terms.extend(piece.exact for piece in parts)
                name = stemmer_of(word, self.language)
                if name is None:
                    continue
                stemmer = _stemmer(name)
                for piece in parts:
                    if not piece.paired:
                        stemmed = _stem(stemmer, word[piece.start : piece.end])
                        if stemmed and stemmed != piece.exact:
                            terms.append(STEM_MARK + stemmed)
            self._terms[chunk] = " ".join(terms)


@dataclass(frozen=True)
class _Word:
    """A word as found in a text, analysed: its tokens, their stems ("" where none or the
    same as the exact form), and every exact form and stem of them."""

    pieces: tuple[Piece, ...]
    stems: tuple[str, ...]
    exact: frozenset[str]
    forms: frozenset[str]  # exact forms and stems


_ANALYSED: dict[tuple[str | None, str], _Word] = {}


def _analysed(word: str, stemmer_name: str | None) -> _Word:
    key = (stemmer_name, word)
    found = _ANALYSED.get(key)
    if found is None:
        if len(_ANALYSED) > _CACHE_LIMIT:
            _ANALYSED.clear()
        parts = tuple(pieces(word))
        name = stemmer_of(word, stemmer_name)
        stemmer = _stemmer(name) if name else None
        stems = tuple(
            _stem(stemmer, word[p.start : p.end]) if stemmer and not p.paired else "" for p in parts
        )
        exact = frozenset(p.exact for p in parts)
        found = _ANALYSED[key] = _Word(parts, stems, exact, exact | set(stems) - {""})
    return found


Span = tuple[int, int]


class Words:
    """The words of one text in a language (a Snowball stemmer's name, or None), for
    finding where query terms match it; each distinct word is analysed once."""

    def __init__(self, text: str, stemmer: str | None) -> None:
        self.text = text
        self.stemmer = stemmer
        self._distinct: set[str] | None = None

    def _words(self) -> Iterator[tuple[str, _Word]]:
        if self._distinct is None:
            self._distinct = set(WORD.findall(self.text))
        for word in self._distinct:
            yield word, _analysed(word, self.stemmer)

    def _places(self, found: dict[str, list[Span]]) -> list[Span]:
        """The places in the text of the pieces `found` (word -> ranges in the word)."""
        if not found:
            return []
        names = "|".join(map(re.escape, sorted(found, key=len, reverse=True)))
        pattern = re.compile(f"(?<![\\w{_MARKS}])(?:{names})(?![\\w{_MARKS}])")
        spans: list[Span] = []
        for match in pattern.finditer(self.text):
            offset = match.start()
            spans.extend((offset + a, offset + b) for a, b in found[match.group()])
        return spans

    def matching(self, forms: frozenset[str]) -> list[Span]:
        """Where a token's exact form or stem is one of `forms`."""
        found: dict[str, list[Span]] = {}
        for word, analysed in self._words():
            if not forms.isdisjoint(analysed.forms):
                found[word] = [
                    (p.start, p.end)
                    for p, s in zip(analysed.pieces, analysed.stems, strict=True)
                    if p.exact in forms or s in forms
                ]
        return self._places(found)

    def exactly(self, form: str) -> list[Span]:
        """Where a token's exact form is `form`."""
        found: dict[str, list[Span]] = {}
        for word, analysed in self._words():
            if form in analysed.exact:
                found[word] = [(p.start, p.end) for p in analysed.pieces if p.exact == form]
        return self._places(found)

    def starting(self, prefix: str) -> list[Span]:
        """Where a token's exact form starts with `prefix` (a character of a pair: only
        that character)."""
        found: dict[str, list[Span]] = {}
        for word, analysed in self._words():
            spans = [
                (p.start, min(p.end, p.start + len(prefix)) if p.paired else p.end)
                for p in analysed.pieces
                if p.exact.startswith(prefix)
            ]
            if spans:
                found[word] = spans
        return self._places(found)

    def phrase(self, forms: Sequence[str], prefix: bool) -> list[Span]:
        """Where tokens with these exact forms follow each other (the last a prefix, if
        `prefix`), from the first one's start to the last one's end."""
        spans = []
        for start, _ in self.exactly(forms[0]):
            following = self._tokens_from(start, len(forms))
            if len(following) < len(forms):
                continue
            *whole, (last_start, last_end, last) = following
            if [exact for _, _, exact in whole] != list(forms[:-1]):
                continue
            if last.startswith(forms[-1]) if prefix else last == forms[-1]:
                spans.append((start, last_end))
        return spans

    def _tokens_from(self, start: int, count: int) -> list[tuple[int, int, str]]:
        """The first `count` tokens from character `start` (the start of a token)."""
        found: list[tuple[int, int, str]] = []
        for match in WORD.finditer(self.text, start):
            offset = match.start()
            for piece in _analysed(match.group(), None).pieces:
                found.append((offset + piece.start, offset + piece.end, piece.exact))
                if len(found) == count:
                    return found
        return found


def has_paired(text: str) -> bool:
    """Whether `text` holds a character of a script written without spaces."""
    return _PAIRED_CHAR.search(text) is not None


def word_weights(text: str, start: int) -> Iterator[tuple[int, int, float]]:
    """(start, end, weight) of the words of `text` from character `start`, a word of a
    script written without spaces counted as half a word per character."""
    for match in WORD.finditer(text, start):
        word = match.group()
        if has_paired(word):
            yield match.start(), match.end(), len(word) / 2
        else:
            yield match.start(), match.end(), 1.0
