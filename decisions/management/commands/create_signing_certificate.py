"""Creates a self-signed development certificate for signing decision PDFs."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Creates a self-signed RSA-2048 key and certificate for signing decision PDFs in "
        "development, at DECISION_SIGNING_KEY and DECISION_SIGNING_CERT. Never for production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="replace an existing pair")

    def handle(self, *args, force=False, **options):
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        if settings.IS_PRODUCTION:
            raise CommandError(
                "A self-signed certificate is for development: configure the OPCC's own"
            )
        key_path, cert_path = (
            Path(settings.DECISION_SIGNING_KEY),
            Path(settings.DECISION_SIGNING_CERT),
        )
        if key_path.exists() and cert_path.exists() and not force:
            self.stdout.write(f"A signing certificate already exists at {cert_path}.")
            return
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
                x509.NameAttribute(
                    NameOID.ORGANIZATION_NAME, settings.PORTAL_ORGANISATION_NAME[:64]
                ),
                x509.NameAttribute(NameOID.COMMON_NAME, "Decision records (development)"),
            ]
        )
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        key_path.parent.mkdir(parents=True, exist_ok=True)
        cert_path.parent.mkdir(parents=True, exist_ok=True)
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        key_path.chmod(0o600)
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        self.stdout.write(
            self.style.SUCCESS(f"Development signing certificate written to {cert_path}")
        )
