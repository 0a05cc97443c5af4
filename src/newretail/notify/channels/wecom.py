"""WeCom (企业微信): application messages to staff, and group robots.

Application message (settings ``mode: app``, ``corp_id``, ``agent_id``; secret: the
application's secret): ``GET /cgi-bin/gettoken?corpid=&corpsecret=`` answers
``access_token``, then ``POST /cgi-bin/message/send?access_token=`` with ``touser`` (the
staff member's WeCom user id), ``msgtype: text``, ``agentid`` and ``text.content``.

Group robot (``mode: robot``; secret: the robot's key): ``POST
/cgi-bin/webhook/send?key=`` with a text body. The key is the robot's only credential.

``base_url`` (default ``https://qyapi.weixin.qq.com``) lets tests point it at a fake server.
"""

import httpx

from newretail.notify.channels.base import (
    ChannelConfig,
    Outcome,
    Outgoing,
    http_failure,
    vendor_answer,
)

BASE_URL = "https://qyapi.weixin.qq.com"


def _content(outgoing: Outgoing) -> str:
    return f"{outgoing.subject}\n{outgoing.body}" if outgoing.subject else outgoing.body


def deliver(client: httpx.Client, outgoing: Outgoing, config: ChannelConfig) -> Outcome:
    if config.secret is None:
        return Outcome.failed("WeCom needs its secret", retry=False)
    base = config.text("base_url", BASE_URL).rstrip("/")
    text = {"msgtype": "text", "text": {"content": _content(outgoing)}}
    try:
        if config.text("mode", "app") == "robot":
            response = client.post(
                f"{base}/cgi-bin/webhook/send", params={"key": config.secret}, json=text
            )
            return vendor_answer(response, ok_key="errcode", ok_value=0)
        if not outgoing.address:
            return Outcome.failed("no WeCom user id for this person", retry=False)
        token = client.get(
            f"{base}/cgi-bin/gettoken",
            params={"corpid": config.text("corp_id"), "corpsecret": config.secret},
        )
        answer = token.json() if token.status_code == 200 else {}
        access_token = answer.get("access_token")
        if not access_token:
            return Outcome.failed(f"no access token (errcode {answer.get('errcode')!r})")
        body = {"touser": outgoing.address, "agentid": config.text("agent_id"), **text}
        response = client.post(
            f"{base}/cgi-bin/message/send", params={"access_token": access_token}, json=body
        )
        return vendor_answer(response, ok_key="errcode", ok_value=0)
    except httpx.HTTPError as exc:
        return http_failure(exc)
