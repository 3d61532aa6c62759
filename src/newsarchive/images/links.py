"""The pictures in an article's Markdown: which URLs it shows, and the same Markdown with the
stored ones shown from the archive.

    ![Protesters in Bamako](https://static.example.org/bamako.jpg)
becomes
    ![Protesters in Bamako](../../_images/5b/5b2a…c0.jpg "https://static.example.org/bamako.jpg")

a relative link, which every Markdown viewer (Obsidian, VS Code, GitHub, static site
generators) resolves from the file's own folder, offline; and the original address as the
picture's title, which viewers show on hover and `grep` finds in the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import PurePosixPath

from newsarchive.models import StoredImage

__all__ = ["image_urls", "localize", "relative_prefix", "url_key", "without_addresses"]

# An image: `![alt](destination "title")`, the destination either <bracketed> (it may then hold
# spaces and parentheses, with "<", ">" and "\" escaped) or plain (balanced parentheses only).
_IMAGE = re.compile(
    r"""!\[(?P<alt>(?:\\.|[^\]\\])*)\]\(\s*
        (?P<dest><(?:\\.|[^<>\\\n])*>|(?:[^\s()\\]|\\.|\([^\s()]*\))+)
        (?P<title>\s+(?:"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'))?\s*\)""",
    re.VERBOSE,
)
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def url_key(url: str) -> str:
    """The form in which a URL is compared with a Markdown destination: spaces are written
    %20 there (render.py), and stray whitespace around it means nothing."""
    return url.strip().replace(" ", "%20")


def _destination(raw: str) -> str:
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1]
    return url_key(_ESCAPED.sub(r"\1", raw))


def image_urls(markdown: str) -> list[str]:
    """The destinations of the pictures in `markdown`, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in _IMAGE.finditer(markdown):
        seen.setdefault(_destination(match.group("dest")), None)
    return [url for url in seen if url]


def relative_prefix(article_path: str | PurePosixPath) -> str:
    """The way from an article file (relative to the archive root) back up to the root:
    "../../" for "2021/09/x.md", "" for "x.md"."""
    return "../" * (len(PurePosixPath(article_path).parts) - 1)


def localize(markdown: str, stored: Mapping[str, StoredImage], prefix: str) -> str:
    """`markdown` with every picture whose destination is a key of `stored` (as `url_key`
    writes it) shown from the archive: a link relative to the article file (`prefix` leads to
    the archive root), titled with the address it was downloaded from."""
    if not stored:
        return markdown
    wanted = {url_key(url): image for url, image in stored.items()}

    def swap(match: re.Match[str]) -> str:
        image = wanted.get(_destination(match.group("dest")))
        if image is None:
            return match.group(0)
        title = image.url.replace('"', "%22")
        return f'![{match.group("alt")}]({prefix}{image.path} "{title}")'

    return _IMAGE.sub(swap, markdown)


def without_addresses(markdown: str) -> str:
    """`markdown` with each picture reduced to its alt text (`![alt]`): the same text whether
    its pictures are shown from the archive or from their sites."""
    return _IMAGE.sub(lambda match: f"![{match.group('alt')}]", markdown)
