"""Sending alerts: email through SMTP (stdlib ``smtplib``) or an HTTP POST of JSON to a webhook.

Both are given up after ``timeout`` seconds per try and retried with growing waits; a delivery that
still fails is reported and left in the outbox (``pending``) for the next ``monitor run``, never
raised into the loop. Broadcast text (vessel names) goes into a plain-text email and a JSON body,
never into markup; header values are reduced to one line. Credentials come from the environment:
``ARMSWATCH_SMTP_USER`` / ``ARMSWATCH_SMTP_PASSWORD`` (login when both are set) and
``ARMSWATCH_WEBHOOK_SECRET`` (when set, the body's HMAC-SHA256 goes in ``X-Armswatch-Signature``).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import re
import smtplib
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from armswatch.monitors.model import Notify

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def one_line(text: str, limit: int = 200) -> str:
    return _CONTROL.sub(" ", text).strip()[:limit]


def alert_payload(alert: Mapping[str, Any], monitor: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "alert": alert["id"], "monitor": monitor, "subject": alert["subject"], "event": alert["event_key"],
        "title": alert["title"], "finding": alert["finding_id"], "run": alert["run_id"],
        "created_at": alert["created_at"], "summary": alert.get("summary", ""),
    }  # fmt: skip


def send_email(notify: Notify, payload: Mapping[str, Any], timeout: float = 10.0) -> None:
    host, _, port = str(notify.smtp).rpartition(":")
    msg = EmailMessage()
    msg["Subject"] = "[armswatch] " + one_line(str(payload["title"]))
    msg["From"] = notify.sender
    msg["To"] = str(notify.email)
    mon = payload["monitor"]
    msg.set_content(
        f"{payload['title']}\n\n{payload['summary']}\n\nmonitor: {mon.get('name')} ({mon.get('id')}, {mon.get('kind')})\n"
        f"subject: {payload['subject']}\nfinding: {payload['finding']} (run {payload['run']})\n"
        f"alert: {payload['alert']} at {payload['created_at']}\n\n"
        f"armswatch findings show {payload['finding']}\n"
    )
    with smtplib.SMTP(host.strip("[]"), int(port), timeout=timeout) as smtp:
        if notify.starttls:
            smtp.starttls()
        user, password = os.environ.get("ARMSWATCH_SMTP_USER"), os.environ.get("ARMSWATCH_SMTP_PASSWORD")
        if user and password:
            smtp.login(user, password)
        smtp.send_message(msg)


def post_webhook(notify: Notify, payload: Mapping[str, Any], timeout: float = 10.0) -> None:
    body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": "armswatch-monitor"}
    secret = os.environ.get("ARMSWATCH_WEBHOOK_SECRET")
    if secret:
        headers["X-Armswatch-Signature"] = (
            "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        )
    request = urllib.request.Request(str(notify.webhook), data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # http(s) only: checked in Notify
        if not 200 <= response.status < 300:
            raise OSError(f"webhook answered HTTP {response.status}")


Send = Callable[[Notify, Mapping[str, Any]], None]


def send(notify: Notify, payload: Mapping[str, Any]) -> None:
    (send_email if notify.email else post_webhook)(notify, payload)


@dataclass(frozen=True)
class Retry:
    tries: int = 3
    first_wait: float = 1.0
    sleep: Callable[[float], None] = time.sleep


def deliver(
    notify: Notify, payload: Mapping[str, Any], retry: Retry, sender: Send = send
) -> tuple[bool, int, str | None]:
    """Try to send; returns (delivered, tries used, last error)."""
    error: str | None = None
    for attempt in range(retry.tries):
        try:
            sender(notify, payload)
            return True, attempt + 1, None
        except (
            OSError,
            smtplib.SMTPException,
            http.client.HTTPException,
            ValueError,
        ) as exc:  # URLError: OSError
            error = one_line(f"{type(exc).__name__}: {exc}", 500)
        if attempt + 1 < retry.tries:
            retry.sleep(retry.first_wait * 2**attempt)
    return False, retry.tries, error
