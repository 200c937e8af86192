"""Decision record PDFs: template + context → HTML → WeasyPrint → bytes; then a PAdES signature.

Rendering and signing are separate steps, both in this one module. WeasyPrint and
pyHanko are imported inside the functions so that web start-up stays fast.
"""

import datetime
import hashlib
import io
import mimetypes
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string

# Tagged PDF/UA-1 renders correctly with WeasyPrint 70 and can still be signed.
PDF_VARIANT = "pdf/ua-1"
# The address the PDF's HTML is rendered at: the template's relative URLs ("static/css/…")
# resolve under it, and the fetcher serves its static/ folder and nothing else. The .invalid
# domain never resolves (RFC 2606), so not even a mistake here could reach the network.
PDF_BASE_URL = "https://portal.invalid/"
PDF_STATIC_URL = PDF_BASE_URL + "static/"


def render_pdf(record) -> bytes:
    """The record as an A4 PDF laid out like source 000, tagged for accessibility."""
    from weasyprint import HTML

    html = render_to_string(
        "pdf/decision_record.html",
        {"record": record, "organisation_name": settings.PORTAL_ORGANISATION_NAME},
    )
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=pdf_url_fetcher()).write_pdf(
        pdf_variant=PDF_VARIANT, pdf_identifier=record.reference.encode()
    )


def static_file_for(url: str) -> Path | None:
    """The portal's own static file that `url` names under PDF_STATIC_URL, found as
    collectstatic finds it (or in STATIC_ROOT, where only collected, hashed names exist);
    None for any other URL."""
    if not url.startswith(PDF_STATIC_URL):
        return None
    name = unquote(urlsplit(url).path).removeprefix(urlsplit(PDF_STATIC_URL).path)
    # Only a plain relative name: nothing that climbs out or names an absolute path.
    if not name or "\\" in name or "\x00" in name or posixpath.normpath(name) != name:
        return None
    if name == ".." or name.startswith(("/", "../")):
        return None
    found = finders.find(name)
    if found and Path(found).is_file():
        return Path(found)
    root = Path(settings.STATIC_ROOT).resolve()
    collected = (root / name).resolve()
    if collected.is_relative_to(root) and collected.is_file():
        return collected
    return None


def pdf_url_fetcher():
    """WeasyPrint's URL fetcher for decision PDFs: the portal's static files, nothing else.

    The default fetcher opens any file:// path the server can read and any http(s) address
    it can reach, so markup that ever got into a record's HTML could put /etc/passwd or an
    internal service's answer into a signed PDF. Anything else is refused with ValueError,
    which WeasyPrint logs and renders without.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = static_file_for(url)
            if path is None:
                raise ValueError(f"{url[:200]} is not one of the portal's static files")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticFilesOnly()


@dataclass(frozen=True)
class SigningIdentity:
    signer: object  # pyhanko.sign.signers.SimpleSigner
    certificate_der: bytes

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.certificate_der).hexdigest()


def load_signing_identity() -> SigningIdentity:
    """The OPCC's key and certificate, from PKCS#12 or from PEM files named by the settings."""
    from pyhanko.sign import signers

    pkcs12 = settings.DECISION_SIGNING_PKCS12
    if pkcs12:
        if not Path(pkcs12).exists():
            raise ImproperlyConfigured(
                f"DECISION_SIGNING_PKCS12 names {pkcs12}, which does not exist"
            )
        passphrase = settings.DECISION_SIGNING_PASSPHRASE.encode() or None
        signer = signers.SimpleSigner.load_pkcs12(pkcs12, passphrase=passphrase)
    else:
        key, cert = settings.DECISION_SIGNING_KEY, settings.DECISION_SIGNING_CERT
        if not (Path(key).is_file() and Path(cert).is_file()):
            raise ImproperlyConfigured(
                f"No signing certificate: set DECISION_SIGNING_PKCS12, or DECISION_SIGNING_KEY and "
                f"DECISION_SIGNING_CERT (looked for {key} and {cert}). For development run "
                "`python manage.py create_signing_certificate`."
            )
        passphrase = settings.DECISION_SIGNING_PASSPHRASE.encode() or None
        signer = signers.SimpleSigner.load(key, cert, key_passphrase=passphrase)
    if signer is None:
        raise ImproperlyConfigured("The signing key or certificate could not be read")
    return SigningIdentity(signer=signer, certificate_der=signer.signing_cert.dump())


def sign_pdf(
    pdf: bytes, *, identity: SigningIdentity, signed_by: str, signed_on: datetime.date
) -> bytes:
    """Applies a PAdES signature with a visible block naming the PCC and the date."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.stamp import TextStampStyle

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fields.append_signature_field(
        writer,
        sig_field_spec=fields.SigFieldSpec("PCCSignature", on_page=-1, box=(56, 40, 320, 110)),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name="PCCSignature",
        subfilter=SigSeedSubFilter.PADES,
        reason="Decision record signed for publication",
        name=signed_by,
        location=settings.PORTAL_ORGANISATION_NAME,
    )
    style = TextStampStyle(
        stamp_text=f"Signed for {settings.PORTAL_ORGANISATION_NAME}\n"
        f"Police and Crime Commissioner: {signed_by}\nDate: {signed_on:%-d %B %Y}",
        border_width=1,
    )
    out = io.BytesIO()
    signers.PdfSigner(metadata, signer=identity.signer, stamp_style=style).sign_pdf(
        writer, output=out
    )
    return out.getvalue()


@dataclass(frozen=True)
class Verification:
    intact: bool
    valid: bool
    trusted: bool
    # pyHanko's bottom line: also false when pages were changed after signing
    # (an incremental update the signature does not allow).
    unmodified: bool
    signer: str
    signed_at: datetime.datetime | None
    summary: str

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.unmodified


def verify_pdf(data: bytes, *, trust_root_der: bytes | None) -> list[Verification]:
    """Checks every signature in a PDF against the trust root (the OPCC's certificate)."""
    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    roots = [x509.Certificate.load(trust_root_der)] if trust_root_der else []
    results = []
    for embedded in reader.embedded_signatures:
        status = validate_pdf_signature(embedded, ValidationContext(trust_roots=roots))
        results.append(
            Verification(
                intact=status.intact,
                valid=status.valid,
                trusted=status.trusted,
                unmodified=status.bottom_line,
                signer=status.signing_cert.subject.human_friendly,
                signed_at=status.signer_reported_dt,
                summary=status.summary(),
            )
        )
    return results


def load_trust_root() -> bytes:
    """The OPCC's certificate (DER) that signatures are checked against: no private key needed."""
    if settings.DECISION_SIGNING_PKCS12:
        return load_signing_identity().certificate_der
    from asn1crypto import pem

    path = Path(settings.DECISION_SIGNING_CERT)
    if not path.is_file():
        raise ImproperlyConfigured(f"DECISION_SIGNING_CERT names {path}, which is not a file")
    data = path.read_bytes()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return data


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
