"""What the extraction processes of an import start with, and what the coordinator leaves out."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_the_coordinating_process_does_not_load_the_extractor() -> None:
    # An import's coordinator downloads and writes; trafilatura would cost it 20 MB and
    # start-up time. The extraction processes load it.
    code = (
        "import sys\n"
        "import newsarchive.batch\n"
        "print(sorted(n for n in ('trafilatura', 'lxml', 'justext') if n in sys.modules))\n"
    )
    assert _run(code) == "[]"


def test_the_forkserver_module_warms_up_and_freezes() -> None:
    code = (
        "import gc, sys\n"
        "import newsarchive.warmup\n"
        "from newsarchive import crawl\n"
        "import trafilatura.external\n"
        "print(crawl._warm, gc.get_freeze_count() > 1000, type(trafilatura.external.JT_STOPLIST))"
    )
    # The warm-up page sends trafilatura to its jusText fallback: the word lists are loaded.
    assert _run(code) == "True True <class 'frozenset'>"


def test_one_lower_cased_stoplist_serves_jusText() -> None:
    from newsarchive.extract import engine

    words = engine.all_stopwords()
    assert {"the", "und", "les", "которые"} <= words
    assert all(word == word.lower() for word in words)
    assert len(words) > 100_000
    # Used as it is, not copied again.
    assert engine.stoplist_as_is(words) is words
    assert engine.stoplist_as_is(("The", "Und")) == frozenset({"the", "und"})


def test_extraction_processes_yield_the_cpu_to_the_coordinator() -> None:
    code = (
        "import os\n"
        "from newsarchive import crawl\n"
        "before = os.nice(0)\n"
        "crawl._init_worker(os.getppid())\n"
        "print(os.nice(0) - before, crawl._warm)\n"
    )
    assert _run(code) == "5 True"
