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
from collections.abc import Iterable, Iterator
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
        # a word as found, lower-cased -> its exact forms and stems, space-separated
        self._terms: dict[str, str] = {}

    def words(self, text: str) -> str:
        """The distinct exact forms of the words of `text`, and their stems that differ
        from them (marked with STEM_MARK), space-separated, for the full-text table: it
        records which words an article holds, not where (see `schema`)."""
        words = set(WORD.findall(text.lower()))
        new = words.difference(self._terms)
        if new:
            self._learn(new)
        return " ".join(map(self._terms.__getitem__, words))

    def _learn(self, words: set[str]) -> None:
        if len(self._terms) > _CACHE_LIMIT:
            self._terms.clear()
        stemmer = _stemmer(self.language) if self.language else None
        for word in words:
            parts = pieces(word)
            terms = [piece.exact for piece in parts]
            if stemmer is not None:
                for piece in parts:
                    if not piece.paired:
                        stemmed = _stem(stemmer, word[piece.start : piece.end])
                        if stemmed and stemmed != piece.exact:
                            terms.append(STEM_MARK + stemmed)
            self._terms[word] = " ".join(terms)


@dataclass(frozen=True)
class Token:
    """A token of a text, where it is (characters), its exact form and its stem (or "")."""

    start: int
    end: int
    exact: str
    stem: str
    paired: bool


def tokens(text: str, stemmer_name: str | None) -> Iterator[Token]:
    """Every token of `text` in order, with its place and its stem by `stemmer_name`, for
    matching phrases and marking matches in snippets."""
    stemmer = _stemmer(stemmer_name) if stemmer_name else None
    for match in WORD.finditer(text):
        word = match.group()
        offset = match.start()
        for piece in pieces(word):
            stemmed = ""
            if stemmer is not None and not piece.paired:
                stemmed = _stem(stemmer, word[piece.start : piece.end])
            yield Token(
                offset + piece.start, offset + piece.end, piece.exact, stemmed, piece.paired
            )


def has_paired(text: str) -> bool:
    """Whether `text` holds a character of a script written without spaces."""
    return _PAIRED_CHAR.search(text) is not None
