"""Local fake servers for the notifier's channels: they check each request as the vendor
would (tokens, robot signatures, bodies) and answer as the vendor does.

Each binds a free port in 8100-8199 on 127.0.0.1 and runs in a thread until closed.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.ports import serving_thread

PORTS = range(8100, 8200)


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""


Answer = Callable[[Seen], tuple[int, dict[str, Any]]]


@dataclass
class FakeVendor:
    """Routes by path to an answer; keeps every request it saw."""

    routes: dict[str, Answer]
    seen: list[Seen] = field(default_factory=list)
    base_url: str = ""
    # Set: every request must carry a valid webhook signature made with it (else 401).
    secret: str | None = None

    def paths(self) -> list[str]:
        return [s.path for s in self.seen]


def _handler(vendor: FakeVendor) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            seen = Seen(self.command, parts.path, query, body, dict(self.headers.items()), raw)
            vendor.seen.append(seen)
            route = vendor.routes.get(parts.path)
            status, answer = route(seen) if route else (404, {"errcode": 404})
            if vendor.secret is not None and not _signed(vendor.secret, seen):
                status, answer = 401, {"error": "bad signature"}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def _signed(secret: str, seen: Seen) -> bool:
    from newretail.integrations.rules import verify_signature

    return verify_signature(
        secret=secret,
        event_id=seen.headers.get("Webhook-Id", ""),
        timestamp=seen.headers.get("Webhook-Timestamp", ""),
        body=seen.raw,
        signature=seen.headers.get("Webhook-Signature", ""),
    )


@contextmanager
def serving(vendor: FakeVendor) -> Iterator[FakeVendor]:
    server = None
    for port in PORTS:
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), _handler(vendor))
            break
        except OSError:
            continue
    assert server is not None, "no free port in 8100-8199"
    thread = serving_thread(server)
    thread.start()
    vendor.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield vendor
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# ---- DingTalk ---------------------------------------------------------------------------


def dingtalk(*, app_key: str, app_secret: str, robot_token: str, robot_secret: str) -> FakeVendor:
    token = "dt-access-token"

    def gettoken(seen: Seen) -> tuple[int, dict[str, Any]]:
        if seen.query.get("appkey") != app_key or seen.query.get("appsecret") != app_secret:
            return 200, {"errcode": 40089, "errmsg": "invalid appkey or appsecret"}
        return 200, {"errcode": 0, "access_token": token, "expires_in": 7200}

    def asyncsend(seen: Seen) -> tuple[int, dict[str, Any]]:
        body = seen.body or {}
        if seen.query.get("access_token") != token:
            return 200, {"errcode": 88, "errmsg": "invalid access token"}
        if not body.get("agent_id") or not body.get("userid_list"):
            return 200, {"errcode": 400002, "errmsg": "missing agent_id or userid_list"}
        if body.get("msg", {}).get("msgtype") != "text":
            return 200, {"errcode": 400002, "errmsg": "bad msg"}
        return 200, {"errcode": 0, "task_id": 1}

    def robot(seen: Seen) -> tuple[int, dict[str, Any]]:
        timestamp = seen.query.get("timestamp", "")
        digest = hmac.new(
            robot_secret.encode(), f"{timestamp}\n{robot_secret}".encode(), hashlib.sha256
        ).digest()
        expected = base64.b64encode(digest).decode()
        if seen.query.get("access_token") != robot_token:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}
        if seen.query.get("sign") != expected:
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    return FakeVendor(
        {
            "/gettoken": gettoken,
            "/topapi/message/corpconversation/asyncsend_v2": asyncsend,
            "/robot/send": robot,
        }
    )


# ---- WeCom ------------------------------------------------------------------------------


def wecom(*, corp_id: str, corp_secret: str, robot_key: str) -> FakeVendor:
    token = "wc-access-token"

    def gettoken(seen: Seen) -> tuple[int, dict[str, Any]]:
        if seen.query.get("corpid") != corp_id or seen.query.get("corpsecret") != corp_secret:
            return 200, {"errcode": 40001, "errmsg": "invalid credential"}
        return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def send(seen: Seen) -> tuple[int, dict[str, Any]]:
        body = seen.body or {}
        if seen.query.get("access_token") != token:
            return 200, {"errcode": 40014, "errmsg": "invalid access_token"}
        if not body.get("touser") or body.get("msgtype") != "text" or not body.get("agentid"):
            return 200, {"errcode": 40008, "errmsg": "invalid message"}
        return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": ""}

    def robot(seen: Seen) -> tuple[int, dict[str, Any]]:
        if seen.query.get("key") != robot_key:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        if (seen.body or {}).get("msgtype") != "text":
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    return FakeVendor(
        {
            "/cgi-bin/gettoken": gettoken,
            "/cgi-bin/message/send": send,
            "/cgi-bin/webhook/send": robot,
        }
    )


# ---- Alibaba Cloud SMS ------------------------------------------------------------------


def aliyun_sms(*, access_key_id: str, secret: str) -> FakeVendor:
    """Checks the RPC signature of ``SendSms`` as the gateway does."""
    from urllib.parse import quote

    def percent(value: str) -> str:
        return quote(value, safe="-_.~")

    def send(seen: Seen) -> tuple[int, dict[str, Any]]:
        params = dict(seen.query)
        signature = params.pop("Signature", "")
        canonical = "&".join(f"{percent(k)}={percent(params[k])}" for k in sorted(params))
        to_sign = f"GET&%2F&{percent(canonical)}"
        digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
        if params.get("AccessKeyId") != access_key_id:
            return 404, {"Code": "InvalidAccessKeyId.NotFound"}
        if signature != base64.b64encode(digest).decode():
            return 400, {"Code": "SignatureDoesNotMatch"}
        if params.get("Action") != "SendSms" or not params.get("TemplateCode"):
            return 400, {"Code": "MissingParameter"}
        return 200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0"}

    return FakeVendor({"/": send})


# ---- a brand's webhook ------------------------------------------------------------------


def webhook_receiver(*, secret: str) -> FakeVendor:
    """Answers 204 to a correctly signed delivery, 401 otherwise (the headers are kept)."""
    return FakeVendor({"/hook": lambda seen: (200, {"ok": True})}, secret=secret)
