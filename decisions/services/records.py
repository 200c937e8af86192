"""Writing decision records: drafting (by hand, from a round, as a correction), editing a
draft and its Section B. A signed record is locked: `decision_update` refuses it, and a
correction is a new record that references it."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from grants import selectors as grant_selectors
from grants import services as grant_services
from grants.enums import ApplicationStatus
from grants.models import FundingRound, Variation
from partners.models import User
from svd_portal.formatting import in_sentence, money
from svd_portal.history import attributed
from svd_portal.permissions import require_perm

from ..enums import LOCKED_STATUSES, DecisionStatus, Outcome
from ..models import (
    DecisionRecord,
)

D = DecisionStatus

EDITABLE_FIELDS = {
    "title",
    "received_on",
    "section_a",
    "decision_text",
    "publish_section_b",
    "commercially_sensitive",
    "sensitivity_reason",
    "exemption_basis",
    "publication_deferred",
    "deferral_reasons",
    "deferred_until",
    "deferral_lifted_reasons",
}


def validate_publication(record: DecisionRecord) -> None:
    errors = {}
    if record.commercially_sensitive and not record.sensitivity_reason.strip():
        errors["sensitivity_reason"] = "Say why the material is commercially sensitive"
    if record.commercially_sensitive and not record.exemption_basis.strip():
        errors["exemption_basis"] = "Give the exemption relied on to withhold it"
    if record.commercially_sensitive and record.publish_section_b:
        errors["publish_section_b"] = (
            "A commercially sensitive Section B report is withheld, so it cannot also be "
            "published: upload a redacted copy for publication instead"
        )
    if record.publication_deferred:
        if not record.deferred_until:
            errors["deferred_until"] = "Give the date publication is deferred to"
        if not record.deferral_reasons.strip():
            errors["deferral_reasons"] = "Give the reasons publication is deferred"
    inherited = inherited_deferral(record)
    if inherited and not record.deferral_lifted_reasons.strip():
        errors["deferral_lifted_reasons"] = (
            f"{record.corrects.reference} is not to be published until {inherited:%-d %B %Y}: "
            "defer this correction until then too, or give the reasons for publishing it earlier"
        )
    if errors:
        raise ValidationError(errors)


def inherited_deferral(record: DecisionRecord) -> datetime.date | None:
    """The date before which a correction may not be published without recorded reasons:
    the deferral of the record it corrects, while that record is still unpublished."""
    corrected = record.corrects
    if corrected is None or corrected.status == D.PUBLISHED or not corrected.publication_deferred:
        return None
    if record.publication_deferred and record.deferred_until >= corrected.deferred_until:
        return None
    return corrected.deferred_until


@attributed
@transaction.atomic
def decision_create(
    *,
    by: User,
    title: str,
    received_on: datetime.date,
    section_a: str,
    decision_text: str,
    funding_round: FundingRound | None = None,
    variation: Variation | None = None,
    applications=(),
    corrects: DecisionRecord | None = None,
    section_b=None,
    section_b_redacted=None,
    **publication,
) -> DecisionRecord:
    """Drafts a record, with its Section B report (and a redacted copy for publication) if
    given: all or nothing is saved. A correction must reference a signed record."""
    require_perm(by, "decisions.create_record")
    if corrects is not None and corrects.status not in LOCKED_STATUSES:
        raise ValidationError("Only a signed record can be corrected; change the draft instead")
    record = DecisionRecord(
        title=title.strip(),
        received_on=received_on,
        section_a=section_a.strip(),
        decision_text=decision_text.strip(),
        funding_round=funding_round,
        variation=variation,
        corrects=corrects,
        created_by=by,
        **publication,
    )
    # The publication rules first: their messages say what to do, the constraints' do not.
    validate_publication(record)
    record.full_clean(exclude=["applications", "reference"])
    record.save()
    record.applications.set(applications)
    _store_section_b(record, section_b, section_b_redacted)
    return record


@attributed
def decision_correct(*, record: DecisionRecord, by: User) -> DecisionRecord:
    """Drafts a correction of a signed record: its text to change, and its publication
    scheme considerations, the deferral included: a correction is not published before
    the record it corrects unless staff lift the deferral with recorded reasons."""
    require_perm(by, "decisions.correct_record", record)
    return decision_create(
        by=by,
        title=f"Correction to {record.reference}: {record.title}"[:300],
        received_on=record.received_on,
        section_a=record.section_a,
        decision_text=record.decision_text,
        funding_round=None,
        corrects=record,
        commercially_sensitive=record.commercially_sensitive,
        sensitivity_reason=record.sensitivity_reason,
        exemption_basis=record.exemption_basis,
        publication_deferred=record.publication_deferred and record.status != D.PUBLISHED,
        deferral_reasons=record.deferral_reasons if record.status != D.PUBLISHED else "",
        deferred_until=record.deferred_until if record.status != D.PUBLISHED else None,
    )


def round_section_a(funding_round: FundingRound) -> str:
    """Section A for a round decision, written as a formal record from the round's facts
    (not its call-for-bids blurb): the call, the applications received, the panel and its
    criteria, and the request. The awards themselves are the record's schedule of awards,
    fixed when it is sent for officer approval, so no second list of amounts can disagree
    with it."""
    opens, closes = (
        timezone.localtime(t) for t in (funding_round.opens_at, funding_round.closes_at)
    )
    received = funding_round.applications.exclude(status=ApplicationStatus.DRAFT).count()
    panel = getattr(funding_round, "panel", None)
    partners = (
        sorted({m.organisation.name for m in panel.members.select_related("organisation")})
        if panel
        else []
    )
    criteria = "; ".join(
        f"{c.title} (weight {c.weight.normalize():f})" for c in funding_round.criteria.all()
    )
    panel_sentence = (
        f"A multi-agency panel drawn from {', '.join(partners)} scored the eligible "
        f"applications against the published criteria: {criteria}."
        if partners
        else f"The eligible applications were scored against the published criteria: {criteria}."
    )
    return "\n".join(
        [
            "Background",
            "",
            f"The Police and Crime Commissioner invited bids to the {funding_round.fund_name} "
            f"({funding_round.title}) from {opens:%-d %B %Y} to {closes:%-d %B %Y}, with a "
            f"budget of {money(funding_round.budget)} for projects delivered between "
            f"{funding_round.delivery_starts_on:%-d %B %Y} and "
            f"{funding_round.delivery_ends_on:%-d %B %Y}. "
            f"{received} application{'' if received == 1 else 's'} {'was' if received == 1 else 'were'} received.",
            "",
            panel_sentence,
            "",
            "The request",
            "",
            "The Commissioner is asked to approve the awards in the schedule of awards of this "
            "record, with their conditions, and to decline the applications it lists as not "
            "recommended.",
        ]
    )


@attributed
def decision_create_from_round(*, funding_round: FundingRound, by: User) -> DecisionRecord:
    """Drafts the decision on a round's recommendations, with Section A filled in from them."""
    under_way = (
        DecisionRecord.objects.filter(funding_round=funding_round)
        .exclude(status__in=sorted(LOCKED_STATUSES), outcome=Outcome.NOT_APPROVED)
        .first()
    )
    if under_way is not None:
        raise ValidationError(
            f"A decision on this round is already {in_sentence(under_way.get_status_display())}"
            f"{': ' + under_way.reference if under_way.reference else ''}"
        )
    rows = grant_selectors.round_schedule_of_awards(funding_round=funding_round).rows
    if not any(row.recommended for row in rows):
        raise ValidationError("The round has no recommended applications to decide on")
    return decision_create(
        by=by,
        title=f"{funding_round.fund_name}: {funding_round.title}: awards",
        received_on=timezone.localdate(),
        section_a=round_section_a(funding_round),
        decision_text="To approve the awards in the schedule of awards, with their conditions, "
        "and to decline the applications it lists as not recommended.",
        funding_round=funding_round,
        applications=[row.application for row in rows],
    )


def variation_section_a(variation: Variation) -> str:
    """Section A of a variation's decision: the award, what would change and why."""
    award = variation.award
    lines = [
        f"Award {award.reference} to {award.organisation.name}: {award.title}, "
        f"{money(award.amount)}, delivery {award.delivery_starts_on:%-d %B %Y} to "
        f"{award.delivery_ends_on:%-d %B %Y}, made by PCC decision {award.decision_reference}.",
        "",
        f"Variation {variation.reference} would change:",
        *(f"- {change}" for change in grant_selectors.variation_changes(variation)),
        "",
        f"Why: {variation.reason}",
    ]
    if variation.paired_with_id:
        lines += [
            "",
            f"It moves underspend with variation {variation.paired_with.reference}, which is "
            "decided with it.",
        ]
    return "\n".join(lines)


@attributed
@transaction.atomic
def decision_create_from_variation(*, variation: Variation, by: User) -> DecisionRecord:
    """Drafts the PCC's decision on a variation above VARIATION_PCC_THRESHOLD, linking it;
    the variation (with its pair) then waits for the signature."""
    require_perm(by, "decisions.create_record")
    grant_services.variation_refer(variation=variation, by=by)
    award = variation.award
    awards = [award] + ([variation.paired_with.award] if variation.paired_with_id else [])
    return decision_create(
        by=by,
        title=f"Variation {variation.reference}: {award.title}",
        received_on=timezone.localdate(),
        section_a=variation_section_a(variation),
        decision_text=f"To approve variation {variation.reference} of award {award.reference}"
        + (
            f" and variation {variation.paired_with.reference} with it"
            if variation.paired_with_id
            else ""
        )
        + ", as Section A sets out.",
        variation=variation,
        applications=[each.application for each in awards],
    )


@attributed
@transaction.atomic
def decision_update(
    *, record: DecisionRecord, by: User, fields: dict, section_b=None, section_b_redacted=None
) -> DecisionRecord:
    """Changes a draft, and replaces its Section B report (or its redacted copy) if one is
    given: all or nothing is saved. A record awaiting approval or signature, or signed, is
    not changed."""
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != D.DRAFT:
        raise ValidationError(
            "A signed record cannot be changed: draft a correction instead"
            if record.status in LOCKED_STATUSES
            else "Only a draft can be changed: ask for it to be returned"
        )
    require_perm(by, "decisions.edit_record", record)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(record, name, value)
    validate_publication(record)
    record.full_clean(exclude=["applications"])
    record.save()
    _store_section_b(record, section_b, section_b_redacted)
    return record


def section_b_name(uploaded_name: str) -> str:
    """The name a Section B report is stored under: "section-b" and the upload's extension
    when it is a plain one. The uploaded name is whatever the browser sent: too long for
    the file system (100 astral-plane letters are 400 bytes), or nothing a file can be called.
    """
    extension = uploaded_name.rsplit(".", 1)[-1].lower() if "." in uploaded_name else ""
    if not (extension.isascii() and extension.isalnum() and len(extension) <= 10):
        extension = "bin"
    return f"section-b.{extension}"


@attributed
@transaction.atomic
def decision_attach_section_b(*, record: DecisionRecord, by: User, uploaded_file) -> DecisionRecord:
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != D.DRAFT:
        raise ValidationError("Only a draft's Section B report can be replaced")
    require_perm(by, "decisions.edit_record", record)
    _store_section_b(record, uploaded_file)
    return record


def _store_section_b(record: DecisionRecord, section_b=None, redacted=None) -> None:
    if section_b:
        record.section_b.save(section_b_name(section_b.name or ""), section_b, save=True)
    if redacted:
        name = section_b_name(redacted.name or "").replace("section-b", "section-b-redacted")
        record.section_b_redacted.save(name, redacted, save=True)
