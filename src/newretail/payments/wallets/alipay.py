"""Alipay (open platform, RSA2) through ``python-alipay-sdk``, for one merchant account.

The SDK signs every request with the app's private key and verifies every answer against
the Alipay public key; a notification's form is verified the same way.
"""

import secrets
from collections.abc import Callable, Mapping
from typing import Any
from urllib.error import URLError
from urllib.parse import parse_qsl

from newretail.observability import log
from newretail.payments import errors as payment_errors
from newretail.payments.providers import ChargeOutcome, ChargeResult, Notification
from newretail.payments.wallets import errors
from newretail.payments.wallets.base import CodeCharge, PrepayRequest, Scene
from newretail.payments.wallets.rules import CodeResult, CodeState, fen, same_text, yuan

SUCCESS, PAYING, UNKNOWN = "10000", "10003", "20000"
NOT_EXIST = "ACQ.TRADE_NOT_EXIST"
RETRYABLE = frozenset({"ACQ.SYSTEM_ERROR", "aop.ACQ.SYSTEM_ERROR"})
PAID_STATES = frozenset({"TRADE_SUCCESS", "TRADE_FINISHED"})
REFUND_ATTEMPTS = 3


def code_result(answer: Mapping[str, Any] | None) -> CodeResult:
    """What an ``alipay.trade.pay`` answer means (None: no answer that verified)."""
    if answer is None:
        return CodeResult(CodeState.UNKNOWN, reason="no answer")
    code, sub_code = answer.get("code"), answer.get("sub_code", "")
    if code == SUCCESS:
        return CodeResult(CodeState.PAID, transaction_id=str(answer.get("trade_no", "")))
    if code == PAYING:
        return CodeResult(CodeState.PAYING, reason="waiting for the consumer")
    if code == UNKNOWN or sub_code in RETRYABLE:
        return CodeResult(CodeState.UNKNOWN, reason=str(answer.get("sub_msg", code)))
    return CodeResult(CodeState.DECLINED, reason=str(answer.get("sub_msg") or sub_code)[:200])


def query_result(answer: Mapping[str, Any] | None) -> CodeResult:
    if answer is None:
        return CodeResult(CodeState.UNKNOWN, reason="no answer")
    status = answer.get("trade_status", "")
    if answer.get("code") == SUCCESS and status in PAID_STATES:
        return CodeResult(CodeState.PAID, transaction_id=str(answer.get("trade_no", "")))
    if answer.get("code") == SUCCESS and status == "WAIT_BUYER_PAY":
        return CodeResult(CodeState.PAYING)
    if status == "TRADE_CLOSED" or answer.get("sub_code") == NOT_EXIST:
        return CodeResult(CodeState.NOT_PAID, reason=str(status or NOT_EXIST))
    return CodeResult(CodeState.UNKNOWN, reason=str(answer.get("sub_msg", answer.get("code"))))


class AlipayProvider:
    name = "alipay"

    def __init__(
        self,
        *,
        app_id: str,
        private_key_pem: str,
        alipay_public_key_pem: str,
        gateway_url: str | None,
        timeout_seconds: float,
    ):
        from alipay import AliPay
        from alipay.utils import AliPayConfig

        self.app_id = app_id
        self._api = AliPay(
            appid=app_id,
            app_private_key_string=private_key_pem,
            alipay_public_key_string=alipay_public_key_pem,
            sign_type="RSA2",
            config=AliPayConfig(timeout=timeout_seconds),
        )
        if gateway_url:
            # The SDK has no setting for its gateway; a test double or a proxy goes here.
            self._api._gateway = gateway_url
        self.gateway_url: str = self._api._gateway

    def _call(self, call: Callable[..., Any], **kwargs: Any) -> dict[str, Any] | None:
        """The verified answer of one API call; None when there is no trustworthy answer."""
        from alipay.exceptions import AliPayException, AliPayValidationError

        try:
            answer = call(**kwargs)
        except (URLError, OSError, ValueError) as exc:
            log.warning("alipay_no_answer", error=type(exc).__name__)
            return None
        except (AliPayException, AliPayValidationError) as exc:  # unsigned or forged
            log.warning("alipay_unverified_answer", error=str(exc)[:200])
            return None
        return answer if isinstance(answer, dict) else None

    def charge(self, *, amount: int, currency: str, instruction: str | None) -> ChargeResult:
        raise errors.WalletMethodNotSupported()

    def pay_with_code(self, charge: CodeCharge) -> CodeResult:
        _check_currency(charge.currency)
        answer = self._call(
            self._api.api_alipay_trade_pay,
            out_trade_no=charge.out_trade_no,
            scene="bar_code",
            auth_code=charge.auth_code,
            subject=charge.description,
            total_amount=yuan(charge.amount),
            store_id=charge.store_code,
        )
        return code_result(answer)

    def query(self, *, out_trade_no: str) -> CodeResult:
        return query_result(self._call(self._api.api_alipay_trade_query, out_trade_no=out_trade_no))

    def reverse(self, *, out_trade_no: str) -> bool:
        answer = self._call(self._api.api_alipay_trade_cancel, out_trade_no=out_trade_no)
        if answer is None:
            return False
        return answer.get("code") == SUCCESS or answer.get("sub_code") == NOT_EXIST

    def refund(self, *, provider_ref: str, amount: int) -> str:
        """Give ``amount`` back; the request is repeated (same request number) if unanswered."""
        number = f"rf{secrets.token_hex(14)}"
        for _ in range(REFUND_ATTEMPTS):
            answer = self._call(
                self._api.api_alipay_trade_refund,
                refund_amount=yuan(amount),
                out_trade_no=provider_ref,
                out_request_no=number,
            )
            if answer is not None:
                break
        if answer is None:
            log.warning("alipay_refund_unanswered", out_request_no=number, amount=amount)
            raise errors.ProviderUnavailable()
        if answer.get("code") != SUCCESS:
            raise errors.ProviderRefused(f"Alipay: {answer.get('sub_msg', answer.get('msg'))}")
        return number

    def prepay(self, request: PrepayRequest) -> dict[str, str]:
        _check_currency(request.currency)
        if request.scene is Scene.H5:
            signed = self._api.api_alipay_trade_wap_pay(
                subject=request.description,
                out_trade_no=request.out_trade_no,
                total_amount=yuan(request.amount),
                return_url=request.return_url,
                notify_url=request.notify_url,
            )
            return {"pay_url": f"{self.gateway_url}?{signed}"}
        answer = self._call(
            self._api.api_alipay_trade_create,
            subject=request.description,
            out_trade_no=request.out_trade_no,
            total_amount=yuan(request.amount),
            notify_url=request.notify_url,
            buyer_id=request.payer_id,
            product_code="JSAPI_PAY",
            op_app_id=self.app_id,
        )
        if answer is None:
            raise errors.ProviderUnavailable()
        if answer.get("code") != SUCCESS:
            raise errors.ProviderRefused(f"Alipay: {answer.get('sub_msg', answer.get('msg'))}")
        return {"trade_no": str(answer["trade_no"])}

    def parse_notification(self, *, headers: Mapping[str, str], body: bytes) -> Notification:
        try:
            form = dict(parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError) as exc:
            raise payment_errors.InvalidNotification() from exc
        signature = form.pop("sign", "")
        if form.get("sign_type") != "RSA2" or not signature:
            raise payment_errors.InvalidSignature()
        try:
            verified = self._api.verify(form, signature)
        except (ValueError, TypeError) as exc:  # a signature that is not base64
            raise payment_errors.InvalidSignature() from exc
        if not verified:
            raise payment_errors.InvalidSignature()
        if not same_text(form.get("app_id", ""), self.app_id):
            raise payment_errors.InvalidNotification()
        return _notification(form)


def _notification(form: Mapping[str, str]) -> Notification:
    status = form.get("trade_status")
    try:
        ref, amount = form["out_trade_no"], fen(form["total_amount"])
    except (KeyError, ArithmeticError, ValueError) as exc:
        raise payment_errors.InvalidNotification() from exc
    if status in PAID_STATES:
        return Notification(ref, ChargeOutcome.SUCCEEDED, amount)
    if status == "TRADE_CLOSED":
        return Notification(ref, ChargeOutcome.DECLINED, amount)
    raise payment_errors.InvalidNotification()


def _check_currency(currency: str) -> None:
    if currency != "CNY":
        raise errors.CurrencyNotSupported()
