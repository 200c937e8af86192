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

from svd_portal.links import absolute_url, absolute_url_of

from .selectors.register import RegisterRow

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


def grant_id(award) -> str:
    return f"{settings.OPEN_DATA_PREFIX}-{award.reference}"


class Grants:
    """Makes the 360Giving grants of one download: what every grant shares (the funder,
    the police force area, the data source, the time of the download and the addresses'
    patterns) is worked out once, not once a grant."""

    def __init__(self, *, modified: datetime.datetime):
        self.modified = modified.isoformat()
        self.funder = {
            "id": settings.OPEN_DATA_FUNDER_ID,
            "name": settings.PORTAL_ORGANISATION_NAME,
        }
        self.force_area = (
            {
                "name": settings.OPEN_DATA_POLICE_FORCE_AREA,
                "geoCode": settings.OPEN_DATA_POLICE_FORCE_AREA_CODE,
                "geoCodeType": "PFA",
                "countryCode": "GB",
            }
            if settings.OPEN_DATA_POLICE_FORCE_AREA_CODE
            else None
        )
        self.data_source = absolute_url("grants:open-data", "json")
        self.grant_url = absolute_url_of("grants:award-detail")
        self.round_url = absolute_url_of("grants:round-detail")

    def _locations(self, row: RegisterRow) -> list[dict]:
        locations = [self.force_area] if self.force_area else []
        for area in row.areas:
            location = {"name": area.name, "countryCode": "GB"}
            if area.geo_code:
                location.update(geoCode=area.geo_code, geoCodeType=area.geo_code_type)
            locations.append(location)
        return locations

    def grant(self, row: RegisterRow) -> dict:
        """One grant of the register (selectors.register_rows) as a 360Giving grant."""
        organisation = row.organisation
        recipient = {"id": organisation_id(organisation), "name": organisation.name}
        if organisation.charity_number:
            recipient["charityNumber"] = organisation.charity_number
        if organisation.company_number:
            recipient["companyNumber"] = organisation.company_number
        record = {
            "id": grant_id(row),
            "title": row.title,
            "description": row.summary or row.title,
            "currency": "GBP",
            "amountAwarded": _number(row.amount),
            "amountDisbursed": _number(row.paid_to_date),
            "awardDate": timezone.localdate(row.created_at).isoformat(),
            "plannedDates": [
                {
                    "startDate": row.delivery_starts_on.isoformat(),
                    "endDate": row.delivery_ends_on.isoformat(),
                }
            ],
            "recipientOrganization": [recipient],
            "fundingOrganization": [self.funder],
            "grantProgramme": [
                {
                    "code": row.round.reference_prefix,
                    "title": f"{row.round.fund_name}: {row.round.title}",
                    "url": self.round_url(row.round.slug),
                }
            ],
            "fromOpenCall": "Yes",
            "beneficiaryLocation": self._locations(row),
            "url": self.grant_url(row.reference),
            "dataSource": self.data_source,
            "dateModified": self.modified,
        }
        if row.amount_requested is not None:
            record["amountAppliedFor"] = _number(row.amount_requested)
        return record


def package(rows: Iterable[RegisterRow], *, modified: datetime.datetime) -> Iterator[str]:
    """The 360Giving JSON package, streamed: its opening with the first grant as soon as
    that is read, then pieces of about 64 KB."""
    grants = Grants(modified=modified)
    pieces, size = ['{"grants": ['], 0
    for position, row in enumerate(rows):
        piece = ("," if position else "") + json.dumps(grants.grant(row))
        pieces.append(piece)
        size += len(piece)
        if size > 65536 or position == 0:
            yield "".join(pieces)
            pieces, size = [], 0
    pieces.append(f'], "version": "1.4", "title": {json.dumps(package_title())}' + "}")
    yield "".join(pieces)


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


def flat_rows(rows: Iterable[RegisterRow], *, modified: datetime.datetime) -> Iterator[list]:
    """The standard's flat CSV form: a line per grant, in CSV_COLUMNS."""
    grants = Grants(modified=modified)
    getters = [value for _, value in CSV_COLUMNS]
    for row in rows:
        flat = grants.grant(row)
        yield [get(flat) for get in getters]
