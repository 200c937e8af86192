"""Rendering, signing and verifying decision record PDFs (decisions/documents.py) and the
two management commands, without a worker."""

import hashlib
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from pyhanko.pdf_utils.reader import PdfFileReader

from decisions import documents
from svd_portal import pdfs

from .documents_helpers import (
    OFFICER,
    PCC,
    make_certificate,
    pdfinfo,
    pdfsig,
    pdftotext,
    tampered,
    with_page_replaced,
)

# Signed with a certificate, and stored, in this test's own folder.
pytestmark = pytest.mark.usefixtures("document_signing", "document_storage")

VALID = "Signature Validation: Signature is Valid."


@pytest.fixture
def unsigned_pdf(published_record, tmp_path):
    path = tmp_path / "unsigned.pdf"
    path.write_bytes(documents.render_pdf(published_record))
    return path


@pytest.fixture
def signed_pdf(published_record, unsigned_pdf, tmp_path):
    """The record rendered and signed with the test certificate, as a file."""
    data = documents.sign_pdf(
        unsigned_pdf.read_bytes(),
        identity=pdfs.load_signing_identity(),
        signed_by=published_record.signed_name,
        signed_on=published_record.signed_on,
    )
    path = tmp_path / f"{published_record.reference}.pdf"
    path.write_bytes(data)
    return path


@pytest.fixture
def tampered_pdf(signed_pdf, tmp_path):
    path = tmp_path / "tampered.pdf"
    path.write_bytes(tampered(signed_pdf.read_bytes()))
    return path


def test_render_pdf_has_the_record_in_its_text(published_record, unsigned_pdf):
    text = pdftotext(unsigned_pdf)

    for expected in (
        "Section A For Publication",
        f"Decision record {published_record.reference}: Knife crime awareness campaign in schools",
        "A request to fund a knife crime awareness campaign in secondary schools.",
        "Decision Approved",
        f"{PCC}, Police and Crime Commissioner",
        f"Name {OFFICER}",
        "Page 1 of 2",
        "Page 2 of 2",
    ):
        assert expected in text


def test_render_pdf_is_tagged_a4_with_a_language(unsigned_pdf):
    info = pdfinfo(unsigned_pdf)
    root = PdfFileReader(io.BytesIO(unsigned_pdf.read_bytes())).root

    assert "Tagged:          yes" in info
    assert "Page size:       595.276 x 841.89 pts (A4)" in info
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    # The PDF/UA-1 variant, as the README says.
    assert 'pdfuaid:part="1"' in pdfinfo(unsigned_pdf, "-meta")


def test_sign_pdf_verifies_intact_valid_and_trusted(signed_pdf, document_signing):
    [result] = pdfs.verify_pdf(
        signed_pdf.read_bytes(), trust_root_der=document_signing.certificate_der
    )

    assert (result.intact, result.valid, result.trusted, result.ok) == (True, True, True, True)
    assert "Common Name: Decision records (development)" in result.signer


def test_sign_pdf_keeps_the_tags_and_the_language(signed_pdf):
    root = PdfFileReader(io.BytesIO(signed_pdf.read_bytes())).root

    assert "Tagged:          yes" in pdfinfo(signed_pdf)
    assert root["/Lang"] == "en-GB"


def test_sign_pdf_pdfsig_says_valid(signed_pdf):
    report = pdfsig(signed_pdf)

    assert VALID in report
    assert "Signature Field Name: PCCSignature" in report
    assert "Total document signed" in report


def test_sign_pdf_visible_block_names_the_pcc_and_the_date(published_record, signed_pdf):
    text = pdftotext(signed_pdf)

    assert "Signed for Office of the Police and Crime Commissioner" in text
    assert f"Police and Crime Commissioner: {PCC}" in text
    assert f"Date: {published_record.signed_on:%-d %B %Y}" in text


def test_verify_pdf_other_trust_root_not_trusted(signed_pdf, tmp_path):
    other = make_certificate(tmp_path)

    [result] = pdfs.verify_pdf(signed_pdf.read_bytes(), trust_root_der=other.certificate_der)

    assert (result.intact, result.valid, result.trusted, result.ok) == (True, True, False, False)


def test_verify_pdf_tampered_copy_not_intact(tampered_pdf, document_signing):
    [result] = pdfs.verify_pdf(
        tampered_pdf.read_bytes(), trust_root_der=document_signing.certificate_der
    )

    assert result.intact is False
    assert result.ok is False


def test_pdfsig_tampered_copy_digest_mismatch(tampered_pdf):
    report = pdfsig(tampered_pdf)

    assert "Signature Validation: Digest Mismatch." in report
    assert "Signature is Valid" not in report


@pytest.fixture
def rewritten_pdf(signed_pdf, tmp_path):
    path = tmp_path / "rewritten.pdf"
    path.write_bytes(with_page_replaced(signed_pdf.read_bytes()))
    return path


def test_page_replaced_after_signing_changes_what_readers_see(signed_pdf, rewritten_pdf):
    # The premise of the two tests below: the signed bytes are all there, the first page
    # now says something else, and poppler notices the signature no longer covers the file.
    assert rewritten_pdf.read_bytes().startswith(signed_pdf.read_bytes())
    assert "Not approved" in pdftotext(rewritten_pdf)
    assert "Section A: the request" not in pdftotext(rewritten_pdf)
    assert "Not total document signed" in pdfsig(rewritten_pdf)


def test_verify_pdf_page_replaced_after_signing_not_ok(rewritten_pdf, document_signing):
    [result] = pdfs.verify_pdf(
        rewritten_pdf.read_bytes(), trust_root_der=document_signing.certificate_der
    )

    assert result.ok is False


def test_verify_decision_pdf_page_replaced_after_signing_invalid(rewritten_pdf):
    with pytest.raises(CommandError, match="^INVALID"):
        call_command("verify_decision_pdf", str(rewritten_pdf), stdout=io.StringIO())


def test_verify_decision_pdf_valid_file(signed_pdf):
    out = io.StringIO()

    call_command("verify_decision_pdf", str(signed_pdf), stdout=out)

    output = out.getvalue()
    assert f"SHA-256: {hashlib.sha256(signed_pdf.read_bytes()).hexdigest()}" in output
    assert "Intact: True; valid: True; trusted: True" in output
    assert "VALID: signed by the OPCC and unchanged since" in output


def test_verify_decision_pdf_tampered_file_invalid(tampered_pdf):
    out = io.StringIO()

    with pytest.raises(CommandError, match="^INVALID: the signature does not match"):
        call_command("verify_decision_pdf", str(tampered_pdf), stdout=out)

    assert "Intact: False" in out.getvalue()


def test_verify_decision_pdf_unsigned_file_invalid(unsigned_pdf):
    with pytest.raises(CommandError, match="^INVALID: the file has no signature$"):
        call_command("verify_decision_pdf", str(unsigned_pdf), stdout=io.StringIO())


def test_verify_decision_pdf_not_a_pdf_invalid(tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"This is not a PDF at all.")

    with pytest.raises(CommandError, match="^INVALID: the file could not be read"):
        call_command("verify_decision_pdf", str(path), stdout=io.StringIO())


def test_verify_decision_pdf_missing_file(tmp_path):
    with pytest.raises(CommandError, match="^No such file: "):
        call_command("verify_decision_pdf", str(tmp_path / "nothing.pdf"))


def test_verify_decision_pdf_needs_only_the_certificate(signed_pdf, settings, tmp_path):
    settings.DECISION_SIGNING_KEY = str(tmp_path / "no-key-here.pem")
    out = io.StringIO()

    call_command("verify_decision_pdf", str(signed_pdf), stdout=out)

    assert "VALID: signed by the OPCC and unchanged since" in out.getvalue()


@pytest.mark.parametrize("missing", ["DECISION_SIGNING_KEY", "DECISION_SIGNING_CERT"])
def test_load_signing_identity_missing_pem_file_names_the_settings(settings, tmp_path, missing):
    setattr(settings, missing, str(tmp_path / "missing.pem"))

    with pytest.raises(ImproperlyConfigured) as raised:
        pdfs.load_signing_identity()

    message = str(raised.value)
    assert "DECISION_SIGNING_KEY" in message
    assert "DECISION_SIGNING_CERT" in message
    assert str(tmp_path / "missing.pem") in message
    assert "create_signing_certificate" in message


def test_load_signing_identity_missing_pkcs12_names_the_setting(settings, tmp_path):
    settings.DECISION_SIGNING_PKCS12 = str(tmp_path / "opcc.p12")

    with pytest.raises(ImproperlyConfigured) as raised:
        pdfs.load_signing_identity()

    assert "DECISION_SIGNING_PKCS12" in str(raised.value)
    assert str(tmp_path / "opcc.p12") in str(raised.value)


@pytest.fixture
def pkcs12_file(document_signing, tmp_path):
    """The test key and certificate as a PKCS#12 bundle protected by a passphrase."""
    key = serialization.load_pem_private_key(document_signing.key.read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(document_signing.cert.read_bytes())
    path = tmp_path / "opcc.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"opcc",
            key,
            cert,
            None,
            serialization.BestAvailableEncryption(b"s3cret passphrase"),
        )
    )
    return path


def test_load_signing_identity_pkcs12_signs(
    settings, tmp_path, pkcs12_file, document_signing, unsigned_pdf, published_record
):
    # PKCS#12 wins over the PEM settings, which point nowhere.
    settings.DECISION_SIGNING_KEY = settings.DECISION_SIGNING_CERT = str(tmp_path / "none.pem")
    settings.DECISION_SIGNING_PKCS12 = str(pkcs12_file)
    settings.DECISION_SIGNING_PASSPHRASE = "s3cret passphrase"

    identity = pdfs.load_signing_identity()
    signed = documents.sign_pdf(
        unsigned_pdf.read_bytes(),
        identity=identity,
        signed_by=PCC,
        signed_on=published_record.signed_on,
    )

    assert identity.certificate_der == document_signing.certificate_der
    [result] = pdfs.verify_pdf(signed, trust_root_der=document_signing.certificate_der)
    assert result.ok is True


def test_load_signing_identity_pkcs12_wrong_passphrase(settings, pkcs12_file):
    settings.DECISION_SIGNING_PKCS12 = str(pkcs12_file)
    settings.DECISION_SIGNING_PASSPHRASE = "not the passphrase"

    with pytest.raises(ImproperlyConfigured, match="could not be read"):
        pdfs.load_signing_identity()


def test_signing_identity_fingerprint_is_sha256_of_the_der_certificate(document_signing):
    identity = pdfs.load_signing_identity()

    assert identity.certificate_der == document_signing.certificate_der
    assert identity.fingerprint == hashlib.sha256(document_signing.certificate_der).hexdigest()


def test_create_signing_certificate_keeps_an_existing_pair(settings, tmp_path):
    files = make_certificate(tmp_path)
    before = files.cert.read_bytes()
    settings.DECISION_SIGNING_KEY, settings.DECISION_SIGNING_CERT = str(files.key), str(files.cert)
    out = io.StringIO()

    call_command("create_signing_certificate", stdout=out)

    assert files.cert.read_bytes() == before
    assert f"A signing certificate already exists at {files.cert}." in out.getvalue()
    assert oct(files.key.stat().st_mode & 0o777) == "0o600"


def test_create_signing_certificate_force_replaces_the_pair(settings, tmp_path):
    files = make_certificate(tmp_path)
    before = files.cert.read_bytes()
    settings.DECISION_SIGNING_KEY, settings.DECISION_SIGNING_CERT = str(files.key), str(files.cert)

    call_command("create_signing_certificate", "--force", stdout=io.StringIO())

    assert files.cert.read_bytes() != before


def test_create_signing_certificate_refused_in_production(settings, tmp_path):
    settings.IS_PRODUCTION = True
    settings.DECISION_SIGNING_KEY = str(tmp_path / "key.pem")
    settings.DECISION_SIGNING_CERT = str(tmp_path / "cert.pem")

    with pytest.raises(CommandError, match="for development"):
        call_command("create_signing_certificate")

    assert list(tmp_path.iterdir()) == []
