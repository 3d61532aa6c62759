"""The coordinator's inbox (inbox.py): threads' events and pipes' messages in one wait."""

from __future__ import annotations

import multiprocessing
import socket
import threading
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection

import pytest

from newsarchive import inbox as inbox_mod
from newsarchive.inbox import Inbox


@pytest.fixture(params=["selector", "wait"])
def inbox(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Inbox[object]]:
    # "wait": as where pipes cannot be selected (Windows), `multiprocessing.connection.wait`
    monkeypatch.setattr(inbox_mod, "_SELECTABLE_PIPES", request.param == "selector")
    made = Inbox[object]()
    assert (made.selector is None) == (request.param == "wait")
    yield made
    made.close()


def _reader(pipe: Connection) -> object:
    try:
        return pipe.recv()
    except EOFError:
        return "ended"


def test_nothing_to_take_gives_none_after_the_timeout(inbox: Inbox[object]) -> None:
    started = time.monotonic()
    assert inbox.get(0.05) is None
    assert time.monotonic() - started >= 0.04


def test_a_thread_s_event_wakes_the_wait_at_once(inbox: Inbox[object]) -> None:
    timer = threading.Timer(0.05, inbox.put, args=("late",))
    timer.start()
    started = time.monotonic()
    assert inbox.get(30) == "late"
    assert time.monotonic() - started < 20  # woken by the event, not by the timeout
    timer.join()


def test_events_put_together_come_in_order(inbox: Inbox[object]) -> None:
    inbox.waker.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1024)
    for number in range(5000):
        inbox.put(number)
    with pytest.raises(BlockingIOError):  # more wake-ups than the socket holds
        inbox.waker.send(b"\0")
    assert [inbox.get(1) for _ in range(5000)] == list(range(5000))  # no event is lost
    assert inbox.get(0) is None


def test_a_watched_pipe_s_messages_are_read_in_order(inbox: Inbox[object]) -> None:
    ours, theirs = multiprocessing.Pipe()
    inbox.watch(ours, lambda: _reader(ours))
    theirs.send("fetched")
    theirs.send("done")
    inbox.put("written")
    taken = [inbox.get(5) for _ in range(3)]
    assert [event for event in taken if event != "written"] == ["fetched", "done"]
    assert "written" in taken
    assert inbox.get(0) is None


def test_a_pipe_whose_other_end_closes_is_read_once_more(inbox: Inbox[object]) -> None:
    ours, theirs = multiprocessing.Pipe()
    inbox.watch(ours, lambda: _reader(ours))
    theirs.close()
    assert inbox.get(5) == "ended"
    inbox.unwatch(ours)
    ours.close()
    assert inbox.get(0.01) is None  # no longer watched: nothing more from it


def test_an_unwatched_pipe_is_left_unread(inbox: Inbox[object]) -> None:
    ours, theirs = multiprocessing.Pipe()
    inbox.watch(ours, lambda: _reader(ours))
    inbox.unwatch(ours)
    theirs.send("kept")
    assert inbox.get(0.05) is None
    assert ours.poll(0) and ours.recv() == "kept"


def test_drain_takes_the_threads_events_without_reading_pipes(inbox: Inbox[object]) -> None:
    ours, theirs = multiprocessing.Pipe()
    inbox.watch(ours, lambda: _reader(ours))
    theirs.send("from the pipe")
    inbox.put(1)
    inbox.put(2)
    assert inbox.drain() == [1, 2]
    assert ours.poll(0)  # still there
    assert inbox.drain() == []


def test_an_event_put_after_close_is_not_an_error() -> None:
    # A download thread left running by an interrupted run may still finish.
    made = Inbox[object]()
    made.close()
    made.put("late")
    assert made.drain() == ["late"]
