"""Checks a decision PDF's signature and integrity against the configured trust root."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from svd_portal.pdfs import load_trust_root, sha256, verify_pdf


class Command(BaseCommand):
    help = "Verifies the signature of a decision record PDF; exits 1 if it is not intact, valid and trusted."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the PDF to check")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        data = path.read_bytes()
        trust_root = load_trust_root()
        try:
            results = verify_pdf(data, trust_root_der=trust_root)
        except Exception as exc:  # noqa: BLE001 (a damaged file is a failed check, said plainly)
            raise CommandError(
                f"INVALID: the file could not be read as a signed PDF ({exc})"
            ) from exc
        self.stdout.write(f"File: {path}\nSHA-256: {sha256(data)}")
        if not results:
            raise CommandError("INVALID: the file has no signature")
        for result in results:
            self.stdout.write(
                f"Signed by: {result.signer}\nSigned at: {result.signed_at}\n"
                f"Intact: {result.intact}; valid: {result.valid}; trusted: {result.trusted}; "
                f"unchanged since signing: {result.unmodified}"
            )
        if all(r.ok for r in results):
            self.stdout.write(self.style.SUCCESS("VALID: signed by the OPCC and unchanged since"))
            return
        raise CommandError("INVALID: the signature does not match the file or is not trusted")
