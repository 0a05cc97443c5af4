"""A fake of WeChat Pay API v3 (direct merchant): codepay, query, reverse, refunds, JSAPI and
H5 prepay, and notifications. Every request's Authorization must verify under the
merchant's public key; every answer and notification is signed with the platform key.

What a payment code does is set per code in ``codes``:

    success     paid at once
    paying      202 USERPAYING; the consumer confirms before the first query
    lost        the answer is lost; the consumer never confirms
    lost_paid   the answer is lost, but the money was taken
    declined    403 NOT_ENOUGH
"""

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.payment_fakes import signing
from tests.payment_fakes.keys import KeyPair
from tests.payment_fakes.server import FakeServer, Reply, Request

PAY = "/v3/pay/transactions/"
TRADE = "/v3/pay/transactions/out-trade-no/"


@dataclass
class Trade:
    out_trade_no: str
    amount: int
    state: str
    behaviour: str = "success"
    notify_url: str = ""
    refunded: int = 0
    transaction_id: str = field(default_factory=lambda: f"42000{secrets.randbelow(10**20):020d}")


@dataclass
class FakeWeChatPay:
    merchant_id: str
    app_id: str
    key_serial: str
    merchant: KeyPair
    platform: KeyPair
    platform_key_id: str
    api_v3_key: str
    codes: dict[str, str] = field(default_factory=dict)
    trades: dict[str, Trade] = field(default_factory=dict)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    seen: list[tuple[str, str]] = field(default_factory=list)
    refused_signatures: int = 0
    drop_reversals: int = 0

    def start(self) -> FakeServer:
        return FakeServer(self.handle)

    # ---- the API ------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        body = request.body.decode()
        self.seen.append((request.method, urlsplit(request.path).path))
        fields = signing.verify_wechat_request(
            self.merchant.public,
            method=request.method,
            url=request.path,
            body=body,
            authorization=request.headers.get("Authorization", ""),
        )
        if fields is None or (fields["mchid"], fields["serial_no"]) != (
            self.merchant_id,
            self.key_serial,
        ):
            self.refused_signatures += 1
            return self.answer(401, {"code": "SIGN_ERROR", "message": "bad signature"})
        data = json.loads(body) if body else {}
        return self.route(request.method, urlsplit(request.path).path, data)

    def route(self, method: str, path: str, data: dict[str, Any]) -> Reply:
        if method == "POST" and path == PAY + "codepay":
            return self.codepay(data)
        if method == "POST" and path in (PAY + "jsapi", PAY + "h5"):
            return self.prepay(path.rsplit("/", 1)[1], data)
        if method == "GET" and path.startswith(TRADE):
            return self.query(path.removeprefix(TRADE))
        if method == "POST" and path.startswith(TRADE) and path.endswith("/reverse"):
            return self.reverse(path.removeprefix(TRADE).removesuffix("/reverse"))
        if method == "POST" and path == "/v3/refund/domestic/refunds":
            return self.refund(data)
        return self.answer(404, {"code": "NOT_FOUND", "message": path})

    def codepay(self, data: dict[str, Any]) -> Reply:
        if (data.get("mchid"), data.get("appid")) != (self.merchant_id, self.app_id):
            return self.answer(400, {"code": "PARAM_ERROR", "message": "mchid/appid"})
        behaviour = self.codes.get(data["payer"]["auth_code"], "success")
        state = {"success": "SUCCESS", "lost_paid": "SUCCESS", "declined": "PAYERROR"}
        trade = Trade(
            data["out_trade_no"],
            data["amount"]["total"],
            state.get(behaviour, "USERPAYING"),
            behaviour,
        )
        self.trades[trade.out_trade_no] = trade
        if behaviour in ("lost", "lost_paid"):
            return Reply(0, drop=True)
        if behaviour == "declined":
            return self.answer(403, {"code": "NOT_ENOUGH", "message": "insufficient balance"})
        if behaviour == "paying":
            return self.answer(202, {"code": "USERPAYING", "message": "waiting for password"})
        return self.answer(200, self.transaction(trade))

    def query(self, out_trade_no: str) -> Reply:
        trade = self.trades.get(out_trade_no)
        if trade is None:
            return self.answer(404, {"code": "ORDER_NOT_EXIST", "message": "no such order"})
        if trade.behaviour == "paying" and trade.state == "USERPAYING":
            trade.state = "SUCCESS"
        return self.answer(200, self.transaction(trade))

    def reverse(self, out_trade_no: str) -> Reply:
        if self.drop_reversals:
            self.drop_reversals -= 1
            return Reply(0, drop=True)
        trade = self.trades.get(out_trade_no)
        if trade is None:
            return self.answer(404, {"code": "ORDER_NOT_EXIST", "message": "no such order"})
        trade.state = "REVOKED"
        return self.answer(200, {"out_trade_no": out_trade_no})

    def refund(self, data: dict[str, Any]) -> Reply:
        trade = self.trades.get(data.get("out_trade_no", ""))
        amount = data["amount"]
        if (
            trade is None
            or trade.state != "SUCCESS"
            or amount["total"] != trade.amount
            or trade.refunded + amount["refund"] > trade.amount
        ):
            return self.answer(400, {"code": "INVALID_REQUEST", "message": "cannot refund"})
        trade.refunded += amount["refund"]
        record = {
            "refund_id": f"50300{secrets.randbelow(10**20):020d}",
            "out_refund_no": data["out_refund_no"],
            "out_trade_no": trade.out_trade_no,
            "status": "PROCESSING",
            "amount": amount,
        }
        self.refunds.append(record)
        return self.answer(200, record)

    def prepay(self, kind: str, data: dict[str, Any]) -> Reply:
        if kind == "jsapi" and not data.get("payer", {}).get("openid"):
            return self.answer(400, {"code": "PARAM_ERROR", "message": "payer.openid"})
        trade = Trade(data["out_trade_no"], data["amount"]["total"], "NOTPAY")
        trade.notify_url = data["notify_url"]
        self.trades[trade.out_trade_no] = trade
        if kind == "h5":
            return self.answer(
                200, {"h5_url": f"https://wx.example/h5?prepay={trade.transaction_id}"}
            )
        return self.answer(200, {"prepay_id": f"wx{trade.transaction_id}"})

    # ---- what the fake signs ------------------------------------------------------------

    def transaction(self, trade: Trade) -> dict[str, Any]:
        return {
            "appid": self.app_id,
            "mchid": self.merchant_id,
            "out_trade_no": trade.out_trade_no,
            "transaction_id": trade.transaction_id,
            "trade_state": trade.state,
            "amount": {"total": trade.amount, "payer_total": trade.amount, "currency": "CNY"},
        }

    def signed_headers(self, body: str) -> dict[str, str]:
        stamp, nonce = str(int(time.time())), secrets.token_hex(16)
        message = signing.wechat_answer_message(stamp, nonce, body)
        return {
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signing.rsa_sign(self.platform.private, message),
            "Wechatpay-Serial": self.platform_key_id,
            "Wechatpay-Signature-Type": signing.WECHAT_SCHEME,
        }

    def answer(self, status: int, data: dict[str, Any]) -> Reply:
        body = json.dumps(data)
        headers = {"Content-Type": "application/json", **self.signed_headers(body)}
        return Reply(status, body.encode(), headers)

    def consumer_pays(self, out_trade_no: str) -> tuple[dict[str, str], bytes]:
        """The consumer pays a prepared trade in WeChat: its notification, signed."""
        trade = self.trades[out_trade_no]
        trade.state = "SUCCESS"
        return self.notification(trade)

    def notification(self, trade: Trade) -> tuple[dict[str, str], bytes]:
        nonce = secrets.token_hex(6)
        resource = json.dumps({**self.transaction(trade), "trade_type": "JSAPI"})
        body = json.dumps(
            {
                "id": secrets.token_hex(8),
                "create_time": time.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
                "resource_type": "encrypt-resource",
                "event_type": "TRANSACTION.SUCCESS",
                "summary": "payment succeeded",
                "resource": {
                    "original_type": "transaction",
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": signing.wechat_encrypt(
                        self.api_v3_key, resource, nonce=nonce, associated_data="transaction"
                    ),
                    "associated_data": "transaction",
                    "nonce": nonce,
                },
            }
        )
        return self.signed_headers(body), body.encode()
