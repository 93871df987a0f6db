"""Requests as Slack sends them to /slack/events: events (JSON), slash commands and button clicks (forms),
signed with Slack's v0 algorithm: ``v0=`` + HMAC-SHA256(secret, ``"v0:{timestamp}:{body}"``)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx
from fake_slack import TEAM

_ids = itertools.count(1)


def sign(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


class SlackSender:
    def __init__(self, http: httpx.Client, secret: str) -> None:
        self.http = http
        self.secret = secret

    def post(
        self,
        body: str,
        content_type: str,
        *,
        secret: str | None = None,
        age: float = 0,
        signed: bool = True,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        timestamp = str(int(time.time() - age))
        sent = {"Content-Type": content_type, **(headers or {})}
        if signed:
            sent["X-Slack-Request-Timestamp"] = timestamp
            sent["X-Slack-Signature"] = sign(secret or self.secret, timestamp, body)
        return self.http.post("/slack/events", content=body.encode(), headers=sent)

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None, **kw: Any
    ) -> httpx.Response:
        envelope = {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "api_app_id": "AKGQA",
            "type": "event_callback",
            "event": event,
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": "UKGQABOT", "is_bot": True}],
        }
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return self.post(json.dumps(envelope, ensure_ascii=False), "application/json", headers=headers, **kw)

    def command(
        self, text: str, *, response_url: str, user: str = "UALICE", channel: str = "CGENERAL", **kw: Any
    ) -> httpx.Response:
        form = {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": "alice",
            "command": "/kgqa",
            "text": text,
            "api_app_id": "AKGQA",
            "response_url": response_url,
            "trigger_id": f"trig{next(_ids)}",
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)

    def click(
        self,
        action: dict[str, Any],
        *,
        channel: str,
        response_url: str,
        message: dict[str, Any] | None,
        user: str = "UALICE",
    ) -> httpx.Response:
        """A block_actions payload for a click on ``action`` (a button dict from the bot's blocks)."""
        container: dict[str, Any] = {
            "type": "message",
            "channel_id": channel,
            "is_ephemeral": message is None,
        }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "test"},
            "api_app_id": "AKGQA",
            "user": {"id": user, "username": "alice", "team_id": TEAM},
            "channel": {"id": channel, "name": "general"},
            "container": container,
            "trigger_id": f"trig{next(_ids)}",
            "response_url": response_url,
            "actions": [
                {
                    "type": "button",
                    "action_id": action["action_id"],
                    "block_id": "b",
                    "value": action["value"],
                    "text": action["text"],
                    "action_ts": str(time.time()),
                }
            ],
        }
        if message is not None:
            container["message_ts"] = message["ts"]
            payload["message"] = message
        return self.post(
            urlencode({"payload": json.dumps(payload, ensure_ascii=False)}),
            "application/x-www-form-urlencoded",
        )
