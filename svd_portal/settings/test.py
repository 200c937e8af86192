"""Settings for the test suite: PostgreSQL and Redis from the environment that `make test` sets."""

from .base import *  # noqa: F403 (a settings module extends the base one wholesale)
from .base import BASE_DIR, env

DEBUG = False
# The suite runs on PostgreSQL; `make test` starts one and sets DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
PRIVATE_ROOT = BASE_DIR / "var" / "test-private"
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
DECISION_SIGNING_KEY = str(BASE_DIR / "var" / "test-signing" / "key.pem")
DECISION_SIGNING_CERT = str(BASE_DIR / "var" / "test-signing" / "cert.pem")
DECISION_SIGNING_PASSPHRASE = ""
