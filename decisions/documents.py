"""Decision record PDFs: the record laid out like source 000 (svd_portal.pdfs renders and
signs it), and the PCC's signature block."""

import datetime

from django.conf import settings
from django.template.loader import render_to_string

from svd_portal import pdfs

from .enums import Outcome


def render_pdf(record) -> bytes:
    """The record as an A4 PDF laid out like source 000, tagged for accessibility."""
    html = render_to_string(
        "pdf/decision_record.html",
        {
            "record": record,
            "organisation_name": pdfs.opcc_name(),
            "area_name": settings.PORTAL_AREA_NAME,
            "approved": record.outcome == Outcome.APPROVED,
        },
    )
    return pdfs.write_pdf(html, identifier=record.reference)


def sign_pdf(
    pdf: bytes, *, identity: pdfs.SigningIdentity, signed_by: str, signed_on: datetime.date
) -> bytes:
    """Applies a PAdES signature with a visible block naming the PCC and the date."""
    return pdfs.sign_pdf(
        pdf,
        identity=identity,
        stamp=pdfs.Stamp(
            field_name="PCCSignature",
            text=(
                f"Signed for {pdfs.opcc_name()}\n"
                f"Police and Crime Commissioner: {signed_by}\nDate: {signed_on:%-d %B %Y}"
            ),
            description=f"Signature of the Police and Crime Commissioner, {signed_by}",
            reason="Decision record signed for publication",
            signed_by=signed_by,
        ),
    )
