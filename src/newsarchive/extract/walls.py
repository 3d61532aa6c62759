"""Pages that are not, or not all of, the article: bot checks, cookie walls, paywall teasers.

A bot check or challenge page is refused (ExtractionError, reason "bot wall"), a cookie-consent
page with no article text too ("cookie wall"); a paywall teaser or a consent interstitial in
front of some article text is archived with Article.extra[COMPLETENESS] = "partial" and
Article.extra[REASON] saying why (`partial_reason`).
"""

from __future__ import annotations

import re
from typing import Any

from newsarchive.errors import ExtractionError
from newsarchive.extract.declarations import ld_free, ld_str
from newsarchive.extract.dom import PAGE_WRAPPERS, SKIP_TEXT_TAGS, Element, class_words, text_of
from newsarchive.extract.text import match_key

# Keys of Article.extra for a page that holds only part of the article (a paywall teaser, a
# cookie-consent interstitial): extra[COMPLETENESS] == "partial" and extra[REASON] says why.
COMPLETENESS = "completeness"
REASON = "reason"

_COOKIE_WALL_DETAIL = (
    "a cookie-consent page, not the article: accept the site's cookies in a browser and pass "
    "them with --cookies, or save the page from the browser and archive the file"
)


_CONSENT_PARTIAL = (
    "cookie-consent interstitial: the page showed a consent box in place of most of the article"
)


def _refuse(where: str, detail: str, reason: str) -> ExtractionError:
    error = ExtractionError(where, detail)
    error.reason = reason  # a stable label for batch summaries, like FetchError's reasons
    return error


# Bot checks and challenge pages, by service: markers in the markup (ids, script and iframe
# addresses) and wordings of the page. Only a page with little text of its own is one:
# articles often load these services' scripts too.
_CHALLENGES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "Cloudflare",
        re.compile(
            r"/cdn-cgi/challenge-platform/|\bcf[-_]chl[-_]|id=[\"']?(?:cf-wrapper|challenge-form|"
            r"cf-challenge-running|challenge-running)\b|<title>\s*(?:just a moment\.\.\.|"
            r"attention required! \| cloudflare|please wait\.\.\. \| cloudflare)",
            re.IGNORECASE,
        ),
    ),
    (
        "Incapsula",
        re.compile(r"_Incapsula_Resource|Incapsula incident ID", re.IGNORECASE),
    ),
    ("DataDome", re.compile(r"captcha-delivery\.com|geo\.captcha-delivery", re.IGNORECASE)),
    (
        "PerimeterX",
        re.compile(r"px-captcha|_pxCaptcha|perimeterx\.net|/px/captcha", re.IGNORECASE),
    ),
    (
        "Akamai",
        re.compile(r"errors\.edgesuite\.net|<title>\s*Access Denied\s*</title>", re.IGNORECASE),
    ),
    (
        "a bot check",
        re.compile(
            r"checking your browser before accessing|verify (?:that )?you are (?:a )?human|"
            r"are you a robot\?|pardon our interruption|please enable (?:js|javascript) and "
            r"disable any ad blocker|press (?:&|and) hold",
            re.IGNORECASE,
        ),
    ),
)


def _challenge(markup: str, shown: str) -> str | None:
    """The service behind a bot check or challenge page ("Cloudflare", ...), else None;
    `shown` is the page's `shown_text`."""
    if len(shown.split()) > 150:
        return None
    for service, pattern in _CHALLENGES:
        if pattern.search(markup):
            return service
    return None


_CONSENT_WORDS = frozenset(
    "cookie cookies consent gdpr cmp onetrust didomi cookiebot usercentrics quantcast "
    "sourcepoint truste privacy".split()
)
_CONSENT_TEXT_RE = re.compile(
    r"\b(?:cookies?|consent|accept all|reject all|manage (?:options|settings)|partners|"
    r"personali[sz]ed ads|zustimm\w*|akzeptier\w*|einwilligung|accepter|consentement|"
    r"aceptar|acconsent\w*|privacy)\b",
    re.IGNORECASE,
)
_CONSENT_URL_RE = re.compile(
    r"^https?://consent\.|/(?:consent|cookie-?wall|cookie-?consent|privacy-?gate|gdpr)\b",
    re.IGNORECASE,
)


def consent_wall(root: Element, shown: str, final_url: str | None) -> Element | None:
    """The cookie-consent box standing in for the article, else None; `shown` is the page's
    `shown_text`.

    An interstitial is a consent page (consent.example.com, /cookiewall: the whole <body> is
    the box) or a page whose visible text is mostly a consent box. A banner at the foot of a
    full article is not one.
    """
    body = root.find("body")
    if body is None:
        return None
    words = len(shown.split())
    if final_url and _CONSENT_URL_RE.search(final_url) and _CONSENT_TEXT_RE.search(shown):
        return body
    if words > 600:
        return None
    best: Element | None = None
    best_len = 0
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in SKIP_TEXT_TAGS:
            continue
        if el.tag == "dialog" or _CONSENT_WORDS.intersection(class_words(el)):
            text = text_of(el)
            if len(text) > best_len:
                best, best_len = el, len(text)
    if best is None:
        return None
    text = text_of(best)
    if len(text.split()) >= 0.5 * words and len(_CONSENT_TEXT_RE.findall(text)) >= 2:
        return best
    return None


_PAYWALL_WORDS = frozenset(
    "paywall paywalled regwall subscriber subscribers premium piano tp metered locked plus".split()
)
# (The lookahead names the letters the notices start with: without it the whole alternation is
# tried at each character of the page's text.)
_PAYWALL_TEXT_RE = re.compile(
    r"(?=[abeijrstw])(?:"
    r"subscribe (?:now )?to (?:continue|read|keep reading|unlock)|to continue reading|"
    r"to read the full (?:story|article)|(?:this|the) (?:article|story|content) is "
    r"(?:only )?(?:available|reserved|exclusive) (?:only )?(?:to|for) (?:paying )?"
    r"(?:subscribers|members)|already a subscriber\?|subscribers only|"
    r"weiterlesen mit|(?:artikel|beitrag) ist (?:nur )?für abonnenten|"
    r"exklusiv für (?:abonnenten|abonnentinnen)|jetzt (?:abonnieren|testen) und weiterlesen|"
    r"réservé aux abonnés|il vous reste \d+\s?% de cet article|"
    r"(?:solo|exclusivo) para suscriptores|riservato agli abbonati|"
    r"exclusivo para assinantes)",
    re.IGNORECASE,
)


def _paywall_marker(root: Element, shown: str) -> str | None:
    """A visible paywall box or notice: its wording, or "a paywall box"."""
    body = root.find("body")
    for el in body.iter() if body is not None else ():
        if not isinstance(el.tag, str) or el.tag in SKIP_TEXT_TAGS:
            continue
        if el.tag not in PAGE_WRAPPERS and _PAYWALL_WORDS.intersection(class_words(el)):
            text = text_of(el)
            if text and len(text) < 600 and (m := _PAYWALL_TEXT_RE.search(text)):
                return m.group(0)
    m = _PAYWALL_TEXT_RE.search(shown) if body is not None else None
    return m.group(0) if m else None


def _completeness(body: str, root: Element, page_text: str, ld: dict[str, Any]) -> str | None:
    """Why the archived text is only part of the article (a paywall teaser), else None.

    Three signs, after the usual ways publishers mark paid content: the page's JSON-LD
    articleBody is much longer than the text the page shows; the page declares
    isAccessibleForFree false and shows a short text (under 250 words, or under 600 with a
    subscription notice); or a subscription notice follows a very short text.
    """
    shown = len(match_key(body).split())
    declared = ld_str(ld.get("articleBody")) or ""
    declared_words = len(declared.split())
    if declared_words >= 150 and shown < 0.6 * declared_words:
        return (
            f"paywall teaser: the page shows {shown} of the {declared_words} words "
            "its JSON-LD articleBody declares"
        )
    free = ld_free(ld)
    marker = _paywall_marker(root, page_text) if shown < 600 else None
    # A long text with isAccessibleForFree false is the full article served to crawlers and
    # archivers (Google's "flexible sampling"), whatever subscription notices the page shows.
    if free is False and (marker or shown < 250):
        detail = f'"{marker}"' if marker else f"only {shown} words shown"
        return f"paywall teaser: isAccessibleForFree is false ({detail})"
    if marker and shown < 150:
        return f'paywall teaser: "{marker}" after {shown} words'
    return None


def refuse_bot_check(markup: str, shown: str, where: str) -> None:
    """Raise ExtractionError (reason "bot wall") when the page is a bot check or challenge;
    `shown` is the page's `shown_text`."""
    if service := _challenge(markup, shown):
        raise _refuse(
            where,
            f"a bot check page ({service}), not the article: the site did not serve it to "
            "newsarchive; try later, or save the page from a browser and archive the file",
            "bot wall",
        )


def no_article(where: str, consent: Element | None) -> ExtractionError:
    """The error for a page without article text: a cookie wall (reason "cookie wall") when a
    consent box stands in for the article."""
    if consent is not None:
        return _refuse(where, _COOKIE_WALL_DETAIL, "cookie wall")
    return ExtractionError(where)


def partial_reason(
    body: str, root: Element, shown: str, ld: dict[str, Any], consent: Element | None
) -> str | None:
    """Why the archived text is only part of the article (a cookie-consent interstitial, a
    paywall teaser), else None; `shown` is the page's `shown_text`."""
    if consent is not None:
        return _CONSENT_PARTIAL
    return _completeness(body, root, shown, ld)
