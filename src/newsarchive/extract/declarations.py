"""What a page declares about itself: meta tags, JSON-LD, its canonical URL, language,
description, keywords and sections.

`meta_tags` and `json_ld` read the declarations; `pick_article` chooses the JSON-LD object
that describes the article; the `ld_*` helpers read JSON-LD values as publishers write them.
What is declared is evidence, weighed against what the page shows by the other modules.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from newsarchive.extract.dom import Element
from newsarchive.extract.text import absolute_url, clean, first_of


@dataclass
class Meta:
    """The page's <meta> values by lower-cased name (property, name, itemprop or
    http-equiv), in page order."""

    values: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, value: str) -> None:
        value = clean(value)
        if value:
            self.values.setdefault(name.strip().lower(), []).append(value)

    def get(self, *names: str) -> str | None:
        for name in names:
            if found := self.values.get(name):
                return found[0]
        return None

    def all(self, *names: str) -> list[str]:
        return [value for name in names for value in self.values.get(name, [])]


def meta_tags(root: Element) -> Meta:
    """Every <meta> tag of the page that has content."""
    meta = Meta()
    for el in root.iter("meta"):
        content = el.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            if name := el.get(attr):
                meta.add(name, content)
    return meta


ARTICLE_TYPES = frozenset(
    {"blogposting", "liveblogposting", "report", "socialmediaposting", "posting", "webpage"}
)


def ld_types(obj: dict[str, Any]) -> list[str]:
    """The @type of a JSON-LD object, lower-cased, as a list."""
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return [k.lower() for k in kinds if isinstance(k, str)]


def _is_article(obj: dict[str, Any]) -> bool:
    # "posting" covers DiscussionForumPosting and the other SocialMediaPosting kinds
    return any(k.endswith(("article", "posting")) or k in ARTICLE_TYPES for k in ld_types(obj))


def _json_objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _json_objects(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _json_objects(data["@graph"])


def json_ld(root: Element) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, @graph members included; broken blocks are skipped."""
    objects: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if "ld+json" not in str(script.get("type") or "").lower() or not script.text:
            continue
        text = script.text.strip()
        text = re.sub(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$", "", text)
        objects.extend(_json_objects(_loose_json(text)))
    return objects


_JSON = json.JSONDecoder(strict=False)  # strict=False: raw newlines inside strings
# A line commented out the JavaScript way ("// "mainEntityOfPage": {...}"), whole or after a comma
_JSON_COMMENT_RE = re.compile(r"(?m)^\s*//.*$|(?<=,)[ \t]*//.*$")


def _loose_json(text: str) -> Any:
    """A JSON-LD block as publishers write it: several objects one after another, a stray
    closing brace at the end, or lines commented out; None when it cannot be read."""
    best: list[Any] = []
    for attempt in (text, _JSON_COMMENT_RE.sub("", text)):
        values: list[Any] = []
        at = 0
        try:
            while at < len(attempt):
                value, at = _JSON.raw_decode(attempt, at)
                values.append(value)
                while at < len(attempt) and attempt[at] in " \t\r\n,;":
                    at += 1
        except ValueError:
            if len(values) > len(best):
                best = values
            continue
        best = values
        break
    return best if len(best) > 1 else best[0] if best else None


def pick_article(objects: list[dict[str, Any]], page_urls: Iterable[str]) -> dict[str, Any]:
    """The JSON-LD object describing this page's article ({} when there is none)."""
    urls = {u.rstrip("/") for u in page_urls if u}
    articles = [o for o in objects if _is_article(o)]
    # A real article type beats a generic WebPage; one that names this page beats the rest.
    articles.sort(
        key=lambda o: (
            "webpage" in ld_types(o) and not any(k.endswith("article") for k in ld_types(o))
        )
    )
    for obj in articles:
        own = ld_str(obj.get("url")) or ld_str(obj.get("mainEntityOfPage"))
        if own and own.rstrip("/") in urls:
            return obj
    for obj in articles:
        if obj.get("headline") or obj.get("datePublished"):
            return obj
    return articles[0] if articles else {}


_DATE_KEYS = ("datePublished", "dateModified")


def ld_with_page_dates(ld: dict[str, Any], objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The article's JSON-LD object with the dates of the WebPage it is part of, where the
    article declares none itself (SEO plugins date the page, and not the Article in it):
    the page that holds the article is dated as the article."""
    if not _is_article(ld) or "webpage" in ld_types(ld) or all(ld.get(k) for k in _DATE_KEYS):
        return ld
    index = ld_index(objects)
    for key in ("isPartOf", "mainEntityOfPage"):
        ref = ld.get(key)
        ref = ref.get("@id") if isinstance(ref, dict) else ref
        page = index.get(ref) if isinstance(ref, str) else None
        if page is not None and "webpage" in ld_types(page):
            dates = {k: page[k] for k in _DATE_KEYS if page.get(k) and not ld.get(k)}
            return {**ld, **dates}
    return ld


def ld_str(value: Any) -> str | None:
    """A JSON-LD value as text: strings, {"name"/"@id"/"url"/"@value": ...} and first items."""
    if isinstance(value, list):
        for item in value:
            if found := ld_str(item):
                return found
        return None
    if isinstance(value, dict):
        for name in ("name", "@value", "url", "@id"):
            if isinstance(value.get(name), str | list | dict):
                return ld_str(value[name])
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return clean(unescape_entities(str(value))) or None
    return None


def unescape_entities(text: str) -> str:
    """`text` with the HTML character references some pages write in their JSON-LD decoded:
    "H&#233;ctor" is "Héctor" (JSON has no entities; `&` alone stays)."""
    return html.unescape(text) if "&" in text else text


def _ld_list(value: Any) -> list[str]:
    """A JSON-LD list-ish value (a list, or a comma-separated string) as clean strings."""
    if isinstance(value, list):
        return [item for v in value for item in _ld_list(v)]
    if isinstance(value, dict):
        text = ld_str(value)
        return [text] if text else []
    if isinstance(value, str):
        return [part for part in (clean(p) for p in value.split(",")) if part]
    return []


def ld_author_value(ld: dict[str, Any], objects: list[dict[str, Any]]) -> Any:
    """The author (else creator) of the page's JSON-LD article; when the object chosen for
    the page is a WebPage without one, the author of the article it describes."""
    if value := ld.get("author") or ld.get("creator"):
        return value
    if "webpage" in ld_types(ld):
        for obj in objects:
            if _is_article(obj) and "webpage" not in ld_types(obj):
                if value := obj.get("author") or obj.get("creator"):
                    return value
    return None


def ld_index(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """JSON-LD objects by their @id, for values that only refer to one ({"@id": ...})."""
    return {o["@id"]: o for o in objects if isinstance(o.get("@id"), str) and len(o) > 1}


def ld_authors(
    value: Any,
    index: dict[str, dict[str, Any]] | None = None,
) -> tuple[list[str], list[str]]:
    """Person names and organisation names from a JSON-LD author/creator value. An author
    given as a reference ({"@id": ".../#/schema/person/..."}, as SEO plugins write it) is
    looked up in `index`."""
    people: list[str] = []
    orgs: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if index and isinstance(item, str | dict):
            ref = item if isinstance(item, str) else item.get("@id")
            if isinstance(ref, str) and ref in index and (isinstance(item, str) or len(item) == 1):
                item = index[ref]
        if isinstance(item, str):
            if not item.startswith(("http://", "https://")):
                people.append(unescape_entities(item))
        elif isinstance(item, dict):
            name = ld_str(item.get("name"))
            if not name:
                continue
            (orgs if "organization" in ld_types(item) else people).append(name)
    return people, orgs


def ld_free(ld: dict[str, Any]) -> bool | None:
    """isAccessibleForFree of the article (or of one of its parts), as declared."""
    for obj in [ld, *(p for p in _ld_parts(ld))]:
        value = obj.get("isAccessibleForFree")
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
    return None


def _ld_parts(ld: dict[str, Any]) -> Iterator[dict[str, Any]]:
    parts = ld.get("hasPart")
    for part in parts if isinstance(parts, list) else [parts]:
        if isinstance(part, dict):
            yield part


def page_language(
    root: Element, meta: Meta, ld: dict[str, Any], fallback: str | None
) -> str | None:
    """The page's language as a two- or three-letter code ("de"), as declared, else `fallback`."""
    raw = first_of(
        root.get("lang"),
        root.get("{http://www.w3.org/XML/1998/namespace}lang"),
        meta.get("content-language", "language", "dc.language"),
        ld_str(ld.get("inLanguage")),
        meta.get("og:locale"),
        fallback,
    )
    if not raw:
        return None
    primary = re.split(r"[-_,;\s]", raw.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def declared_url(root: Element, meta: Meta, base: str | None) -> str | None:
    """The article's address: its canonical link, else og:url, else `base` (made absolute).

    A canonical link or og:url that points at the site's home page from an article's page is
    a site-wide mistake, and is passed over.
    """
    canonical = next(
        (
            el.get("href")
            for el in root.iter("link")
            if "canonical" in str(el.get("rel") or "").lower().split() and el.get("href")
        ),
        None,
    )
    canonical_url = absolute_url(canonical, base)
    og_url = absolute_url(meta.get("og:url"), base)
    if base and canonical_url and _is_home(canonical_url) and not _is_home(base):
        canonical_url = None
    if base and og_url and _is_home(og_url) and not _is_home(base):
        og_url = None
    return canonical_url or og_url or absolute_url(base, None)


def _is_home(url: str) -> bool:
    return urlsplit(url).path in ("", "/")


def ld_image(ld: dict[str, Any]) -> Any:
    """The article's picture as its JSON-LD gives it: a URL, an ImageObject, or a list."""
    return ld.get("image") or ld.get("thumbnailUrl")


def description(meta: Meta, ld: dict[str, Any], fallback: str | None) -> str | None:
    """The article's summary as the page declares it, else `fallback`."""
    return first_of(
        meta.get("og:description"),
        meta.get("description"),
        ld_str(ld.get("description")),
        fallback,
    )


def tags(meta: Meta, ld: dict[str, Any], guessed: Iterable[str]) -> tuple[str, ...]:
    """The article's keywords: JSON-LD, article:tag, then `guessed` (trafilatura's reading,
    comma-separated lists). Where the page gives one keyword per element (a JSON-LD list, one
    article:tag each), each is a keyword, commas and all ("Beshear, Andrew G"), and the pieces
    of it that a comma-separated reading of the same keywords gives are none."""
    keywords = ld.get("keywords")
    if isinstance(keywords, list) and len(keywords) > 1:
        declared = [text for item in keywords if (text := ld_str(item))]
    else:
        declared = _ld_list(keywords)
    article_tags = list(dict.fromkeys(meta.all("article:tag")))  # (property= and name=)
    declared += article_tags if len(article_tags) > 1 else _ld_list(article_tags[:1])
    pieces = {
        clean(piece).casefold() for value in declared if "," in value for piece in value.split(",")
    }
    known = {clean(value).casefold() for value in declared}
    extra = [
        part
        for tag in guessed
        for part in tag.split(",")
        if clean(part).casefold() not in pieces and clean(tag).casefold() not in known
    ]
    return _dedupe([*declared, *extra])


def categories(meta: Meta, ld: dict[str, Any], guessed: Iterable[str]) -> tuple[str, ...]:
    """The article's sections: JSON-LD articleSection, article:section, then `guessed`."""
    return _dedupe([*_ld_list(ld.get("articleSection")), *meta.all("article:section"), *guessed])


def _dedupe(values: Iterable[str], limit: int = 30) -> tuple[str, ...]:
    """At most `limit` values, cleaned, without repeats (whatever their case) or long ones."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        value = clean(value)
        if value and value.casefold() not in seen and len(value) <= 80:
            seen.add(value.casefold())
            out.append(value)
    return tuple(out[:limit])
