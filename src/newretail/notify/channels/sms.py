"""Text messages: the sandbox, and Alibaba Cloud SMS (Dysmsapi ``SendSms``).

The sandbox is what a brand without an SMS provider gets: it texts nothing, writes
nothing to the log, and keeps each phone's latest texts in memory for the demo's pages
and the tests (sign-in codes go to ``codes``, a ``SandboxOtpSender``, which shows a live
code only to whoever signs in with that phone).

Alibaba Cloud (settings ``provider: aliyun``, ``access_key_id``, ``sign_name``,
``templates``: our template key -> the provider's registered template code; secret: the
AccessKey secret): a signed RPC call, ``GET /?Action=SendSms&PhoneNumbers=&SignName=
&TemplateCode=&TemplateParam=...&Signature=``, where the signature is
``base64(HMAC-SHA1(secret + "&", "GET&%2F&" + percent(sorted canonical query)))``.
Success is ``{"Code": "OK"}``. ``base_url`` (default ``https://dysmsapi.aliyuncs.com``)
lets tests point it at a fake server.
"""

import base64
import hashlib
import hmac
import json
import threading
import uuid
from collections import defaultdict, deque
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from newretail.members import service as members_service
from newretail.notify.channels.base import (
    DELIVERED,
    ChannelConfig,
    Outcome,
    Outgoing,
    http_failure,
    vendor_answer,
)

BASE_URL = "https://dysmsapi.aliyuncs.com"
KEEP_PER_PHONE = 20


class SandboxTexts:
    """The sandbox SMS channel's memory: the latest texts per phone, and live sign-in codes."""

    def __init__(self) -> None:
        self.codes = members_service.SandboxOtpSender()
        self._texts: dict[str, deque[str]] = defaultdict(lambda: deque(maxlen=KEEP_PER_PHONE))
        self._lock = threading.Lock()

    def keep(self, phone: str, text: str) -> None:
        with self._lock:
            self._texts[phone].append(text)

    def texts_to(self, phone: str) -> list[str]:
        with self._lock:
            return list(self._texts.get(phone, ()))

    def code_for(self, phone: str) -> str | None:
        return self.codes.code_for(phone)

    def deliver(self, client: httpx.Client, outgoing: Outgoing, config: ChannelConfig) -> Outcome:
        del client, config
        if not outgoing.address:
            return Outcome.failed("no phone for this person", retry=False)
        self.keep(outgoing.address, outgoing.body)
        return DELIVERED


def _percent(value: str) -> str:
    return quote(value, safe="-_.~")


def aliyun_signature(secret: str, params: dict[str, str]) -> str:
    canonical = "&".join(f"{_percent(k)}={_percent(params[k])}" for k in sorted(params))
    to_sign = f"GET&{_percent('/')}&{_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def aliyun_params(outgoing: Outgoing, config: ChannelConfig, template_code: str) -> dict[str, str]:
    return {
        "AccessKeyId": config.text("access_key_id"),
        "Action": "SendSms",
        "Format": "JSON",
        "PhoneNumbers": (outgoing.address or "").removeprefix("+86"),
        "RegionId": config.text("region_id", "cn-hangzhou"),
        "SignName": config.text("sign_name"),
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": str(uuid.uuid4()),
        "SignatureVersion": "1.0",
        "TemplateCode": template_code,
        "TemplateParam": json.dumps(
            {k: str(v) for k, v in outgoing.variables.items()}, ensure_ascii=False
        ),
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
    }


def deliver_aliyun(client: httpx.Client, outgoing: Outgoing, config: ChannelConfig) -> Outcome:
    if config.secret is None:
        return Outcome.failed("Alibaba Cloud SMS needs its AccessKey secret", retry=False)
    if not outgoing.address:
        return Outcome.failed("no phone for this person", retry=False)
    codes = config.settings.get("templates") or {}
    template_code = codes.get(outgoing.template) if isinstance(codes, dict) else None
    if not template_code:
        return Outcome.failed(f"no provider template for {outgoing.template}", retry=False)
    params = aliyun_params(outgoing, config, str(template_code))
    params["Signature"] = aliyun_signature(config.secret, params)
    base = config.text("base_url", BASE_URL).rstrip("/")
    try:
        response = client.get(f"{base}/", params=params)
    except httpx.HTTPError as exc:
        return http_failure(exc)
    return vendor_answer(response, ok_key="Code", ok_value="OK")


# The process's sandbox: the demo's pages and the tests read what it kept.
SANDBOX = SandboxTexts()
