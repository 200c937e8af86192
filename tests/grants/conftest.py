import uuid

import pytest
from django.core.files.storage import FileSystemStorage
from django.test import Client

from grants.models import Attachment
from partners.enums import Role
from svd_portal import celery_app
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    StrategicPriorityFactory,
    UserFactory,
)


@pytest.fixture
def priorities(db):
    """Two of the partnership's priorities, numbered 1 and 2."""
    first = StrategicPriorityFactory(number=1, title="Young people at risk")
    second = StrategicPriorityFactory(
        partnership=first.partnership, number=2, title="The night-time economy"
    )
    return [first, second]


@pytest.fixture
def funding_round(priorities):
    return FundingRoundFactory(
        slug="violence-prevention-fund", reference_prefix="VPF", priorities=priorities
    )


@pytest.fixture
def provider_org(provider_user):
    """Seaham Street Sport: verified, unregistered (the £5,000 cap)."""
    return provider_user.memberships.get().organisation


@pytest.fixture
def draft(funding_round, provider_org, provider_user):
    return ApplicationFactory(
        round=funding_round,
        organisation=provider_org,
        created_by=provider_user,
        reference="VPF-0001",
        title="Street sport on the seafront",
    )


@pytest.fixture
def other_user(db):
    """A provider in another verified organisation: must never see the first one's work."""
    user = UserFactory(email="other@example.org", roles=[Role.PROVIDER])
    MembershipFactory(user=user, organisation=OrganisationFactory(name="Bishop Auckland Boxing"))
    return user


@pytest.fixture
def other_client(other_user):
    client = Client()
    client.force_login(other_user)
    return client


@pytest.fixture
def second_staff_client(staff_user):
    """Staff in a client of their own, for tests that also use the provider's `client`."""
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def attachment_storage(tmp_path, monkeypatch):
    """The private attachment storage, in a folder of this test's own, so that what the
    test writes (or must not write) is all that is there."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def task_queue():
    """Routes grants tasks to a queue of this test's own on the real Redis, so that no other
    worker takes them and a test's worker takes no one else's; the queue is deleted after."""
    name = f"grants-test-{uuid.uuid4().hex}"
    routes = celery_app.conf.task_routes
    celery_app.conf.update(task_routes={"grants.*": {"queue": name}})
    yield name
    celery_app.conf.update(task_routes=routes)
    # A worker started with queues=[name] narrows the app's queues for good: forget them,
    # so that the next worker in this process consumes from the default queue again.
    celery_app.amqp.__dict__.pop("queues", None)
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_delete(name)
