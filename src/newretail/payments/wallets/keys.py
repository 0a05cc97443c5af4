"""Keys as the SDKs want them, from what merchants are given: PEM or bare base64, PKCS#1
or PKCS#8, a public key or a certificate."""

import base64
import binascii
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass(frozen=True, slots=True)
class PublicKey:
    pem: str
    certificate_serial: str | None  # upper-case hex, when the key came in a certificate


def _der(text: str) -> bytes | None:
    body = "".join(text.split())
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return None


# Reading an RSA private key checks it, which costs about 50 ms of CPU: a wallet payment
# builds its provider from the account's secrets each time, so what a text gave is kept
# (a rotated key is another text, read afresh).
KEYS_KEPT = 256


@lru_cache(maxsize=KEYS_KEPT)
def private_key_pem(text: str) -> str:
    """An RSA private key as unencrypted PKCS#8 PEM; ValueError if it is not one."""
    data = text.strip().encode()
    if b"-----BEGIN" in data:
        key = serialization.load_pem_private_key(data, password=None)
    else:
        der = _der(text)
        if der is None:
            raise ValueError("not a PEM or base64 private key")
        key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@lru_cache(maxsize=KEYS_KEPT)
def public_key(text: str) -> PublicKey:
    """An RSA public key (SubjectPublicKeyInfo PEM) from a public key or a certificate."""
    data = text.strip().encode()
    serial: str | None = None
    key: object
    if b"CERTIFICATE" in data:
        certificate = x509.load_pem_x509_certificate(data)
        key = certificate.public_key()
        serial = format(certificate.serial_number, "X")
    elif b"-----BEGIN" in data:
        key = serialization.load_pem_public_key(data)
    else:
        der = _der(text)
        if der is None:
            raise ValueError("not a PEM or base64 public key")
        key = serialization.load_der_public_key(der)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return PublicKey(pem, serial)
