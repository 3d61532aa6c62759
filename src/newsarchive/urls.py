"""URL checking and normalisation: the identity of an archived article.

`normalize_url` gives the key under which an article is known: two URLs that a reader would
call "the same page" (different case in the host, a tracking parameter, a fragment, a trailing
slash, parameters in another order) give the same key. It is also the form written as `url`
in the front-matter, so the files and the index always agree.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import SplitResult, unquote_plus, urlsplit

from newsarchive.errors import InvalidURLError

__all__ = [
    "TRACKING_PARAMS",
    "check_url",
    "checked_key",
    "is_local_target",
    "normalize_url",
    "other_scheme",
    "same_site",
    "url_key",
]

# Names of saved pages (`fetch page.html.gz`), as opposed to URLs.
LOCAL_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz", ".xhtml.gz", ".gz")


def is_local_target(target: str) -> bool:
    """True for an existing file, or anything that is plainly not a URL but names an HTML file."""
    if "://" in target:
        return False
    return Path(target).is_file() or target.lower().endswith(LOCAL_SUFFIXES)


_DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that only say how a reader got to the page (campaign, click and share
# trackers). Compared case-insensitively. Anything not listed is kept: a parameter we do not
# know may select the article (`?id=123`), so guessing wrong would merge different articles.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",  # Facebook
        "gclid",  # Google Ads
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",  # Microsoft Ads
        "mc_cid",  # Mailchimp
        "mc_eid",
        "yclid",  # Yandex
        "ysclid",
        "igshid",  # Instagram
        "igsh",
        "_ga",  # Google Analytics cross-domain linking
        "_gl",
        "ref_src",  # Twitter / X
        "ref_url",
        "twclid",
        "ttclid",  # TikTok
        "li_fat_id",  # LinkedIn
        "cmpid",  # campaign ids used by many publishers
        "cmp",  # The Guardian
        "ocid",  # MSN
        "ncid",  # Yahoo, NBC
        "smid",  # The New York Times share links
        "smtyp",
        "itid",  # The Washington Post
        "mkt_tok",  # Marketo
        "_hsenc",  # HubSpot
        "_hsmi",
        "__hstc",
        "__hssc",
        "__hsfp",
        "oly_anon_id",  # Omeda
        "oly_enc_id",
        "vero_id",
        "wickedid",
        "rb_clickid",
        "s_kwcid",  # Adobe
        "pk_campaign",  # Matomo / Piwik
        "pk_kwd",
        "pk_source",
        "pk_medium",
        "pk_content",
        "at_medium",  # AT Internet (BBC feeds and share links)
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "at_format",
        "at_link_id",
        "at_link_origin",
        "at_link_type",
        "at_ptr_name",
        "at_bbc_team",
        "at_campaign_type",
    }
)
_TRACKING_PREFIXES = ("utm_", "mtm_")

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# ASCII that may stay as it is in a path or query; everything else (controls, space,
# non-ASCII and `"<>\^`{|}`) is percent-encoded as UTF-8, as browsers do.
_KEEP = _UNRESERVED | frozenset("!$&'()*+,;=:@/?%[]")
_HEX = frozenset("0123456789abcdefABCDEF")
# Text made only of characters kept as they are (no "%"): nothing to normalise.
_CLEAN = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?\[\]]*")
_WHITESPACE = re.compile(r"\s")


def check_url(text: str) -> str:
    """Return `text` without surrounding whitespace if it is an http(s) URL with a host.

    Raises InvalidURLError naming the problem otherwise. Hosts may be internationalised.
    """
    return _split(text)[0]


def _split(text: str) -> tuple[str, SplitResult]:
    """check_url, and the parts of the URL it checked."""
    url = text.strip()
    if "://" not in url:
        raise InvalidURLError(text, "not an http(s) URL")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is what validates it
    except ValueError as exc:
        raise InvalidURLError(text, f"not a valid URL ({exc})") from None
    # Spaces in a path or query are common in pasted and canonical URLs, and normalize_url
    # encodes them as browsers do; in a host they mean this is not one URL.
    if _WHITESPACE.search(parts.netloc):
        raise InvalidURLError(text, "whitespace in the host")
    scheme = parts.scheme.lower()
    if not scheme:
        raise InvalidURLError(text, "not an http(s) URL")
    if scheme not in _DEFAULT_PORTS:
        raise InvalidURLError(text, f"unsupported scheme '{scheme}'")
    if not parts.hostname:
        raise InvalidURLError(text, "no host")
    return url, parts


def normalize_url(url: str) -> str:
    """Return the identity key of `url` (also the form stored as `url` in front-matter).

    Lower-cases scheme and host, drops default ports, the fragment and tracking parameters,
    sorts the remaining parameters (stably, so repeated names keep their order), resolves
    `.`/`..` segments, drops trailing slashes (the root stays "/") and normalises
    percent-encoding. http and https stay distinct keys. Raises InvalidURLError.
    """
    return _key(_split(url)[1])


def checked_key(text: str) -> tuple[str, str]:
    """`check_url(text)` and its key (`normalize_url`), the URL parsed once. Raises
    InvalidURLError."""
    url, parts = _split(text)
    return url, _key(parts)


def _key(parts: SplitResult) -> str:
    scheme = parts.scheme.lower()
    netloc = _normalize_netloc(parts.netloc, scheme)
    path = _normalize_path(parts.path)
    query = _normalize_query(parts.query)
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


def other_scheme(key: str) -> str:
    """The same key with http and https swapped (a site that moved to https)."""
    if key.startswith("https://"):
        return "http://" + key[len("https://") :]
    if key.startswith("http://"):
        return "https://" + key[len("http://") :]
    return key


def _normalize_netloc(netloc: str, scheme: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):  # IPv6 literal: "[::1]:8080"
        end = hostport.find("]") + 1
        host, port = hostport[:end], hostport[end:].removeprefix(":")
    else:
        host, _, port = hostport.partition(":")
        # "example.com." names the same host; the trailing dot only anchors DNS lookups.
        host = host.rstrip(".")
    host = host.lower()
    if port and int(port) != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{int(port)}"
    return f"{_normalize_escapes(userinfo)}@{host}" if at else host


def _normalize_path(path: str) -> str:
    segments: list[str] = []
    for segment in _normalize_escapes(path).split("/")[1:]:
        if segment == "..":
            if segments:
                segments.pop()
        elif segment != ".":
            segments.append(segment)
    # "/a/" and "/a" are one article on every news site we know; keep inner empty segments.
    return "/" + "/".join(segments).rstrip("/")


def _normalize_query(query: str) -> str:
    params: list[tuple[str, str]] = []
    for part in query.split("&"):
        if not part:
            continue
        name, eq, value = part.partition("=")
        name = _normalize_escapes(name)
        decoded = unquote_plus(name).lower()
        if decoded in TRACKING_PARAMS or decoded.startswith(_TRACKING_PREFIXES):
            continue
        params.append((name, f"{name}{eq}{_normalize_escapes(value)}"))
    params.sort(key=lambda param: param[0])  # stable: repeated names keep their order
    return "&".join(text for _, text in params)


def _normalize_escapes(text: str) -> str:
    """Upper-case escapes, decode escaped unreserved characters, encode what must be."""
    if _CLEAN.fullmatch(text):  # most URLs: a quick check instead of a loop per character
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "%" and text[i + 1 : i + 2] in _HEX and text[i + 2 : i + 3] in _HEX:
            escape = text[i + 1 : i + 3]
            decoded = chr(int(escape, 16))
            out.append(decoded if decoded in _UNRESERVED else f"%{escape.upper()}")
            i += 3
            continue
        if char == "%":
            out.append("%25")  # a stray "%" is a literal percent sign
        elif char in _KEEP:
            out.append(char)
        else:
            out.append("".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass")))
        i += 1
    return "".join(out)


def url_key(url: object) -> str | None:
    """The normalised key of `url` (`normalize_url`), or None when it is not an http(s) URL."""
    if not isinstance(url, str) or not url:
        return None
    try:
        return normalize_url(url)
    except InvalidURLError:
        return None


def registrable_domain(url: str) -> str | None:
    """The domain a URL's owner registered, by the Public Suffix List: "bbc.co.uk" for
    https://www.bbc.co.uk/news, "foo.github.io" for https://foo.github.io/; the host itself
    where there is none (an IP address, "localhost"); None when there is no host."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if not host:
        return None
    # Imported here: tld loads urllib.request and its list of suffixes, which most commands
    # (grep, search, show) never need.
    from tld import get_fld

    domain = get_fld(f"http://{host}", fail_silently=True)
    return str(domain) if domain else host


def same_site(a: str, b: str) -> bool:
    """Whether two URLs belong to the same registrable domain (`registrable_domain`)."""
    first = registrable_domain(a)
    return first is not None and first == registrable_domain(b)
