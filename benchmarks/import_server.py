"""A local news server for the import benchmark: real publisher pages, simulated latency.

    .venv/bin/python benchmarks/import_server.py --hosts 10 --latency 0.2

Serves the 181 scrapinghub pages of ../shared/corpus on 127.0.0.1 ... 127.0.0.N, all on one
port (Linux routes the whole of 127/8 to the loopback interface, so these are distinct hosts
to a client). Every response, robots.txt included, is held back by --latency seconds, as a
distant server would be. Prints the port on stdout, then serves until killed.

Routes (the same on every host):

    /robots.txt          allows everything, no Crawl-delay
    /page/<id>/<slug>    page <id> as captured from its publisher
    /copy/<n>/<id>       page <id> with its canonical and og:url links removed, so each <n>
                         is a distinct article (for imports larger than 181 URLs)
    /_stats              {"requests": N}: requests served so far, this one excepted, answered
                         at once (the benchmark checks that a re-run makes no request)

With --pictures CA_FILE it is also a forward proxy (`newsarchive import --proxy`) that answers
for every other host with a picture (picture_proxy.py), so that the pages' pictures, named on
their publishers' hosts and CDNs, are served too.

The server is asyncio, HTTP/1.1 with keep-alive, in one process: waiting costs nothing, so it
adds no threads of its own to the CPU the benchmark measures (it runs in its own process).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

ROBOTS = b"User-agent: *\nDisallow:\n"
_CANONICAL = re.compile(
    rb"<link[^>]*rel=[\"']?canonical[^>]*>|<meta[^>]*property=[\"']?og:url[^>]*>", re.IGNORECASE
)


def load_pages() -> dict[str, tuple[str, bytes]]:
    """id -> (original URL, page bytes) for the scrapinghub pages with ground-truth bodies."""
    sys.path.insert(0, str(CORPUS))
    from load import iter_records, read_raw  # type: ignore[import-not-found]

    pages = {}
    for record in iter_records(has="body", collection="scrapinghub", with_html=False):
        pages[record["id"]] = (record["url"], read_raw(record))
    return pages


def page_path(page_id: str, url: str) -> str:
    """`/page/<id>/<last part of the original path>`: readable, and unique through the id."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", url.rstrip("/").rsplit("/", 1)[-1])[:80] or "index"
    return f"/page/{page_id}/{slug}"


class NewsServer:
    def __init__(self, pages: dict[str, tuple[str, bytes]], latency: float) -> None:
        self.pages = pages
        self.latency = latency
        self.copies: dict[str, bytes] = {}
        self.requests = 0

    def respond(self, path: str) -> tuple[int, str, bytes]:
        parts = path.split("?", 1)[0].split("/")
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", ROBOTS
        if len(parts) >= 3 and parts[1] == "page" and parts[2] in self.pages:
            return 200, "text/html; charset=utf-8", self.pages[parts[2]][1]
        if len(parts) == 4 and parts[1] == "copy" and parts[3] in self.pages:
            body = self.copies.get(parts[3])
            if body is None:
                body = self.copies[parts[3]] = _CANONICAL.sub(b"", self.pages[parts[3]][1])
            return 200, "text/html; charset=utf-8", body
        return 404, "text/html; charset=utf-8", b"<html><body><h1>Not found</h1></body></html>"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self.serve(reader, writer)

    async def answer(self, target: str, origin: str | None) -> tuple[int, str, bytes]:
        """The response to a request for `target` (a path, or an absolute URL when asked as a
        proxy), inside a tunnel to `origin` ("https://host") when there is one."""
        await asyncio.sleep(self.latency)
        return self.respond(target)

    async def serve(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: bytes | None = None,
        origin: str | None = None,
    ) -> None:
        """Answer requests on one connection (`request`: its first line, already read)."""
        try:
            while True:
                request = request or await reader.readline()
                if not request:
                    break
                keep_alive = request.rstrip().endswith(b"HTTP/1.1")
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"connection":
                        keep_alive = value.strip().lower() == b"keep-alive" or (
                            keep_alive and value.strip().lower() != b"close"
                        )
                fields = request.split()
                path = fields[1].decode("latin-1") if len(fields) > 1 else "/"
                if path == "/_stats":
                    status, content_type = 200, "application/json"
                    body = json.dumps({"requests": self.requests}).encode()
                else:
                    self.requests += 1
                    status, content_type, body = await self.answer(path, origin)
                head = (
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Found'}\r\n"
                    f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                    f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
                )
                writer.write(head.encode("latin-1") + body)
                await writer.drain()
                request = None
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


async def serve(hosts: int, latency: float, port: int, ca_file: Path | None = None) -> None:
    if ca_file is None:
        server = NewsServer(load_pages(), latency)
    else:  # also a proxy serving every other host's pictures (picture_proxy.py)
        from picture_proxy import PictureProxy

        server = PictureProxy(load_pages(), latency, ca_file)
    first = await asyncio.start_server(server.handle, "127.0.0.1", port, backlog=1024)
    port = first.sockets[0].getsockname()[1]
    others = [
        await asyncio.start_server(server.handle, f"127.0.0.{n}", port, backlog=1024)
        for n in range(2, hosts + 1)
    ]
    print(port, flush=True)
    await asyncio.gather(*(s.serve_forever() for s in [first, *others]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=10, help="serve on 127.0.0.1 ... .N")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds before each answer")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--list", action="store_true", help="print page paths and exit")
    parser.add_argument(
        "--pictures",
        type=Path,
        metavar="CA_FILE",
        help="also be a proxy serving pictures for every other host (https too: the "
        "certificate authority to trust is written to CA_FILE); see picture_proxy.py",
    )
    args = parser.parse_args()
    if args.list:
        for page_id, (url, _) in load_pages().items():
            print(page_path(page_id, url))
        return
    try:
        asyncio.run(serve(args.hosts, args.latency, args.port, args.pictures))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
