"""The PCC's signature makes the awards of the schedule, committed against the round's
funding stream; a stream that cannot hold them is said on the record's page before the
PCC signs, and the signature is refused with nothing changed."""

from decimal import Decimal

import pytest
from django.utils.html import escape

from decisions import services
from decisions.enums import DecisionStatus
from decisions.models import DecisionRecord
from grants import services as grant_services
from grants.enums import ApplicationStatus, AwardStatus
from grants.models import Application, Award
from tests.factories.partners import PASSWORD
from tests.grants.helpers import on_stream

SIGN = {"outcome": "approved", "declaration": "None", "password": PASSWORD}


@pytest.fixture
def stream(staff_user):
    return grant_services.stream_save(
        by=staff_user, name="Serious Violence Duty grant", funder="Home Office"
    )


@pytest.fixture
def awaiting_signature(recommended_round, staff_user, ceo_user):
    record = services.decision_create_from_round(funding_round=recommended_round, by=staff_user)
    record = services.decision_submit(record=record, by=staff_user)
    return services.decision_approve(
        record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
    )


def test_signing_over_http_makes_the_schedules_awards(
    recommended_round, stream, awaiting_signature, staff_user, pcc_user, client_as
):
    on_stream(recommended_round, stream, staff_user, non_labour="10000")

    response = client_as(pcc_user).post(f"/staff/decisions/{awaiting_signature.pk}/sign/", SIGN)

    assert response.status_code == 302
    assert list(
        Award.objects.order_by("reference").values_list(
            "reference", "application__reference", "amount", "conditions", "status", "stream"
        )
    ) == [
        ("YV1-A-0001", "YV1-0001", Decimal("4800.00"), "", AwardStatus.DUE_DILIGENCE, stream.pk),
        (
            "YV1-A-0002",
            "YV1-0002",
            Decimal("3000.00"),
            "Safeguarding training first.",
            AwardStatus.DUE_DILIGENCE,
            stream.pk,
        ),
    ]
    assert set(Award.objects.values_list("decision_reference", flat=True)) == {
        awaiting_signature.reference
    }


def test_a_stream_that_cannot_hold_the_awards_is_told_and_the_signature_refused(
    recommended_round, stream, awaiting_signature, staff_user, pcc_user, client_as
):
    year = on_stream(recommended_round, stream, staff_user, non_labour="5000")
    url = f"/staff/decisions/{awaiting_signature.pk}/"

    page = client_as(pcc_user).get(url)
    response = client_as(pcc_user).post(f"{url}sign/", SIGN)

    problem = (
        f"{year}'s non-labour money would be overcommitted by £2,800 (£5,000 of £5,000 is left)"
    )
    # The template's own words, and the problem as data (escaped).
    assert f"The round's funding stream cannot hold these awards: {escape(problem)}." in (
        page.content.decode()
    )
    assert response.status_code == 400
    assert escape(f"These awards cannot be made: {problem}.") in response.content.decode()
    record = DecisionRecord.objects.get(pk=awaiting_signature.pk)
    assert (record.status, record.signed_at) == (DecisionStatus.AWAITING_SIGNATURE, None)
    assert Award.objects.count() == 0
    assert set(
        Application.objects.filter(round=recommended_round).values_list("status", flat=True)
    ) == {ApplicationStatus.RECOMMENDED, ApplicationStatus.NOT_RECOMMENDED}
