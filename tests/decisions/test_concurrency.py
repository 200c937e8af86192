"""References under contention: four drafts submitted at the same moment on PostgreSQL.

allocate_reference locks the period's counter row until the submitting transaction ends,
so each transaction waits for the one before and takes the next number: no two records
share a number and none is skipped.
"""

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from decisions import services
from decisions.enums import DecisionStatus
from decisions.models import DecisionRecord, ReferenceCounter
from partners.enums import Role

from .conftest import RECORD

THREADS = 4


@pytest.fixture
def roles(transactional_db):
    """The role groups the migrations create: an earlier committing test may have flushed them."""
    for role in Role:
        Group.objects.get_or_create(name=role)


def submit_all_at_once(records, by):
    barrier = threading.Barrier(len(records), timeout=30)
    outcomes = {}

    def submit(record):
        try:
            barrier.wait()
            outcomes[record.pk] = services.decision_submit(record=record, by=by).reference
        except Exception as exc:  # noqa: BLE001 (the test reports whatever a thread met)
            outcomes[record.pk] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(record,)) for record in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_decision_submit_concurrent_references_are_distinct_and_consecutive(roles, staff_user):
    drafts = [
        services.decision_create(by=staff_user, **{**RECORD, "title": f"Decision {n}"})
        for n in range(THREADS)
    ]
    outcomes = submit_all_at_once(drafts, staff_user)

    yy = f"{timezone.localdate():%y}"
    assert sorted(outcomes.values(), key=str) == sorted(
        (f"DN{n}-{yy}" for n in range(1, THREADS + 1)), key=str
    )
    assert sorted(
        DecisionRecord.objects.values_list("reference", "status"), key=lambda row: row[0]
    ) == sorted(
        ((f"DN{n}-{yy}", DecisionStatus.AWAITING_APPROVAL) for n in range(1, THREADS + 1)),
        key=lambda row: row[0],
    )
    assert list(ReferenceCounter.objects.values_list("period", "next_number")) == [
        (f"CY{timezone.localdate().year}", THREADS + 1)
    ]


@pytest.mark.django_db(transaction=True)
def test_decision_submit_concurrent_after_earlier_references_continue_the_count(roles, staff_user):
    ReferenceCounter.objects.create(period=f"CY{timezone.localdate().year}", next_number=50)
    drafts = [
        services.decision_create(by=staff_user, **{**RECORD, "title": f"Decision {n}"})
        for n in range(THREADS)
    ]
    outcomes = submit_all_at_once(drafts, staff_user)

    yy = f"{timezone.localdate():%y}"
    assert sorted(outcomes.values(), key=str) == sorted(
        (f"DN{n}-{yy}" for n in range(50, 50 + THREADS)), key=str
    )
    assert ReferenceCounter.objects.get().next_number == 50 + THREADS
