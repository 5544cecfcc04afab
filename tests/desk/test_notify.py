"""Notices: queued with the event, sent through one sender interface — a 企业微信 group robot and
an SMTP mail sender, each tested against a local server this test starts (no real network) —
every attempt logged, and no personal data in any of them."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from email import message_from_bytes
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lifecircle.desk import notify
from lifecircle.desk.config import NotifyChannel
from lifecircle.errors import ConfigError
from tests.desk.conftest import file, step


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@contextmanager
def robot(answer: dict) -> Iterator[tuple[str, list[dict]]]:
    """A local stand-in for a 企业微信 group robot webhook; yields its URL and what it got."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(
                {"path": self.path, "type": self.headers["Content-Type"], "json": json.loads(body)}
            )
            reply = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test", received
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def mail_server() -> Iterator[tuple[int, list[dict]]]:
    """A minimal local SMTP server (EHLO, MAIL, RCPT, DATA, QUIT); yields its port and mail."""
    got: list[dict] = []

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self.wfile.write(b"220 test ESMTP\r\n")
            envelope: dict = {"to": []}
            while line := self.rfile.readline():
                verb = line.decode().strip().upper()
                if verb.startswith(("EHLO", "HELO")):
                    self.wfile.write(b"250-test\r\n250 8BITMIME\r\n")
                elif verb.startswith("MAIL FROM"):
                    envelope["from"] = line.decode().split(":", 1)[1].strip()
                    self.wfile.write(b"250 OK\r\n")
                elif verb.startswith("RCPT TO"):
                    envelope["to"].append(line.decode().split(":", 1)[1].strip())
                    self.wfile.write(b"250 OK\r\n")
                elif verb == "DATA":
                    self.wfile.write(b"354 go on\r\n")
                    data = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        data += chunk
                    envelope["message"] = message_from_bytes(data, policy=default)
                    got.append(envelope)
                    self.wfile.write(b"250 queued\r\n")
                elif verb == "QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                else:
                    self.wfile.write(b"250 OK\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], got
    finally:
        server.shutdown()
        server.server_close()


def with_channels(desk, *channels: NotifyChannel):
    desk.config = replace(desk.config, notify=channels)
    return desk


def test_the_robot_gets_the_case_and_nothing_personal(desk, user):
    with robot({"errcode": 0, "errmsg": "ok"}) as (url, received):
        with_channels(
            desk,
            NotifyChannel(
                "一网格群",
                "wecom",
                frozenset({"intake", "whistle"}),
                frozenset({"G1"}),
                {"url": url},
            ),
        )
        case = file(desk, summary="3号楼楼上漏水")
        file(desk, category="sanitation", compound="华苑")  # G2: not this channel's grid
        step(desk, user("wang"), case, "whistle", departments=("property",), note="请物业报到")
        done = notify.deliver_pending(desk)
    assert (done.sent, done.failed) == (2, 0)
    assert [r["json"]["msgtype"] for r in received] == ["text", "text"]
    assert received[0]["type"].startswith("application/json")
    intake, whistle = (r["json"]["text"]["content"] for r in received)
    assert intake.startswith(f"【新事项 #{case.id}】漏水渗水 · 桃园里（一网格）")
    assert "3号楼楼上漏水" in intake and "11-02 11:00 前响应" in intake
    assert whistle.startswith(f"【吹哨 #{case.id}】请 物业服务企业 报到")
    for text in (intake, whistle):
        for secret in ("13812341234", "138****1234", "王阿姨", "2单元301", "楼上水管漏水"):
            assert secret not in text
    log = desk.store.outbox.log()
    assert all(row.sent_at == desk.now() and row.attempts == 1 and row.error is None for row in log)


def test_a_refusing_robot_is_logged_and_tried_again_up_to_the_limit(desk):
    with robot({"errcode": 93000, "errmsg": "invalid webhook url"}) as (url, received):
        with_channels(
            desk, NotifyChannel("群", "wecom", frozenset({"intake"}), frozenset(), {"url": url})
        )
        file(desk)
        for _ in range(notify.MAX_ATTEMPTS + 2):
            notify.deliver_pending(desk)
    assert len(received) == notify.MAX_ATTEMPTS
    (row,) = desk.store.outbox.log()
    assert row.sent_at is None and row.attempts == notify.MAX_ATTEMPTS and "93000" in row.error


def test_an_unreachable_robot_is_a_logged_failure_not_a_crash(desk):
    with robot({"errcode": 0}) as (url, _):
        pass  # the server is gone: its port refuses connections
    with_channels(
        desk, NotifyChannel("群", "wecom", frozenset({"intake"}), frozenset(), {"url": url})
    )
    file(desk)
    done = notify.deliver_pending(desk)
    assert (done.sent, done.failed) == (0, 1) and "URLError" in done.errors[0]


def test_mail_goes_through_smtp_with_a_subject_and_utf8_text(desk, user):
    with mail_server() as (port, got):
        channel = NotifyChannel(
            "街道邮箱",
            "smtp",
            frozenset({"finish"}),
            frozenset(),
            {
                "host": "127.0.0.1",
                "port": port,
                "security": "none",
                "from": "desk@example.cn",
                "to": ["jiedao@example.cn"],
            },
        )
        with_channels(desk, channel)
        case = file(desk, category="sanitation")
        step(desk, user("wang"), case, "finish", note="已清运")
        done = notify.deliver_pending(desk)
    assert done.sent == 1
    (mail,) = got
    assert mail["to"] == ["<jiedao@example.cn>"]
    message = mail["message"]
    assert message["Subject"] == f"【已办结 #{case.id}】环境卫生 · 桃园里（一网格）"
    assert "已办结" in message.get_content()


def test_secrets_come_from_the_environment_variable_a_channel_names(monkeypatch):
    channel = NotifyChannel(
        "群", "wecom", frozenset({"intake"}), frozenset(), {"url_env": "LC_TEST_ROBOT"}
    )
    with pytest.raises(ConfigError) as info:
        notify.make_sender(channel, environ={})
    assert "LC_TEST_ROBOT" in str(info.value)
    sender = notify.make_sender(
        channel, environ={"LC_TEST_ROBOT": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}
    )
    assert isinstance(sender, notify.WeComRobot)
    with pytest.raises(ConfigError):
        notify.make_sender(
            NotifyChannel("m", "smtp", frozenset(), frozenset(), {"host": "x"}), environ={}
        )


def test_overdue_reminders_list_each_grid_s_cases(desk, clock):
    with robot({"errcode": 0}) as (url, received):
        with_channels(
            desk, NotifyChannel("群", "wecom", frozenset({"overdue"}), frozenset(), {"url": url})
        )
        a = file(desk, category="sanitation", summary="垃圾未清运")
        file(desk, category="sanitation", compound="华苑")
        clock.set("2026-11-10 09:00")  # both were due 11-09 09:00
        assert notify.queue_overdue_reminders(desk) == 2
        notify.deliver_pending(desk)
    texts = sorted(r["json"]["text"]["content"] for r in received)
    assert texts[0].startswith("【超期提醒】一网格 有 1 件事项已超期")
    assert f"#{a.id} 垃圾未清运（应于 11-09 09:00 前办结）" in texts[0]
    assert texts[1].startswith("【超期提醒】二网格")


def test_long_texts_fit_the_robot_s_limit():
    text = "漏" * 2000  # 6,000 bytes of UTF-8
    clipped = notify._clip_utf8(text, notify.WECOM_MAX_BYTES)
    assert len(clipped.encode("utf-8")) <= notify.WECOM_MAX_BYTES and clipped.endswith("…")


def test_a_notice_is_claimed_once_so_two_senders_never_both_send_it(desk):
    with_channels(
        desk,
        NotifyChannel(
            "群", "wecom", frozenset({"intake"}), frozenset(), {"url": "http://127.0.0.1:9/x"}
        ),
    )
    file(desk)
    (row,) = desk.store.outbox.pending(max_attempts=notify.MAX_ATTEMPTS)
    assert desk.store.outbox.claim(row) is True
    assert desk.store.outbox.claim(row) is False  # the other sender read the same row
