"""What decisions holds about a person, for subject access (svd_portal/subject_access.py):
the decision records they approved as the officer or signed as the PCC, with the
declaration of interest they made."""

from django.db.models import Q

from svd_portal.subject_access import Held, register

from .models import DecisionRecord


def _records(person) -> Held:
    records = DecisionRecord.objects.filter(
        Q(officer_approved_by=person) | Q(signed_by=person)
    ).order_by("pk")
    return Held(
        [
            {
                "reference": record.reference,
                "title": record.title,
                "approved_as_officer": record.officer_approved_by_id == person.pk,
                "signed": record.signed_by_id == person.pk,
                "declaration_of_interest": record.declaration
                if record.signed_by_id == person.pk
                else "",
                "signed_at": record.signed_at,
            }
            for record in records
        ]
    )


def connect() -> None:
    register("decision_records", _records)
