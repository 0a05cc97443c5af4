"""WeChat Pay API v3 through the ``wechatpayv3`` SDK, for one merchant account.

The SDK signs every request (Authorization: WECHATPAY2-SHA256-RSA2048 with the merchant's
key) and verifies every 2xx answer against the platform public key (or certificate); a
notification is verified the same way and its resource decrypted with the APIv3 key.
"""

import json
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

from newretail.observability import log
from newretail.payments import errors as payment_errors
from newretail.payments.providers import ChargeOutcome, ChargeResult, Notification
from newretail.payments.wallets import errors
from newretail.payments.wallets.base import CodeCharge, PrepayRequest, Scene
from newretail.payments.wallets.rules import CodeResult, CodeState, is_fresh

Answer = tuple[int, dict[str, Any]]
RETRYABLE = frozenset(
    {"SYSTEM_ERROR", "SYSTEMERROR", "BANK_ERROR", "BANKERROR", "FREQUENCY_LIMITED"}
)
NOT_PAID = frozenset({"NOTPAY", "CLOSED", "REVOKED", "PAYERROR"})
REFUND_ACCEPTED = frozenset({"SUCCESS", "PROCESSING"})
REFUND_ATTEMPTS = 3


def code_result(answer: Answer | None) -> CodeResult:
    """What a codepay answer means (None: no answer, or one that did not verify)."""
    if answer is None:
        return CodeResult(CodeState.UNKNOWN, reason="no answer")
    status, body = answer
    state, code = body.get("trade_state", ""), body.get("code", "")
    if status == 200 and state == "SUCCESS":
        return CodeResult(CodeState.PAID, transaction_id=str(body.get("transaction_id", "")))
    if state == "USERPAYING" or code == "USERPAYING":
        return CodeResult(CodeState.PAYING, reason="waiting for the consumer")
    if status >= 500 or status == 429 or code in RETRYABLE or 200 <= status < 300:
        return CodeResult(CodeState.UNKNOWN, reason=str(body.get("message", code or status)))
    return CodeResult(CodeState.DECLINED, reason=str(body.get("message", code or status))[:200])


def query_result(answer: Answer | None) -> CodeResult:
    if answer is None:
        return CodeResult(CodeState.UNKNOWN, reason="no answer")
    status, body = answer
    state = body.get("trade_state", "")
    if status == 200 and state in ("SUCCESS", "REFUND"):
        return CodeResult(CodeState.PAID, transaction_id=str(body.get("transaction_id", "")))
    if status == 200 and state == "USERPAYING":
        return CodeResult(CodeState.PAYING)
    if (status == 200 and state in NOT_PAID) or body.get("code") == "ORDER_NOT_EXIST":
        return CodeResult(CodeState.NOT_PAID, reason=str(state or "ORDER_NOT_EXIST"))
    return CodeResult(CodeState.UNKNOWN, reason=str(body.get("message", status)))


class WeChatPayProvider:
    name = "wechatpay"

    def __init__(
        self,
        *,
        merchant_id: str,
        app_id: str,
        key_serial: str,
        private_key_pem: str,
        api_v3_key: str,
        platform_key_pem: str,
        platform_key_id: str,
        gateway_url: str | None,
        timeout_seconds: float,
    ):
        from wechatpayv3 import WeChatPay, WeChatPayType

        self.merchant_id, self.app_id = merchant_id, app_id
        self._types = WeChatPayType
        self._api = WeChatPay(
            wechatpay_type=WeChatPayType.CODEPAY,
            mchid=merchant_id,
            private_key=private_key_pem,
            cert_serial_no=key_serial,
            appid=app_id,
            apiv3_key=api_v3_key,
            notify_url=None,  # given per prepay, so refunds ask for no notification
            public_key=platform_key_pem,
            public_key_id=platform_key_id,
            timeout=(timeout_seconds, timeout_seconds),
        )
        if gateway_url:
            # The SDK has no setting for its gateway; a test double or a proxy goes here.
            self._api._core._gate_way = gateway_url.rstrip("/")

    def _call(self, call: Callable[..., tuple[int, Any]], **kwargs: Any) -> Answer | None:
        """(status, JSON body) of one API call; None when there is no trustworthy answer."""
        import requests

        try:
            status, text = call(**kwargs)
        except requests.RequestException as exc:
            log.warning("wechatpay_no_answer", error=type(exc).__name__)
            return None
        except Exception as exc:  # noqa: BLE001 - the SDK raises a bare Exception for an answer whose signature does not verify
            log.warning("wechatpay_unverified_answer", error=str(exc)[:200])
            return None
        try:
            body = json.loads(text) if text else {}
        except (ValueError, TypeError):
            body = {}
        return status, body if isinstance(body, dict) else {}

    def charge(self, *, amount: int, currency: str, instruction: str | None) -> ChargeResult:
        raise errors.WalletMethodNotSupported()

    def pay_with_code(self, charge: CodeCharge) -> CodeResult:
        _check_currency(charge.currency)
        answer = self._call(
            self._api.pay,
            description=charge.description,
            out_trade_no=charge.out_trade_no,
            amount={"total": charge.amount, "currency": charge.currency},
            payer={"auth_code": charge.auth_code},
            scene_info={"store_info": {"out_id": charge.store_code}},
            pay_type=self._types.CODEPAY,
        )
        return code_result(answer)

    def query(self, *, out_trade_no: str) -> CodeResult:
        return query_result(self._call(self._api.query, out_trade_no=out_trade_no))

    def reverse(self, *, out_trade_no: str) -> bool:
        answer = self._call(self._api.codepay_reverse, out_trade_no=out_trade_no)
        if answer is None:
            return False
        status, body = answer
        return 200 <= status < 300 or body.get("code") == "ORDER_NOT_EXIST"

    def refund(self, *, provider_ref: str, amount: int) -> str:
        """Give ``amount`` back; the request is repeated (same refund number) if unanswered."""
        paid = self._call(self._api.query, out_trade_no=provider_ref)
        if paid is None or paid[0] != 200:
            raise errors.ProviderUnavailable("WeChat Pay did not say what was paid.")
        total = int(paid[1].get("amount", {}).get("total", amount))
        number = f"rf{secrets.token_hex(14)}"
        for _ in range(REFUND_ATTEMPTS):
            answer = self._call(
                self._api.refund,
                out_refund_no=number,
                amount={"refund": amount, "total": total, "currency": "CNY"},
                out_trade_no=provider_ref,
            )
            if answer is not None:
                break
        if answer is None:
            log.warning("wechatpay_refund_unanswered", out_refund_no=number, amount=amount)
            raise errors.ProviderUnavailable()
        status, body = answer
        if status != 200 or body.get("status") not in REFUND_ACCEPTED:
            raise errors.ProviderRefused(f"WeChat Pay: {body.get('message', body.get('status'))}")
        return str(body.get("refund_id") or number)

    def prepay(self, request: PrepayRequest) -> dict[str, str]:
        _check_currency(request.currency)
        scene: dict[str, Any]
        if request.scene is Scene.JSAPI:
            scene = {"payer": {"openid": request.payer_id}, "pay_type": self._types.JSAPI}
        else:
            info = {"payer_client_ip": request.client_ip, "h5_info": {"type": "Wap"}}
            scene = {"scene_info": info, "pay_type": self._types.H5}
        answer = self._call(
            self._api.pay,
            description=request.description,
            out_trade_no=request.out_trade_no,
            amount={"total": request.amount, "currency": request.currency},
            notify_url=request.notify_url,
            **scene,
        )
        if answer is None:
            raise errors.ProviderUnavailable()
        status, body = answer
        if status != 200:
            raise errors.ProviderRefused(f"WeChat Pay: {body.get('message', status)}")
        if request.scene is Scene.H5:
            return {"h5_url": str(body["h5_url"])}
        return self._jsapi_parameters(str(body["prepay_id"]))

    def _jsapi_parameters(self, prepay_id: str) -> dict[str, str]:
        """What the page passes to WeixinJSBridge / wx.requestPayment, signed (RSA)."""
        stamp, nonce = str(int(time.time())), secrets.token_hex(16)
        package = f"prepay_id={prepay_id}"
        signature = self._api.sign([self.app_id, stamp, nonce, package])
        return {
            "appId": self.app_id,
            "timeStamp": stamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": signature,
        }

    def parse_notification(self, *, headers: Mapping[str, str], body: bytes) -> Notification:
        lower = {k.lower(): v for k, v in headers.items()}
        if not is_fresh(lower.get("wechatpay-timestamp", ""), now=time.time()):
            raise payment_errors.InvalidSignature("The notification is missing its time or stale.")
        try:
            data = self._api.callback(lower, body)
        except Exception as exc:  # the SDK raises a bare Exception for an unknown signature type
            raise payment_errors.InvalidSignature() from exc
        if not data:  # the signature did not verify, or the resource did not decrypt
            raise payment_errors.InvalidSignature()
        resource = data.get("resource")
        if not isinstance(resource, dict) or resource.get("mchid") != self.merchant_id:
            raise payment_errors.InvalidNotification()
        return _notification(resource)


def _notification(resource: Mapping[str, Any]) -> Notification:
    state = resource.get("trade_state")
    try:
        ref, amount = str(resource["out_trade_no"]), int(resource["amount"]["total"])
    except (KeyError, TypeError, ValueError) as exc:
        raise payment_errors.InvalidNotification() from exc
    if state == "SUCCESS":
        return Notification(ref, ChargeOutcome.SUCCEEDED, amount)
    if state in NOT_PAID:
        return Notification(ref, ChargeOutcome.DECLINED, amount)
    raise payment_errors.InvalidNotification()


def _check_currency(currency: str) -> None:
    if currency != "CNY":
        raise errors.CurrencyNotSupported()
