"""Settings for the worker processes the fault tests start: the test settings, with the
private storage and the signing certificate of the test that starts them. The test settings
fix both under var/, where other suites' files would spoil the count of files a version
leaves, so they are read from the environment again here."""

from svd_portal.settings.test import *  # noqa: F403 (extends the test settings wholesale)
from svd_portal.settings.test import STORAGES, env

STORAGES = {
    **STORAGES,
    "private": {
        "BACKEND": "grants.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": env("DOCUMENTS_TEST_PRIVATE_ROOT"), "base_url": None},
    },
}
DECISION_SIGNING_PKCS12 = env("DECISION_SIGNING_PKCS12")
DECISION_SIGNING_KEY = env("DECISION_SIGNING_KEY")
DECISION_SIGNING_CERT = env("DECISION_SIGNING_CERT")
DECISION_SIGNING_PASSPHRASE = env("DECISION_SIGNING_PASSPHRASE")
