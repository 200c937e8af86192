"""Hostile posts to the provider's application: starting one, each section, budget lines,
attachments, submitting (and staff submitting a bid they logged), withdrawing.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st

from grants.enums import ApplicationStatus, CostKind
from grants.forms import financial_years
from grants.models import Application, ApplicationStatusChange, Attachment, BudgetLine
from tests.factories import OrganisationFactory, StrategicPriorityFactory, complete_application
from tests.factories.grants import EvidenceStrandFactory, SuccessMeasureFactory

from .hostile import (
    PAYLOADS,
    as_decimal,
    check_form,
    form_data,
    hostile,
    hostile_amount,
    hostile_bool,
    hostile_choice,
    hostile_choices,
    hostile_datetime,
    hostile_file,
    hostile_text,
    last,
    local_input,
    page_shows,
    stripped,
    valid_amount,
    valid_file,
    valid_text,
)


@hostile(20)
def test_application_start(db, data, provider, provider_org, open_round):
    other = OrganisationFactory(name="Not theirs")
    posted = data.draw(
        form_data(
            valid={"organisation": provider_org.pk, "title": valid_text(200)},
            hostile={"organisation": hostile_choice(provider_org.pk, other.pk)},
        )
    )

    def started(response, client):
        started = Application.objects.get(round=open_round, organisation=provider_org)
        assert started.title == stripped(posted, "title")
        page_shows(client, response["Location"], started.title)

    url = reverse("grants:application-start", args=[open_round.slug])
    check_form(data, url, posted, provider, watch=[open_round], accepted=started)


def section_fields(section, application):
    """The valid and hostile strategies for one section of the application form."""
    priorities = list(application.round.priorities.values_list("pk", flat=True))
    unfunded = StrategicPriorityFactory(title="Not funded by this round").pk
    strand = EvidenceStrandFactory(name=f"Strand {PAYLOADS[0]}")
    retired = EvidenceStrandFactory(name="Retired strand", is_active=False)
    measure = SuccessMeasureFactory(title=f"Measure {PAYLOADS[1]}")
    return {
        "project": (
            {
                "title": valid_text(200),
                "summary": valid_text(600, min_size=0),
                "description": valid_text(2000, min_size=0),
            },
            {"title": hostile_text()},
        ),
        "priorities": (
            {"priorities": st.lists(st.sampled_from(priorities), unique=True)},
            {"priorities": hostile_choices(*priorities, unfunded)},
        ),
        "evidence": (
            {
                "evidence_strand": st.sampled_from(["", strand.pk]),
                "evidence_other": valid_text(300, min_size=0),
                "evidence_description": valid_text(1500, min_size=0),
            },
            {"evidence_strand": hostile_choice(strand.pk, retired.pk)},
        ),
        "delivery": (
            {
                "target_cohort": valid_text(1000, min_size=0),
                "delivery_area": valid_text(500, min_size=0),
                "partners_involved": valid_text(1000, min_size=0),
            },
            {},
        ),
        "outcomes": (
            {
                "outcomes": valid_text(1500, min_size=0),
                "success_measures": st.lists(st.just(measure.pk), max_size=1),
            },
            {"success_measures": hostile_choices(measure.pk)},
        ),
        "declarations": (
            {name: st.sampled_from(["on", ""]) for name in DECLARATIONS},
            {name: hostile_bool() for name in DECLARATIONS},
        ),
    }[section]


DECLARATIONS = ["declare_accurate", "declare_safeguarding", "declare_data_protection"]
TEXT_FIELDS = {
    "project": ["title", "summary", "description"],
    "evidence": ["evidence_other", "evidence_description"],
    "delivery": ["target_cohort", "delivery_area", "partners_involved"],
    "outcomes": ["outcomes"],
}


@pytest.mark.parametrize(
    "section", ["project", "priorities", "evidence", "delivery", "outcomes", "declarations"]
)
@hostile(15)
def test_application_section(db, data, section, provider, draft):
    valid, bad = section_fields(section, draft)
    posted = data.draw(form_data(valid=valid, hostile=bad))

    def saved(response, client):
        draft.refresh_from_db()
        for name in TEXT_FIELDS.get(section, []):
            assert getattr(draft, name) == stripped(posted, name), name
        if section == "project":
            amount = stripped(posted, "amount_requested")
            assert draft.amount_requested == (as_decimal(amount) if amount else None)
            page_shows(
                client, reverse("grants:application-detail", args=[draft.reference]), draft.title
            )
        if section == "priorities":
            chosen = {int(pk) for pk in posted.get("priorities", [])}
            assert set(draft.priorities.values_list("pk", flat=True)) == chosen
        if section == "declarations":
            for name in DECLARATIONS:
                # A checkbox is ticked by any value but "false" (Django's CheckboxInput).
                value = last(posted, name, "")
                assert getattr(draft, name) is (value != "" and value.lower() != "false")

    url = reverse("grants:application-section", args=[draft.reference, section])
    check_form(data, url, posted, provider, watch=[draft], accepted=saved)


@hostile(25)
def test_budget_line_add(db, data, provider, draft):
    years = financial_years(draft.round)
    posted = data.draw(
        form_data(
            valid={
                "item": valid_text(200),
                "financial_year": st.sampled_from(years),
                "cost_kind": st.sampled_from(CostKind.values),
                "amount": valid_amount(),
            },
            hostile={
                "financial_year": hostile_choice(*years, "2099-00"),
                "cost_kind": hostile_choice(*CostKind.values),
                "amount": hostile_amount(),
            },
        )
    )

    def added(response, client):
        line = BudgetLine.objects.get(application=draft)
        assert line.item == stripped(posted, "item")
        assert line.cost_kind == last(posted, "cost_kind")
        assert line.amount == as_decimal(last(posted, "amount"))
        page_shows(client, response["Location"], line.item)

    url = reverse("grants:application-budget", args=[draft.reference])
    check_form(data, url, posted, provider, watch=[draft], accepted=added)


ATTACHMENT_LIMIT = 4096


@hostile(30)
def test_attachment_upload(db, data, settings, provider, draft, attachment_storage):
    settings.ATTACHMENT_MAX_BYTES = ATTACHMENT_LIMIT
    upload = data.draw(
        st.one_of(valid_file(limit=ATTACHMENT_LIMIT), hostile_file(limit=ATTACHMENT_LIMIT))
    )
    posted = {"file": upload} if data.draw(st.integers(0, 9)) else {}

    def stored(response, client):
        attachment = Attachment.objects.get(application=draft)
        name = attachment.original_name
        assert name and len(name) <= 200 and not set(name) & {"/", "\\", "\x00"}
        assert attachment.content_type in ("application/pdf", "image/png")
        page_shows(client, response["Location"], name)

    url = reverse("grants:application-attachments", args=[draft.reference])
    check_form(data, url, posted, provider, watch=[draft], accepted=stored)


@hostile(20)
def test_application_submit(db, data, provider, staff_user, draft, logged_bid):
    """The provider submits a portal draft (complete or not); staff submit a logged bid
    with the time it arrived, which is where the input is."""
    staff = data.draw(st.booleans())
    application = logged_bid if staff else draft
    if not staff and data.draw(st.booleans()):
        application = complete_application(draft)
    opened = logged_bid.round.opens_at
    posted = data.draw(
        form_data(
            valid={
                "received_at": st.sampled_from(
                    [local_input(timezone.now() - datetime.timedelta(hours=2)), local_input(opened)]
                )
            },
            hostile={"received_at": hostile_datetime()},
        )
    )

    def submitted_now(response, client):
        application.refresh_from_db()
        assert application.status == ApplicationStatus.SUBMITTED
        if staff:
            assert local_input(application.submitted_at) == last(posted, "received_at")

    url = reverse("grants:application-submit", args=[application.reference])
    check_form(
        data,
        url,
        posted,
        staff_user if staff else provider,
        watch=[application],
        accepted=submitted_now,
    )


@hostile(20)
def test_application_withdraw(db, data, provider, draft):
    posted = data.draw(form_data(valid={"reason": valid_text(2000, min_size=0)}))

    def withdrawn(response, client):
        draft.refresh_from_db()
        assert draft.status == ApplicationStatus.WITHDRAWN
        change = ApplicationStatusChange.objects.get(application=draft)
        assert change.reason == stripped(posted, "reason")

    url = reverse("grants:application-withdraw", args=[draft.reference])
    check_form(data, url, posted, provider, watch=[draft], accepted=withdrawn)
