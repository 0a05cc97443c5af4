"""Wallet payments (WeChat Pay, Alipay, and the sandbox standing in for them): the facade.

codepay.py   the consumer's payment code at the till: begin (recorded pending and
             committed), charge (query, then reverse, an unknown result), finish
             (settled once); ``pay_with_code`` runs the three
cloudpay.py  a cloud store page payment prepared at the provider, settled by its signed
             notification through ``payments.service.notify``
jobs.py      worker job: payment codes still unknown, asked again, paid or reversed
registry.py  the provider acting for a merchant account (keys read from its brand's
             secrets), or the sandbox
wechatpay.py, alipay.py, sandbox.py   the providers; rules.py the pure rules
"""

from newretail.payments.wallets.cloudpay import notify_url, start_prepay
from newretail.payments.wallets.codepay import (
    CodeAttempt,
    begin_code_payment,
    charge_code,
    finish_code_payment,
    pay_with_code,
)
from newretail.payments.wallets.jobs import resolve_unknown_code_payments

__all__ = [
    "CodeAttempt",
    "begin_code_payment",
    "charge_code",
    "finish_code_payment",
    "notify_url",
    "pay_with_code",
    "resolve_unknown_code_payments",
    "start_prepay",
]
