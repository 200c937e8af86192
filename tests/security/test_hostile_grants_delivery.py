"""Hostile input to an award's delivery: the plan, the grant holder's return and its
documents, staff's decision on it, and the steps of a payment (tests/security/hostile/ says
what every post is checked for)."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st

from grants import services as grant_services
from grants.enums import AwardStatus, PaymentStatus, ReturnStatus
from grants.models import Award, MonitoringReturn, Payment, ReturnAttachment
from tests.grants import awarding

from .hostile import (
    PAYLOADS,
    PDF,
    as_decimal,
    check_form,
    form_data,
    hostile,
    hostile_amount,
    hostile_choice,
    hostile_choices,
    hostile_date,
    hostile_file,
    hostile_text,
    last,
    page_shows,
    stripped,
    valid_amount,
    valid_file,
    valid_text,
)

OUTPUT_FIELDS = ["under_18", "aged_18_24", "aged_25_35", "over_35", "sessions"]
# Ways to split the £3,000 award over its four returns, as people type amounts.
TRANCHES = [
    ["750", "750", "750", "750"],
    ["£1,000.00", "500", "500.00", "1000"],
    ["0.01", "0.01", "0.01", "2999.97"],
]


def valid_count():
    return st.integers(0, 10_000_000).map(str)


def hostile_count():
    return st.one_of(
        st.sampled_from(["-1", "1.5", "1e3", "", "10000001", "٣", "0x10", "9" * 30]),
        hostile_text(12),
    )


@hostile(20)
def test_award_plan(db, data, staff_user, award):
    tranches = data.draw(st.sampled_from(TRANCHES))
    posted = data.draw(
        form_data(
            valid={
                "frequency": "quarterly",
                **{field: valid_count() for field in OUTPUT_FIELDS},
                **{f"tranche_{n}": amount for n, amount in enumerate(tranches, start=1)},
            },
            hostile={
                "frequency": hostile_choice("quarterly", "half_yearly"),
                **{field: hostile_count() for field in OUTPUT_FIELDS},
                **{f"tranche_{n}": hostile_amount() for n in range(1, 5)},
            },
        )
    )

    def planned(response, client):
        changed = Award.objects.get(pk=award.pk)
        assert changed.plan_set_by == staff_user
        assert [t.target for t in changed.targets.all()] == [
            int(last(posted, field)) for field in OUTPUT_FIELDS
        ]
        assert [p.amount for p in changed.payments.order_by("number")] == [
            as_decimal(last(posted, f"tranche_{n}")) for n in range(1, 5)
        ]
        page_shows(client, response["Location"], "Returns every quarter")

    url = reverse("grants:award-plan", args=[award.reference])
    check_form(data, url, posted, staff_user, watch=[award], accepted=planned)


@pytest.fixture
def running(pcc_user, staff_user, provider, provider_org, open_round, award_files):
    """An active award whose first quarter has ended and second has not, its title and
    budget line named with markup; the provider its signatory."""
    return awarding.running_award(
        funding_round=open_round,
        organisation=provider_org,
        created_by=pcc_user,
        holder=provider,
        staff=staff_user,
        reference="OPN-A-0002",
        title=f"Boxing {PAYLOADS[2]}",
        budget_item=f"Coach {PAYLOADS[3]}",
    )


def return_fields(award) -> dict:
    fields = {f"actual_{target.pk}": valid_count() for target in award.targets.all()}
    line = award.application.budget_lines.get()
    fields[f"spend_{line.pk}"] = st.sampled_from(["0", "10.50", "£749.99", "750"])
    return fields


@hostile(25)
def test_return_edit(db, data, provider, running):
    monitoring_return = running.returns.get(number=1)
    fields = return_fields(running)
    posted = data.draw(
        form_data(
            valid={
                **fields,
                "narrative": valid_text(10000),
                "case_study": valid_text(10000, min_size=0),
                "risks": valid_text(5000, min_size=0),
                data.draw(st.sampled_from(["save_draft", "submit"])): "Save",
            },
            hostile={
                **{name: hostile_count() for name in fields if name.startswith("actual_")},
                **{name: hostile_amount() for name in fields if name.startswith("spend_")},
            },
        )
    )

    def saved(response, client):
        changed = MonitoringReturn.objects.get(pk=monitoring_return.pk)
        assert changed.narrative == stripped(posted, "narrative")
        assert {a.target_id: a.actual for a in changed.actuals.all()} == {
            int(name.removeprefix("actual_")): int(last(posted, name))
            for name in fields
            if name.startswith("actual_") and (last(posted, name) or "").strip()
        }
        if "save_draft" in posted:
            assert changed.status == ReturnStatus.DRAFT
        else:  # submitted, unless something still stopped it
            assert (changed.status == ReturnStatus.SUBMITTED) == (
                grant_services.return_problems(changed) == []
            )
        page_shows(client, response["Location"], changed.award.reference)

    url = reverse("grants:return-edit", args=[running.reference, 1])
    check_form(data, url, posted, provider, watch=[monitoring_return], accepted=saved)


ATTACHMENT_LIMIT = 4096


@hostile(30)
def test_return_attachment_upload(db, data, settings, provider, running):
    settings.ATTACHMENT_MAX_BYTES = ATTACHMENT_LIMIT
    monitoring_return = running.returns.get(number=1)
    upload = data.draw(
        st.one_of(valid_file(limit=ATTACHMENT_LIMIT), hostile_file(limit=ATTACHMENT_LIMIT))
    )
    posted = {"file": upload} if data.draw(st.integers(0, 9)) else {}

    def stored(response, client):
        attachment = ReturnAttachment.objects.get(monitoring_return=monitoring_return)
        name = attachment.original_name
        assert name and len(name) <= 200 and not set(name) & {"/", "\\", "\x00"}
        assert attachment.content_type in ("application/pdf", "image/png")
        page_shows(client, response["Location"], name)

    url = reverse("grants:return-attachments", args=[running.reference, 1])
    check_form(data, url, posted, provider, watch=[monitoring_return], accepted=stored)


@pytest.fixture
def documented(running, provider):
    """A document on the running award's first return, its name markup."""
    attachment = grant_services.return_attachment_add(
        monitoring_return=running.returns.get(number=1),
        by=provider,
        uploaded_file=ContentFile(PDF, name="register.pdf"),
    )
    ReturnAttachment.objects.filter(pk=attachment.pk).update(original_name=PAYLOADS[5])
    return attachment


@hostile(8)
def test_return_attachment_remove(db, data, provider, documented):
    posted = data.draw(form_data(valid={}, hostile={}))

    def removed(response, client):
        assert not ReturnAttachment.objects.filter(pk=documented.pk).exists()
        page_shows(client, response["Location"], f"{PAYLOADS[5]} removed.")

    url = reverse(
        "grants:return-attachment-remove",
        args=[documented.monitoring_return.award.reference, 1, documented.pk],
    )
    check_form(data, url, posted, provider, watch=[documented], accepted=removed)


@pytest.fixture
def submitted(running, provider):
    """The first return of the running award, complete and submitted."""
    monitoring_return = running.returns.get(number=1)
    line = running.application.budget_lines.get()
    grant_services.return_save(
        monitoring_return=monitoring_return,
        by=provider,
        actuals={target.pk: 4 for target in running.targets.all()},
        spend={line.pk: Decimal("300.00")},
        narrative=f"Went well {PAYLOADS[4]}",
        case_study="",
        risks="",
    )
    return grant_services.return_submit(monitoring_return=monitoring_return, by=provider)


@hostile(15)
def test_return_accept(db, data, staff_user, submitted):
    posted = data.draw(form_data(valid={"comment": valid_text(2000, min_size=0)}))

    def accepted(response, client):
        changed = MonitoringReturn.objects.get(pk=submitted.pk)
        assert (changed.status, changed.staff_comment) == (
            ReturnStatus.ACCEPTED,
            stripped(posted, "comment"),
        )
        assert changed.payment.status == PaymentStatus.DUE
        page_shows(client, response["Location"], "Accepted")

    url = reverse("grants:return-accept", args=[submitted.award.reference, 1])
    check_form(data, url, posted, staff_user, watch=[submitted], accepted=accepted)


@hostile(15)
def test_return_send_back(db, data, staff_user, submitted):
    posted = data.draw(form_data(valid={"comment": valid_text(2000)}))

    def sent_back(response, client):
        changed = MonitoringReturn.objects.get(pk=submitted.pk)
        assert (changed.status, changed.staff_comment) == (
            ReturnStatus.RETURNED,
            stripped(posted, "comment"),
        )
        page_shows(client, response["Location"], changed.staff_comment)

    url = reverse("grants:return-send-back", args=[submitted.award.reference, 1])
    check_form(data, url, posted, staff_user, watch=[submitted], accepted=sent_back)


@pytest.fixture
def due(submitted, staff_user):
    grant_services.return_accept(monitoring_return=submitted, by=staff_user)
    return Payment.objects.get(after_return=submitted)


@hostile(8)
def test_payment_raise(db, data, staff_user, due):
    posted = data.draw(form_data(valid={}, hostile={}))

    def raised(response, client):
        assert Payment.objects.get(pk=due.pk).raised_by == staff_user

    url = reverse("grants:payment-raise", args=[due.award.reference, due.number])
    check_form(data, url, posted, staff_user, watch=[due], accepted=raised)


@pytest.fixture
def raised(due, second_staff):
    return grant_services.payment_raise(payment=due, by=second_staff)


@hostile(8)
def test_payment_approve(db, data, staff_user, raised):
    posted = data.draw(form_data(valid={}, hostile={}))

    def approved(response, client):
        assert Payment.objects.get(pk=raised.pk).approved_by == staff_user

    url = reverse("grants:payment-approve", args=[raised.award.reference, raised.number])
    check_form(data, url, posted, staff_user, watch=[raised], accepted=approved)


@hostile(15)
def test_payment_paid(db, data, staff_user, raised):
    approved = grant_services.payment_approve(payment=raised, by=staff_user)
    today = timezone.localdate()
    posted = data.draw(
        form_data(valid={"paid_on": today.isoformat()}, hostile={"paid_on": hostile_date()})
    )

    def paid(response, client):
        changed = Payment.objects.get(pk=approved.pk)
        assert (changed.status, changed.paid_on) == (PaymentStatus.PAID, today)
        assert changed.ledger_entry.amount == changed.amount
        page_shows(client, response["Location"], "Paid")

    url = reverse("grants:payment-paid", args=[approved.award.reference, approved.number])
    check_form(data, url, posted, staff_user, watch=[approved], accepted=paid)


@pytest.fixture
def paid(raised, staff_user):
    """Payment 1 of the running award (£750) paid today."""
    grant_services.payment_approve(payment=raised, by=staff_user)
    return grant_services.payment_mark_paid(
        payment=raised, by=staff_user, paid_on=timezone.localdate()
    )


@hostile(20)
def test_award_claw_back(db, data, staff_user, paid):
    award = paid.award
    posted = data.draw(
        form_data(
            valid={
                "amount": valid_amount(1, 750),
                "recovered_on": timezone.localdate().isoformat(),
                "reason": valid_text(2000),
                "end_award": st.sampled_from(["yes", "no"]),
            },
            hostile={
                "amount": hostile_amount(),
                "recovered_on": hostile_date(),
                "end_award": hostile_choice("yes", "no"),
            },
        )
    )

    def recovered(response, client):
        entry = award.ledger.get(kind="clawback")
        assert (entry.amount, entry.reason) == (
            -as_decimal(last(posted, "amount")),
            stripped(posted, "reason"),
        )
        ended = last(posted, "end_award") == "yes"
        status = Award.objects.get(pk=award.pk).status
        assert status == (AwardStatus.CLAWED_BACK if ended else AwardStatus.ACTIVE)
        page_shows(client, response["Location"], entry.reason)

    url = reverse("grants:award-claw-back", args=[award.reference])
    check_form(data, url, posted, staff_user, watch=[award], accepted=recovered)


CLOSE_OUT = ["spend_reconciled", "outcomes_recorded", "assets", "records_kept"]


@hostile(15)
def test_award_close(db, data, staff_user, running):
    # Delivered: every return accepted and every payment made.
    running.returns.update(status=ReturnStatus.ACCEPTED)
    running.payments.update(status=PaymentStatus.PAID)
    posted = data.draw(
        form_data(
            valid={"confirmed": CLOSE_OUT, "note": valid_text(2000, min_size=0)},
            hostile={"confirmed": hostile_choices(*CLOSE_OUT)},
        )
    )

    def closed(response, client):
        award = Award.objects.get(pk=running.pk)
        assert award.status == AwardStatus.CLOSED
        assert award.close_out.note == stripped(posted, "note")
        page_shows(client, response["Location"], "Closed on")

    url = reverse("grants:award-close", args=[running.reference])
    check_form(data, url, posted, staff_user, watch=[running], accepted=closed)
