"""Pictures for the tests: real files of each format, made with Pillow, and an article page
that shows some (its own) among the pictures a news page also carries (a logo, an avatar, a
tracking pixel, a teaser's thumbnail)."""

from __future__ import annotations

import functools
import io

from PIL import Image

CDN = "https://cdn.example-news.org"
SITE = "https://www.example-news.org"
ARTICLE_URL = f"{SITE}/2024/03/01/harbour-reopens"
ARTICLE_FILE = "2024/03/2024-03-01-the-old-harbour-reopens-after-ten-years-of-works.md"


@functools.cache
def picture(fmt: str = "JPEG", size: tuple[int, int] = (800, 600), shade: int = 0) -> bytes:
    """A picture of `size` in `fmt` (a Pillow format name), different for each `shade`."""
    mode = "P" if fmt == "GIF" else "RGBA" if fmt in ("PNG", "WEBP", "ICO") else "RGB"
    image = Image.new("RGB", size, (40 + shade % 200, 90, 160))
    for x in range(0, size[0], 7):  # some detail, so that sizes are not trivial
        for y in range(0, size[1], 11):
            image.putpixel((x, y), ((x * 3 + shade) % 256, (y * 5) % 256, (x + y) % 256))
    buffer = io.BytesIO()
    image.convert(mode).save(buffer, fmt)
    return buffer.getvalue()


def jpeg(width: int = 800, height: int = 600, shade: int = 0) -> bytes:
    return picture("JPEG", (width, height), shade)


def png(width: int = 800, height: int = 600, shade: int = 0) -> bytes:
    return picture("PNG", (width, height), shade)


PARAGRAPHS = [
    "The old harbour of Port Example opened to boats again on Friday, ten years after "
    "the works that were meant to last two began.",
    "Fishermen who had moored their boats in the next town for a decade sailed in at dawn, "
    "cheered by a crowd of several hundred people on the new stone quay.",
    "The council says the project cost three times its first budget, after the discovery of "
    "a medieval wreck under the old pier stopped the works for four years.",
    "The wreck, a merchant ship from the fourteenth century, is now shown in the museum "
    "that opened beside the harbour master's office last spring.",
    "Traders on the quay said the reopening came too late for some of them, but that the "
    "summer season would tell whether the boats and the tourists were back for good.",
]


TITLE = "The old harbour reopens after ten years of works"


def article_page(
    *,
    body_pictures: list[str] | None = None,
    extra: str = "",
    url: str = ARTICLE_URL,
    title: str = TITLE,
) -> str:
    """The article at `url`: its lead picture (og:image, shown in a <figure> with a srcset),
    a second picture in a <picture> with sources, `body_pictures` (more <figure>s, by URL),
    and the page's furniture around it."""
    figures = "".join(
        f'<figure><img src="{url}" alt="Picture {n}"><figcaption>Caption {n}.</figcaption></figure>'
        for n, url in enumerate(body_pictures or [], start=3)
    )
    first = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3])
    rest = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[3:])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} – Example News</title>
<link rel="canonical" href="{url}">
<meta property="og:image" content="{CDN}/photos/harbour-640.jpg">
<meta property="article:published_time" content="2024-03-01T09:30:00+01:00">
</head><body>
<header><a href="/"><img src="{SITE}/static/logo.png" alt="Example News"></a>
<nav><a href="/news">News</a></nav></header>
<main><article>
<h1>{title}</h1>
<div class="byline"><img class="author-avatar" src="{CDN}/people/jane-96.jpg" width="48"
 height="48" alt=""> By Jane Doe</div>
<figure><img src="{CDN}/photos/harbour-640.jpg" alt="Boats in the harbour"
 srcset="{CDN}/photos/harbour-640.jpg 640w, {CDN}/photos/harbour-1200.jpg 1200w,
 {CDN}/photos/harbour-3000.jpg 3000w" width="640" height="427">
<figcaption>Boats back in the old harbour on Friday. Photo: John Smith</figcaption></figure>
{first}
<figure><picture>
<source type="image/avif" srcset="{CDN}/photos/wreck-1600.avif 1600w">
<source srcset="{CDN}/photos/wreck-800.webp 800w, {CDN}/photos/wreck-1600.webp 1600w">
<img src="{CDN}/photos/wreck-800.jpg" alt="The wreck in the museum"></picture>
<figcaption>The medieval wreck in its museum.</figcaption></figure>
{rest}
{figures}
<img src="https://track.example-ads.net/pixel.gif?id=1" width="1" height="1" alt="">
{extra}
</article></main>
<footer><p>© Example News</p></footer>
</body></html>"""
