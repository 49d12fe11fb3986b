"""A throwaway certificate authority for one run of the endpoint.

One trusted CA signs the server certificate (``127.0.0.1`` and ``localhost``) and the client
certificates a test needs: a valid one, an expired one and a revoked one; a second CA, which
the endpoint does not trust, signs the untrusted client certificate.  Keys are ECDSA P-256,
quick to make.  Every file goes into the directory given; the caller removes it.
"""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

import attrs
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["CertificateSet", "make_certificates"]

_ONE_DAY = datetime.timedelta(days=1)


@attrs.frozen(kw_only=True)
class CertificateSet:
    """The files of one run, and what the endpoint needs to judge a client certificate."""

    directory: Path
    ca: Path
    server_certificate: Path
    server_key: Path
    client_certificate: Path
    client_key: Path
    untrusted_client_certificate: Path
    untrusted_client_key: Path
    expired_client_certificate: Path
    expired_client_key: Path
    revoked_client_certificate: Path
    revoked_client_key: Path
    #: The trusted CA, to verify the certificates clients send.
    ca_certificate: x509.Certificate
    #: Serial numbers the trusted CA has revoked (what a CRL would list).
    revoked_serials: frozenset[int]


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "httpsys-sim"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ca(
    common_name: str, now: datetime.datetime
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _ONE_DAY)
        .not_valid_after(now + 30 * _ONE_DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _leaf(
    common_name: str,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey],
    *,
    server: bool,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    ca_cert, ca_key = issuer
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
    return builder.sign(ca_key, hashes.SHA256()), key


def _write(
    directory: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey | None
) -> tuple[Path, Path]:
    cert_path = directory / f"{stem}.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path = directory / f"{stem}.key"
    if key is not None:
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        key_path.chmod(0o600)
    return cert_path, key_path


def make_certificates(directory: Path, now: datetime.datetime) -> CertificateSet:
    """Make the CA, the server certificate and the client certificates in ``directory``."""
    trusted = _ca("httpsys-sim throwaway CA", now)
    other = _ca("httpsys-sim untrusted CA", now)
    valid_span = {"not_before": now - _ONE_DAY, "not_after": now + 30 * _ONE_DAY}
    server = _leaf("127.0.0.1", trusted, server=True, **valid_span)
    client = _leaf("httpsys-sim client", trusted, server=False, **valid_span)
    untrusted = _leaf("httpsys-sim untrusted client", other, server=False, **valid_span)
    expired = _leaf(
        "httpsys-sim expired client",
        trusted,
        server=False,
        not_before=now - 30 * _ONE_DAY,
        not_after=now - 2 * _ONE_DAY,
    )
    revoked = _leaf("httpsys-sim revoked client", trusted, server=False, **valid_span)
    ca_path, _ = _write(directory, "ca", trusted[0], None)
    server_paths = _write(directory, "server", *server)
    client_paths = _write(directory, "client", *client)
    untrusted_paths = _write(directory, "untrusted-client", *untrusted)
    expired_paths = _write(directory, "expired-client", *expired)
    revoked_paths = _write(directory, "revoked-client", *revoked)
    return CertificateSet(
        directory=directory,
        ca=ca_path,
        server_certificate=server_paths[0],
        server_key=server_paths[1],
        client_certificate=client_paths[0],
        client_key=client_paths[1],
        untrusted_client_certificate=untrusted_paths[0],
        untrusted_client_key=untrusted_paths[1],
        expired_client_certificate=expired_paths[0],
        expired_client_key=expired_paths[1],
        revoked_client_certificate=revoked_paths[0],
        revoked_client_key=revoked_paths[1],
        ca_certificate=trusted[0],
        revoked_serials=frozenset({revoked[0].serial_number}),
    )
