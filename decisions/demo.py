"""Demo decision records: DN50-24 as in source 000, and three more that show the register's
cases (a deferred record, one not approved, one whose Section B is withheld). Idempotent."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.utils import timezone

from grants import demo as grants_demo
from grants import services as grant_services
from grants.enums import ApplicationStatus
from grants.models import Award
from partners.models import User

from .enums import DecisionStatus, Outcome
from .models import DecisionRecord, DecisionStatusChange, ReferenceCounter, ScheduledAward
from .services import document_queue, index_for_search

LONDON = ZoneInfo("Europe/London")

DN50_SECTION_A = """The Home Office has allocated grant funding for each police force area to cover the work required for partners to deliver the Serious Violence Duty. The duty requires specified authorities to work together to prevent and reduce serious violence (set out in the Police, Crime, Sentencing and Courts Act 2022 and accompanying statutory guidance).

The purpose of the Serious Violence Duty grant funding is to enable local policing bodies to assist the specified and relevant authorities with delivering the duty. The Serious Violence Duty places a legal obligation on specific organisations to plan and collaborate to prevent and reduce serious violence. The Act creates powers for PCCs to convene and assist the specified authorities in the exercise of their functions under the Duty, and monitor their exercise of those functions.

As a result, the Government has channelled funding for the Serious Violence Duty through PCCs to coordinate the local area's response to delivering the Duty and strengthen their role created under the Act.

This programme is being led by the Office of the Police and Crime Commissioner with support from key partners involved in implementing the Serious Violence Duty.

The Police and Crime Commissioner invited expressions of interest in the delivery of pilot interventions towards the Serious Violence Duty, aimed at keeping young people safe from harm and reducing re-offending through the provision of diversionary, educational and mentoring activities. A significant part of the funding has also supported the development of a fully staffed Violence Reduction Unit."""

FOI_S43 = "Section 43 (commercial interests), Freedom of Information Act 2000"


def _record(reference, *, staff, pcc, ceo, status, outcome, signed_on, published_at, **fields):
    if DecisionRecord.objects.filter(reference=reference).exists():
        return DecisionRecord.objects.get(reference=reference)
    signed_at = datetime.datetime.combine(signed_on, datetime.time(16, 0), tzinfo=LONDON)
    record = DecisionRecord.objects.create(
        reference=reference,
        status=status,
        outcome=outcome,
        declaration="None",
        officer_approval_name=fields.pop("officer_name", ceo.full_name),
        officer_approval_role="Chief Executive",
        officer_approved_on=signed_on,
        officer_approved_by=ceo,
        advice_confirmed=True,
        signed_by=pcc,
        signed_name=pcc.full_name,
        signed_on=signed_on,
        signed_at=signed_at,
        published_at=published_at,
        created_by=staff,
        **fields,
    )
    moves = [
        (DecisionStatus.DRAFT, DecisionStatus.AWAITING_APPROVAL, staff),
        (DecisionStatus.AWAITING_APPROVAL, DecisionStatus.AWAITING_SIGNATURE, ceo),
        (DecisionStatus.AWAITING_SIGNATURE, DecisionStatus.SIGNED, pcc),
    ]
    if status == DecisionStatus.PUBLISHED:
        moves.append((DecisionStatus.SIGNED, DecisionStatus.PUBLISHED, None))
    DecisionStatusChange.objects.bulk_create(
        DecisionStatusChange(
            record=record, from_status=a, to_status=b, changed_by=who, changed_at=signed_at
        )
        for a, b, who in moves
    )
    if status == DecisionStatus.PUBLISHED:
        index_for_search(record)
    return record


def seed() -> None:
    staff = User.objects.get(email="staff@demo.example")
    ceo = User.objects.get(email="ceo@demo.example")
    pcc = User.objects.get(email="pcc@demo.example")
    march_28 = datetime.date(2024, 3, 28)
    common = {"staff": staff, "pcc": pcc, "ceo": ceo}
    _record(
        "DN50-24",
        title="Serious Violence Funding",
        received_on=datetime.date(2024, 3, 1),
        section_a=DN50_SECTION_A,
        decision_text="To approve the Serious Violence Duty grant funding programme described above.",
        status=DecisionStatus.PUBLISHED,
        outcome=Outcome.APPROVED,
        signed_on=march_28,
        published_at=datetime.datetime(2024, 3, 28, 17, 0, tzinfo=LONDON),
        officer_name="Andrew Dale",
        publish_section_b=False,
        commercially_sensitive=True,
        sensitivity_reason="The report contains commercially sensitive information.",
        exemption_basis=FOI_S43,
        **common,
    )
    _record(
        "DN51-24",
        title="Knife crime awareness campaign: supplier contract",
        received_on=datetime.date(2024, 4, 2),
        section_a="A request to award a contract for a knife crime awareness campaign in schools.",
        decision_text="To award the contract to the preferred supplier.",
        status=DecisionStatus.PUBLISHED,
        outcome=Outcome.APPROVED,
        signed_on=datetime.date(2024, 4, 15),
        published_at=datetime.datetime(2024, 4, 16, 9, 0, tzinfo=LONDON),
        publish_section_b=False,
        commercially_sensitive=True,
        sensitivity_reason="The Section B report sets out the bidders' prices.",
        exemption_basis=FOI_S43,
        **common,
    )
    _record(
        "DN52-24",
        title="Purchase of a mobile CCTV unit for the night-time economy",
        received_on=datetime.date(2024, 5, 7),
        section_a="A request to buy a mobile CCTV unit for use in the night-time economy.",
        decision_text="To approve the purchase of a mobile CCTV unit.",
        status=DecisionStatus.PUBLISHED,
        outcome=Outcome.NOT_APPROVED,
        signed_on=datetime.date(2024, 5, 20),
        published_at=datetime.datetime(2024, 5, 21, 9, 0, tzinfo=LONDON),
        **common,
    )
    today = timezone.localdate()
    deferred = _record(
        "DN53-24",
        title="Violence Reduction Unit: future staffing",
        received_on=datetime.date(2024, 6, 3),
        section_a="A request about the future staffing of the Violence Reduction Unit.",
        decision_text="To approve the staffing structure set out in the Section B report.",
        status=DecisionStatus.SIGNED,
        outcome=Outcome.APPROVED,
        signed_on=datetime.date(2024, 6, 10),
        published_at=None,
        publication_deferred=True,
        deferral_reasons="Staff affected must be consulted before the decision is published.",
        deferred_until=today + datetime.timedelta(days=14),
        **common,
    )
    if not deferred.section_b:
        deferred.section_b.save(
            "section-b.txt",
            ContentFile(b"Section B: staffing structure (confidential).\n"),
            save=True,
        )
    _seed_awards_decision(staff=staff, pcc=pcc, ceo=ceo)
    # Their signed PDFs are made by the worker, as for any record the PCC signs.
    for record in DecisionRecord.objects.filter(
        reference__in=["DN38-23", "DN50-24", "DN51-24", "DN52-24", "DN53-24"],
        documents__isnull=True,
    ):
        document_queue(record=record, by=None, reason="Demo data")
    counter, _ = ReferenceCounter.objects.get_or_create(period="CY2024")
    if counter.next_number < 54:
        counter.next_number = 54
        counter.save(update_fields=["next_number"])


def _seed_awards_decision(*, staff: User, pcc: User, ceo: User) -> None:
    """DN38-23, the signed decision on the early intervention pilots, with its schedule of
    awards; signing it made the awards, which grants.demo then takes through due
    diligence and the agreement."""
    funding_round, applications = grants_demo.seed_awarded_round(staff=staff)
    if applications:
        conditions = {
            applications[
                1
            ].pk: "Coaches to hold a current enhanced DBS check before the first camp."
        }
        record = _record(
            "DN38-23",
            title="Early intervention pilots 2023 to 2024: grant awards",
            received_on=datetime.date(2023, 9, 1),
            section_a="The panel's recommendations on the early intervention pilots: small "
            "projects for young people at risk, delivered from October 2023.",
            decision_text="To award the grants in the schedule of awards below.",
            status=DecisionStatus.PUBLISHED,
            outcome=Outcome.APPROVED,
            signed_on=datetime.date(2023, 9, 14),
            published_at=datetime.datetime(2023, 9, 15, 9, 0, tzinfo=LONDON),
            funding_round=funding_round,
            staff=staff,
            pcc=pcc,
            ceo=ceo,
        )
        ScheduledAward.objects.bulk_create(
            ScheduledAward(
                record=record,
                application=application,
                reference=application.reference,
                organisation_name=application.organisation.name,
                title=application.title,
                recommended=application.status == ApplicationStatus.RECOMMENDED,
                amount=application.amount_requested
                if application.status == ApplicationStatus.RECOMMENDED
                else Decimal("0.00"),
                conditions=conditions.get(application.pk, ""),
                position=position,
            )
            for position, application in enumerate(applications, 1)
        )
        # As the workflow links them when the record is submitted (services.approval).
        record.applications.set(applications)
        grant_services.round_decide(
            funding_round=funding_round,
            awards={
                a.pk: a.amount_requested
                for a in applications
                if a.status == ApplicationStatus.RECOMMENDED
            },
            declines=[a.pk for a in applications if a.status != ApplicationStatus.RECOMMENDED],
            by=pcc,
            reason="PCC decision DN38-23: approved",
            decision_reference="DN38-23",
            conditions=conditions,
        )
        # Made when the PCC signed, as the signature would have made them then.
        Award.objects.filter(decision_reference="DN38-23").update(
            created_at=datetime.datetime(2023, 9, 14, 16, 0, tzinfo=LONDON)
        )
        grant_services.awards_decision_published(
            decision_reference="DN38-23", on=timezone.localdate(record.published_at)
        )
    grants_demo.seed_award_states(staff=staff)
    grants_demo.seed_delivery(staff=staff, finance=User.objects.get(email="staff2@demo.example"))
