"""Settings for the test suite: PostgreSQL and Redis from the environment that `make test` sets.

Under pytest-xdist each worker (PYTEST_XDIST_WORKER, "gw0", "gw1"…) has its own database
(pytest-django adds the suffix), its own folders for files and the signing certificate, and
its own Redis database as the broker, so that no worker sees another's files or tasks."""

import os

from .base import *  # noqa: F403 (a settings module extends the base one wholesale)
from .base import BASE_DIR, REDIS_URL, env

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
# 0 for gw0 (and for a run in one process), 1 for gw1…: tests that need Redis databases of
# their own add it to theirs (the documents' tests use 13 + this).
WORKER_INDEX = int(WORKER.removeprefix("gw")) if WORKER else 0
# TEST_FOLDER_SUFFIX keeps two runs side by side in one checkout apart (each has its own
# services from scripts/with-services.sh, but the folders are the checkout's).
_SUFFIX = (f"-{WORKER}" if WORKER else "") + os.environ.get("TEST_FOLDER_SUFFIX", "")
if REDIS_URL and WORKER:
    # gw0's broker is Redis database 1, gw1's database 2…
    CELERY_BROKER_URL = f"{REDIS_URL.rsplit('/', 1)[0]}/{WORKER_INDEX + 1}"

if REDIS_URL:
    # The shared cache in a Redis database of each worker's own (5 for gw0, 6 for gw1…):
    # each test starts with it emptied (tests/conftest.py).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"{REDIS_URL.rsplit('/', 1)[0]}/{WORKER_INDEX + 5}",
            "KEY_PREFIX": "svd",
        }
    }

DEBUG = False
# The suite runs on PostgreSQL; `make test` starts one and sets DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / f"test-media{_SUFFIX}"
PRIVATE_ROOT = BASE_DIR / "var" / f"test-private{_SUFFIX}"
METRICS_DIR = BASE_DIR / "var" / f"test-metrics{_SUFFIX}"
STORAGES = {
    **STORAGES,  # noqa: F405 (from the base settings)
    "private": {
        "BACKEND": "grants.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT, "base_url": None},
    },
}
# Serve static files from the source folders, as runserver does: no collectstatic in tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The suite signs decision PDFs with its own development certificate (tests/conftest.py makes it).
DECISION_SIGNING_PKCS12 = ""
DECISION_SIGNING_KEY = str(BASE_DIR / "var" / f"test-signing{_SUFFIX}" / "key.pem")
DECISION_SIGNING_CERT = str(BASE_DIR / "var" / f"test-signing{_SUFFIX}" / "cert.pem")
DECISION_SIGNING_PASSPHRASE = ""
