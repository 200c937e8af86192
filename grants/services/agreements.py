"""Grant agreements: the OPCC's templates, offering an award (its agreement rendered and
signed by the worker), and the signatory's answer: acceptance (the award is accepted, and
active once delivery has started), or a decline or request for changes that returns it to
staff."""

import contextlib
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import User
from svd_portal import pdfs
from svd_portal.history import attributed
from svd_portal.permissions import require_perm
from svd_portal.tasks import enqueue
from svd_portal.workflow import Workflow, move

from .. import documents as rendering
from ..diligence import offer_problems
from ..enums import AgreementDocumentKind, AgreementOutcome, AwardStatus
from ..models import CLAUSES, Agreement, AgreementDocument, AgreementTemplate, Award
from .awards import AWARD

AGREEMENT_DOCUMENT = Workflow(
    AgreementDocument,
    pdfs.PDF_MOVES,
    noun="An agreement's PDF",
    refusal="This PDF is ready: it is never rendered again",
)
# The signatory's answer to an offer: once given, it stands.
ANSWERS = frozenset(
    {AgreementOutcome.ACCEPTED, AgreementOutcome.DECLINED, AgreementOutcome.CHANGES_ASKED}
)


# --- Templates -------------------------------------------------------------------------


@attributed
@transaction.atomic
def agreement_template_save(
    *, by: User, template: AgreementTemplate | None = None, name: str, **clauses: str
) -> AgreementTemplate:
    """Creates a template or changes the one given. Agreements already offered keep the
    clauses they were offered with."""
    require_perm(by, "grants.manage_agreement_templates")
    template = template or AgreementTemplate()
    template.name = name.strip()
    if AgreementTemplate.objects.exclude(pk=template.pk).filter(name__iexact=template.name):
        raise ValidationError({"name": f"A template called {template.name} already exists"})
    errors = {}
    for field, heading in CLAUSES:
        text = clauses.get(field, "").strip()
        if not text:
            errors[field] = f"Enter the clause on {heading.lower()}"
        setattr(template, field, text)
    if errors:
        raise ValidationError(errors)
    template.updated_by, template.updated_at = by, timezone.now()
    template.full_clean()
    template.save()
    return template


# --- The offer ---------------------------------------------------------------------------


def latest_agreement(award: Award) -> Agreement | None:
    return award.agreements.order_by("-version").first()


@attributed
def award_offer(*, award: Award, by: User, template: AgreementTemplate) -> Award:
    """Offers the award: its agreement, with the template's clauses frozen, is rendered and
    signed for the OPCC in the background, and the organisation's members are told.
    Refused, with every reason, while any item of due diligence is missing."""
    require_perm(by, "grants.manage_awards", award)

    def guard(locked: Award) -> None:
        problems = offer_problems(locked)
        if problems:
            raise ValidationError(
                ["The award cannot be offered yet:", *problems], code="offer_problems"
            )

    with transaction.atomic():
        offered = move(
            AWARD,
            award,
            AwardStatus.OFFERED,
            by=by,
            reason=f"Agreement offered on the template {template.name}",
            guard=guard,
        )
        version = (latest_agreement(offered).version if latest_agreement(offered) else 0) + 1
        agreement = Agreement.objects.create(
            award=offered,
            version=version,
            template_name=template.name,
            clauses=template.clauses(),
            offered_by=by,
        )
        document = AgreementDocument.objects.create(
            agreement=agreement, kind=AgreementDocumentKind.OFFER
        )
        _after_commit(agreement, render=document)
    return offered


def _after_commit(agreement: Agreement, *, render: AgreementDocument | None = None) -> None:
    """Once the transaction commits: the PDF to render, if any, and the email about the
    agreement's outcome as it stands now (offered, accepted, declined, changes asked)."""
    outcome = agreement.outcome
    if render is not None:
        transaction.on_commit(lambda: enqueue("grants.render_agreement", document_id=render.pk))
    transaction.on_commit(
        lambda: enqueue("grants.send_agreement_email", agreement_id=agreement.pk, outcome=outcome)
    )


def ready_document(agreement: Agreement, kind: str) -> AgreementDocument | None:
    return agreement.documents.filter(kind=kind, status=pdfs.PdfStatus.READY).first()


def _offered_agreement(award: Award, agreement: Agreement) -> Agreement:
    """The agreement locked, if it is the award's current offer awaiting its answer."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    current = latest_agreement(award)
    if (
        award.status != AwardStatus.OFFERED
        or current is None
        or current.pk != agreement.pk
        or agreement.outcome != AgreementOutcome.OFFERED
    ):
        raise ValidationError("This agreement is no longer waiting for an answer")
    return agreement


@attributed
def agreement_accept(
    *,
    agreement: Agreement,
    by: User,
    signatory_name: str,
    signatory_position: str,
    sha256: str,
    address: str | None,
    today: datetime.date | None = None,
) -> Agreement:
    """The organisation's authorised signatory accepts the agreement they were shown
    (`sha256` names that exact file). The award is accepted, and active at once if its
    delivery has started; the acceptance is added to the PDF as a second signature."""
    award = agreement.award
    require_perm(by, "grants.answer_agreement", award)
    signatory_name, signatory_position = signatory_name.strip(), signatory_position.strip()
    errors = {}
    if not signatory_name:
        errors["signatory_name"] = "Enter your full name"
    if not signatory_position:
        errors["signatory_position"] = "Enter your position in the organisation"
    if errors:
        raise ValidationError(errors)
    today = today or timezone.localdate()
    with transaction.atomic():
        award = Award.objects.select_for_update().get(pk=award.pk)
        agreement = _offered_agreement(award, agreement)
        shown = ready_document(agreement, AgreementDocumentKind.OFFER)
        if shown is None:
            raise ValidationError("The agreement is still being prepared: try again in a minute")
        if sha256 != shown.sha256:
            raise ValidationError(
                "The agreement you read is not the one on offer now: read the current "
                "agreement, then accept it"
            )
        agreement.outcome = AgreementOutcome.ACCEPTED
        agreement.answered_by, agreement.answered_at = by, timezone.now()
        agreement.answered_from = address
        agreement.signatory_name, agreement.signatory_position = signatory_name, signatory_position
        agreement.accepted_sha256 = sha256
        agreement.save()
        award = move(
            AWARD,
            award,
            AwardStatus.ACCEPTED,
            by=by,
            reason=f"Agreement v{agreement.version} accepted by {signatory_name}, "
            f"{signatory_position}",
        )
        if award.delivery_starts_on <= today:
            move(AWARD, award, AwardStatus.ACTIVE, by=by, reason="Delivery has started")
        document = AgreementDocument.objects.create(
            agreement=agreement, kind=AgreementDocumentKind.ACCEPTED
        )
        _after_commit(agreement, render=document)
    return agreement


@attributed
def agreement_return(
    *, agreement: Agreement, by: User, outcome: str, message: str, address: str | None
) -> Agreement:
    """The signatory declines the agreement or asks for changes, with a message: it goes
    back to OPCC staff (the award returns to due diligence, to be offered again or
    withdrawn), and the member of staff who offered it is told."""
    award = agreement.award
    require_perm(by, "grants.answer_agreement", award)
    if outcome not in (AgreementOutcome.DECLINED, AgreementOutcome.CHANGES_ASKED):
        raise ValidationError({"outcome": "Choose whether you decline or ask for changes"})
    message = message.strip()
    if not message:
        raise ValidationError({"message": "Tell the OPCC why, or what should change"})
    with transaction.atomic():
        award = Award.objects.select_for_update().get(pk=award.pk)
        agreement = _offered_agreement(award, agreement)
        agreement.outcome, agreement.message = outcome, message
        agreement.answered_by, agreement.answered_at = by, timezone.now()
        agreement.answered_from = address
        agreement.save()
        label = AgreementOutcome(outcome).label.lower()
        move(
            AWARD,
            award,
            AwardStatus.DUE_DILIGENCE,
            by=by,
            reason=f"Agreement v{agreement.version}: {label}. {message}",
        )
        _after_commit(agreement)
    return agreement


def awards_activate_due(*, today: datetime.date | None = None) -> list[str]:
    """Accepted awards whose delivery has started become active (daily; idempotent)."""
    today = today or timezone.localdate()
    activated = []
    due = Award.objects.filter(status=AwardStatus.ACCEPTED, delivery_starts_on__lte=today)
    for award in due:
        with contextlib.suppress(ValidationError):  # moved meanwhile by someone else
            move(AWARD, award, AwardStatus.ACTIVE, reason="Delivery has started")
            activated.append(award.reference)
    return activated


# --- The PDFs ----------------------------------------------------------------------------


def agreement_render(*, document_id: int) -> AgreementDocument | None:
    """Renders and signs one agreement PDF (svd_portal.pdfs.render_version says how): the
    offer, or the accepted file, which is the offer with the acceptance signed onto it."""

    def make(document: AgreementDocument) -> tuple[bytes, str]:
        identity = pdfs.load_signing_identity()
        agreement = document.agreement
        if document.kind == AgreementDocumentKind.OFFER:
            pdf = rendering.sign_offer(
                rendering.render_offer(agreement), agreement, identity=identity
            )
        else:
            offer = ready_document(agreement, AgreementDocumentKind.OFFER)
            with offer.file.open("rb") as handle:
                pdf = rendering.sign_acceptance(handle.read(), agreement, identity=identity)
        return pdf, identity.fingerprint

    return pdfs.render_version(
        AGREEMENT_DOCUMENT,
        document_id,
        make=make,
        related=(
            "agreement__award__organisation",
            "agreement__award__application",
            "agreement__offered_by",
        ),
    )


def agreements_sweep(*, now=None) -> list[int]:
    """Queues again every agreement PDF not ready after too long: stuck, or failed after
    the task's retries (a worker's certificate missing, say, since put right)."""
    return pdfs.sweep_versions(
        AgreementDocument,
        "grants.render_agreement",
        statuses=[pdfs.PdfStatus.QUEUED, pdfs.PdfStatus.RENDERING, pdfs.PdfStatus.FAILED],
        now=now or timezone.now(),
    )
