"""Grant agreement PDFs: the agreement with the award's facts, signed for the OPCC when it is
offered; and, once the signatory accepts, the same file with the acceptance added as a
second signature (svd_portal.pdfs renders and signs both)."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from svd_portal import pdfs

from .enums import CostKind

# Where the two signature blocks stand on the last page (points from its bottom left):
# the agreement's template keeps that part of the page empty.
OFFER_BOX = (56, 200, 540, 262)
ACCEPTANCE_BOX = (56, 60, 540, 180)


def money_by_year(award) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """(financial year, labour, non-labour, total) for each year the award has money in."""
    years: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {kind: Decimal("0.00") for kind in CostKind.values}
    )
    for split in award.splits.all():
        years[split.financial_year][split.cost_kind] += split.amount
    return [
        (
            year,
            kinds[CostKind.LABOUR],
            kinds[CostKind.NON_LABOUR],
            kinds[CostKind.LABOUR] + kinds[CostKind.NON_LABOUR],
        )
        for year, kinds in sorted(years.items())
    ]


def render_offer(agreement) -> bytes:
    award = agreement.award
    html = render_to_string(
        "pdf/grant_agreement.html",
        {
            "agreement": agreement,
            "award": award,
            "organisation": award.organisation,
            "years": money_by_year(award),
            "targets": list(award.targets.select_related("success_measure")),
            "schedule": list(award.payments.select_related("after_return").order_by("number")),
            "opcc_name": pdfs.opcc_name(),
            "area_name": settings.PORTAL_AREA_NAME,
        },
    )
    return pdfs.write_pdf(html, identifier=f"{award.reference}-v{agreement.version}")


def sign_offer(pdf: bytes, agreement, *, identity: pdfs.SigningIdentity) -> bytes:
    offered_by = agreement.offered_by.full_name or agreement.offered_by.email
    offered_on = timezone.localtime(agreement.offered_at)
    return pdfs.sign_pdf(
        pdf,
        identity=identity,
        stamp=pdfs.Stamp(
            field_name="OPCCOffer",
            text=(
                f"Offered for {pdfs.opcc_name()}\n"
                f"By {offered_by} on {offered_on:%-d %B %Y}\n"
                f"Grant {agreement.award.reference}, agreement version {agreement.version}"
            ),
            description=f"Signature of the {pdfs.opcc_name()} offering the grant",
            reason=f"Grant agreement offered for {agreement.award.reference}",
            signed_by=pdfs.opcc_name(),
            box=OFFER_BOX,
        ),
    )


def sign_acceptance(offer_pdf: bytes, agreement, *, identity: pdfs.SigningIdentity) -> bytes:
    """The offered file with the acceptance added as a second signature. The portal signs it
    with the OPCC's certificate as the witness of what the signatory did: who, as what,
    when, from where, and the SHA-256 of the exact file they were shown, which stays the
    first bytes of the result."""
    organisation = agreement.award.organisation.name
    answered_at = timezone.localtime(agreement.answered_at)
    digest = agreement.accepted_sha256
    return pdfs.sign_pdf(
        offer_pdf,
        identity=identity,
        stamp=pdfs.Stamp(
            field_name="SignatoryAcceptance",
            text=(
                f"Accepted for {organisation}\n"
                f"by {agreement.signatory_name}, {agreement.signatory_position}\n"
                f"on {answered_at:%-d %B %Y at %H:%M} from {agreement.answered_from or 'unknown'}\n"
                f"SHA-256 of the agreement accepted:\n{digest[:32]}\n{digest[32:]}\n"
                f"Recorded and sealed by the grants portal of {settings.PORTAL_ORGANISATION_NAME}"
            ),
            description=(
                f"Acceptance of the agreement for {organisation} by {agreement.signatory_name}, "
                f"{agreement.signatory_position}"
            ),
            reason=f"Acceptance by {agreement.signatory_name} recorded by the portal",
            signed_by=agreement.signatory_name,
            box=ACCEPTANCE_BOX,
            tagged=False,  # the offer's signature must stay valid for the whole file
        ),
    )
