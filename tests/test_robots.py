"""robots.txt rules: parsing through protego, RFC 9309 status handling, delays.

The network side (fetching robots.txt once per site, honouring it in a batch) is tested end to
end in test_batch.py against the loopback server.
"""

from __future__ import annotations

import pytest

from newsarchive.errors import NetworkError
from newsarchive.robots import (
    ROBOTS_MAX_BYTES,
    load_policy,
    policy_from_response,
    robots_url,
    site_of,
)

UA = "newsarchive/0.1.0 (+https://pypi.org/project/newsarchive/)"

RULES = """\
User-agent: *
Disallow: /private/
Allow: /private/press-release
Crawl-delay: 7

User-agent: newsarchive
Disallow: /members/
Disallow: /*.pdf$
Allow: /members/free/
Crawl-delay: 1.5
"""


def test_own_group_applies_to_our_user_agent() -> None:
    policy = policy_from_response(200, RULES, user_agent=UA)
    assert not policy.allows("https://news.example/members/story")
    assert policy.allows("https://news.example/members/free/story")
    assert not policy.allows("https://news.example/report.pdf")
    assert policy.allows("https://news.example/report.pdf?page=2")
    # Our own group replaces the "*" group entirely.
    assert policy.allows("https://news.example/private/memo")
    assert policy.delay == 1.5


def test_other_agents_get_the_star_group() -> None:
    policy = policy_from_response(200, RULES, user_agent="Mozilla/5.0 (research; me@example.org)")
    assert not policy.allows("https://news.example/private/memo")
    assert policy.allows("https://news.example/private/press-release")
    assert policy.allows("https://news.example/members/story")
    assert policy.delay == 7.0


def test_product_token_inside_a_custom_user_agent_is_matched() -> None:
    text = "User-agent: archivebot\nDisallow: /\n"
    blocked = policy_from_response(200, text, user_agent="Mozilla/5.0 (compatible; ArchiveBot/2)")
    assert not blocked.allows("https://news.example/a")
    other = policy_from_response(200, text, user_agent="Mozilla/5.0 (compatible; MyArchiveBot/2)")
    assert other.allows("https://news.example/a")


def test_request_rate_becomes_a_delay_and_the_larger_delay_wins() -> None:
    rate = policy_from_response(200, "User-agent: *\nRequest-rate: 1/4s\n", user_agent=UA)
    assert rate.delay == 4.0
    both = policy_from_response(
        200, "User-agent: *\nRequest-rate: 2/1s\nCrawl-delay: 3\n", user_agent=UA
    )
    assert both.delay == 3.0


def test_no_delay_when_none_is_asked() -> None:
    assert policy_from_response(200, "User-agent: *\nDisallow:\n", user_agent=UA).delay is None
    assert policy_from_response(404, "", user_agent=UA).delay is None


def test_empty_file_and_garbage_allow_everything() -> None:
    for text in ("", "<html><body>Page not found</body></html>", "\x00\xff nonsense"):
        policy = policy_from_response(200, text, user_agent=UA)
        assert policy.allows("https://news.example/any/story")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 451])
def test_client_errors_mean_no_rules(status: int) -> None:
    policy = policy_from_response(status, "User-agent: *\nDisallow: /\n", user_agent=UA)
    assert policy.allows("https://news.example/story")
    assert policy.note == f"no robots.txt (HTTP {status})"


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_unreachable_robots_means_complete_disallow(status: int) -> None:
    policy = policy_from_response(status, "", user_agent=UA)
    assert not policy.allows("https://news.example/story")
    assert policy.note == f"robots.txt answered HTTP {status}"


def test_oversized_file_is_cut_at_the_limit() -> None:
    filler = "# " + "x" * 78 + "\n"
    padding = filler * (ROBOTS_MAX_BYTES // len(filler) + 10)
    text = "User-agent: *\nDisallow: /early/\n" + padding + "Disallow: /late/\n"
    policy = policy_from_response(200, text, user_agent=UA)
    assert not policy.allows("https://news.example/early/a")
    assert policy.allows("https://news.example/late/a")


def test_robots_url_and_site_keep_scheme_host_and_port() -> None:
    assert robots_url("https://News.Example/2021/09/a?x=1#f") == "https://news.example/robots.txt"
    assert robots_url("http://127.0.0.2:8080/page") == "http://127.0.0.2:8080/robots.txt"
    assert site_of("http://127.0.0.2:8080/page") == "http://127.0.0.2:8080"
    assert site_of("https://news.example/a") != site_of("http://news.example/a")


def test_load_policy_asks_for_the_sites_robots_txt() -> None:
    asked: list[str] = []

    def get(url: str) -> tuple[int, str]:
        asked.append(url)
        return 200, "User-agent: *\nDisallow: /secret\n"

    policy = load_policy("https://news.example/2021/story", get, user_agent=UA)
    assert asked == ["https://news.example/robots.txt"]
    assert not policy.allows("https://news.example/secret/plans")
    assert policy.allows("https://news.example/2021/story")


def test_load_policy_lets_network_errors_through() -> None:
    def get(url: str) -> tuple[int, str]:
        raise NetworkError(url, "connection refused", reason="connection refused")

    with pytest.raises(NetworkError) as info:
        load_policy("https://news.example/story", get, user_agent=UA)
    assert str(info.value) == "https://news.example/robots.txt: connection refused"
