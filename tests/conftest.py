import logging

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.test import Client

from grants.models import Attachment
from partners.enums import Role
from partners.models import User
from tests.factories import UserFactory, member_of_new_organisation
from tests.factories.partners import PASSWORD


@pytest.fixture(scope="session", autouse=True)
def signing_certificate():
    """A development certificate for the decision PDFs the suite renders and signs."""
    call_command("create_signing_certificate", verbosity=0)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (the register's years are cached)."""
    cache.clear()


@pytest.fixture
def attachment_storage(tmp_path, monkeypatch):
    """The private attachment storage, in a folder of this test's own, so that what the
    test writes (or must not write) is all that is there."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def role_groups(db):
    """The role groups a migration makes. A transactional test's flush deletes them."""
    for role in Role:
        Group.objects.get_or_create(name=role)


@pytest.fixture
def staff_user(role_groups):
    return UserFactory(email="staff@example.org", full_name="Olive Staff", roles=[Role.OPCC_STAFF])


@pytest.fixture
def provider_user(role_groups):
    """A provider in a verified unregistered community group."""
    return member_of_new_organisation(
        "Seaham Street Sport", email="provider@example.org", roles=[Role.PROVIDER]
    )


@pytest.fixture
def ceo_user(role_groups):
    return UserFactory(
        email="ceo@example.org", full_name="Helen Carter", roles=[Role.CHIEF_EXECUTIVE]
    )


@pytest.fixture
def pcc_user(role_groups):
    return UserFactory(email="pcc@example.org", full_name="Morgan Reid", roles=[Role.PCC])


@pytest.fixture
def panel_member_user(role_groups):
    return member_of_new_organisation(
        "Durham Constabulary", email="panellist@example.org", roles=[Role.PANEL_MEMBER]
    )


@pytest.fixture
def superuser(db, password):
    return User.objects.create_superuser("root@example.org", password, full_name="Sam Superuser")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def provider_client(client, provider_user):
    client.force_login(provider_user)
    return client


@pytest.fixture
def client_as(db):
    """client_as(user): a test client of its own, signed in as that person (None: anonymous)."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The browser tests run last. Playwright's sync API keeps an event loop running in the
    main thread for the rest of the session, and pyHanko (signing and checking PDFs) calls
    asyncio.run(), which cannot start inside a running loop."""
    browser = [item for item in items if "tests/browser/" in item.nodeid]
    for item in browser:
        item.add_marker(pytest.mark.browser)
    items[:] = [item for item in items if item not in browser] + browser


@pytest.fixture
def eager_celery():
    """Tasks run in the thread that queues them, into the test mailbox, rather than on the
    shared Redis broker for a worker that is not this test's."""
    from svd_portal import celery_app

    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def quiet_weasyprint():
    """WeasyPrint logs every step at INFO; a worker's log setup would print them all."""
    logger = logging.getLogger("weasyprint.progress")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)


@pytest.fixture
def actor(request, db):
    """actor("staff_user") is that fixture's person; "anonymous" is a visitor not signed in;
    "nobody" is no one at all (by=None): who calls a service, in the service-actor tests."""

    def get(name):
        if name == "nobody":
            return None
        if name == "anonymous":
            return AnonymousUser()
        return request.getfixturevalue(name)

    return get


@pytest.fixture(autouse=True)
def force_login_gives_the_second_factor(monkeypatch):
    """A client signed in by force_login has given the second factor as well, when the
    person needs one (tests/second_factor.py has the password-only sign-in)."""
    from partners import two_factor
    from tests.second_factor import force_login_password_only, give_second_factor

    def force_login(self, user, backend=None):
        force_login_password_only(self, user, backend)
        if two_factor.required(user):
            give_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
