"""The record-for-page read is a selector scoped to who is asking: anyone gets a published
record, only the OPCC one that is not yet published, and everyone else is told it does not
exist, exactly as for a reference nobody has."""

import pytest
from django.contrib.auth.models import AnonymousUser

from decisions import selectors, services
from decisions.enums import DecisionStatus
from decisions.models import DecisionRecord

D = DecisionStatus
OUTSIDE_THE_OPCC = ["anonymous", "provider_user", "panel_member_user"]
THE_OPCC = ["staff_user", "ceo_user", "pcc_user"]


@pytest.fixture
def person(request, db):
    def get(name):
        return AnonymousUser() if name == "anonymous" else request.getfixturevalue(name)

    return get


@pytest.fixture
def unpublished(record_in, ceo_user):
    """A record in each state before publication, each with its reference: the draft is one
    returned to draft by the Chief Executive, so it has one too."""

    def make(status):
        if status != D.DRAFT:
            return record_in(status)
        record = record_in(D.AWAITING_APPROVAL)
        record = services.decision_return(record=record, by=ceo_user, comments="Add the costs.")
        assert record.status == D.DRAFT and record.reference
        return record

    return make


UNPUBLISHED = [D.DRAFT, D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE, D.SIGNED]


@pytest.mark.parametrize("status", UNPUBLISHED)
@pytest.mark.parametrize("who", OUTSIDE_THE_OPCC)
def test_record_for_page_unpublished_does_not_exist_outside_the_opcc(
    who, status, person, unpublished
):
    record = unpublished(status)
    assert record.reference

    with pytest.raises(DecisionRecord.DoesNotExist):
        selectors.record_for_page(user=person(who), reference=record.reference)
    with pytest.raises(DecisionRecord.DoesNotExist):
        selectors.record_for_page(user=person(who), reference="DN999-99")


@pytest.mark.parametrize("status", UNPUBLISHED)
@pytest.mark.parametrize("who", THE_OPCC)
def test_record_for_page_unpublished_for_the_opcc(who, status, person, unpublished):
    record = unpublished(status)

    found = selectors.record_for_page(user=person(who), reference=record.reference)

    assert (found.pk, found.status) == (record.pk, status)


@pytest.mark.parametrize("who", OUTSIDE_THE_OPCC + THE_OPCC)
def test_record_for_page_published_for_everyone(who, person, record_in):
    record = record_in(D.PUBLISHED)

    found = selectors.record_for_page(user=person(who), reference=record.reference)

    assert (found.pk, found.status, found.reference) == (record.pk, D.PUBLISHED, record.reference)
