"""The demo data, seeded once for every test in this package.

seed_demo runs in a transaction opened when the first test here asks for `demo` and rolled
back after the last one, the way django.test.TestCase keeps setUpTestData: each test runs in
a savepoint inside it (the `db` fixture), so a test that changes the demo rows leaves them
as seeded for the next, and no test outside the package sees them. A rollback rather than a
flush keeps the rows the migrations made (the role groups, the success measures).
"""

import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from decisions.models import DecisionRecord


@pytest.fixture(scope="package")
def seeded_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """What seed_demo printed. The demo's Section B report is written to a folder of the
    package's own, not the shared test storage."""
    storage = FileSystemStorage(location=tmp_path_factory.mktemp("demo-private"), base_url=None)
    patch = pytest.MonkeyPatch()
    for name in ("section_b", "section_b_redacted"):
        patch.setattr(DecisionRecord._meta.get_field(name), "storage", storage)
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
    try:
        # The command's default password and no production guard, whatever the environment says.
        with django_db_blocker.unblock(), override_settings(IS_PRODUCTION=False, DEMO_PASSWORD=""):
            out = io.StringIO()
            call_command("seed_demo", stdout=out)
        yield out.getvalue()
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
        patch.undo()


@pytest.fixture
def demo(seeded_demo, db, settings):
    """The seeded demo, inside this test's own transaction."""
    settings.IS_PRODUCTION = False
    settings.DEMO_PASSWORD = ""
