"""`update_articles` end to end: archived articles fetched again from real HTTP servers on
127.0.0.1, with import's politeness (robots.txt, Crawl-delay, retries, Retry-After, sites in
parallel), and what it writes: a revision, a `checked:` time, `gone:`, or nothing at all.

Spacing is checked on a virtual clock (tests/clocks.py): the waits the scheduler chose, not
times measured on a busy machine.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest
import yaml

from clocks import Stamps, VirtualClock, gaps
from helpers import front_matter
from httpserver import LoopbackServer
from newsarchive.batch import BatchOptions, import_urls
from newsarchive.capture import read_responses
from newsarchive.errors import ExtractionError, HTTPStatusError, StoreError
from newsarchive.outcome import Outcome
from newsarchive.revisions import UpdateOptions, UpdateReport, update_articles
from newsarchive.store import Archive
from sites import NO_TEXT, Gauge, add_articles, article_page, entries, flaky


def captures(store: Archive) -> Path:
    return store.root.parent / "captures"


def archive_from(server: LoopbackServer, store: Archive, count: int) -> list[Path]:
    """Archive `count` articles served at /news/<n>; their files, in order."""
    urls = add_articles(server, count)
    results: list[Outcome] = []
    import_urls(
        entries(urls),
        store,
        BatchOptions(jobs=0, robots=False, captures=captures(store)),
        on_result=results.append,
    )
    by_url = {result.input: result.path for result in results}
    paths = [by_url[url] for url in urls]
    assert all(path is not None for path in paths)
    return [path for path in paths if path is not None]


def edited(n: int) -> str:
    """Article n as its site shows it after an edit to one paragraph."""
    return article_page(n).replace(f"Paragraph 2 of story {n}.", f"Paragraph 2 (corrected), {n}.")


def split(text: str) -> tuple[dict[str, object], str]:
    _, head, body = text.split("---\n", 2)
    meta = yaml.safe_load(head)
    assert isinstance(meta, dict)
    return meta, body


def body_is_whole(path: Path) -> bool:
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    meta = yaml.safe_load(head)
    return bool(meta["sha256"] == hashlib.sha256(body.removeprefix("\n").encode()).hexdigest())


class Update:
    """One update, with every result and notice kept."""

    def __init__(
        self,
        store: Archive,
        paths: list[Path],
        *,
        clock: VirtualClock | None = None,
        stop: threading.Event | None = None,
        **options: object,
    ) -> None:
        self.results: list[Outcome] = []
        self.notices: list[str] = []
        settings: dict[str, object] = {"jobs": 0, "backoff": 0.01, "delay": 0.0}
        settings.update(options)
        self.report: UpdateReport = update_articles(
            paths,
            store,
            captures(store),
            UpdateOptions(**settings),  # type: ignore[arg-type]
            on_result=self.results.append,
            on_notice=self.notices.append,
            stop=stop,
            clock=clock,
            seed=1,
        )

    def result_for(self, path: Path) -> Outcome:
        (found,) = [result for result in self.results if result.path == path]
        return found


def test_changed_unchanged_and_gone(server: LoopbackServer, store: Archive) -> None:
    changed, same, gone = archive_from(server, store, 3)
    before = {path: path.read_text(encoding="utf-8") for path in (changed, same, gone)}
    server.add("/news/0", edited(0))
    server.add("/news/2", "<html><body>Gone</body></html>", status=410)

    run = Update(store, [changed, same, gone])
    assert run.report.counts == {"changed": 1, "unchanged": 1, "gone": 1}
    assert not run.report.interrupted
    assert run.result_for(changed).changed == ("body",)
    assert run.result_for(changed).attempts == 1

    meta = front_matter(changed)
    assert "Paragraph 2 (corrected), 0." in changed.read_text(encoding="utf-8")
    revisions = meta["revisions"]
    assert isinstance(revisions, list) and len(revisions) == 1
    kept = captures(store) / revisions[0]["file"]
    assert kept.read_text(encoding="utf-8") == before[changed]  # the earlier file, whole
    assert meta["capture"] != front_matter(kept)["capture"]  # a capture of the new version
    assert body_is_whole(changed)

    # Unchanged: only `checked:` is new; the body is the same.
    old_meta, old_body = split(before[same])
    new_meta, new_body = split(same.read_text(encoding="utf-8"))
    assert new_body == old_body
    assert {key: new_meta[key] for key in old_meta} == old_meta
    assert set(new_meta) - set(old_meta) == {"checked"}
    # Gone: marked, its text kept.
    gone_meta, gone_body = split(gone.read_text(encoding="utf-8"))
    assert gone_meta["gone"] and gone_body == split(before[gone])[1]


def test_robots_txt_disallow_means_no_request_and_an_untouched_file(
    server: LoopbackServer, store: Archive
) -> None:
    paths = archive_from(server, store, 3)
    before = paths[1].read_bytes()
    server.add("/robots.txt", "User-agent: *\nDisallow: /news/1\n", content_type="text/plain")
    server.add("/news/1", edited(1))
    requests = len(server.requests)

    run = Update(store, paths)
    denied = run.result_for(paths[1])
    assert denied.status == "failed" and denied.attempts == 0
    assert isinstance(denied.error, Exception) and denied.error.reason == "robots"
    url = server.url("/news/1")
    assert str(denied.error) == f"{url}: disallowed by {server.url('/robots.txt')}"
    assert paths[1].read_bytes() == before  # not even `checked:`
    assert sorted(server.requests[requests:]) == ["/news/0", "/news/2", "/robots.txt"]
    assert run.report.counts == {"unchanged": 2, "failed": 1}
    assert run.report.failures == {"robots": 1}

    ignored = Update(store, [paths[1]], robots=False)
    assert ignored.report.counts == {"changed": 1}


def test_crawl_delay_is_honoured(server: LoopbackServer, store: Archive) -> None:
    paths = archive_from(server, store, 4)
    server.add("/robots.txt", "User-agent: *\nCrawl-delay: 3\n", content_type="text/plain")
    clock = VirtualClock()
    stamps = Stamps(clock)
    gauge = Gauge()
    for n in range(4):
        server.add_handler(f"/news/{n}", stamps.wrap(gauge.slow(article_page(n), 0.02)))

    run = Update(store, paths, clock=clock, per_host=4)
    assert run.report.counts == {"unchanged": 4}
    assert gauge.peak == 1  # one request at a time
    spacing = gaps(stamps.times())
    assert len(spacing) == 3 and all(gap >= 3 - 1e-9 for gap in spacing)
    assert f"http://{server.host_port}: robots.txt asks for 3 s between requests" in run.notices


def test_delay_is_jittered_per_site(server: LoopbackServer, store: Archive) -> None:
    paths = archive_from(server, store, 5)
    clock = VirtualClock()
    stamps = Stamps(clock)
    for n in range(5):
        server.add_handler(f"/news/{n}", stamps.wrap(flaky(article_page(n), [])))

    run = Update(store, paths, clock=clock, delay=2.0)
    assert run.report.counts == {"unchanged": 5}
    spacing = gaps(stamps.times())
    assert len(spacing) == 4 and all(1 - 1e-9 <= gap <= 3 + 1e-9 for gap in spacing)
    assert max(spacing) - min(spacing) > 0.001  # jittered, not a fixed step


def test_429_with_retry_after_then_a_new_version(server: LoopbackServer, store: Archive) -> None:
    (path,) = archive_from(server, store, 1)
    clock = VirtualClock()
    stamps = Stamps(clock)
    server.add_handler("/news/0", stamps.wrap(flaky(edited(0), [(429, {"Retry-After": "5"})])))

    run = Update(store, [path], clock=clock)
    result = run.result_for(path)
    assert (result.status, result.attempts) == ("changed", 2)
    first, second = stamps.times()
    assert second - first == pytest.approx(5.0)  # as the server asked
    assert "Paragraph 2 (corrected), 0." in path.read_text(encoding="utf-8")
    assert len(front_matter(path)["revisions"]) == 1  # type: ignore[arg-type]
    assert any("pausing this site for 5.0 s" in notice for notice in run.notices)


def test_503_then_200(server: LoopbackServer, store: Archive) -> None:
    (path,) = archive_from(server, store, 1)
    server.add_handler("/news/0", flaky(edited(0), [(503, {})]))
    run = Update(store, [path], retries=3)
    result = run.result_for(path)
    assert (result.status, result.attempts) == ("changed", 2)
    assert [notice.split(" in ")[0] for notice in run.notices if notice.startswith("retry")] == [
        "retry 1/3"
    ]


def test_a_5xx_that_persists_leaves_the_file_untouched(
    server: LoopbackServer, store: Archive
) -> None:
    (path,) = archive_from(server, store, 1)
    before = path.read_bytes()
    server.add("/news/0", "<html><body>Down</body></html>", status=503)
    requests = len(server.requests)

    run = Update(store, [path], retries=2)
    result = run.result_for(path)
    assert (result.status, result.attempts) == ("failed", 3)
    assert isinstance(result.error, HTTPStatusError) and result.error.status == 503
    assert server.requests[requests:].count("/news/0") == 3
    assert path.read_bytes() == before  # no `checked:` either
    assert run.report.failures == {"HTTP 503": 1}


def test_two_sites_proceed_while_one_backs_off(server: LoopbackServer, store: Archive) -> None:
    (busy,) = archive_from(server, store, 1)
    clock = VirtualClock()
    busy_stamps, other_stamps = Stamps(clock), Stamps(clock)
    server.add_handler(
        "/news/0", busy_stamps.wrap(flaky(edited(0), [(429, {"Retry-After": "30"})]))
    )
    with LoopbackServer() as other:
        others = archive_from(other, store, 4)
        for n in range(4):
            other.add_handler(f"/news/{n}", other_stamps.wrap(flaky(edited(n), [])))
        run = Update(store, [busy, *others], clock=clock, per_host=1)
    assert run.report.counts == {"changed": 5}
    # Each site is logged on its own: which site's first request arrives first is a race.
    assert [path for _, path in busy_stamps.log] == ["/news/0", "/news/0"]
    assert sorted(path for _, path in other_stamps.log) == [f"/news/{n}" for n in range(4)]
    first, last = busy_stamps.times()
    assert last - first == pytest.approx(30.0)
    # The other site was served in full while the first one was paused.
    assert all(when < last for when in other_stamps.times())


def test_stop_leaves_nothing_half_written(server: LoopbackServer, store: Archive) -> None:
    paths = archive_from(server, store, 10)
    for n in range(10):
        server.add(f"/news/{n}", edited(n))
    stop = threading.Event()
    results: list[Outcome] = []

    def on_result(result: Outcome) -> None:
        results.append(result)
        if len(results) == 3:
            stop.set()

    report = update_articles(
        paths,
        store,
        captures(store),
        UpdateOptions(jobs=0, delay=0, per_host=2),
        on_result=on_result,
        stop=stop,
    )
    assert report.interrupted
    assert 3 <= report.counts["changed"] < 10
    assert report.unfinished == 10 - report.done
    done = {result.path for result in results}
    for path in paths:
        meta = front_matter(path)
        assert body_is_whole(path)
        if path in done:  # the new version, and the previous one kept
            revisions = meta["revisions"]
            assert isinstance(revisions, list) and len(revisions) == 1
            assert (captures(store) / revisions[0]["file"]).is_file()
        else:  # untouched
            assert "revisions" not in meta and "checked" not in meta
    leftovers = [p for p in store.root.parent.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []

    rest = Update(store, [path for path in paths if path not in done])
    assert rest.report.counts == {"changed": 10 - len(done)}


def test_extraction_processes(server: LoopbackServer, store: Archive) -> None:
    paths = archive_from(server, store, 3)
    server.add("/news/0", edited(0))
    server.add("/news/2", NO_TEXT)
    before = paths[2].read_bytes()

    run = Update(store, paths, jobs=2)
    assert run.report.counts == {"changed": 1, "unchanged": 1, "failed": 1}
    failed = run.result_for(paths[2])
    # The error crossed the process boundary whole: its class, reason and message.
    assert isinstance(failed.error, ExtractionError)
    assert str(failed.error).startswith(server.url("/news/2"))
    assert run.report.failures == {"no article text": 1}
    assert paths[2].read_bytes() == before


def test_a_new_version_downloaded_by_an_extraction_process_is_captured(
    server: LoopbackServer, store: Archive
) -> None:
    """The process downloads the page and seals its capture; the page never comes back, the
    article's new capture holds it all the same."""
    paths = archive_from(server, store, 2)
    server.add("/news/1", edited(1))
    run = Update(store, paths, jobs=1, robots=False)
    assert run.report.counts == {"changed": 1, "unchanged": 1}
    meta = front_matter(paths[1])
    (record,) = read_responses(captures(store), str(meta["capture"]))
    url, status, _, body = record
    assert (url, status, body) == (server.url("/news/1"), 200, edited(1).encode("utf-8"))
    assert hashlib.sha256(body).hexdigest() == meta["capture_sha256"]
    assert str(meta["capture"]).startswith(paths[1].relative_to(store.root).as_posix()[:-3])


def test_unreadable_files_and_repeats(server: LoopbackServer, store: Archive) -> None:
    (path,) = archive_from(server, store, 1)
    stray = store.root / "stray.md"
    stray.write_text("no front matter here\n", encoding="utf-8")
    requests = len(server.requests)

    run = Update(store, [path, stray, path])
    assert run.report.counts == {"unchanged": 1, "failed": 1}  # the repeat is updated once
    failed = run.result_for(stray)
    assert isinstance(failed.error, StoreError) and failed.attempts == 0
    assert server.requests[requests:] == ["/robots.txt", "/news/0"]
