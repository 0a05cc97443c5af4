"""Test keys, made once per test process: never committed, never real."""

import datetime
from dataclasses import dataclass
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class KeyPair:
    private: rsa.RSAPrivateKey

    @property
    def public(self) -> rsa.RSAPublicKey:
        return self.private.public_key()

    def private_pem(self, *, pkcs1: bool = False) -> str:
        form = (
            serialization.PrivateFormat.TraditionalOpenSSL
            if pkcs1
            else serialization.PrivateFormat.PKCS8
        )
        return self.private.private_bytes(
            serialization.Encoding.PEM, form, serialization.NoEncryption()
        ).decode()

    def public_pem(self) -> str:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def public_base64(self) -> str:
        """The public key as Alipay's console shows it: bare base64 of the DER."""
        return "".join(self.public_pem().splitlines()[1:-1])

    def certificate_pem(self, serial: int) -> str:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test platform")])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.public)
            .serial_number(serial)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(self.private, hashes.SHA256())
        )
        return certificate.public_bytes(serialization.Encoding.PEM).decode()


@cache
def key_pair(name: str) -> KeyPair:
    """A 2048-bit RSA key pair, the same for one ``name`` within the test process."""
    return KeyPair(rsa.generate_private_key(public_exponent=65537, key_size=2048))
