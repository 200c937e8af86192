"""Settings for the test suite: PostgreSQL and Redis from the environment that `make test` sets."""

from .base import *  # noqa: F403 (a settings module extends the base one wholesale)
from .base import BASE_DIR, env

DEBUG = False
# The suite runs on PostgreSQL; `make test` starts one and sets DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the source folders, as runserver does: no collectstatic in tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
