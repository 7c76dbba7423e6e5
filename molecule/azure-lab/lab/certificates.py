"""The lab's own CA and the PSRP listener certificate, made before `pulumi up` (create.yml runs this).

The CA certificate is what Ansible pins (ansible_psrp_ca_cert); the listener certificate names every VM's
DNS name (subjectAltName), so validation checks both the issuer and the address. The listener key and
its PKCS#12 password go to the Pulumi stack as secrets (read from stdin by `pulumi config set --secret`);
nothing secret is printed or passed on a command line.

  python certificates.py --prefix cutover-lab-ab12 --location japaneast --count 2 --out <dir>
writes <dir>/lab-ca.pem (public), <dir>/listener.pfx.b64 and <dir>/listener.password (mode 0600).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import secrets
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labnames

VALID_DAYS = 14  # one lab run; a new CA is made after destroy


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "cutover azure-lab"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make(prefix: str, location: str, count: int, now: dt.datetime | None = None):
    """(CA certificate, listener certificate, listener key) for the lab's VMs."""
    now = now or dt.datetime.now(dt.UTC)
    names = [labnames.fqdn(prefix, location, n) for n in range(1, count + 1)]
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    ca = (x509.CertificateBuilder().subject_name(_name(f"{prefix} lab CA")).issuer_name(_name(f"{prefix} lab CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=VALID_DAYS))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    listener = (x509.CertificateBuilder().subject_name(_name(names[0])).issuer_name(ca.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=VALID_DAYS))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .sign(ca_key, hashes.SHA256()))
    return ca, listener, key


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(text)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--location", required=True)
    parser.add_argument("--count", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        ca, listener, key = make(args.prefix, args.location, args.count)
    except ValueError as exc:
        print(f"certificates.py: --prefix: {exc}", file=sys.stderr)
        return 2
    password = secrets.token_urlsafe(24)
    pfx = pkcs12.serialize_key_and_certificates(
        b"cutover-lab-listener", key, listener, None,
        serialization.BestAvailableEncryption(password.encode()))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "lab-ca.pem").write_text(ca.public_bytes(serialization.Encoding.PEM).decode(), encoding="ascii")
    _write_private(args.out / "listener.pfx.b64", base64.b64encode(pfx).decode())
    _write_private(args.out / "listener.password", password)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
