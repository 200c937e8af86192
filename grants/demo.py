"""Demo data for grants: the £700,000 Violence Prevention Fund of source 003, its applications,
and a round open today so that a visitor can apply. Idempotent, like partners.demo.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.utils import timezone

from partners.models import Area, Organisation, Partnership, SuccessMeasure, User
from svd_portal.pdfs import PdfStatus

from . import money, services
from .diligence import required_items
from .enums import (
    AgreementDocumentKind,
    ApplicationStatus,
    AwardStatus,
    CapCategory,
    Channel,
    CostKind,
    DiligenceItem,
    FraudRisk,
    ReturnFrequency,
    ReturnStatus,
    RoundStatus,
    ScorecardStatus,
    TargetKind,
    Toolkit,
)
from .models import (
    Agreement,
    AgreementDocument,
    AgreementTemplate,
    Application,
    Award,
    AwardStatusChange,
    BudgetLine,
    EvidenceStrand,
    FundingRound,
    FundingStream,
    MonitoringReturn,
    Panel,
    Payment,
    ReturnStatusChange,
)
from .services.applications import allocate_reference

LONDON = ZoneInfo("Europe/London")

EVIDENCE_STRANDS = [
    (Toolkit.YEF, "Mentoring"),
    (Toolkit.YEF, "Sports programmes"),
    (Toolkit.YEF, "Social skills training"),
    (Toolkit.YEF, "Focused deterrence"),
    (Toolkit.YEF, "A&E navigators"),
    (Toolkit.YEF, "Trauma-specific therapies"),
    (Toolkit.YEF, "Relationship violence prevention lessons and activities"),
    (Toolkit.COLLEGE_OF_POLICING, "Alcohol-related violence: licensing and the night-time economy"),
    (Toolkit.COLLEGE_OF_POLICING, "Street lighting"),
    (Toolkit.COLLEGE_OF_POLICING, "Hot spots policing"),
]

CRITERIA = [
    {
        "number": 1,
        "title": "Need and the local evidence",
        "weight": Decimal("25"),
        "scale_max": 5,
        "guidance": "5: the need is shown with local data (including the strategic needs "
        "assessment) and the voices of those affected; 0: no evidence of need.",
    },
    {
        "number": 2,
        "title": "Evidence-based practice",
        "weight": Decimal("25"),
        "scale_max": 5,
        "guidance": "5: the approach follows a strand of the YEF Toolkit or the College of "
        "Policing Crime Reduction Toolkit with a clear fit; 0: no evidence base.",
    },
    {
        "number": 3,
        "title": "Multi-agency, collaborative delivery",
        "weight": Decimal("20"),
        "scale_max": 5,
        "guidance": "5: named partners with defined roles and referral routes; 0: works alone.",
    },
    {
        "number": 4,
        "title": "Reducing serious violence in public spaces",
        "weight": Decimal("20"),
        "scale_max": 5,
        "guidance": "5: a credible route to fewer victims, linked to the success measures; "
        "0: no link to serious violence.",
    },
    {
        "number": 5,
        "title": "Value for money and deliverability",
        "weight": Decimal("10"),
        "scale_max": 5,
        "guidance": "5: a realistic budget and plan within the delivery period; 0: undeliverable.",
    },
]

VPF_DESCRIPTION = (
    "About £700,000 of grant funding for projects against the partnership's strategic "
    "priorities, delivered between January 2024 and March 2025.\n\n"
    "Projects should meet the needs of the local community in response to the issues they "
    "face around serious violence, based on evidence provided by partnerships (including the "
    "strategic needs assessment), and show a multi-agency, collaborative approach. They should "
    "use evidence-based practice, drawing on resources such as the College of Policing or the "
    "Youth Endowment Fund Toolkit, and show how the intervention will reduce serious violence "
    "in public spaces. Academics will evaluate the funded initiatives."
)
ELIGIBILITY = (
    "Registered charities, charitable incorporated organisations, community interest "
    "companies and other not-for-profit companies can ask for up to £40,000. Unregistered "
    "community groups can ask for up to £5,000. Your organisation must be registered on this "
    "portal and verified by OPCC staff before you apply."
)
HOW_TO_APPLY = (
    "Create an account, register your organisation and wait for it to be verified. Then "
    "start an application from this page. You can save it and come back at any time before "
    "the closing date. Applications that arrive by email or on paper are logged by OPCC staff."
)

# The tenth application came on paper, from someone with no email address.
PAPER_BID_CONTACT = {
    "contact_name": "Margaret Hall",
    "contact_address": "14 Front Street\nShildon\nDL4 1AA",
}

# (organisation, title, amount, status, priority numbers, strand index)
VPF_APPLICATIONS = [
    (
        "Darlington Youth Mentoring Trust",
        "Mentoring for young people at risk of exploitation",
        "38500",
        ApplicationStatus.UNDER_ASSESSMENT,
        [1],
        0,
    ),
    (
        "Bishop Auckland Boxing Club",
        "Friday night boxing sessions",
        "4800",
        ApplicationStatus.UNDER_ASSESSMENT,
        [1],
        1,
    ),
    (
        "Safer Nights North East CIC",
        "Night-time economy welfare hubs",
        "39950",
        ApplicationStatus.UNDER_ASSESSMENT,
        [2],
        7,
    ),
    (
        "Wear Valley Families CIO",
        "Healthy relationships in schools",
        "27000",
        ApplicationStatus.UNDER_ASSESSMENT,
        [4],
        6,
    ),
    (
        "Seaham Street Sport",
        "Street sport on the seafront",
        "5000",
        ApplicationStatus.UNDER_ASSESSMENT,
        [1],
        1,
    ),
    (
        "Darlington Youth Mentoring Trust",
        "A&E navigator pilot",
        "40000",
        ApplicationStatus.WITHDRAWN,
        [3],
        4,
    ),
    ("Safer Nights North East CIC", "Taxi marshals", "12000", ApplicationStatus.INELIGIBLE, [2], 7),
    (
        "Wear Valley Families CIO",
        "Trauma-informed family support",
        "35000",
        ApplicationStatus.SUBMITTED,
        [3, 4],
        5,
    ),
    (
        "Bishop Auckland Boxing Club",
        "Holiday boxing camp",
        "4500",
        ApplicationStatus.SUBMITTED,
        [1],
        1,
    ),
    ("Seaham Street Sport", "Detached youth work", "4950", ApplicationStatus.SUBMITTED, [1], 2),
    (
        "Darlington Youth Mentoring Trust",
        "Focused deterrence with the youth justice service",
        "36000",
        ApplicationStatus.SUBMITTED,
        [3],
        3,
    ),
    (
        "Wear Valley Families CIO",
        "Parenting support (draft)",
        "20000",
        ApplicationStatus.DRAFT,
        [4],
        5,
    ),
]


def _round(slug, **defaults):
    funding_round = FundingRound.objects.filter(slug=slug).first()
    if funding_round is not None:
        return funding_round, False
    return FundingRound(slug=slug, **defaults), True


def seed(*, partnership: Partnership, staff: User) -> FundingRound:
    for toolkit, name in EVIDENCE_STRANDS:
        EvidenceStrand.objects.get_or_create(toolkit=toolkit, name=name)
    priorities = list(partnership.priorities.order_by("number"))
    caps = [
        {
            "category": CapCategory.UNREGISTERED,
            "minimum": Decimal("500"),
            "maximum": Decimal("5000"),
        },
        {
            "category": CapCategory.REGISTERED,
            "minimum": Decimal("1000"),
            "maximum": Decimal("40000"),
        },
    ]
    common = {"eligibility": ELIGIBILITY, "how_to_apply": HOW_TO_APPLY}

    vpf, created = _round(
        "violence-prevention-fund-2024",
        fund_name="Violence Prevention Fund",
        title="Grants for 2024 to 2025",
        reference_prefix="VPF24",
        description=VPF_DESCRIPTION,
        budget=Decimal("700000"),
        opens_at=datetime.datetime(2023, 11, 1, 9, 0, tzinfo=LONDON),
        closes_at=datetime.datetime(2023, 12, 8, 17, 0, tzinfo=LONDON),
        delivery_starts_on=datetime.date(2024, 1, 1),
        delivery_ends_on=datetime.date(2025, 3, 31),
        **common,
    )
    if created:
        vpf = _made_and_opened(vpf, staff=staff, priorities=priorities, caps=caps)
        _seed_vpf_applications(vpf, staff=staff, priorities=priorities)
        for to_status in (RoundStatus.CLOSED, RoundStatus.ASSESSMENT):
            services.round_move(funding_round=vpf, to_status=to_status, by=staff)
    seed_panel(vpf=vpf, staff=staff)
    _seed_stream(vpf=vpf, staff=staff)

    now = timezone.now()
    open_round, created = _round(
        "community-safety-small-grants",
        fund_name="Violence Prevention Fund",
        title="Community safety small grants",
        reference_prefix="CSG",
        description="Grants for community projects that keep young people safe from harm, "
        "against the partnership's four priorities. Open now.",
        budget=Decimal("150000"),
        opens_at=(now - datetime.timedelta(days=14)).replace(microsecond=0),
        closes_at=(now + datetime.timedelta(days=60)).replace(
            hour=17, minute=0, second=0, microsecond=0
        ),
        delivery_starts_on=(now + datetime.timedelta(days=90)).date().replace(day=1),
        delivery_ends_on=(now + datetime.timedelta(days=455)).date().replace(day=1),
        **common,
    )
    if created:
        _made_and_opened(open_round, staff=staff, priorities=priorities, caps=caps)
    return vpf


# The Home Office's Serious Violence Duty money behind the £700,000 fund, by financial year
# (delivery January 2024 to March 2025), split as the Home Office grant is. The split is
# the demo's own: the source documents give the fund's total only.
STREAM_ALLOCATIONS = [
    ("2023-24", Decimal("50000"), Decimal("100000")),
    ("2024-25", Decimal("200000"), Decimal("350000")),
]


def _seed_stream(*, vpf: FundingRound, staff: User) -> FundingStream:
    stream = FundingStream.objects.filter(name="Serious Violence Duty grant").first()
    if stream is None:
        stream = services.stream_save(
            by=staff,
            name="Serious Violence Duty grant",
            funder="Home Office",
            notes="No carry-over: each year's money must be spent by 31 March.",
        )
        for year, labour, non_labour in STREAM_ALLOCATIONS:
            services.allocation_set(
                stream=stream, by=staff, financial_year=year, labour=labour, non_labour=non_labour
            )
    if vpf.stream_id is None:
        vpf.stream = stream
        vpf.save(update_fields=["stream"])
    return stream


def _made_and_opened(unsaved: FundingRound, *, staff: User, priorities, caps) -> FundingRound:
    """The round made through the service from the unsaved one's fields, as staff would make
    it, and opened."""
    funding_round = services.round_save(
        funding_round=None,
        by=staff,
        fields=_fields(unsaved),
        priorities=priorities,
        caps=caps,
        criteria=CRITERIA,
    )
    services.round_move(funding_round=funding_round, to_status=RoundStatus.OPEN, by=staff)
    return funding_round


def _fields(funding_round: FundingRound) -> dict:
    names = [
        "slug",
        "fund_name",
        "title",
        "reference_prefix",
        "description",
        "eligibility",
        "how_to_apply",
        "budget",
        "opens_at",
        "closes_at",
        "delivery_starts_on",
        "delivery_ends_on",
    ]
    return {name: getattr(funding_round, name) for name in names}


def _seed_vpf_applications(vpf: FundingRound, *, staff: User, priorities) -> None:
    """Applications as they would have been made: started, filled in, submitted before closing."""
    strands = list(EvidenceStrand.objects.order_by("pk"))
    measures = list(SuccessMeasure.objects.filter(is_home_office=True))
    by_number = {p.number: p for p in priorities}
    submitted_at = datetime.datetime(2023, 12, 4, 14, 30, tzinfo=LONDON)
    # The round's dates are past, so the rows are written as they were then, with their history.
    for index, (org_name, title, amount, status, numbers, strand) in enumerate(VPF_APPLICATIONS):
        organisation = Organisation.objects.get(name=org_name)
        member = organisation.memberships.select_related("user").first()
        author = member.user if member else staff
        application = Application.objects.create(
            round=vpf,
            organisation=organisation,
            reference=allocate_reference(vpf),
            title=title,
            summary=f"{title}, for young people in County Durham and Darlington.",
            description="Weekly sessions run by trained staff and volunteers, with referrals from "
            "schools, the youth justice service and neighbourhood policing teams.",
            amount_requested=Decimal(amount),
            evidence_strand=strands[strand],
            evidence_description="The toolkit rates this approach as having a moderate to high "
            "impact on violence, on moderate evidence.",
            target_cohort="Young people aged 10 to 18 at risk of being drawn into serious violence.",
            delivery_area="Darlington, Bishop Auckland and Durham City.",
            partners_involved="Youth justice service, schools, neighbourhood policing teams.",
            outcomes="Fewer young people involved in violence; better school attendance.",
            declare_accurate=True,
            declare_safeguarding=True,
            declare_data_protection=True,
            channel=Channel.PAPER if index == 9 else Channel.PORTAL,
            **(PAPER_BID_CONTACT if index == 9 else {}),
            created_by=author,
            created_at=submitted_at - datetime.timedelta(days=10),
        )
        application.priorities.set([by_number[n] for n in numbers])
        application.success_measures.set(measures[:2])
        BudgetLine.objects.create(
            application=application,
            item="Staff and sessions",
            financial_year="2024-25",
            amount=Decimal(amount),
        )
        if status == ApplicationStatus.DRAFT:
            continue
        application.submitted_at = submitted_at + datetime.timedelta(hours=index)
        application.submitted_by = author
        application.status = ApplicationStatus.SUBMITTED
        application.save(update_fields=["submitted_at", "submitted_by", "status"])
        path = {
            ApplicationStatus.SUBMITTED: [],
            ApplicationStatus.UNDER_ASSESSMENT: [ApplicationStatus.UNDER_ASSESSMENT],
            ApplicationStatus.INELIGIBLE: [ApplicationStatus.INELIGIBLE],
            ApplicationStatus.WITHDRAWN: [ApplicationStatus.WITHDRAWN],
        }[status]
        for to_status in path:
            reason = {
                ApplicationStatus.INELIGIBLE: "Taxi marshalling is funded by the licensing authority",
                ApplicationStatus.WITHDRAWN: "Funded from another source",
            }.get(to_status, "")
            services.application_move(
                application=application,
                to_status=to_status,
                by=author if to_status == ApplicationStatus.WITHDRAWN else staff,
                reason=reason,
            )


# (member index 1–5) → scores per application (reference number 1–5) across the five criteria.
DEMO_SCORES = {
    1: [4, 4, 3, 4, 4],
    2: [3, 3, 3, 2, 4],
    3: [4, 5, 4, 4, 3],
    4: [3, 4, 4, 3, 3],
    5: [2, 3, 3, 3, 4],
}
# (reference number) → (recommendation, amount as a share of the request, rationale)
DEMO_MODERATION = {
    1: ("fund", "1", "Strong mentoring model with referral routes from the youth justice service."),
    2: (
        "fund_with_conditions",
        "1",
        "Good reach into the estate; safeguarding training to be completed.",
    ),
    3: (
        "fund",
        "0.9",
        "Evidence-based welfare hubs; the panel funds nine tenths of the staffing asked for.",
    ),
    4: ("fund", "1", "A well-evidenced schools programme against domestic-abuse-related violence."),
    5: (
        "do_not_fund",
        "0",
        "The panel found no link to reducing serious violence in public spaces.",
    ),
}


def seed_panel(*, vpf: FundingRound, staff: User) -> None:
    """A panel of five from different partners, one conflict, every scorecard in, and moderation."""
    if Panel.objects.filter(round=vpf).exists():
        return
    members = []
    for n in range(1, 6):
        user = User.objects.get(email=f"panel{n}@demo.example")
        members.append((user, user.memberships.select_related("organisation").first().organisation))
    panel = services.panel_save(
        funding_round=vpf,
        by=staff,
        chair=members[0][0],
        deputy_chair=members[1][0],
        members=members,
    )
    panel_members = {m.user.email: m for m in panel.members.select_related("user")}
    applications = {
        int(a.reference.split("-")[1]): a
        for a in vpf.applications.filter(status=ApplicationStatus.UNDER_ASSESSMENT)
    }
    criteria = list(vpf.criteria.all())
    for number, application in sorted(applications.items()):
        for index, (user, _) in enumerate(members, start=1):
            member = panel_members[user.email]
            # Amira Haddad (public health) sits on the board of Seaham Street Sport.
            conflicted = index == 3 and number == 5
            services.declaration_make(
                member=member,
                application=application,
                has_interest=conflicted or (index == 2 and number == 1),
                interest="Board member of the applicant"
                if conflicted
                else ("Met the applicant at a council forum" if index == 2 and number == 1 else ""),
                is_conflict=conflicted,
            )
            if conflicted:
                continue
            base = DEMO_SCORES[number]
            # Members differ a little: each marks one criterion a point up or down.
            nudge = {1: 0, 2: 1, 3: -1, 4: 1, 5: -1}[index]
            marks = {
                c.pk: (max(0, min(c.scale_max, base[i] + (nudge if i == index - 1 else 0))), "")
                for i, c in enumerate(criteria)
            }
            scorecard = services.scorecard_save(
                member=member, application=application, marks=marks, submit=True
            )
            assert scorecard.status == ScorecardStatus.SUBMITTED
    chair = members[0][0]
    for number, application in sorted(applications.items()):
        recommendation, share, rationale = DEMO_MODERATION[number]
        services.moderation_record(
            application=application,
            by=chair,
            scores={c.pk: DEMO_SCORES[number][i] for i, c in enumerate(criteria)},
            rationale=rationale,
            recommendation=recommendation,
            conditions="Complete the OPCC's safeguarding training before delivery starts."
            if recommendation == "fund_with_conditions"
            else "",
            recommended_amount=(application.amount_requested * Decimal(share)).quantize(
                Decimal("1")
            ),
        )


# --- Awards: an earlier round on the same stream, decided, its awards in different states ---

# Pilots delivered from October 2023 to September 2024, so each award's money falls in two
# financial years of the Serious Violence Duty grant. The Violence Prevention Fund itself is
# left in assessment, for a visitor to take through the decision.
EIP_SLUG = "early-intervention-pilots-2023"
# (organisation, title, [(item, financial year, kind, amount)], recommended)
EIP_APPLICATIONS = [
    (
        "Darlington Youth Mentoring Trust",
        "Detached youth work in Darlington town centre",
        [
            ("Youth workers' time", "2023-24", CostKind.LABOUR, "9000"),
            ("Youth workers' time", "2024-25", CostKind.LABOUR, "7500"),
            ("Outreach materials and travel", "2023-24", CostKind.NON_LABOUR, "1500"),
        ],
        True,
    ),
    (
        "Bishop Auckland Boxing Club",
        "Holiday boxing camps",
        [
            ("Coaches", "2023-24", CostKind.LABOUR, "2000"),
            ("Coaches", "2024-25", CostKind.LABOUR, "1500"),
            ("Equipment and hall hire", "2023-24", CostKind.NON_LABOUR, "1000"),
        ],
        True,
    ),
    (
        "Safer Nights North East CIC",
        "Weekend welfare marshals",
        [
            ("Marshals", "2023-24", CostKind.LABOUR, "6000"),
            ("Marshals", "2024-25", CostKind.LABOUR, "4000"),
            ("Radios and high-visibility kit", "2023-24", CostKind.NON_LABOUR, "2000"),
        ],
        True,
    ),
    (
        "Darlington Youth Mentoring Trust",
        "Peer mentoring in secondary schools",
        [("Mentors", "2023-24", CostKind.LABOUR, "8000")],
        False,
    ),
]


def seed_awarded_round(*, staff: User) -> tuple[FundingRound, list[Application]]:
    """The round whose decision made the demo's awards, with its applications recommended or
    not by the panel, ready for decisions.demo to sign. Returns the round and its
    applications (none when it was seeded before)."""
    partnership_priorities = list(
        FundingRound.objects.get(slug="violence-prevention-fund-2024").priorities.all()
    )
    eip, created = _round(
        EIP_SLUG,
        fund_name="Violence Prevention Fund",
        title="Early intervention pilots 2023 to 2024",
        reference_prefix="EIP23",
        description="Pilot projects ahead of the Violence Prevention Fund, delivered from "
        "October 2023 to September 2024.",
        budget=Decimal("50000"),
        opens_at=datetime.datetime(2023, 7, 3, 9, 0, tzinfo=LONDON),
        closes_at=datetime.datetime(2023, 8, 11, 17, 0, tzinfo=LONDON),
        delivery_starts_on=datetime.date(2023, 10, 1),
        delivery_ends_on=datetime.date(2024, 9, 30),
        eligibility=ELIGIBILITY,
        how_to_apply=HOW_TO_APPLY,
    )
    if not created:
        return eip, []
    caps = [
        {"category": CapCategory.REGISTERED, "minimum": Decimal(1000), "maximum": Decimal(20000)},
        {"category": CapCategory.UNREGISTERED, "minimum": Decimal(500), "maximum": Decimal(5000)},
    ]
    eip = _made_and_opened(eip, staff=staff, priorities=partnership_priorities, caps=caps)
    eip.stream = FundingStream.objects.get(name="Serious Violence Duty grant")
    eip.save(update_fields=["stream"])
    strand = EvidenceStrand.objects.order_by("pk").first()
    submitted_at = datetime.datetime(2023, 8, 7, 11, 0, tzinfo=LONDON)
    applications = []
    for index, (org_name, title, lines, recommended) in enumerate(EIP_APPLICATIONS):
        organisation = Organisation.objects.get(name=org_name)
        member = organisation.memberships.select_related("user").first()
        author = member.user if member else staff
        total = sum(Decimal(amount) for *_, amount in lines)
        application = Application.objects.create(
            round=eip,
            organisation=organisation,
            reference=allocate_reference(eip),
            title=title,
            summary=f"{title}, for young people in County Durham and Darlington.",
            description="Sessions run by trained staff, with referrals from schools and the "
            "youth justice service.",
            amount_requested=total,
            evidence_strand=strand,
            evidence_description="Mentoring has a moderate impact on violence in the toolkit.",
            target_cohort="Young people aged 10 to 18 at risk of being drawn into violence.",
            delivery_area="Darlington and Bishop Auckland.",
            partners_involved="Schools, the youth justice service.",
            outcomes="Fewer young people involved in violence in the town centres.",
            declare_accurate=True,
            declare_safeguarding=True,
            declare_data_protection=True,
            created_by=author,
            created_at=submitted_at - datetime.timedelta(days=7),
            submitted_at=submitted_at + datetime.timedelta(hours=index),
            submitted_by=author,
            status=ApplicationStatus.SUBMITTED,
        )
        application.priorities.set(partnership_priorities[:1])
        application.success_measures.set(
            SuccessMeasure.objects.filter(code="police-recorded-knife-serious-violence")
        )
        for item, year, kind, amount in lines:
            BudgetLine.objects.create(
                application=application,
                item=item,
                financial_year=year,
                cost_kind=kind,
                amount=Decimal(amount),
            )
        for to_status in (
            ApplicationStatus.UNDER_ASSESSMENT,
            ApplicationStatus.RECOMMENDED if recommended else ApplicationStatus.NOT_RECOMMENDED,
        ):
            application = services.application_move(
                application=application, to_status=to_status, by=staff
            )
        applications.append(application)
    for to_status in (RoundStatus.CLOSED, RoundStatus.ASSESSMENT):
        services.round_move(funding_round=eip, to_status=to_status, by=staff)
    return eip, applications


AGREEMENT_CLAUSES = {
    "eligible_expenditure": "The grant may be spent only on the costs in the approved budget, "
    "within the delivery period and the financial year each is set against. It may not pay "
    "for anything already funded from elsewhere.",
    "reporting": "The grant holder completes a monitoring return each quarter, reporting "
    "against its targets and the partnership's success measures, and a final report at the "
    "end of the delivery period.",
    "payment": "The OPCC pays in arrears, once each monitoring return has been accepted. "
    "Nothing is paid in advance of need.",
    "clawback": "The OPCC may recover any part of the grant that is not spent on the agreed "
    "purpose, is spent outside the delivery period, or where a condition is broken.",
    "safeguarding": "The grant holder keeps a safeguarding policy, reviewed every year, and "
    "ensures that everyone working with children or adults at risk has an enhanced DBS check.",
    "data_protection": "Each party is a controller of the personal data it holds. The grant "
    "holder shares only anonymised information with the OPCC in its returns.",
    "publicity": "The grant holder acknowledges the funding of the Police and Crime "
    "Commissioner in its publicity. The OPCC publishes the grant in its grants register.",
}
# A few bytes that are a PDF as the portal recognises one: the demo's evidence documents.
DEMO_EVIDENCE = b"%PDF-1.4\n% demo evidence\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _evidence(name: str):
    return ContentFile(DEMO_EVIDENCE, name=name)


def _diligence_done(award: Award, *, staff: User, today: datetime.date) -> None:
    """Every item of due diligence recorded as satisfactory, as staff would."""
    organisation = award.organisation
    services.diligence_record(
        award=award,
        item=DiligenceItem.ORGANISATION,
        by=staff,
        satisfactory=True,
        number=organisation.charity_number or organisation.company_number,
        dated_on=today,
        note="Checked on the register: active, accounts filed on time."
        if organisation.charity_number or organisation.company_number
        else "Checked the group's constitution and committee minutes.",
    )
    services.diligence_record(
        award=award,
        item=DiligenceItem.SAFEGUARDING,
        by=staff,
        satisfactory=True,
        dated_on=today - datetime.timedelta(days=120),
        uploaded_file=_evidence("safeguarding-policy.pdf"),
        note="Policy names a designated safeguarding lead.",
    )
    services.diligence_record(
        award=award,
        item=DiligenceItem.INSURANCE,
        by=staff,
        satisfactory=True,
        dated_on=today + datetime.timedelta(days=240),
        uploaded_file=_evidence("insurance-certificate.pdf"),
        note="Public liability £5 million; employer's liability £10 million.",
    )
    if DiligenceItem.ACCOUNTS in required_items(award):
        services.diligence_record(
            award=award,
            item=DiligenceItem.ACCOUNTS,
            by=staff,
            satisfactory=True,
            dated_on=datetime.date(today.year - 1, 3, 31),
            uploaded_file=_evidence("annual-accounts.pdf"),
            note="Unrestricted reserves cover three months' running costs.",
        )
    services.diligence_record(
        award=award,
        item=DiligenceItem.FRAUD_RISK,
        by=staff,
        satisfactory=True,
        rating=FraudRisk.LOW,
        note="Established organisation, known to the OPCC, small award paid in arrears.",
    )


def _signatory(organisation: Organisation, *, staff: User) -> User:
    from partners.services import membership_set_signatory

    membership = organisation.memberships.select_related("user").order_by("pk").first()
    membership_set_signatory(membership=membership, is_signatory=True, by=staff)
    return membership.user


def seed_award_states(*, staff: User) -> None:
    """The demo's awards in different states: EIP23-A-0001 offered to Darlington Youth
    Mentoring Trust (its signatory, provider@demo.example, can accept it), EIP23-A-0002
    accepted by Bishop Auckland Boxing Club and active, and EIP23-A-0003 with its due
    diligence incomplete (insurance refused, bank details not entered). The agreements'
    PDFs are rendered here, as the worker would render them."""
    awards = {a.reference: a for a in Award.objects.filter(round__slug=EIP_SLUG)}
    if not awards or AgreementTemplate.objects.exists():
        return
    today = timezone.localdate()
    template = services.agreement_template_save(
        by=staff, name="Standard grant agreement", **AGREEMENT_CLAUSES
    )
    offered, active, incomplete = (awards[f"EIP23-A-000{n}"] for n in (1, 2, 3))
    # Where each is delivered, for the grants register and its open data.
    areas = {area.name: area for area in Area.objects.all()}
    for award, names in (
        (offered, ["Darlington"]),
        (active, ["County Durham"]),
        (incomplete, ["County Durham", "Darlington"]),
    ):
        award.areas.set([areas[name] for name in names if name in areas])
    for award in (offered, active):
        signatory = _signatory(award.organisation, staff=staff)
        services.bank_details_save(
            organisation=award.organisation,
            by=signatory,
            account_name=award.organisation.name,
            sort_code="309430" if award is offered else "401276",
            account_number="00733445" if award is offered else "41025388",
        )
        services.bank_details_verify(
            organisation=award.organisation,
            by=staff,  # who did not enter them: the provider did
            sort_code=award.organisation.bank_account.sort_code,
            account_number=award.organisation.bank_account.account_number,
        )
        _diligence_done(award, staff=staff, today=today)
        _plan(award, staff=staff)
        services.award_offer(award=award, by=staff, template=template)
        _render_pending()
    agreement = services.latest_agreement(active)
    services.agreement_accept(
        agreement=agreement,
        by=active.organisation.memberships.get(is_signatory=True).user,
        signatory_name="Jo Hartley",
        signatory_position="Club secretary",
        sha256=services.ready_document(agreement, AgreementDocumentKind.OFFER).sha256,
        address="192.0.2.10",
    )
    _render_pending()
    _date_back_acceptance(active)
    services.diligence_record(
        award=incomplete,
        item=DiligenceItem.ORGANISATION,
        by=staff,
        satisfactory=True,
        number=incomplete.organisation.company_number,
        dated_on=today,
        note="Active on the Companies House register.",
    )
    services.diligence_record(
        award=incomplete,
        item=DiligenceItem.INSURANCE,
        by=staff,
        satisfactory=False,
        note="The certificate sent expired on 31 August: send the current one.",
    )


# The active award was offered and accepted in September 2023, after DN38-23 was signed
# and before its delivery began; the agreement's PDF keeps the seeding day in its
# signatures, which cannot be dated back.
DEMO_OFFERED_AT = datetime.datetime(2023, 9, 19, 10, 0, tzinfo=LONDON)
DEMO_ACCEPTED_AT = datetime.datetime(2023, 9, 27, 14, 30, tzinfo=LONDON)


def _date_back_acceptance(award: Award) -> None:
    changes = AwardStatusChange.objects.filter(award=award)
    changes.filter(to_status=AwardStatus.OFFERED).update(changed_at=DEMO_OFFERED_AT)
    changes.filter(to_status__in=[AwardStatus.ACCEPTED, AwardStatus.ACTIVE]).update(
        changed_at=DEMO_ACCEPTED_AT
    )
    changes.exclude(
        to_status__in=[AwardStatus.OFFERED, AwardStatus.ACCEPTED, AwardStatus.ACTIVE]
    ).update(changed_at=DEMO_OFFERED_AT - datetime.timedelta(days=1))
    Agreement.objects.filter(award=award).update(
        offered_at=DEMO_OFFERED_AT, answered_at=DEMO_ACCEPTED_AT
    )


def _plan(award: Award, *, staff: User) -> None:
    """A delivery plan as staff would set it: quarterly returns, the award in equal
    payments, targets for young people, and an outcome for each measure the bid named."""
    count = len(services.planned_returns(award, ReturnFrequency.QUARTERLY))
    services.award_plan_save(
        award=award,
        by=staff,
        frequency=ReturnFrequency.QUARTERLY,
        outputs={
            TargetKind.UNDER_18: 60,
            TargetKind.AGED_18_24: 15,
            TargetKind.AGED_25_35: 0,
            TargetKind.OVER_35: 0,
            TargetKind.SESSIONS: 96,
        },
        outcomes={
            measure.pk: ("Young people who finish the programme with no further arrest", 30)
            for measure in services.outcome_measures(award)
        },
        tranches=money.in_equal_parts(award.amount, count),
    )


# What the active award's grant holder reported each quarter: (actuals in the order of the
# plan's targets, spend to date as a share of each budget line, what happened).
DEMO_RETURNS = [
    ([14, 3, 0, 0, 22, 4], Decimal("0.2"), "Sessions started in two schools in October."),
    ([31, 7, 0, 0, 47, 11], Decimal("0.45"), "A second evening session opened in January."),
    ([44, 9, 0, 0, 70, 17], Decimal("0.5"), "Numbers held up through the spring term."),
]


# When each return was submitted and decided, in days from its due date: the first two on
# time and decided on the day they were due, the third three days late.
DEMO_RETURN_DAYS = [(-4, 0), (-1, 0), (3, 6)]


def _return_times(due_on: datetime.date, days: tuple[int, int]) -> tuple:
    submitted_days, decided_days = days
    return (
        datetime.datetime.combine(
            due_on + datetime.timedelta(days=submitted_days), datetime.time(16), tzinfo=LONDON
        ),
        datetime.datetime.combine(
            due_on + datetime.timedelta(days=decided_days), datetime.time(9), tzinfo=LONDON
        ),
    )


def _date_return(monitoring_return, *, submitted, decided) -> None:
    """The return's submission and decision dated as they happened, not as seeded."""
    MonitoringReturn.objects.filter(pk=monitoring_return.pk).update(
        saved_at=submitted,
        submitted_at=submitted,
        first_submitted_on=submitted.date(),
        decided_at=decided,
    )
    changes = ReturnStatusChange.objects.filter(monitoring_return=monitoring_return)
    changes.filter(to_status=ReturnStatus.SUBMITTED).update(changed_at=submitted)
    changes.exclude(to_status=ReturnStatus.SUBMITTED).update(changed_at=decided)


def seed_delivery(*, staff: User, finance: User) -> None:
    """A year of delivery on the active award EIP23-A-0002 (quarterly, October 2023 to
    September 2024): return 1 (with an attendance register) accepted and its payment paid,
    return 2 accepted and its payment approved (in the finance export), return 3 returned for
    changes, and the final report overdue, which holds the payments. Each step as the OPCC
    took it at the time: the checks are asked as of the day, and the times recorded are those
    days."""
    award = Award.objects.filter(reference="EIP23-A-0002", status=AwardStatus.ACTIVE).first()
    if award is None or award.returns.exclude(status=ReturnStatus.DRAFT).exists():
        return
    holder = award.organisation.memberships.get(is_signatory=True).user
    targets = list(award.targets.all())
    lines = list(award.application.budget_lines.all())
    returns = list(award.returns.order_by("number"))
    for number, (monitoring_return, (actuals, share, narrative)) in enumerate(
        zip(returns, DEMO_RETURNS, strict=False), start=1
    ):
        services.return_save(
            monitoring_return=monitoring_return,
            by=holder,
            actuals={target.pk: value for target, value in zip(targets, actuals, strict=False)},
            spend={line.pk: (line.amount * share).quantize(Decimal("0.01")) for line in lines},
            narrative=narrative,
            case_study="",
            risks="",
        )
        if number == 1:
            services.return_attachment_add(
                monitoring_return=monitoring_return,
                by=holder,
                uploaded_file=_evidence("attendance-register.pdf"),
            )
        services.return_submit(monitoring_return=monitoring_return, by=holder)
        submitted, decided = _return_times(monitoring_return.due_on, DEMO_RETURN_DAYS[number - 1])
        if number == 3:
            services.return_send_back(
                monitoring_return=monitoring_return,
                by=staff,
                comment="The spend on coaches is ahead of the sessions reported: check the "
                "figures, or tell us what the extra spend was for.",
            )
            _date_return(monitoring_return, submitted=submitted, decided=decided)
            break
        services.return_accept(monitoring_return=monitoring_return, by=staff)
        _date_return(monitoring_return, submitted=submitted, decided=decided)
        payment = award.payments.get(number=number)
        day = monitoring_return.due_on
        services.payment_raise(payment=payment, by=staff, today=day)
        services.payment_approve(payment=payment, by=finance, today=day)
        then = datetime.datetime.combine(day, datetime.time(10), tzinfo=LONDON)
        Payment.objects.filter(pk=payment.pk).update(raised_at=then, approved_at=then)
        if number == 1:
            services.payment_mark_paid(
                payment=payment, by=finance, paid_on=day + datetime.timedelta(days=7)
            )


def _render_pending() -> None:
    for document in AgreementDocument.objects.exclude(status=PdfStatus.READY):
        services.agreement_render(document_id=document.pk)
