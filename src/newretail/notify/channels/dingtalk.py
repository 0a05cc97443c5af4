"""DingTalk: work notices to staff through the brand's app, and group robots.

Work notice (settings ``mode: work_notice``, ``app_key``, ``agent_id``; secret: the app
secret): ``GET /gettoken?appkey=&appsecret=`` answers ``access_token``, then ``POST
/topapi/message/corpconversation/asyncsend_v2?access_token=`` with ``agent_id``,
``userid_list`` and a text ``msg``. The address is the staff member's DingTalk user id.

Group robot (``mode: robot``, ``access_token``; secret: the robot's signing secret):
``POST /robot/send?access_token=&timestamp=&sign=`` where ``sign`` is
``base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}"))``, URL-encoded.

``base_url`` (default ``https://oapi.dingtalk.com``) lets tests point it at a fake server.
"""

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

import httpx

from newretail.notify.channels.base import (
    ChannelConfig,
    Outcome,
    Outgoing,
    http_failure,
    vendor_answer,
)

BASE_URL = "https://oapi.dingtalk.com"


def robot_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return quote_plus(base64.b64encode(digest.digest()).decode())


def _content(outgoing: Outgoing) -> str:
    return f"{outgoing.subject}\n{outgoing.body}" if outgoing.subject else outgoing.body


def deliver(client: httpx.Client, outgoing: Outgoing, config: ChannelConfig) -> Outcome:
    if config.secret is None:
        return Outcome.failed("DingTalk needs its secret", retry=False)
    base = config.text("base_url", BASE_URL).rstrip("/")
    try:
        if config.text("mode", "work_notice") == "robot":
            return _robot(client, base, outgoing, config, config.secret)
        return _work_notice(client, base, outgoing, config, config.secret)
    except httpx.HTTPError as exc:
        return http_failure(exc)


def _robot(
    client: httpx.Client, base: str, outgoing: Outgoing, config: ChannelConfig, secret: str
) -> Outcome:
    timestamp = int(time.time() * 1000)
    url = (
        f"{base}/robot/send?access_token={quote_plus(config.text('access_token'))}"
        f"&timestamp={timestamp}&sign={robot_sign(secret, timestamp)}"
    )
    body = {"msgtype": "text", "text": {"content": _content(outgoing)}}
    return vendor_answer(client.post(url, json=body), ok_key="errcode", ok_value=0)


def _work_notice(
    client: httpx.Client, base: str, outgoing: Outgoing, config: ChannelConfig, secret: str
) -> Outcome:
    if not outgoing.address:
        return Outcome.failed("no DingTalk user id for this person", retry=False)
    token = client.get(
        f"{base}/gettoken", params={"appkey": config.text("app_key"), "appsecret": secret}
    )
    answer = token.json() if token.status_code == 200 else {}
    access_token = answer.get("access_token")
    if not access_token:
        return Outcome.failed(f"no access token (errcode {answer.get('errcode')!r})")
    body = {
        "agent_id": config.text("agent_id"),
        "userid_list": outgoing.address,
        "msg": {"msgtype": "text", "text": {"content": _content(outgoing)}},
    }
    response = client.post(
        f"{base}/topapi/message/corpconversation/asyncsend_v2",
        params={"access_token": access_token},
        json=body,
    )
    return vendor_answer(response, ok_key="errcode", ok_value=0)
