"""Work for the extraction processes of tests/test_pageworkers.py: module-level functions, as
the processes need (they import them by name)."""

from __future__ import annotations

import time

from newsarchive.models import FetchedPage


def size_and_tag(page: FetchedPage, tag: str) -> tuple[int, int | None, str]:
    return len(page.raw), page.status, tag


def broken_parser(page: FetchedPage) -> None:
    raise ValueError(f"cannot parse {page.url}")


def echo(*args: object) -> tuple[object, ...]:
    return args


def slow_echo(seconds: float, *args: object) -> tuple[object, ...]:
    """`args`, after `seconds` of work (a page that takes its time)."""
    time.sleep(seconds)
    return args


def network_environment() -> dict[str, str]:
    from newsarchive.fetch import network_environment

    return network_environment()
