"""Helpers for the grants tests: a page's text, a PDF to upload, an application already in a
status, someone who may act for an organisation, what a refused write must leave as it was,
the files in a storage, and a round put on a funding stream."""

import datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from grants import fiscal, services
from grants.enums import ApplicationStatus, RoundStages, Stage
from grants.models import Application, FundingRound
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    complete_application,
)
from tests.grants.criteria import round_data

# The smallest file that passes for a PDF: its signature and a trailer.
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


def pdf_bytes(size: int) -> bytes:
    """A PDF of exactly `size` bytes, padded inside a comment."""
    return (PDF + b"%" + b"x" * size)[:size]


def page_text(response) -> str:
    return response.content.decode()


def on_page(response, message: str) -> bool:
    """Whether the message stands on the page, as the template escapes it."""
    return escape(message) in page_text(response)


def login_redirect(url: str) -> str:
    """Where a visitor who is not signed in is sent from `url`."""
    return f"/accounts/login/?next={quote(url, safe='/')}"


def application_in(status, *, stage=Stage.FULL, **kwargs):
    """An application already at `status`, as the workflow would have left it."""
    if stage == Stage.EOI:
        kwargs.setdefault(
            "round",
            FundingRoundFactory(
                stages=RoundStages.TWO_STAGE,
                full_stage_closes_at=timezone.now() + datetime.timedelta(days=60),
            ),
        )
    submitted_at = (
        None if status == ApplicationStatus.DRAFT else timezone.now() - datetime.timedelta(days=1)
    )
    return ApplicationFactory(status=status, stage=stage, submitted_at=submitted_at, **kwargs)


def member_of(organisation):
    """Someone who may act for the organisation: the services check who is acting."""
    return MembershipFactory(organisation=organisation).user


def snapshot(application):
    """Everything a refused submission must leave as it was."""
    application = Application.objects.get(pk=application.pk)
    return {
        "fields": model_to_dict(application),
        "updated_at": application.updated_at,
        "budget_lines": list(
            application.budget_lines.order_by("pk").values_list(
                "pk", "item", "financial_year", "amount"
            )
        ),
        "attachments": list(application.attachments.values_list("pk", "file")),
        "status_changes": application.status_changes.count(),
        "next_number": FundingRound.objects.get(pk=application.round_id).next_application_number,
    }


def last_change(application) -> tuple:
    """The application's latest status change: from, to, by whom and why."""
    change = application.status_changes.order_by("-pk").first()
    return (change.from_status, change.to_status, change.changed_by, change.reason)


def stored_files(storage) -> list[str]:
    """The names of the files under the storage's folder, sorted (none if it is not there)."""
    root = Path(storage.location)
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def submitted(application):
    """The application completed and submitted by the person who started it."""
    application = complete_application(application)
    return services.application_submit(application=application, by=application.created_by)


def round_form_data(priorities, **overrides):
    """The new-round form's fields with two criteria, valid as they are, money written as
    people write it, with `overrides`."""
    criteria = [
        {"weight": "60", "scale_max": "5", "title": "Evidence", "guidance": "5: strong evidence"},
        {"weight": "40", "scale_max": "5", "title": "Partners", "guidance": "5: named partners"},
    ]
    written = {"reference_prefix": "sg25", "budget": "£100,000", "registered_minimum": "1,000"}
    return round_data(priorities, criteria, **{**written, **overrides})


def moderation_data(criteria, scores, amount, recommendation="fund"):
    """The moderation form's fields: the chair's scores, a rationale, the recommendation."""
    data = {f"score_{c.pk}": str(s) for c, s in zip(criteria, scores, strict=True)}
    data.update(
        rationale="Strong referral routes from the youth justice service.",
        recommendation=recommendation,
        conditions="",
        recommended_amount=amount,
        # Other members' scorecards are outstanding in these tests: record regardless.
        confirm_outstanding="on",
    )
    return data


def on_stream(funding_round, stream, by, *, labour="0", non_labour="0", years=None) -> str:
    """Puts the round on the stream, holding `labour` and `non_labour` in each of `years`
    (by default the financial year its delivery starts, which it returns)."""
    first = fiscal.year_of(funding_round.delivery_starts_on)
    funding_round.stream = stream
    funding_round.save(update_fields=["stream"])
    for year in years or [first]:
        services.allocation_set(
            stream=stream,
            by=by,
            financial_year=year,
            labour=Decimal(labour),
            non_labour=Decimal(non_labour),
        )
    return first


def panel_setup_post(client, funding_round, users, chair, **extra):
    """Posts the panel set-up form: these members, this chair, everyone scores everything."""
    return client.post(
        reverse("grants:panel-setup", args=[funding_round.slug]),
        {
            "members": [u.pk for u in users],
            "chair": chair.pk,
            "assignment_mode": "all",
            "spread_threshold": "20",
            **extra,
        },
    )
