"""The providers' side of signing, written from their documentation, apart from the SDKs:
the fakes check the SDKs' requests with it and sign what the SDKs verify.

WeChat Pay API v3: a request carries ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid=..,
nonce_str=.., signature=.., timestamp=.., serial_no=..`` where the signature is RSA-SHA256
(PKCS#1 v1.5, base64) of "METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n" under the merchant's
key; an answer or notification is signed the same way over "TIMESTAMP\\nNONCE\\nBODY\\n" under
the platform key, and a notification's resource is AEAD_AES_256_GCM under the APIv3 key.

Alipay (RSA2): the parameters but ``sign`` (and, for a notification, ``sign_type``), sorted,
joined as ``k=v`` with ``&``, signed RSA-SHA256; an answer signs the JSON text of its
``<method>_response`` member.
"""

import base64
import re
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

WECHAT_SCHEME = "WECHATPAY2-SHA256-RSA2048"
_AUTH_FIELD = re.compile(r'(\w+)="([^"]*)"')


def rsa_sign(key: rsa.RSAPrivateKey, message: str) -> str:
    signature = key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def rsa_verify(key: rsa.RSAPublicKey, message: str, signature: str) -> bool:
    try:
        key.verify(
            base64.b64decode(signature), message.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def wechat_request_message(method: str, url: str, timestamp: str, nonce: str, body: str) -> str:
    return f"{method}\n{url}\n{timestamp}\n{nonce}\n{body}\n"


def wechat_answer_message(timestamp: str, nonce: str, body: str) -> str:
    return f"{timestamp}\n{nonce}\n{body}\n"


def parse_wechat_authorization(header: str) -> dict[str, str]:
    """The fields of an Authorization header; {} unless it uses WeChat Pay's scheme."""
    scheme, _, rest = header.partition(" ")
    if scheme != WECHAT_SCHEME:
        return {}
    return dict(_AUTH_FIELD.findall(rest))


def verify_wechat_request(
    key: rsa.RSAPublicKey, *, method: str, url: str, body: str, authorization: str
) -> dict[str, str] | None:
    """The Authorization fields if its signature verifies under ``key``, else None."""
    fields = parse_wechat_authorization(authorization)
    needed = ("mchid", "nonce_str", "signature", "timestamp", "serial_no")
    if not all(fields.get(name) for name in needed):
        return None
    message = wechat_request_message(method, url, fields["timestamp"], fields["nonce_str"], body)
    return fields if rsa_verify(key, message, fields["signature"]) else None


def wechat_encrypt(api_v3_key: str, plaintext: str, *, nonce: str, associated_data: str) -> str:
    cipher = AESGCM(api_v3_key.encode())
    data = cipher.encrypt(nonce.encode(), plaintext.encode(), associated_data.encode())
    return base64.b64encode(data).decode()


def alipay_content(params: Mapping[str, str], *, leave_out: tuple[str, ...] = ("sign",)) -> str:
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in leave_out)
