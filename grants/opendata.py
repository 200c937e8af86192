"""The grants register as 360Giving open data (the 360Giving Data Standard 1.4): a grant per
award on the register, in the JSON package the standard's schema describes and in its
flat CSV form. Identifiers: `360G-<prefix>-<award reference>` for a grant (the prefix is
OPEN_DATA_PREFIX), an organisation's `GB-CHC-` (Charity Commission) or `GB-COH-`
(Companies House) org-id, and `360G-<prefix>-ORG-<id>` for a group registered with
neither. Nothing about people is in it."""

import datetime
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from svd_portal.links import absolute_url

from .models import Award

CHARITY_ORG_ID = "GB-CHC-"
COMPANY_ORG_ID = "GB-COH-"


def _number(amount: Decimal) -> int | float:
    """An amount as a JSON number: whole pounds as an integer, else pounds and pence."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def organisation_id(organisation) -> str:
    if organisation.charity_number:
        return CHARITY_ORG_ID + organisation.charity_number
    if organisation.company_number:
        return COMPANY_ORG_ID + organisation.company_number
    return f"{settings.OPEN_DATA_PREFIX}-ORG-{organisation.pk}"


def grant_id(award: Award) -> str:
    return f"{settings.OPEN_DATA_PREFIX}-{award.reference}"


def _locations(award: Award) -> list[dict]:
    locations = []
    if settings.OPEN_DATA_POLICE_FORCE_AREA_CODE:
        locations.append(
            {
                "name": settings.OPEN_DATA_POLICE_FORCE_AREA,
                "geoCode": settings.OPEN_DATA_POLICE_FORCE_AREA_CODE,
                "geoCodeType": "PFA",
                "countryCode": "GB",
            }
        )
    for area in award.areas.all():
        location = {"name": area.name, "countryCode": "GB"}
        if area.geo_code:
            location.update(geoCode=area.geo_code, geoCodeType=area.geo_code_type)
        locations.append(location)
    return locations


def grant(award: Award, *, modified: datetime.datetime) -> dict:
    """One award as a 360Giving grant. `award` comes from selectors.register_awards (its
    paid to date annotated) with its application, round and areas."""
    organisation = award.organisation
    recipient = {"id": organisation_id(organisation), "name": organisation.name}
    if organisation.charity_number:
        recipient["charityNumber"] = organisation.charity_number
    if organisation.company_number:
        recipient["companyNumber"] = organisation.company_number
    funder = {"id": settings.OPEN_DATA_FUNDER_ID, "name": settings.PORTAL_ORGANISATION_NAME}
    record = {
        "id": grant_id(award),
        "title": award.title,
        "description": award.application.summary or award.title,
        "currency": "GBP",
        "amountAwarded": _number(award.amount),
        "amountDisbursed": _number(award.paid_to_date),
        "awardDate": timezone.localdate(award.created_at).isoformat(),
        "plannedDates": [
            {
                "startDate": award.delivery_starts_on.isoformat(),
                "endDate": award.delivery_ends_on.isoformat(),
            }
        ],
        "recipientOrganization": [recipient],
        "fundingOrganization": [funder],
        "grantProgramme": [
            {
                "code": award.round.reference_prefix,
                "title": f"{award.round.fund_name}: {award.round.title}",
                "url": absolute_url("grants:round-detail", award.round.slug),
            }
        ],
        "fromOpenCall": "Yes",
        "beneficiaryLocation": _locations(award),
        "url": absolute_url("grants:award-detail", award.reference),
        "dataSource": absolute_url("grants:open-data", "json"),
        "dateModified": modified.isoformat(),
    }
    if award.application.amount_requested is not None:
        record["amountAppliedFor"] = _number(award.application.amount_requested)
    return record


def package(awards: Iterable[Award], *, modified: datetime.datetime) -> Iterator[str]:
    """The 360Giving JSON package, in pieces, a grant at a time, so that it streams."""
    yield '{"grants": ['
    for position, award in enumerate(awards):
        yield ("," if position else "") + json.dumps(grant(award, modified=modified))
    yield f'], "version": "1.4", "title": {json.dumps(package_title())}' + "}"


def package_title() -> str:
    return f"Grants of the {settings.PORTAL_ORGANISATION_NAME}"


# The flat form: the 360Giving spreadsheet template's column titles.
CSV_COLUMNS = [
    ("Identifier", lambda g: g["id"]),
    ("Title", lambda g: g["title"]),
    ("Description", lambda g: g["description"]),
    ("Currency", lambda g: g["currency"]),
    ("Amount Applied For", lambda g: g.get("amountAppliedFor", "")),
    ("Amount Awarded", lambda g: g["amountAwarded"]),
    ("Amount Disbursed", lambda g: g["amountDisbursed"]),
    ("Award Date", lambda g: g["awardDate"]),
    ("Planned Dates:Start Date", lambda g: g["plannedDates"][0]["startDate"]),
    ("Planned Dates:End Date", lambda g: g["plannedDates"][0]["endDate"]),
    ("Recipient Org:Identifier", lambda g: g["recipientOrganization"][0]["id"]),
    ("Recipient Org:Name", lambda g: g["recipientOrganization"][0]["name"]),
    (
        "Recipient Org:Charity Number",
        lambda g: g["recipientOrganization"][0].get("charityNumber", ""),
    ),
    (
        "Recipient Org:Company Number",
        lambda g: g["recipientOrganization"][0].get("companyNumber", ""),
    ),
    ("Funding Org:Identifier", lambda g: g["fundingOrganization"][0]["id"]),
    ("Funding Org:Name", lambda g: g["fundingOrganization"][0]["name"]),
    ("Grant Programme:Code", lambda g: g["grantProgramme"][0]["code"]),
    ("Grant Programme:Title", lambda g: g["grantProgramme"][0]["title"]),
    ("From An Open Call?", lambda g: g["fromOpenCall"]),
    (
        "Beneficiary Location:Name",
        lambda g: "; ".join(place["name"] for place in g["beneficiaryLocation"]),
    ),
    (
        "Beneficiary Location:Geographic Code",
        lambda g: "; ".join(place.get("geoCode", "") for place in g["beneficiaryLocation"]),
    ),
    (
        "Beneficiary Location:Geographic Code Type",
        lambda g: "; ".join(place.get("geoCodeType", "") for place in g["beneficiaryLocation"]),
    ),
    ("URL", lambda g: g["url"]),
    ("Data Source", lambda g: g["dataSource"]),
    ("Last Modified", lambda g: g["dateModified"]),
]


def rows(awards: Iterable[Award], *, modified: datetime.datetime) -> Iterator[list]:
    for award in awards:
        flat = grant(award, modified=modified)
        yield [value(flat) for _, value in CSV_COLUMNS]
