"""A fake of the Alipay open platform gateway (RSA2): trade.pay, query, cancel, refund,
create, and notifications. Every request's ``sign`` must verify under the app's public key;
every answer and notification is signed with the Alipay key.

What a payment code does is set per code in ``codes`` (as in the WeChat Pay fake):
success, paying (10003, confirmed before the first query), lost, lost_paid, declined.
"""

import json
import secrets
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.payment_fakes import signing
from tests.payment_fakes.keys import KeyPair
from tests.payment_fakes.server import FakeServer, Reply, Request


def fen(yuan: str) -> int:
    return int(Decimal(yuan) * 100)


@dataclass
class Trade:
    out_trade_no: str
    amount: int
    status: str
    behaviour: str = "success"
    refunded: int = 0
    trade_no: str = field(default_factory=lambda: f"2026{secrets.randbelow(10**24):024d}")


@dataclass
class FakeAlipay:
    app_id: str
    app: KeyPair
    alipay: KeyPair
    codes: dict[str, str] = field(default_factory=dict)
    trades: dict[str, Trade] = field(default_factory=dict)
    refunds: list[dict[str, str]] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    refused_signatures: int = 0

    def start(self) -> FakeServer:
        return FakeServer(self.handle)

    def handle(self, request: Request) -> Reply:
        params = dict(parse_qsl(urlsplit(request.path).query, keep_blank_values=True))
        method = params.get("method", "")
        self.seen.append(method)
        content = signing.alipay_content(params)
        if (
            params.get("app_id") != self.app_id
            or params.get("sign_type") != "RSA2"
            or not signing.rsa_verify(self.app.public, content, params.get("sign", ""))
        ):
            self.refused_signatures += 1
            error = {
                "code": "40002",
                "msg": "Invalid Arguments",
                "sub_code": "isv.invalid-signature",
            }
            return self.answer("error_response", error)
        biz = json.loads(params.get("biz_content") or "{}")
        handler = {
            "alipay.trade.pay": self.pay,
            "alipay.trade.query": self.query,
            "alipay.trade.cancel": self.cancel,
            "alipay.trade.refund": self.refund,
            "alipay.trade.create": self.create,
        }.get(method)
        if handler is None:
            return self.answer("error_response", {"code": "40004", "msg": "unknown method"})
        return handler(params, biz)

    def pay(self, params: dict[str, str], biz: dict[str, Any]) -> Reply:
        behaviour = self.codes.get(biz["auth_code"], "success")
        status = {"success": "TRADE_SUCCESS", "lost_paid": "TRADE_SUCCESS"}
        trade = Trade(
            biz["out_trade_no"],
            fen(biz["total_amount"]),
            status.get(behaviour, "WAIT_BUYER_PAY"),
            behaviour,
        )
        self.trades[trade.out_trade_no] = trade
        if behaviour in ("lost", "lost_paid"):
            return Reply(0, drop=True)
        if behaviour == "declined":
            trade.status = "TRADE_CLOSED"
            failed = {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "ACQ.BUYER_BALANCE_NOT_ENOUGH",
                "sub_msg": "balance not enough",
            }
            return self.answer("alipay_trade_pay_response", failed)
        if behaviour == "paying":
            waiting = {"code": "10003", "msg": "order success pay inprocess", **self.trade(trade)}
            return self.answer("alipay_trade_pay_response", waiting)
        return self.answer(
            "alipay_trade_pay_response", {"code": "10000", "msg": "Success", **self.trade(trade)}
        )

    def query(self, params: dict[str, str], biz: dict[str, Any]) -> Reply:
        trade = self.trades.get(biz.get("out_trade_no", ""))
        if trade is None:
            missing = {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST"}
            return self.answer("alipay_trade_query_response", missing)
        if trade.behaviour == "paying" and trade.status == "WAIT_BUYER_PAY":
            trade.status = "TRADE_SUCCESS"
        found = {"code": "10000", "msg": "Success", **self.trade(trade)}
        return self.answer("alipay_trade_query_response", found)

    def cancel(self, params: dict[str, str], biz: dict[str, Any]) -> Reply:
        trade = self.trades.get(biz.get("out_trade_no", ""))
        if trade is not None:
            trade.status = "TRADE_CLOSED"
        done = {"code": "10000", "msg": "Success", "retry_flag": "N", "action": "close"}
        return self.answer("alipay_trade_cancel_response", done)

    def refund(self, params: dict[str, str], biz: dict[str, Any]) -> Reply:
        trade = self.trades.get(biz.get("out_trade_no", ""))
        amount = fen(biz["refund_amount"])
        if (
            trade is None
            or trade.status != "TRADE_SUCCESS"
            or trade.refunded + amount > trade.amount
        ):
            refused = {
                "code": "40004",
                "msg": "Business Failed",
                "sub_code": "ACQ.TRADE_STATUS_ERROR",
            }
            return self.answer("alipay_trade_refund_response", refused)
        trade.refunded += amount
        self.refunds.append(
            {"out_request_no": biz["out_request_no"], "refund_amount": biz["refund_amount"]}
        )
        done = {"code": "10000", "msg": "Success", "fund_change": "Y", **self.trade(trade)}
        return self.answer("alipay_trade_refund_response", done)

    def create(self, params: dict[str, str], biz: dict[str, Any]) -> Reply:
        trade = Trade(biz["out_trade_no"], fen(biz["total_amount"]), "WAIT_BUYER_PAY")
        self.trades[trade.out_trade_no] = trade
        made = {"code": "10000", "msg": "Success", **self.trade(trade)}
        return self.answer("alipay_trade_create_response", made)

    def trade(self, trade: Trade) -> dict[str, str]:
        return {
            "out_trade_no": trade.out_trade_no,
            "trade_no": trade.trade_no,
            "trade_status": trade.status,
            "total_amount": f"{Decimal(trade.amount) / 100:.2f}",
        }

    def answer(self, member: str, data: dict[str, Any]) -> Reply:
        inner = json.dumps(data, separators=(",", ":"))
        sign = signing.rsa_sign(self.alipay.private, inner)
        body = f'{{"{member}":{inner},"sign":"{sign}"}}'
        return Reply(200, body.encode(), {"Content-Type": "application/json;charset=utf-8"})

    def open_page(self, pay_url: str) -> Trade:
        """The consumer's browser opens an H5 payment URL: its signature must verify."""
        params = dict(parse_qsl(urlsplit(pay_url).query, keep_blank_values=True))
        content = signing.alipay_content(params)
        if not signing.rsa_verify(self.app.public, content, params.get("sign", "")):
            raise AssertionError("the H5 payment URL's signature does not verify")
        biz = json.loads(params["biz_content"])
        trade = Trade(biz["out_trade_no"], fen(biz["total_amount"]), "WAIT_BUYER_PAY")
        self.trades[trade.out_trade_no] = trade
        return trade

    def consumer_pays(self, out_trade_no: str) -> bytes:
        """The consumer pays an opened trade in Alipay: its notification form, signed."""
        trade = self.trades[out_trade_no]
        trade.status = "TRADE_SUCCESS"
        return self.notification(trade)

    def notification(self, trade: Trade, **changes: str) -> bytes:
        form = {
            "notify_time": time.strftime("%Y-%m-%d %H:%M:%S"),
            "notify_type": "trade_status_sync",
            "notify_id": secrets.token_hex(16),
            "app_id": self.app_id,
            "charset": "utf-8",
            "version": "1.0",
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "trade_status": trade.status,
            "total_amount": f"{Decimal(trade.amount) / 100:.2f}",
            **changes,
        }
        content = signing.alipay_content(form, leave_out=("sign", "sign_type"))
        form |= {"sign_type": "RSA2", "sign": signing.rsa_sign(self.alipay.private, content)}
        return urlencode(form).encode()
