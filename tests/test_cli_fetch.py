"""`newsarchive fetch` end to end: the real CLI against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import (
    MT_FILE,
    MT_PATH,
    MT_URL,
    PAGES,
    closed_port,
    front_matter,
    md_files,
    mt_page,
    run,
)
from httpserver import LoopbackServer
from newsarchive.cli import ExitCode, cli


def test_fetch_archives_a_moscow_times_article(server: LoopbackServer, archive: Path) -> None:
    server.add(MT_PATH, mt_page())
    result = run(archive, "fetch", server.url(MT_PATH))
    assert result.exit_code == 0, result.stderr
    saved = archive / MT_FILE
    assert result.stdout == f"{saved}\n"
    assert md_files(archive) == [saved]
    meta = front_matter(saved)
    assert meta["title"] == "Mali Junta in Talks for Russian Mercenaries – French Sources"
    assert meta["authors"] == ["Daphné Benoit"]
    assert str(meta["published"]).startswith("2021-09-14T")
    assert meta["date_source"] == "published"
    # The page names a canonical URL on another site than the one it came from: recorded,
    # but the article is known by where it was found (a page cannot take another's place).
    assert meta["url"] == server.url(MT_PATH)
    assert meta["canonical"] == MT_URL
    assert "source" not in meta
    assert meta["status"] == 200
    assert meta["site"] == "The Moscow Times"
    text = saved.read_text(encoding="utf-8")
    body = text.split("---\n", 2)[2]
    assert body.lstrip().startswith("# Mali Junta in Talks for Russian Mercenaries")
    assert "By Daphné Benoit for AFP" in body
    assert "Related article:" in body
    assert f"<{server.url(MT_PATH)}>" in body
    for chrome in ("Most read", "Subscribe to our newsletter", "cookies"):
        assert chrome not in body


def test_second_fetch_makes_no_request(server: LoopbackServer, archive: Path) -> None:
    # An AMP copy of the article, whose canonical link names the article on the same site.
    canonical = server.url(MT_PATH)
    server.add("/amp" + MT_PATH, mt_page().replace(MT_URL.encode(), canonical.encode()))
    first = run(archive, "fetch", server.url("/amp" + MT_PATH))
    assert first.exit_code == 0, first.stderr
    saved = archive / MT_FILE
    assert front_matter(saved)["url"] == canonical
    before = saved.stat().st_mtime_ns
    requests = len(server.requests)
    variants = [
        server.url("/amp" + MT_PATH),
        server.url("/amp" + MT_PATH) + "?utm_source=twitter&utm_medium=social#comments",
        server.url("/amp" + MT_PATH) + "/",
        server.url("/amp" + MT_PATH).replace("http://", "HTTP://"),
        canonical,  # the canonical URL: known from the front-matter, so no network either
        canonical.replace("http://", "HTTP://") + "?fbclid=abc",
    ]
    for url in variants:
        again = run(archive, "fetch", url)
        assert again.exit_code == 0, again.stderr
        assert again.stdout == f"{saved}\n"
        assert again.stderr == f"already archived: {saved}\n"
    assert len(server.requests) == requests
    assert md_files(archive) == [saved]
    assert saved.stat().st_mtime_ns == before


def test_force_fetches_again_and_overwrites(server: LoopbackServer, archive: Path) -> None:
    server.add(MT_PATH, mt_page())
    assert run(archive, "fetch", server.url(MT_PATH)).exit_code == 0
    requests = len(server.requests)
    result = run(archive, "fetch", "--force", server.url(MT_PATH))
    assert result.exit_code == 0, result.stderr
    assert len(server.requests) == requests + 1
    assert md_files(archive) == [archive / MT_FILE]


def test_json_output(server: LoopbackServer, archive: Path) -> None:
    server.add(MT_PATH, mt_page())
    result = run(archive, "fetch", "--json", server.url(MT_PATH))
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["status"] == "archived"
    assert record["path"] == str(archive / MT_FILE)
    assert record["url"] == server.url(MT_PATH)  # the canonical link is on another site
    assert record["title"] == "Mali Junta in Talks for Russian Mercenaries – French Sources"
    assert record["published"].startswith("2021-09-14")
    assert record["http_status"] == 200
    assert record["input"] == server.url(MT_PATH)


def test_json_output_names_a_saved_file_as_given(
    tmp_path: Path, archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "saved.html").write_bytes(mt_page())
    monkeypatch.chdir(tmp_path)
    result = run(archive, "fetch", "--json", "saved.html", "--url", MT_URL)
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["input"] == "saved.html"
    assert record["http_status"] is None


def test_dry_run_writes_nothing(server: LoopbackServer, archive: Path) -> None:
    server.add(MT_PATH, mt_page())
    result = run(archive, "fetch", "--dry-run", server.url(MT_PATH))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{archive / MT_FILE}\n"
    assert "would write:" in result.stderr
    assert "title: Mali Junta" in result.stderr
    assert md_files(archive) == []


def test_template(server: LoopbackServer, archive: Path) -> None:
    server.add(MT_PATH, mt_page())
    result = run(archive, "fetch", "--template", "{date:%Y}/{site}/{slug}.md", server.url(MT_PATH))
    assert result.exit_code == 0, result.stderr
    assert md_files(archive) == [
        archive
        / "2021"
        / "the-moscow-times"
        / "mali-junta-in-talks-for-russian-mercenaries-french-sources.md"
    ]


@pytest.mark.parametrize(
    "template", ["{nope}.md", "../{slug}.md", "/abs/{slug}.md", "{slug}.txt", "{date:%Q"]
)
def test_bad_template_is_refused_before_any_request(
    server: LoopbackServer, archive: Path, template: str
) -> None:
    server.add(MT_PATH, mt_page())
    result = run(archive, "fetch", "--template", template, server.url(MT_PATH))
    assert result.exit_code == ExitCode.USAGE
    assert "--template" in result.stderr
    assert server.requests == []
    assert md_files(archive) == []


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("not a url", "not a url"),
        ("ftp://example.org/file", "unsupported scheme"),
        ("mailto:someone@example.org", "mailto:someone@example.org"),
        ("http://", "http://"),
    ],
)
def test_not_a_url_is_a_usage_error(archive: Path, target: str, message: str) -> None:
    result = run(archive, "fetch", target)
    assert result.exit_code == ExitCode.USAGE
    assert message in result.stderr
    assert result.stdout == ""
    assert md_files(archive) == []


NAV_ONLY = (
    "<html><head><title>Menu</title></head><body><nav><ul>"
    + "".join(f'<li><a href="/s{i}">Section {i}</a></li>' for i in range(20))
    + "</ul></nav></body></html>"
)


@pytest.mark.parametrize(
    ("path", "code", "reason"),
    [
        ("/status/404", ExitCode.HTTP, "HTTP 404"),
        ("/status/410", ExitCode.HTTP, "HTTP 410"),
        ("/status/451", ExitCode.HTTP, "HTTP 451"),
        ("/status/500", ExitCode.HTTP, "HTTP 500"),
        ("/status/503", ExitCode.HTTP, "HTTP 503"),
        ("/redirect-loop", ExitCode.NETWORK, "redirect loop"),
        ("/redirect-chain/30", ExitCode.NETWORK, "too many redirects"),
        ("/truncated", ExitCode.NETWORK, ""),
        ("/pdf", ExitCode.CONTENT, "application/pdf"),
        ("/image", ExitCode.CONTENT, "image/png"),
        ("/json", ExitCode.CONTENT, "application/json"),
        ("/empty", ExitCode.CONTENT, "empty"),
        ("/gzip-bomb", ExitCode.CONTENT, "limit"),
        ("/huge?mb=25", ExitCode.CONTENT, "limit"),
        ("/huge-declared", ExitCode.CONTENT, "limit"),
        ("/nav-only", ExitCode.NO_ARTICLE, "article"),
    ],
)
def test_bad_responses(
    server: LoopbackServer, archive: Path, path: str, code: ExitCode, reason: str
) -> None:
    server.add("/nav-only", NAV_ONLY)
    url = server.url(path)
    result = run(archive, "fetch", url)
    assert result.exit_code == code, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {url}: ")
    assert reason in lines[0]
    assert result.stdout == ""
    assert md_files(archive) == []


def test_timeout(server: LoopbackServer, archive: Path) -> None:
    url = server.url("/slow?delay=5")
    result = run(archive, "fetch", "--timeout", "0.3", url)
    assert result.exit_code == ExitCode.NETWORK
    assert result.stderr.startswith(f"error: {url}: ")
    assert "timeout" in result.stderr.lower() or "timed out" in result.stderr.lower()
    assert md_files(archive) == []


@pytest.mark.parametrize("kind", ["dns", "refused", "tls"])
def test_network_failures(server: LoopbackServer, archive: Path, kind: str) -> None:
    url = {
        "dns": "http://nonexistent.invalid/story",
        "refused": f"http://127.0.0.1:{closed_port()}/story",
        "tls": server.url("/status/200").replace("http://", "https://"),
    }[kind]
    result = run(archive, "fetch", "--timeout", "5", url)
    assert result.exit_code == ExitCode.NETWORK, result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"error: {url}: ")
    assert md_files(archive) == []


def test_windows_1251_page_is_decoded(server: LoopbackServer, archive: Path) -> None:
    for path in ("/cp1251", "/cp1251-undeclared", "/cp1251-wrong"):
        result = run(archive, "fetch", "--force", server.url(path))
        assert result.exit_code == 0, result.stderr
        saved = Path(result.stdout.strip())
        text = saved.read_text(encoding="utf-8")
        meta = front_matter(saved)
        assert any("\u0400" <= ch <= "\u04ff" for ch in str(meta["title"])), meta["title"]
        assert "Ð" not in text and "Ã" not in text  # the signatures of mojibake
        assert saved.name.isascii()


def test_several_urls_go_on_past_failures(server: LoopbackServer, archive: Path) -> None:
    server.add(MT_PATH, mt_page())
    good, bad = server.url(MT_PATH), server.url("/status/404")
    result = run(archive, "fetch", bad, good)
    assert result.exit_code == ExitCode.PARTIAL
    assert result.stdout == f"{archive / MT_FILE}\n"
    assert f"error: {bad}: HTTP 404" in result.stderr
    assert "1 failed" in result.stderr and "1 archived" in result.stderr
    assert md_files(archive) == [archive / MT_FILE]


def test_local_file_with_url(tmp_path: Path, archive: Path) -> None:
    page = tmp_path / "saved.html.gz"
    page.write_bytes(gzip.compress(mt_page()))
    result = run(archive, "fetch", str(page), "--url", MT_URL + "?utm_source=rss")
    assert result.exit_code == 0, result.stderr
    saved = archive / MT_FILE
    assert result.stdout == f"{saved}\n"
    meta = front_matter(saved)
    assert meta["url"] == MT_URL
    assert meta["status"] is None
    # Known now: the same URL is not fetched (there is no network here: it would fail).
    again = run(archive, "fetch", MT_URL)
    assert again.exit_code == 0 and again.stderr == f"already archived: {saved}\n"


def test_local_file_uses_its_canonical_link(tmp_path: Path, archive: Path) -> None:
    page = tmp_path / "saved.html"
    page.write_bytes(mt_page())
    result = run(archive, "fetch", str(page))
    assert result.exit_code == 0, result.stderr
    assert front_matter(archive / MT_FILE)["url"] == MT_URL


def test_local_file_without_any_url_asks_for_one(tmp_path: Path, archive: Path) -> None:
    page = tmp_path / "saved.html"
    page.write_bytes((PAGES / "charset-latin1.html").read_bytes())
    result = run(archive, "fetch", str(page))
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == (
        f"error: {page}: the page names no canonical URL; say where it came from with --url\n"
    )
    assert md_files(archive) == []


def test_url_option_needs_exactly_one_file(tmp_path: Path, archive: Path) -> None:
    result = run(archive, "fetch", "https://example.org/a", "--url", MT_URL)
    assert result.exit_code == ExitCode.USAGE
    assert "--url goes with exactly one saved HTML file" in result.stderr


def test_missing_local_file(tmp_path: Path, archive: Path) -> None:
    result = run(archive, "fetch", str(tmp_path / "nope.html"))
    assert result.exit_code == ExitCode.USAGE
    assert "no such file" in result.stderr


def test_user_agent_and_cookies_are_sent(
    server: LoopbackServer, tmp_path: Path, archive: Path
) -> None:
    server.add(MT_PATH, mt_page())
    cookies = tmp_path / "cookies.txt"
    cookies.write_text(
        "# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tsecret42\n",
        encoding="utf-8",
    )
    result = run(
        archive,
        "fetch",
        "--user-agent",
        "ResearchBot/1.0",
        "--cookies",
        str(cookies),
        server.url(MT_PATH),
    )
    assert result.exit_code == 0, result.stderr
    headers = {k.lower(): v for k, v in server.request_headers[-1].items()}
    assert headers["user-agent"] == "ResearchBot/1.0"
    assert "session=secret42" in headers["cookie"]


def test_config_file_sets_defaults(
    server: LoopbackServer, tmp_path: Path, archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Precedence is option > NEWSARCHIVE_DIR > config file > ./archive.
    monkeypatch.delenv("NEWSARCHIVE_DIR")
    server.add(MT_PATH, mt_page())
    config = tmp_path / "config.toml"
    config.write_text(
        f'user_agent = "FromConfig/2"\narchive = "{archive}"\n'
        'template = "{date:%Y}/{slug}.md"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "fetch", server.url(MT_PATH)])
    assert result.exit_code == 0, result.stderr
    headers = {k.lower(): v for k, v in server.request_headers[-1].items()}
    assert headers["user-agent"] == "FromConfig/2"
    assert md_files(archive) == [
        archive / "2021" / "mali-junta-in-talks-for-russian-mercenaries-french-sources.md"
    ]
    # The environment variable beats the config file.
    monkeypatch.setenv("NEWSARCHIVE_DIR", str(tmp_path / "from-env"))
    result = CliRunner().invoke(
        cli, ["--config", str(config), "fetch", "--force", server.url(MT_PATH)]
    )
    assert result.exit_code == 0, result.stderr
    assert len(md_files(tmp_path / "from-env")) == 1


def test_bad_config_file_is_a_usage_error(tmp_path: Path, archive: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('user_agnet = "x"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "fetch", MT_URL])
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith("error: ")
    assert "unknown key 'user_agnet'" in result.stderr


def test_bad_template_in_config_is_refused(tmp_path: Path, archive: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('template = "../{slug}.md"\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--config", str(config), "--archive", str(archive), "fetch", MT_URL]
    )
    assert result.exit_code == ExitCode.USAGE
    assert md_files(archive) == []


def test_archive_dir_from_environment(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.add(MT_PATH, mt_page())
    root = tmp_path / "from-env"
    monkeypatch.setenv("NEWSARCHIVE_DIR", str(root))
    result = CliRunner().invoke(cli, ["fetch", server.url(MT_PATH)])
    assert result.exit_code == 0, result.stderr
    assert md_files(root) == [root / MT_FILE]


def test_python_dash_m(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("newsarchive, version ")


def test_console_script_exit_code_and_single_line(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("newsarchive")
    result = subprocess.run(
        [
            str(exe),
            "--archive",
            str(tmp_path / "a"),
            "fetch",
            f"http://127.0.0.1:{closed_port()}/x",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == ExitCode.NETWORK
    assert len(result.stderr.splitlines()) == 1
    assert result.stdout == ""


def test_library_api(server: LoopbackServer, tmp_path: Path) -> None:
    from newsarchive import Archive, archive_url

    canonical = server.url(MT_PATH)
    server.add(MT_PATH + "?from=rss", mt_page().replace(MT_URL.encode(), canonical.encode()))
    archive = Archive(tmp_path / "lib-archive")
    outcome = archive_url(server.url(MT_PATH + "?from=rss"), archive)
    assert outcome.status == "archived"
    assert outcome.path == tmp_path / "lib-archive" / MT_FILE
    assert outcome.article is not None and outcome.article.url == canonical
    again = archive_url(canonical, archive)
    assert again.status == "already archived" and again.path == outcome.path


CORPUS = Path(__file__).parents[2] / "shared" / "corpus"


def corpus_sample(count: int) -> list[dict[str, object]]:
    """Every 25th page with a labelled title and date: a fixed spread across the collections."""
    truth = CORPUS / "truth.jsonl"
    if not truth.is_file():
        pytest.skip("the shared page corpus is absent (../shared/corpus)")
    records = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines()]
    labelled = [r for r in records if r.get("title") and r.get("date") and r.get("url")]
    return labelled[::25][:count]


def test_real_publisher_pages_over_http(server: LoopbackServer, archive: Path) -> None:
    """Real pages served as published (raw bytes, the publisher's own charset) are archived
    with their headline and publication date; every file written is loadable."""
    sample = corpus_sample(24)
    urls = []
    for number, record in enumerate(sample):
        path = f"/corpus/{number}/article"
        server.add(path, gzip.decompress((CORPUS / str(record["file"])).read_bytes()))
        urls.append(server.url(path))
    result = run(archive, "fetch", "--json", *urls)
    assert result.exit_code in (ExitCode.OK, ExitCode.PARTIAL), result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == len(sample)
    archived = [(r, rec) for r, rec in zip(records, sample, strict=True) if r.get("path")]
    assert len(archived) >= len(sample) - 1, result.stderr

    def norm(text: object) -> str:
        return " ".join(re.findall(r"\w+", str(text).casefold()))

    titles = dates = 0
    for record, truth in archived:
        meta = front_matter(Path(record["path"]))
        variants = truth.get("title_variants") or []
        assert isinstance(variants, list)
        wanted = {norm(truth["title"]), *(norm(v) for v in variants)}
        titles += norm(meta["title"]) in wanted
        published = str(meta.get("published") or "")
        dates += published[:10] in {truth["date"], truth.get("date_alt")}
        assert meta["archiver"] and meta["sha256"] and meta["url"]
    # Floors from the corpus-wide measurements, with margin for this small sample.
    # (trafilatura alone gets about 60 % of titles right on the corpus.)
    assert titles >= 0.65 * len(archived), titles
    assert dates >= 0.65 * len(archived), dates


def test_a_paywall_teaser_is_archived_and_reported_as_partial(
    server: LoopbackServer, archive: Path
) -> None:
    teaser = Path(__file__).parent / "fixtures" / "quality" / "paywall-teaser.html"
    server.add("/teaser", teaser.read_bytes())
    result = run(archive, "fetch", "--json", server.url("/teaser"))
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["completeness"] == "partial" and record["reason"]
    assert f"warning: partial article: {record['path']}: {record['reason']}" in result.stderr
    meta = front_matter(Path(record["path"]))
    assert meta["completeness"] == "partial" and meta["reason"] == record["reason"]
