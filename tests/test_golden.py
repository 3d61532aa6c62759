"""Golden files: the complete file `newsarchive fetch` writes for a few dozen corpus pages,
compared byte for byte with tests/fixtures/expected/<page id>.md.

The pages are chosen across the corpus's collections, languages and features (bylines and
lead pictures, wire bylines, paywall teasers, CJK and right-to-left scripts, tables). Each is
rendered as benchmarks/corpus_hashes.py renders it: the saved page read as a local file with
its URL, extracted, and the file rendered with a fixed fetch time.

When a change to the extractor is meant to change what it writes, regenerate the files and
review the difference in `git diff` before committing it:

    .venv/bin/python tests/test_golden.py              # every golden file
    .venv/bin/python tests/test_golden.py PAGE_ID ...  # only these pages
"""

from __future__ import annotations

import difflib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
EXPECTED = Path(__file__).parent / "fixtures" / "expected"
CORPUS_HASHES = Path(__file__).resolve().parents[1] / "benchmarks" / "corpus_hashes.py"

GOLDEN_PAGES = (
    # News pages with a byline, a lead picture and its caption
    "sh-7a457a4f71735c17",
    "sh-ea25dd7edff4d279",  # and a standfirst
    "sh-5fa3154ec031ab35",  # an editorial, with a standfirst
    "sh-f8ff621a0b9b7646",
    "sh-35b158918c676ff2",
    "mc-1708999888",
    "sh-0dd1357045727799",  # block quotes
    # Wire bylines: Associated Press, Reuters, dpa
    "sh-7de5241947a5f714",
    "sh-a6968f427cdb7865",
    "mc-1536545428",
    "mc-1808293409",
    # Paywall teasers, archived as partial
    "sh-042bb7b5fedab6ea",
    "tf-scmp.com.playbook",  # the JSON-LD articleBody is much longer than the text shown
    "tf-0a12df42d1764095989ab078ee0f940b",
    "hd-portsmouth.co.uk-christmas",
    "mc-1511056469",
    # Chinese, Japanese, Korean
    "tf-nhk.or.jp.k100",  # ruby annotations
    "n4k-japanese_article2",
    "hd-n.news.naver.com-607",
    "mc-1728970162",
    "tf-xinhuanet.com.c_1125597921",
    # Arabic and Persian
    "mc-1784190729",
    "mc-1623715966",
    "mc-1641304459",
    # Tables
    "sh-51374560f40088e2",
    "tf-toralin.de.schmierfett",
    "tf-lemire.me.json",
    # German, French, Spanish, Russian, Italian, Ukrainian, Polish
    "tf-heise.de.lithium",
    "tf-ledevoir.com.trottinettes",
    "tf-losandes.com-mendoza",
    "sh-c82b3d1d540bbbd6",
    "tf-lastampa.it.temperature",
    "mc-1628285861",
    "tf-windows-10-od-lipca-przestanie-obsugiwac-adobe-flash",
    # Pictures: a lead photo and its credit in a table of their own; lazy-loaded photos,
    # one inside a share link in a paragraph
    "sh-c00962aabe7bdd1f",
    "sh-65bf3048b500bbd8",
    "sh-ec7fc408c5ce66c2",
    # The newspaper4k and htmldate sets
    "n4k-cnn_test_nlp",
    "n4k-fox13now_001",
    "hd-blog.todamax.net",
)

pytestmark = pytest.mark.slow


class Renderer:
    """Renders corpus pages with benchmarks/corpus_hashes.py, whose output the golden files
    record."""

    def __init__(self) -> None:
        spec = importlib.util.spec_from_file_location("corpus_hashes", CORPUS_HASHES)
        assert spec is not None and spec.loader is not None
        self.module: ModuleType = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.module)
        self.records = {rec["id"]: rec for rec in self.module.load_records(CORPUS)}

    def __call__(self, page_id: str) -> bytes:
        """The file `newsarchive fetch` writes for the corpus page `page_id`, as bytes."""
        rec = self.records[page_id]
        text: str = self.module.render_saved_page(CORPUS / rec["file"], rec.get("url") or None)
        return text.encode("utf-8")


@pytest.fixture(scope="module")
def render() -> Renderer:
    if not (CORPUS / "truth.jsonl").is_file():
        pytest.skip(f"shared corpus absent: {CORPUS}")
    return Renderer()


def readable_diff(page_id: str, expected: bytes, actual: bytes, limit: int = 120) -> str:
    lines = list(
        difflib.unified_diff(
            expected.decode("utf-8").splitlines(keepends=True),
            actual.decode("utf-8").splitlines(keepends=True),
            fromfile=f"expected/{page_id}.md",
            tofile="now",
        )
    )
    if len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more lines\n"]
    return "".join(lines)


@pytest.mark.parametrize("page_id", GOLDEN_PAGES)
def test_the_archived_file_is_unchanged(render: Renderer, page_id: str) -> None:
    expected_file = EXPECTED / f"{page_id}.md"
    assert expected_file.is_file(), f"no golden file for {page_id}: run tests/test_golden.py"
    expected = expected_file.read_bytes()
    actual = render(page_id)
    if actual != expected:
        diff = readable_diff(page_id, expected, actual)
        pytest.fail(f"{page_id}: the archived file changed\n{diff}", pytrace=False)


def test_every_golden_file_belongs_to_a_listed_page() -> None:
    stale = sorted(p.stem for p in EXPECTED.glob("*.md") if p.stem not in GOLDEN_PAGES)
    assert stale == []


def update(page_ids: list[str]) -> int:
    """Write the golden files of `page_ids` (all when empty); say which ones changed."""
    unknown = sorted(set(page_ids) - set(GOLDEN_PAGES))
    if unknown:
        print(f"not golden pages: {', '.join(unknown)} (add them to GOLDEN_PAGES)", file=sys.stderr)
        return 2
    if not (CORPUS / "truth.jsonl").is_file():
        print(f"corpus absent: {CORPUS}", file=sys.stderr)
        return 2
    render = Renderer()
    EXPECTED.mkdir(parents=True, exist_ok=True)
    for page_id in page_ids or GOLDEN_PAGES:
        path = EXPECTED / f"{page_id}.md"
        data = render(page_id)
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(update(sys.argv[1:]))
