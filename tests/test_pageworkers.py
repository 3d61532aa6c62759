"""The extraction processes that download their own pages (pageworkers.py): real processes,
a real server on 127.0.0.1, and the messages the coordinator gets."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import certifi
import pytest

import pagework
from httpserver import LoopbackServer
from newsarchive.errors import HTTPStatusError
from newsarchive.extracting import prepare_extraction
from newsarchive.fetch import network_environment
from newsarchive.inbox import Inbox
from newsarchive.models import FetchOptions
from newsarchive.pageworkers import Job, Message, PageWorkers
from newsarchive.tasks import is_transient

pytestmark = pytest.mark.slow


class Coordinator:
    """What crawl.py does with the messages: settle them in one thread, in order."""

    def __init__(self, count: int = 1, threads: int = 2) -> None:
        self.inbox = Inbox[Message]()
        self.workers = PageWorkers(
            count,
            threads=threads,
            fetch=FetchOptions(timeout=10),
            inbox=self.inbox,
            preload=("newsarchive.warmup",),
            setup=prepare_extraction,
        )
        self.workers.start()

    def next(self, kind: str) -> Message:
        """The next message of `kind` (settling those before it), within 60 s."""
        deadline = time.monotonic() + 60
        while True:
            message = self.inbox.get(max(0.0, deadline - time.monotonic()))
            assert message is not None, f"no {kind!r} message within 60 s"
            if message.kind == "lost":
                for answer in self.workers.lost(message):
                    self.inbox.put(answer)
                if kind == "lost":
                    return message
                continue
            self.workers.settle(message)
            if message.kind == kind:
                return message

    def wait_ready(self, count: int = 1) -> None:
        while sum(worker.ready for worker in self.workers.workers.values()) < count:
            self.next("ready")

    def close(self, *, abandon: bool = True) -> None:
        self.workers.close(abandon=abandon)
        self.inbox.close()


@pytest.fixture
def coordinator() -> Iterator[Coordinator]:
    made = Coordinator()
    yield made
    made.close()


def test_a_process_downloads_the_page_then_works_on_it(
    coordinator: Coordinator, server: LoopbackServer
) -> None:
    server.add("/a", "<html><body><p>Hello</p></body></html>")
    coordinator.wait_ready()
    coordinator.workers.download(Job(1, pagework.size_and_tag, ("x",), url=server.url("/a")))
    fetched = coordinator.next("fetched")
    assert (fetched.job, fetched.error, fetched.status) == (1, None, 200)
    assert fetched.latency > 0
    done = coordinator.next("done")
    assert (done.job, done.value) == (1, (38, 200, "x"))
    assert server.requests == ["/a"]


def test_a_failed_download_is_said_and_not_worked_on(
    coordinator: Coordinator, server: LoopbackServer
) -> None:
    server.add("/gone", "gone", status=410)
    server.add("/b", "<p>b</p>")
    coordinator.wait_ready()
    coordinator.workers.download(Job(1, pagework.size_and_tag, ("x",), url=server.url("/gone")))
    fetched = coordinator.next("fetched")
    assert isinstance(fetched.error, HTTPStatusError) and fetched.error.status == 410
    # The next job's answer is the next "done": none came for the failed download.
    coordinator.workers.download(Job(2, pagework.size_and_tag, ("y",), url=server.url("/b")))
    assert coordinator.next("done").job == 2


def test_what_the_work_raises_comes_back_as_its_value(
    coordinator: Coordinator, server: LoopbackServer
) -> None:
    server.add("/c", "<p>c</p>")
    coordinator.wait_ready()
    coordinator.workers.download(Job(7, pagework.broken_parser, (), url=server.url("/c")))
    done = coordinator.next("done")
    assert isinstance(done.value, ValueError)
    assert str(done.value) == f"cannot parse {server.url('/c')}"


def test_a_page_downloaded_elsewhere_is_worked_on_as_sent(coordinator: Coordinator) -> None:
    # Sent before any process is ready: it waits for the first.
    coordinator.workers.work(Job(3, pagework.echo, ("page", 1)))
    assert coordinator.next("done").value == ("page", 1)


def test_pages_sent_before_the_processes_are_ready_are_shared_among_them() -> None:
    made = Coordinator(count=2)
    try:
        for job in range(6):  # a site's first pages, downloaded as the processes start
            made.workers.work(Job(job, pagework.slow_echo, (0.5, "page", job)))
        done = [made.next("done") for _ in range(6)]
    finally:
        made.close()
    assert sorted(message.value for message in done) == [("page", job) for job in range(6)]
    # Each process had its half, not the first one ready all of them.
    assert sorted(message.worker for message in done) == [0, 0, 0, 1, 1, 1]


def test_a_process_that_dies_fails_its_jobs_and_is_replaced(
    coordinator: Coordinator, server: LoopbackServer
) -> None:
    server.add_handler("/slow", lambda handler: server.stall() and None)
    server.add("/d", "<p>d</p>")
    coordinator.wait_ready()
    url = server.url("/slow")
    coordinator.workers.download(Job(4, pagework.size_and_tag, ("x",), url=url))
    (worker,) = coordinator.workers.workers.values()
    assert worker.process.pid is not None
    os.kill(worker.process.pid, signal.SIGKILL)
    coordinator.next("lost")
    fetched = coordinator.next("fetched")
    assert fetched.job == 4 and fetched.error is not None
    assert fetched.error.url == url
    assert "the extraction process ended (exit code -9)" in str(fetched.error)
    assert is_transient(fetched.error)  # tried again: the page did not end the process
    # Another process takes its place and works.
    coordinator.wait_ready()
    coordinator.workers.download(Job(5, pagework.size_and_tag, ("y",), url=server.url("/d")))
    assert coordinator.next("done").value == (8, 200, "y")
    assert not coordinator.workers.failed


def test_processes_that_keep_dying_end_the_pool_s_use(server: LoopbackServer) -> None:
    made = Coordinator(count=1)
    try:
        made.workers.restarts = 0  # the next loss is one too many
        made.wait_ready()
        server.add_handler("/slow", lambda handler: server.stall() and None)
        made.workers.download(Job(6, pagework.size_and_tag, ("x",), url=server.url("/slow")))
        (worker,) = made.workers.workers.values()
        assert worker.process.pid is not None
        os.kill(worker.process.pid, signal.SIGKILL)
        made.next("lost")
        assert made.next("fetched").error is not None
        assert made.workers.failed and not made.workers.workers
    finally:
        made.close()


def test_a_process_downloads_with_the_environment_of_now(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The processes are forks of a server that may have started long before, in another
    # environment: they use the proxies and certificates the importing process has now.
    Coordinator().close()  # the server runs, in this environment
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    made = Coordinator()
    try:
        made.workers.work(Job(1, pagework.network_environment, ()))
        assert made.next("done").value == network_environment()
        assert network_environment()["https_proxy"] == "http://127.0.0.1:9"
    finally:
        made.close()


def test_a_pool_closed_while_its_processes_start_leaves_none_running() -> None:
    for abandon in (False, True):
        made = Coordinator(count=2)
        made.close(abandon=abandon)
        assert not any(process.is_alive() for process in made.workers.processes)


def test_the_coordinator_reads_the_processes_pipes_with_no_thread_of_its_own(
    server: LoopbackServer,
) -> None:
    # A thread per process reading its messages would cost the coordinator a wake-up and a
    # hand-over of the GIL for each; the messages are read where they are settled.
    before = {thread.ident for thread in threading.enumerate()}
    made = Coordinator(count=3)
    try:
        made.wait_ready(3)
        for starter in made.workers.starters:
            starter.join(30)
        assert {thread.ident for thread in threading.enumerate()} <= before
        server.add("/e", "<p>e</p>")
        made.workers.download(Job(8, pagework.size_and_tag, ("z",), url=server.url("/e")))
        assert made.next("done").value == (8, 200, "z")
    finally:
        made.close()
