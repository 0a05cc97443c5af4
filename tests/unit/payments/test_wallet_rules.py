"""Pure rules of wallet payments: settling an unknown payment code, amounts, freshness,
what each provider's answer means, keys and secret references."""

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from tests.payment_fakes.keys import key_pair

from newretail.config import Settings
from newretail.payments.merchants import errors as merchant_errors
from newretail.payments.merchants.rules import parse_secret_ref
from newretail.payments.merchants.secrets import read_secret
from newretail.payments.wallets import alipay, keys, wechatpay
from newretail.payments.wallets.rules import (
    CodeResult,
    CodeState,
    Patience,
    fen,
    is_fresh,
    settle_code,
    wallet_of_code,
    yuan,
)

PATIENCE = Patience(queries=3, interval_seconds=2.0, reversals=2)


@dataclass
class Scripted:
    answers: list[CodeState]
    reversals: list[bool] = field(default_factory=list)
    asked: int = 0
    reversed: int = 0

    def query(self, *, out_trade_no: str) -> CodeResult:
        self.asked += 1
        return CodeResult(self.answers.pop(0) if self.answers else CodeState.PAYING)

    def reverse(self, *, out_trade_no: str) -> bool:
        self.reversed += 1
        return self.reversals.pop(0) if self.reversals else True


def _settle(provider: Scripted, first: CodeState, waits: list[float]) -> CodeResult:
    return settle_code(
        provider, out_trade_no="nr1", first=CodeResult(first), patience=PATIENCE, sleep=waits.append
    )


def test_a_final_first_answer_is_taken_without_asking_again() -> None:
    provider, waits = Scripted([]), []
    assert _settle(provider, CodeState.PAID, waits).state is CodeState.PAID
    assert (provider.asked, provider.reversed, waits) == (0, 0, [])


def test_a_consumer_confirming_on_the_phone_is_paid_on_the_second_query() -> None:
    provider, waits = Scripted([CodeState.PAYING, CodeState.PAID]), []
    assert _settle(provider, CodeState.PAYING, waits).state is CodeState.PAID
    assert (provider.asked, provider.reversed, waits) == (2, 0, [2.0, 2.0])


def test_an_unknown_charge_is_queried_a_bounded_number_of_times_then_reversed() -> None:
    provider, waits = Scripted([CodeState.UNKNOWN] * 5), []
    assert _settle(provider, CodeState.UNKNOWN, waits).state is CodeState.REVERSED
    assert (provider.asked, provider.reversed) == (3, 1)


def test_a_closed_charge_is_still_reversed_so_it_cannot_complete_later() -> None:
    provider = Scripted([CodeState.NOT_PAID] * 3)
    assert _settle(provider, CodeState.UNKNOWN, []).state is CodeState.REVERSED
    assert provider.reversed == 1


def test_a_reversal_without_answer_is_retried_then_left_unknown() -> None:
    provider = Scripted([], reversals=[False, False])
    result = _settle(provider, CodeState.UNKNOWN, [])
    assert (result.state, provider.reversed) == (CodeState.UNKNOWN, 2)


@pytest.mark.parametrize(
    ("amount", "text"), [(0, "0.00"), (1, "0.01"), (1230, "12.30"), (10**12, "10000000000.00")]
)
def test_alipay_amounts_are_yuan_with_two_decimals_and_back(amount: int, text: str) -> None:
    assert (yuan(amount), fen(text)) == (text, amount)


def test_an_amount_with_a_fraction_of_a_fen_is_refused() -> None:
    with pytest.raises(ValueError):
        fen("1.005")


def test_a_notification_is_fresh_within_five_minutes_only() -> None:
    assert [is_fresh(t, now=1_000_000) for t in ("999800", "1000300", "999600", "", "x1")] == [
        True,
        True,
        False,
        False,
        False,
    ]


@pytest.mark.parametrize(
    ("status", "body", "state"),
    [
        (200, {"trade_state": "SUCCESS"}, CodeState.PAID),
        (202, {"code": "USERPAYING"}, CodeState.PAYING),
        (500, {"code": "SYSTEM_ERROR"}, CodeState.UNKNOWN),
        (429, {"code": "FREQUENCY_LIMITED"}, CodeState.UNKNOWN),
        (403, {"code": "NOT_ENOUGH"}, CodeState.DECLINED),
        (400, {"code": "AUTH_CODE_INVALID"}, CodeState.DECLINED),
    ],
)
def test_what_a_wechat_codepay_answer_means(
    status: int, body: dict[str, str], state: CodeState
) -> None:
    assert wechatpay.code_result((status, body)).state is state


def test_no_wechat_answer_is_unknown_and_a_missing_trade_is_not_paid() -> None:
    assert wechatpay.code_result(None).state is CodeState.UNKNOWN
    assert wechatpay.query_result((404, {"code": "ORDER_NOT_EXIST"})).state is CodeState.NOT_PAID


@pytest.mark.parametrize(
    ("answer", "state"),
    [
        ({"code": "10000", "trade_no": "1"}, CodeState.PAID),
        ({"code": "10003"}, CodeState.PAYING),
        ({"code": "20000"}, CodeState.UNKNOWN),
        ({"code": "40004", "sub_code": "ACQ.SYSTEM_ERROR"}, CodeState.UNKNOWN),
        ({"code": "40004", "sub_code": "ACQ.PAYMENT_AUTH_CODE_INVALID"}, CodeState.DECLINED),
    ],
)
def test_what_an_alipay_trade_pay_answer_means(answer: dict[str, str], state: CodeState) -> None:
    assert alipay.code_result(answer).state is state


def test_a_pkcs1_private_key_becomes_pkcs8_and_a_bare_public_key_pem() -> None:
    pair = key_pair("unit keys")
    private = keys.private_key_pem(pair.private_pem(pkcs1=True))
    public = keys.public_key(pair.public_base64())
    assert private.startswith("-----BEGIN PRIVATE KEY-----")
    assert (public.pem, public.certificate_serial) == (pair.public_pem(), None)


def test_a_platform_certificate_gives_its_key_and_serial() -> None:
    pair = key_pair("unit keys")
    public = keys.public_key(pair.certificate_pem(serial=0x5157F09EFD))
    assert (public.pem, public.certificate_serial) == (pair.public_pem(), "5157F09EFD")


def test_text_that_is_no_key_is_refused() -> None:
    with pytest.raises(ValueError):
        keys.private_key_pem("not a key")


@pytest.mark.parametrize(
    "ref",
    [
        "file:../b2/key.pem",
        "file:a/../../key.pem",
        "file:/etc/key.pem",
        "env:HOME",
        "file:a//b",
        "setting:",
    ],
)
def test_a_secret_reference_stays_in_its_brand_namespace(ref: str) -> None:
    with pytest.raises(ValueError):
        parse_secret_ref(ref)


def test_secrets_are_read_from_the_brand_folder_and_setting_only(tmp_path: Path) -> None:
    (tmp_path / "B1" / "wx").mkdir(parents=True)
    (tmp_path / "B1" / "wx" / "key.pem").write_text("key of B1")
    (tmp_path / "B2").mkdir()
    (tmp_path / "B2" / "key.pem").write_text("key of B2")
    (tmp_path / "B1" / "escape.pem").symlink_to(tmp_path / "B2" / "key.pem")
    settings = Settings(
        payment_secrets_dir=str(tmp_path), payment_secrets={"B1/v3": "apiv3", "B2/x": "b2"}
    )
    assert read_secret("file:wx/key.pem", brand_code="B1", settings=settings) == "key of B1"
    assert read_secret("setting:v3", brand_code="B1", settings=settings) == "apiv3"
    for ref in ("file:escape.pem", "setting:x", "file:missing.pem"):
        with pytest.raises(merchant_errors.MerchantSecretUnavailable):
            read_secret(ref, brand_code="B1", settings=settings)


@pytest.mark.parametrize(
    ("code", "wallet"),
    [
        ("134567890123456789", "wechatpay"),
        ("104567890123456789", "wechatpay"),
        ("284567890123456789", "alipay"),
        ("2545678901234567", "alipay"),
        ("1345678901234567", None),  # a WeChat prefix, too short
        ("994567890123456789", None),
        ("13456789012345678x", None),
        ("", None),
    ],
)
def test_a_payment_code_tells_its_wallet_by_prefix_and_length(
    code: str, wallet: str | None
) -> None:
    assert wallet_of_code(code) == wallet
