"""Downloads from a local HTTP server (127.0.0.1, never the internet): resume, keep, errors."""

from __future__ import annotations

import email.utils
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from lifecircle.cli import main
from lifecircle.errors import FetchError
from lifecircle.io.fetch import fetch, region_url
from lifecircle.jobs.demo import demo_file

PBF = demo_file("nanjing_xinjiekou.osm.pbf").read_bytes()  # real OSM, served as the "extract"
MODIFIED = email.utils.formatdate(1_700_000_000, usegmt=True)


class Server:
    """A file server with HEAD, Range and If-Range that can break off its next answer."""

    def __init__(self) -> None:
        self.body, self.modified, self.break_after = PBF, MODIFIED, None
        self.requests: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_HEAD(self):
                server.requests.append(("HEAD", ""))
                if self.path != "/x.osm.pbf":
                    return self.send_error(404)
                self._headers(200, len(server.body))

            def do_GET(self):
                server.requests.append(("GET", self.headers.get("Range", "")))
                if self.path != "/x.osm.pbf":
                    return self.send_error(404)
                start = 0
                wanted = self.headers.get("Range", "")
                if wanted and self.headers.get("If-Range", server.modified) == server.modified:
                    start = int(wanted.removeprefix("bytes=").rstrip("-"))
                body = server.body[start:]
                self._headers(206 if start else 200, len(body), start)
                if server.break_after is not None:
                    self.wfile.write(body[: server.break_after])
                    server.break_after = None
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def _headers(self, status, length, start=0):
                self.send_response(status)
                self.send_header("Content-Length", str(length))
                self.send_header("Last-Modified", server.modified)
                self.send_header("Accept-Ranges", "bytes")
                if status == 206:
                    total = len(server.body)
                    self.send_header("Content-Range", f"bytes {start}-{total - 1}/{total}")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/x.osm.pbf"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server():
    found = Server()
    yield found
    found.httpd.shutdown()
    found.httpd.server_close()


def test_a_download_is_whole_and_dated_like_the_server_s_file(server, tmp_path):
    out = tmp_path / "x.osm.pbf"
    seen = []
    done = fetch(server.url, out, progress=lambda n, total: seen.append((n, total)))
    assert out.read_bytes() == PBF and not (tmp_path / "x.osm.pbf.part").exists()
    assert (done.size, done.resumed_from, done.kept) == (len(PBF), 0, False)
    assert out.stat().st_mtime == 1_700_000_000
    assert seen[-1] == (len(PBF), len(PBF))


def test_a_broken_download_resumes_where_it_stopped(server, tmp_path):
    out = tmp_path / "x.osm.pbf"
    half = len(PBF) // 2
    server.break_after = half
    with pytest.raises(FetchError, match=f"after {half} bytes") as info:
        fetch(server.url, out)
    assert "run it again to resume" in str(info.value)
    assert (tmp_path / "x.osm.pbf.part").read_bytes() == PBF[:half] and not out.exists()
    done = fetch(server.url, out)
    assert done.resumed_from == half and out.read_bytes() == PBF
    assert server.requests[-1] == ("GET", f"bytes={half}-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.osm.pbf"]


def test_a_part_of_an_older_file_starts_over(server, tmp_path):
    out = tmp_path / "x.osm.pbf"
    (tmp_path / "x.osm.pbf.part").write_bytes(b"an older version of the file")
    (tmp_path / "x.osm.pbf.part.date").write_text(MODIFIED)  # the part's file was dated so
    server.body = PBF[::-1]
    server.modified = email.utils.formatdate(1_800_000_000, usegmt=True)
    fetch(server.url, out)
    assert out.read_bytes() == PBF[::-1]
    assert server.requests[-1] == ("GET", "bytes=28-")  # asked to resume; the server said no


def test_a_current_file_is_kept(server, tmp_path):
    out = tmp_path / "x.osm.pbf"
    fetch(server.url, out)
    asked = len(server.requests)
    os.utime(out)  # downloaded just now
    assert fetch(server.url, out).kept and len(server.requests) == asked  # no request at all
    os.utime(out, (1_700_000_000, 1_700_000_000))
    assert fetch(server.url, out, max_age_days=0).kept  # same size, same date: asked by HEAD
    assert server.requests[-1] == ("HEAD", "")
    server.body, server.modified = PBF + b"x", email.utils.formatdate(1_800_000_000, usegmt=True)
    again = fetch(server.url, out, max_age_days=0)
    assert not again.kept and out.read_bytes() == PBF + b"x"


def test_offline_and_http_errors_are_one_clear_line(server, tmp_path):
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(server.url.replace("x.osm", "y.osm"), tmp_path / "y.osm.pbf")
    server.httpd.shutdown()
    server.httpd.server_close()
    with pytest.raises(FetchError, match=r"cannot reach http://127\.0\.0\.1") as info:
        fetch(server.url, tmp_path / "z.osm.pbf", timeout_s=5)
    assert "请检查网络" in info.value.message("zh")


def test_regions_are_geofabrik_s_china_sub_regions():
    assert (
        region_url("tianjin") == "https://download.geofabrik.de/asia/china/tianjin-latest.osm.pbf"
    )
    with pytest.raises(FetchError, match=r"unknown region .tianjn.*tianjin"):
        region_url("tianjn")


def test_the_command_downloads_and_credits_osm(server, tmp_path):
    out = tmp_path / "x.osm.pbf"
    args = ["--lang", "en", "fetch", "osm", "--url", server.url, "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Downloaded" in result.output and "© OpenStreetMap contributors" in result.output
    result = CliRunner().invoke(main, args)
    assert "is current" in result.output
    bad = CliRunner().invoke(main, ["--lang", "en", "fetch", "osm", "--region", "atlantis"])
    assert bad.exit_code == 1 and "unknown region 'atlantis'" in bad.output
