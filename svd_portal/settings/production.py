"""Production settings: every secret comes from the environment and has no default.

A missing variable stops start-up with Django's ImproperlyConfigured naming it.
"""

from .base import *  # noqa: F403 (a settings module extends the base one wholesale)
from .base import env

DEBUG = False
IS_PRODUCTION = True
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {}
vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
# Links in emails point at the real site: by default the first allowed host, over HTTPS.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default=f"https://{ALLOWED_HOSTS[0]}/")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# JSON log lines for the log collector, unless LOG_FORMAT=text asks for the plain ones.
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405 (from the base settings)
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

STORAGES = {
    **STORAGES,  # noqa: F405 (from the base settings)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS only, behind a reverse proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
