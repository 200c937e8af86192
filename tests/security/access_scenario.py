"""The seeded scenario the access matrix requests every URL against.

One funding round in assessment, with:
- provider A's application, submitted and under assessment, with a budget and an attachment;
- provider B (another verified organisation) with a draft of its own, with a budget line and
  an attachment, and a request to join provider A's organisation that staff have not decided;
- a panel: a chair, a member who has declared no interest in A's application and submitted a
  scorecard for it, and a member who has declared a conflict on it;
- decision records in draft, awaiting approval, awaiting signature, published (with a ready
  signed PDF) and signed but not published (publication deferred, with a ready signed PDF);
  each has a Section B report, none flagged for publication; the published and the deferred
  ones also have a redacted copy, published with the record;
- a round still in draft, and a decided round with two grants accepted by organisations C
  and D: C's made by the published record (on the grants register), D's by the record whose
  publication is deferred (not on it yet);
- a superuser, and a row of each of django-axes' records, for the admin's object pages.

Everything is made through the services where they exist, so the data is what the portal itself
would hold; the rest is made with the ORM. The caller provides the database transaction.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from decisions import services as decision_services
from decisions.enums import DecisionStatus, Outcome
from decisions.models import DecisionRecord
from grants import services as grant_services
from grants.enums import (
    AgreementDocumentKind,
    ApplicationStatus,
    AwardStatus,
    DiligenceItem,
    RoundStatus,
)
from grants.models import (
    CLAUSES,
    Agreement,
    AgreementDocument,
    AgreementTemplate,
    Application,
    Attachment,
    Award,
    AwardSplit,
    DiligenceCheck,
    FundingRound,
    FundingStream,
    PanelMember,
    ReturnAttachment,
    Scorecard,
    Variation,
)
from grants.money import in_equal_parts
from partners.enums import MembershipStatus, OrganisationKind, Role
from partners.models import Membership, Organisation, Partnership, StrategicPriority, User
from svd_portal.pdfs import PdfStatus
from tests.factories import (
    ApplicationFactory,
    BudgetLineFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    StrategicPriorityFactory,
    UserFactory,
    complete_application,
)
from tests.factories.grants import EvidenceStrandFactory
from tests.factories.partners import PASSWORD
from tests.grants.awarding import make_award
from tests.grants.register_data import on_register

# The roles the matrix requests every URL as, in the order of the table's columns.
ROLES = ("anonymous", "provider_a", "provider_b", "panel", "conflicted", "staff", "ceo", "pcc")

# A small but real PDF: the attachment checks look at the first bytes, not the name.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Scenario:
    users: dict[str, User | None]
    superuser: User
    chair: User
    org_a: Organisation
    org_b: Organisation
    funding_round: FundingRound
    application_a: Application
    draft_b: Application
    attachment_a: Attachment
    attachment_b: Attachment
    budget_line_a_pk: int
    budget_line_b_pk: int
    conflicted_member: PanelMember
    scorecard: Scorecard
    join_request: Membership
    records: dict[str, DecisionRecord]
    partnership: Partnership
    priority: StrategicPriority
    success_measure_pk: int
    evidence_strand_pk: int
    pcc_group: Group
    stream: FundingStream
    award_a: Award
    return_attachment_a: ReturnAttachment
    variation_a: Variation
    agreement_template: AgreementTemplate
    draft_round: FundingRound
    decided_round: FundingRound
    grant_on_register: Award
    grant_unpublished: Award
    axes_pks: dict[str, int] = field(default_factory=dict)


def _attach(application: Application, by: User, name: str) -> Attachment:
    """An attachment written straight to the (test's) private storage: the service only takes
    files for drafts, and A's application is past that."""
    attachment = Attachment(
        application=application,
        original_name=name,
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by=by,
    )
    attachment.file.save("document.pdf", ContentFile(PDF_BYTES), save=False)
    attachment.save()
    return attachment


def _redacted() -> ContentFile:
    """The redacted copy of Section B that the OPCC publishes beside the withheld report."""
    return ContentFile(b"Advice to the PCC, redacted.", name="section-b-redacted.txt")


def _record(status: str, *, staff: User, ceo: User, pcc: User, **fields) -> DecisionRecord:
    """A decision record taken to `status` through the services, as tests/decisions does."""
    record = decision_services.decision_create(
        by=staff,
        title=fields.pop("title", f"Decision record {status}"),
        received_on=datetime.date(2024, 3, 1),
        section_a="A request to fund a knife crime awareness campaign in secondary schools.",
        decision_text="To approve the campaign.",
        **fields,
    )
    # Every record has a Section B report, never flagged for publication.
    record = decision_services.decision_attach_section_b(
        record=record,
        by=staff,
        uploaded_file=ContentFile(b"Private advice to the PCC.", name="section-b.txt"),
    )
    if status == DecisionStatus.DRAFT:
        return record
    record = decision_services.decision_submit(record=record, by=staff)
    if status == DecisionStatus.AWAITING_APPROVAL:
        return record
    record = decision_services.decision_approve(
        record=record, by=ceo, advice_confirmed=True, name=ceo.full_name
    )
    if status == DecisionStatus.AWAITING_SIGNATURE:
        return record
    record = decision_services.decision_sign(
        record=record, by=pcc, outcome=Outcome.APPROVED, declaration="None", password=PASSWORD
    )
    assert record.status == status, f"made {record.status}, not {status}"
    # Signing queued version 1 for after the commit, which never comes in a test: render it
    # here, as the worker would.
    document = record.documents.get()
    decision_services.document_render(document_id=document.pk)
    return record


def build() -> Scenario:
    now = timezone.now()
    for role in Role:
        Group.objects.get_or_create(name=role)

    # People.
    staff = UserFactory(
        email="staff@matrix.example", full_name="Olive Staff", roles=[Role.OPCC_STAFF]
    )
    ceo = UserFactory(
        email="ceo@matrix.example", full_name="Helen Carter", roles=[Role.CHIEF_EXECUTIVE]
    )
    pcc = UserFactory(email="pcc@matrix.example", full_name="Morgan Reid", roles=[Role.PCC])
    superuser = User.objects.create_superuser(
        "root@matrix.example", PASSWORD, full_name="Sam Superuser"
    )
    org_a = OrganisationFactory(name="Seaham Street Sport")
    org_b = OrganisationFactory(name="Bishop Auckland Boxing", charity=True)
    provider_a = UserFactory(email="provider.a@matrix.example", roles=[Role.PROVIDER])
    MembershipFactory(user=provider_a, organisation=org_a)
    provider_b = UserFactory(email="provider.b@matrix.example", roles=[Role.PROVIDER])
    MembershipFactory(user=provider_b, organisation=org_b)
    # B has asked to join A's organisation: asked, not a member, so it grants B nothing.
    join_request = MembershipFactory(
        user=provider_b, organisation=org_a, status=MembershipStatus.REQUESTED
    )

    def panellist(email, organisation_name, kind):
        user = UserFactory(email=email, roles=[Role.PANEL_MEMBER])
        organisation = OrganisationFactory(name=organisation_name, kind=kind)
        MembershipFactory(user=user, organisation=organisation)
        return user, organisation

    chair, chair_org = panellist(
        "chair@matrix.example", "Durham Constabulary", OrganisationKind.POLICE
    )
    panel_user, panel_org = panellist(
        "panel@matrix.example", "Durham County Council", OrganisationKind.LOCAL_AUTHORITY
    )
    conflicted_user, conflicted_org = panellist(
        "conflicted@matrix.example", "County Durham Public Health", OrganisationKind.LOCAL_AUTHORITY
    )

    # The round, in assessment, and its applications.
    priority = StrategicPriorityFactory(number=1, title="Young people at risk")
    funding_round = FundingRoundFactory(
        slug="violence-prevention-fund",
        reference_prefix="VPF",
        priorities=[priority],
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        status=RoundStatus.ASSESSMENT,
    )
    application_a = complete_application(
        ApplicationFactory(
            round=funding_round,
            organisation=org_a,
            created_by=provider_a,
            reference="VPF-0001",
            title="Street sport on the seafront",
        )
    )
    Application.objects.filter(pk=application_a.pk).update(
        status=ApplicationStatus.UNDER_ASSESSMENT, submitted_at=now, submitted_by=provider_a
    )
    application_a.refresh_from_db()
    attachment_a = _attach(application_a, provider_a, "safeguarding-policy.pdf")
    draft_b = ApplicationFactory(
        round=funding_round,
        organisation=org_b,
        created_by=provider_b,
        reference="VPF-0002",
        title="Boxing after school",
    )
    budget_line_b = BudgetLineFactory(application=draft_b, amount=Decimal("2500.00"))
    attachment_b = _attach(draft_b, provider_b, "accounts.pdf")

    # The panel: the member scores A's application, the conflicted member may not.
    grant_services.panel_save(
        funding_round=funding_round,
        by=staff,
        chair=chair,
        members=[(chair, chair_org), (panel_user, panel_org), (conflicted_user, conflicted_org)],
    )
    member = PanelMember.objects.get(panel__round=funding_round, user=panel_user)
    conflicted_member = PanelMember.objects.get(panel__round=funding_round, user=conflicted_user)
    grant_services.declaration_make(member=member, application=application_a, has_interest=False)
    grant_services.declaration_make(
        member=conflicted_member,
        application=application_a,
        has_interest=True,
        interest="Trustee of the applicant",
        is_conflict=True,
    )
    scorecard = grant_services.scorecard_save(
        member=member,
        application=application_a,
        marks={c.pk: (4, "Clear local evidence.") for c in funding_round.criteria.all()},
        submit=True,
    )

    # Decision records, one in each state that changes who may do what.
    people = {"staff": staff, "ceo": ceo, "pcc": pcc}
    records = {
        "draft": _record(DecisionStatus.DRAFT, **people),
        "awaiting_approval": _record(DecisionStatus.AWAITING_APPROVAL, **people),
        "awaiting_signature": _record(DecisionStatus.AWAITING_SIGNATURE, **people),
        "published": _record(DecisionStatus.PUBLISHED, **people, section_b_redacted=_redacted()),
        "withheld": _record(
            DecisionStatus.SIGNED,
            **people,
            section_b_redacted=_redacted(),
            title="Deferred: youth diversion contract",
            publication_deferred=True,
            deferral_reasons="Staff affected must be consulted first.",
            deferred_until=timezone.localdate() + datetime.timedelta(days=30),
        ),
    }

    # A's grant, made by a signed decision, on the OPCC's stream.
    stream = FundingStream.objects.create(name="Serious Violence Duty grant", funder="Home Office")
    award_a = Award.objects.create(
        reference="VPF-A-0001",
        application=application_a,
        round=funding_round,
        organisation=org_a,
        stream=stream,
        title=application_a.title,
        amount=Decimal("4000.00"),
        delivery_starts_on=funding_round.delivery_starts_on,
        delivery_ends_on=funding_round.delivery_ends_on,
        decision_reference=records["published"].reference,
        created_by=pcc,
    )
    AwardSplit.objects.create(
        award=award_a, financial_year="2024-25", cost_kind="labour", amount=Decimal("4000.00")
    )
    # Its delivery plan: targets, quarterly returns and a payment after each.
    grant_services.award_plan_save(
        award=award_a,
        by=staff,
        frequency="quarterly",
        outputs={"under_18": 40, "aged_18_24": 10, "aged_25_35": 0, "over_35": 0, "sessions": 30},
        outcomes={},
        tranches=in_equal_parts(
            award_a.amount, len(grant_services.planned_returns(award_a, "quarterly"))
        ),
    )
    # A document on its first return, written straight to the (test's) private storage: the
    # service only takes them while the award is active.
    return_attachment_a = ReturnAttachment(
        monitoring_return=award_a.returns.get(number=1),
        original_name="attendance-register.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by=provider_a,
    )
    return_attachment_a.file.save("document.pdf", ContentFile(PDF_BYTES), save=False)
    return_attachment_a.save()
    # Its due diligence begun, its bank details entered by provider A (its authorised
    # signatory), and an agreement offered (as the demo shows: not through the offer, whose
    # checks this scenario does not need) with its signed PDF ready.
    Membership.objects.filter(user=provider_a, organisation=org_a).update(is_signatory=True)
    grant_services.bank_details_save(
        organisation=org_a,
        by=provider_a,
        account_name=org_a.name,
        sort_code="309430",
        account_number="00733445",
    )
    DiligenceCheck.objects.create(
        award=award_a,
        item=DiligenceItem.INSURANCE,
        satisfactory=True,
        dated_on=timezone.localdate() + datetime.timedelta(days=200),
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="insurance.pdf"),
        original_name="insurance.pdf",
        content_type="application/pdf",
        recorded_by=staff,
    )
    agreement_template = grant_services.agreement_template_save(
        by=staff,
        name="Standard grant agreement",
        **{name: f"The {heading.lower()} clause." for name, heading in CLAUSES},
    )
    agreement = Agreement.objects.create(
        award=award_a,
        version=1,
        template_name=agreement_template.name,
        clauses=agreement_template.clauses(),
        offered_by=staff,
    )
    Award.objects.filter(pk=award_a.pk).update(status=AwardStatus.OFFERED)
    # A variation provider A proposed (written straight in: the service takes them only
    # once the award is accepted), to be decided by staff.
    variation_a = Variation.objects.create(
        award=award_a,
        number=1,
        reason="The hall is closed for a term.",
        previous_amount=award_a.amount,
        previous_ends_on=award_a.delivery_ends_on,
        new_ends_on=award_a.delivery_ends_on + datetime.timedelta(days=91),
        proposed_by=provider_a,
    )
    offer_pdf = b"%PDF-1.4\n% agreement\n%%EOF\n"
    AgreementDocument.objects.create(
        agreement=agreement,
        kind=AgreementDocumentKind.OFFER,
        status=PdfStatus.READY,
        file=ContentFile(offer_pdf, name="agreement.pdf"),
        sha256=hashlib.sha256(offer_pdf).hexdigest(),
        certificate_fingerprint=hashlib.sha256(b"certificate").hexdigest(),
    )

    # A round still being drafted, and last year's round, decided: C's grant is on the
    # register (accepted, its decision published), D's is not yet (accepted, its decision
    # signed with publication deferred).
    draft_round = FundingRoundFactory(
        slug="summer-diversion-draft",
        reference_prefix="SDD",
        title="Summer diversion activities (not announced)",
        status=RoundStatus.DRAFT,
        priorities=[priority],
    )
    decided_round = FundingRoundFactory(
        slug="violence-prevention-fund-2023",
        reference_prefix="VPF23",
        title="Violence Prevention Fund 2023",
        priorities=[priority],
        opens_at=now - datetime.timedelta(days=400),
        closes_at=now - datetime.timedelta(days=370),
        status=RoundStatus.DECIDED,
    )
    grant_on_register = make_award(
        funding_round=decided_round,
        organisation=OrganisationFactory(name="Stanley Boxing Academy", charity=True),
        created_by=pcc,
        reference="VPF23-A-0001",
        title="Girls boxing on Friday nights",
    )
    grant_unpublished = make_award(
        funding_round=decided_round,
        organisation=OrganisationFactory(name="Newton Aycliffe Youth Trust", company=True),
        created_by=pcc,
        reference="VPF23-A-0002",
        title="Youth diversion contract for the county",
    )
    Award.objects.filter(pk=grant_on_register.pk).update(
        decision_reference=records["published"].reference
    )
    grant_on_register = on_register(grant_on_register)
    Award.objects.filter(pk=grant_unpublished.pk).update(
        decision_reference=records["withheld"].reference, status=AwardStatus.ACCEPTED
    )
    grant_unpublished.refresh_from_db()

    # Rows for the admin's object pages.
    axes_row = {"user_agent": "matrix", "ip_address": "192.0.2.1", "username": provider_a.email}
    attempt = AccessAttempt.objects.create(
        **axes_row,
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    log = AccessLog.objects.create(**axes_row, http_accept="*/*", path_info="/accounts/login/")
    failure = AccessFailureLog.objects.create(
        **axes_row, http_accept="*/*", path_info="/accounts/login/"
    )

    return Scenario(
        users={
            "anonymous": None,
            "provider_a": provider_a,
            "provider_b": provider_b,
            "panel": panel_user,
            "conflicted": conflicted_user,
            "staff": staff,
            "ceo": ceo,
            "pcc": pcc,
        },
        superuser=superuser,
        chair=chair,
        org_a=org_a,
        org_b=org_b,
        funding_round=funding_round,
        application_a=application_a,
        draft_b=draft_b,
        attachment_a=attachment_a,
        attachment_b=attachment_b,
        budget_line_a_pk=application_a.budget_lines.get().pk,
        budget_line_b_pk=budget_line_b.pk,
        conflicted_member=conflicted_member,
        scorecard=scorecard,
        join_request=join_request,
        records=records,
        partnership=priority.partnership,
        priority=priority,
        success_measure_pk=application_a.success_measures.get().pk,
        evidence_strand_pk=EvidenceStrandFactory().pk,
        pcc_group=Group.objects.get(name=Role.PCC),
        stream=stream,
        award_a=award_a,
        return_attachment_a=return_attachment_a,
        variation_a=variation_a,
        agreement_template=agreement_template,
        draft_round=draft_round,
        decided_round=decided_round,
        grant_on_register=grant_on_register,
        grant_unpublished=grant_unpublished,
        axes_pks={"accessattempt": attempt.pk, "accesslog": log.pk, "accessfailurelog": failure.pk},
    )
