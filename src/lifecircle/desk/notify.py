"""Send the queued notices: one sender interface, a 企业微信 group robot and an e-mail sender.

A :class:`Sender` takes a text and answers ``None`` when it was delivered, else what went
wrong; it never raises for a network failure, so one bad channel does not stop the others.
:func:`deliver_pending` sends what the outbox holds and records every attempt (the delivery
log); a notice is tried at most :data:`MAX_ATTEMPTS` times. Secrets (a robot's webhook URL
carries its key, an SMTP password) are read from the environment variable a channel names.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from lifecircle.desk.config import NotifyChannel
from lifecircle.desk.context import Desk
from lifecircle.desk.machine import RUNNING_STATES
from lifecircle.desk.notices import channels_for, local_time, public_summary
from lifecircle.errors import ConfigError
from lifecircle.i18n import t
from lifecircle.store.case_queries import CaseQuery
from lifecircle.store.outbox import Notice

MAX_ATTEMPTS = 5
TIMEOUT_S = 10.0
#: 企业微信 group robots take at most 2,048 bytes of text per message.
WECOM_MAX_BYTES = 2048


class Sender(Protocol):
    """Something that delivers a notice's text somewhere."""

    def send(self, text: str) -> str | None:
        """Deliver ``text``; return ``None`` on success, else what went wrong (one line)."""
        ...


def _clip_utf8(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


@dataclass(frozen=True)
class WeComRobot:
    """A 企业微信 (WeCom) group robot: POSTs ``{"msgtype": "text", …}`` to its webhook URL."""

    url: str
    timeout_s: float = TIMEOUT_S

    def send(self, text: str) -> str | None:
        """Post the text to the group; the robot answers ``{"errcode": 0}`` when it took it."""
        body = {"msgtype": "text", "text": {"content": _clip_utf8(text, WECOM_MAX_BYTES)}}
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:
                reply = json.loads(answer.read().decode("utf-8") or "{}")
        except (OSError, ValueError) as exc:  # URLError and timeouts are OSErrors
            return f"{type(exc).__name__}: {exc}"[:300]
        if not isinstance(reply, dict) or reply.get("errcode") != 0:
            return f"errcode {reply.get('errcode') if isinstance(reply, dict) else '?'}: {reply}"[
                :300
            ]
        return None


@dataclass(frozen=True)
class SmtpSender:
    """An e-mail list reached through an SMTP server (``security``: ssl, starttls or none)."""

    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    security: str = "starttls"
    user: str = ""
    password: str = ""
    timeout_s: float = TIMEOUT_S

    def send(self, text: str) -> str | None:
        """Send the text as a plain UTF-8 mail; its first line is the subject."""
        message = EmailMessage()
        message["Subject"] = text.splitlines()[0][:120] if text else "lifecircle"
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message.set_content(text)
        try:
            if self.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    timeout=self.timeout_s,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
            with client:
                if self.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.user:
                    client.login(self.user, self.password)
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            return f"{type(exc).__name__}: {exc}"[:300]
        return None


def _secret(channel: NotifyChannel, name: str, environ: Mapping[str, str]) -> str:
    """Return a channel option given directly, or through the environment variable it names."""
    direct = channel.options.get(name)
    if direct:
        return str(direct)
    variable = channel.options.get(f"{name}_env")
    if variable and environ.get(str(variable)):
        return environ[str(variable)]
    if variable:
        raise ConfigError("error.desk_config.no_env", channel=channel.name, variable=str(variable))
    return ""


def make_sender(channel: NotifyChannel, environ: Mapping[str, str] | None = None) -> Sender:
    """Build the sender a configured channel describes.

    Raises
    ------
    ConfigError
        A required option is missing, or the environment variable it names is not set.
    """
    env = os.environ if environ is None else environ
    if channel.kind == "wecom":
        url = _secret(channel, "url", env)
        if not url.startswith(("https://", "http://")):
            raise ConfigError("error.desk_config.channel", channel=channel.name, option="url")
        return WeComRobot(url)
    recipients = channel.options.get("to") or []
    host = str(channel.options.get("host", ""))
    if not host or not recipients or not channel.options.get("from"):
        raise ConfigError(
            "error.desk_config.channel", channel=channel.name, option="host, from, to"
        )
    return SmtpSender(
        host=host,
        port=int(channel.options.get("port", 587)),
        sender=str(channel.options["from"]),
        recipients=tuple(str(r) for r in recipients),
        security=str(channel.options.get("security", "starttls")),
        user=str(channel.options.get("user", "")),
        password=_secret(channel, "password", env),
    )


@dataclass(frozen=True)
class Delivery:
    """What one delivery run did."""

    sent: int
    failed: int
    errors: tuple[str, ...]


def deliver_pending(desk: Desk, *, senders: Mapping[str, Sender] | None = None) -> Delivery:
    """Send every queued notice once more (up to :data:`MAX_ATTEMPTS` tries each); log each try.

    The web app calls it after a step that queued notices; ``lifecircle desk notify`` (cron)
    retries what failed. Each notice is claimed first, so two senders never both send it.
    """
    made: dict[str, Sender] = dict(senders or {})
    channels = {c.name: c for c in desk.config.notify}
    sent = failed = 0
    errors: list[str] = []
    for row in desk.store.outbox.pending(max_attempts=MAX_ATTEMPTS, limit=500):
        if not desk.store.outbox.claim(row):
            continue  # another sender has it
        sender = made.get(row.channel)
        problem: str | None = None
        if sender is None and row.channel in channels:
            try:
                sender = made[row.channel] = make_sender(channels[row.channel])
            except ConfigError as exc:
                problem = str(exc)
        if sender is None:
            problem = problem or f"no channel {row.channel!r} in the configuration"
        else:
            problem = sender.send(row.text)
        desk.store.outbox.mark(row.id, sent_at=None if problem else desk.now(), error=problem)
        if problem:
            failed += 1
            errors.append(f"{row.channel}: {problem}")
        else:
            sent += 1
    return Delivery(sent, failed, tuple(errors))


def queue_overdue_reminders(desk: Desk) -> int:
    """Queue, per grid, one notice listing its overdue cases for the channels taking ``overdue``."""
    now = desk.now()
    lang = desk.settings.language
    overdue = desk.store.cases.find(
        CaseQuery(overdue_at=now, running_states=RUNNING_STATES, limit=5000)
    )
    by_grid: dict[str, list[str]] = {}
    for case in sorted(overdue, key=lambda c: c.due_resolution_at or 0):
        line = t(
            "desk.notice.overdue_line",
            lang,
            id=case.id,
            summary=public_summary(desk, case, lang),
            due=local_time(desk, case.due_resolution_at),
        )
        by_grid.setdefault(case.grid or "", []).append(line)
    notices = []
    for grid, lines in sorted(by_grid.items()):
        found = desk.store.grids.get(grid) if grid else None
        text = t(
            "desk.notice.overdue",
            lang,
            grid=found.name if found else "—",
            n=len(lines),
            lines="\n".join(lines[:30]),
        )
        notices += [
            Notice(c.name, "overdue", text)
            for c in channels_for(desk.config.notify, "overdue", grid)
        ]
    desk.store.outbox.queue(notices, now_s=now)
    return len(notices)
