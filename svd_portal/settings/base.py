"""Every setting of the portal, read from the environment through one environ.Env().

local.py, test.py and production.py only adjust what differs.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-development-key-do-not-use-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The name shown in the header, on emails and (later) on signed documents.
PORTAL_ORGANISATION_NAME = env(
    "PORTAL_ORGANISATION_NAME", default="Office of the Police and Crime Commissioner"
)
# The police area the PCC is elected for, as in the title "Police and Crime Commissioner for
# Durham": decision records name it after the PCC and the OPCC. Blank leaves it out.
PORTAL_AREA_NAME = env("PORTAL_AREA_NAME", default="Durham")
PORTAL_SERVICE_NAME = env("PORTAL_SERVICE_NAME", default="Serious Violence Duty grants")
PORTAL_CONTACT_EMAIL = env("PORTAL_CONTACT_EMAIL", default="grants@opcc.example")
# The portal's address, for the links in emails that are sent without a request (a status
# change made by a signed decision, a record returned to draft).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://localhost:8000/")
# How long OPCC staff usually take to verify an organisation, as told to a provider waiting.
VERIFICATION_WORKING_DAYS = env.int("VERIFICATION_WORKING_DAYS", default=5)

INSTALLED_APPS = [
    "svd_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "auditlog",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "svd_portal",
    "partners",
    "grants",
    "decisions",
]

MIDDLEWARE = [
    # First, so that every log line of the request carries its id, and every answer is timed.
    "svd_portal.request_ids.RequestIdMiddleware",
    "svd_portal.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A visitor's kept public page, answered before the session and the view are reached.
    "svd_portal.caching.PublicPageCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A response to someone signed in is marked private, for no shared cache to keep.
    "svd_portal.caching.PrivateWhenSignedInMiddleware",
    # request.user.is_verified(): whether the second factor was given in this session.
    "django_otp.middleware.OTPMiddleware",
    # Signed in with a password alone, someone who needs a second factor reaches only the
    # pages that take it; staff-side sessions end after SESSION_IDLE_MINUTES unused.
    "partners.middleware.SecondFactorMiddleware",
    "partners.middleware.IdleTimeoutMiddleware",
    # Changes made in a request (the admin's too) are attributed to its signed-in user.
    "auditlog.middleware.AuditlogMiddleware",
    # The audit trail: who answers the request, from where; each private download.
    "svd_portal.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its 429 page.
    "axes.middleware.AxesMiddleware",
]

# --- Field history (django-auditlog; models are registered in each app's history.py) ---
# Values are kept as JSON, so an empty value and "None" stay apart.
AUDITLOG_STORE_JSON_CHANGES = True
# Who and when is the record; the address people connect from is not kept.
AUDITLOG_DISABLE_REMOTE_ADDR = True

ROOT_URLCONF = "svd_portal.urls"
WSGI_APPLICATION = "svd_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "svd_portal.context_processors.portal",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------
# The embedded default is a SQLite file in the project folder; production and the
# test suite set DATABASE_URL to PostgreSQL (psycopg 3).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default has web threads and worker processes on one file. WAL lets
    # readers go on while one transaction writes. IMMEDIATE takes the write lock when a
    # transaction begins, so two that read and then write queue on the busy timeout
    # (seconds) instead of deadlocking, which SQLite reports at once as "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partners.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out sign-in is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# email address from one IP address, that pair is refused for AXES_COOLOFF_TIME.
# Keying on the pair means a shared office address is not locked out for everyone,
# and the attempts are kept in the database for audit (superusers see them in the admin:
# they hold people's IP addresses).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
# On top (partners.auth.PortalAxesHandler): AXES_ACCOUNT_FAILURE_LIMIT wrong passwords for
# one account from any mix of addresses pause signing in to it everywhere, until the
# cool-off or until OPCC staff unlock it in the admin, and the holder is emailed once.
# 20 is four addresses' worth of the pair limit: someone who mistypes on a phone and a
# laptop is not locked out, while guessing is held to 20 per cool-off (under 2,000 a day,
# against passwords of 10+ characters that are not common ones; NIST SP 800-63B allows up
# to 100). Lower means fewer guesses but an account anyone can lock with fewer addresses.
# A password re-entered while signed in (the PCC's signature) is held to AXES_FAILURE_LIMIT
# across addresses, since a stolen session is not tied to one.
AXES_ACCOUNT_FAILURE_LIMIT = env.int("AXES_ACCOUNT_FAILURE_LIMIT", default=20)
AXES_HANDLER = "partners.auth.PortalAxesHandler"
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# An attempt refused while locked out checks no password: it is not counted, so it neither
# extends the pause nor lets one locked-out address push the account to its limit.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The sign-in form's field is "username" (it holds the email address); axes would
# otherwise look for the model's USERNAME_FIELD, "email".
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "partners.auth.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Renders AXES_LOCKOUT_TEMPLATE saying which lock holds (this address, the account, signing).
AXES_LOCKOUT_CALLABLE = "partners.auth.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "partners.auth.client_ip"
# How many reverse proxies in front of the portal append to X-Forwarded-For. With 0
# (the default) the client address is REMOTE_ADDR and the header is ignored, since
# anyone can send it.
PORTAL_TRUSTED_PROXY_COUNT = env.int("PORTAL_TRUSTED_PROXY_COUNT", default=0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

# --- Two-factor sign-in (partners/two_factor.py) ---
# The name the authenticator app shows beside the account.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="SVD Grants Portal")
# Signing a decision, approving a payment, verifying bank details, changing roles and
# downloading panel or payment exports need the second factor given this recently.
SECOND_FACTOR_RECENT_MINUTES = env.int("SECOND_FACTOR_RECENT_MINUTES", default=15)
# A staff-side session (OPCC staff, Chief Executive, PCC, panel members, superusers) ends
# after this long unused; a warning comes SESSION_IDLE_WARNING_MINUTES before.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_IDLE_WARNING_MINUTES = env.int("SESSION_IDLE_WARNING_MINUTES", default=2)
LOGOUT_REDIRECT_URL = "home"

# --- Retention (svd_portal/retention.py) ---------------------------------------------
# How long each kind of record is kept after the event that starts its clock, as
# {"years": n} or {"days": n}; /staff/retention/ shows what the daily job will remove.
# Published decision records and the grants register have no period: they are kept.
RETENTION = {
    # Sign-ins, refused sign-ins, sign-outs and second factors (the audit trail's lines
    # and the sign-in throttle's logs), from the day they happened: deleted.
    "sign_in_records": {"years": env.int("RETENTION_SIGN_IN_YEARS", default=1)},
    # Expressions of interest, from the round's closing: anonymised (the full
    # application that followed one is kept on its own schedule).
    "expressions_of_interest": {"years": env.int("RETENTION_EOI_YEARS", default=2)},
    # Applications not funded (drafts never sent, ineligible, not recommended, declined,
    # withdrawn), from the round's closing: anonymised.
    "unsuccessful_applications": {"years": env.int("RETENTION_UNSUCCESSFUL_YEARS", default=2)},
    # Funded applications and their delivery, from the award's close-out (or its
    # withdrawal or claw-back): anonymised.
    "successful_applications": {"years": env.int("RETENTION_SUCCESSFUL_YEARS", default=7)},
    # Sign-ups whose email address was never confirmed, from the sign-up: anonymised.
    "unconfirmed_accounts": {"days": env.int("RETENTION_UNCONFIRMED_DAYS", default=30)},
}
# The report also lists what falls due within this many days, so staff see it coming.
RETENTION_NOTICE_DAYS = env.int("RETENTION_NOTICE_DAYS", default=30)

# --- Locale -----------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads and signed PDFs are private: PRIVATE_ROOT lies outside MEDIA_ROOT, has no
# URL, and is read only by views that check who is asking. Nothing public is
# uploaded, so MEDIA_ROOT stays empty.
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
PRIVATE_ROOT = Path(env("DJANGO_PRIVATE_ROOT", default=str(BASE_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "grants.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# With a bucket named, they live in S3-compatible object storage instead: private objects,
# no URL, streamed by the same views (grants.object_storage.PrivateS3Storage).
PRIVATE_STORAGE_S3_BUCKET = env("PRIVATE_STORAGE_S3_BUCKET", default="")
if PRIVATE_STORAGE_S3_BUCKET:
    # "none" for a bucket with ACLs turned off, which refuses a request that names one.
    _object_acl = env("PRIVATE_STORAGE_S3_OBJECT_ACL", default="private")
    STORAGES["private"] = {
        "BACKEND": "grants.object_storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": PRIVATE_STORAGE_S3_BUCKET,
            "endpoint_url": env("PRIVATE_STORAGE_S3_ENDPOINT_URL", default=None),
            "region_name": env("PRIVATE_STORAGE_S3_REGION", default=None),
            "access_key": env("PRIVATE_STORAGE_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("PRIVATE_STORAGE_S3_SECRET_ACCESS_KEY", default=None),
            "addressing_style": env("PRIVATE_STORAGE_S3_ADDRESSING_STYLE", default=None),
            "default_acl": None if _object_acl == "none" else _object_acl,
        },
    }
# The largest attachment anyone may upload (to an application or a return), in bytes.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# The most documents one monitoring return may carry.
RETURN_ATTACHMENTS_MAX = env.int("RETURN_ATTACHMENTS_MAX", default=10)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The first handler stops a file at ATTACHMENT_MAX_BYTES while it arrives, before Django's
# own handlers keep it in memory or a temporary file (svd_portal/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "svd_portal.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Forms and front end ----------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_GDS_FRONTEND_VERSION = "5.9.0"
GOVUK_FRONTEND_VERSION = CRISPY_GDS_FRONTEND_VERSION

# A strict policy: no inline script or style anywhere in the portal.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- The public API (/api/v1/) ------------------------------------------------
# Read-only and the same for everyone: no authentication at all, so a signed-in person's
# session never widens what it shows. JSON only; the interactive documentation is Swagger UI
# from local files (drf-spectacular-sidecar), its script a file of its own for the CSP.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SVD Grants Portal: public API",
    "DESCRIPTION": (
        "Published decision records of the Police and Crime Commissioner, funding rounds "
        "(open and past) and the grants register, read-only. Lists come in pages of 50 "
        "(page_size up to 200), newest first. Amounts are strings of pounds and pence; "
        "times are in Europe/London."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Mail -------------------------------------------------------------------
# Console by default; EMAIL_URL (e.g. smtp+tls://user:pass@host:587) for real mail.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="grants@opcc.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------
# Redis when REDIS_URL is set; otherwise kombu's filesystem transport, so the
# embedded default runs a real worker with no server to install.
REDIS_URL = env("REDIS_URL", default="")
CELERY_QUEUE_DIR = Path(env("CELERY_QUEUE_DIR", default=str(BASE_DIR / "var" / "celery")))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# A page that queues work after saving must not hang on a dead broker.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BEAT_SCHEDULE = {
    "grants-rounds-follow-dates": {"task": "grants.rounds_follow_dates", "schedule": 300.0},
    "decisions-publish-due": {"task": "decisions.publish_due", "schedule": 3600.0},
    "decisions-sweep-documents": {"task": "decisions.sweep_documents", "schedule": 60.0},
    "grants-sweep-agreements": {"task": "grants.sweep_agreements", "schedule": 60.0},
    "grants-activate-awards": {"task": "grants.activate_awards", "schedule": 3600.0},
    "grants-remind-returns": {"task": "grants.remind_returns", "schedule": 3600.0},
    # Daily: what the retention schedule says is due (svd_portal/retention.py).
    "svd-portal-apply-retention": {"task": "svd_portal.apply_retention", "schedule": 86400.0},
}
# --- The shared cache -----------------------------------------------------------
# What every web process and worker must agree on: the anonymous public pages and the
# register's years (svd_portal/caching.py), invalidated by version keys that any process
# may change. Redis when REDIS_URL (or CACHE_URL) is set; otherwise files under var/cache,
# which the embedded default's several gunicorn processes and its worker share on one
# machine (a cache in each process's memory would let one serve a page another had
# invalidated).
CACHE_URL = env("CACHE_URL", default=REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "svd",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# How long a reverse proxy or CDN may keep an anonymous public page (Cache-Control
# max-age), and the longest the portal keeps one itself: a change is seen at once in the
# portal's own cache (its version key), within PUBLIC_CACHE_SECONDS behind a proxy.
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=60)
# The longest the portal keeps a page itself; 0 keeps none (every page made afresh).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=86400)
# Part of every kept page's key: a new release never serves a page the last one made.
# Unset, it is a digest of the templates and the code, taken once per process.
PORTAL_RELEASE = env("PORTAL_RELEASE", default="")

# How long /healthz/ waits for the broker before calling it down.
HEALTHZ_BROKER_TIMEOUT = env.float("HEALTHZ_BROKER_TIMEOUT", default=2.0)

# --- Decision records ------------------------------------------------------------
# A search of the register counts (and ranks by relevance) at most this many matches, the
# newest: a common word matches most of the register, and counting it all is slow.
REGISTER_SEARCH_LIMIT = env.int("REGISTER_SEARCH_LIMIT", default=1000)
# References like DN50-24: {seq} the number in the period, {yy}/{yyyy} the year the
# period ends in. Numbering restarts each calendar year, or each financial year (1 April).
DECISION_REFERENCE_FORMAT = env("DECISION_REFERENCE_FORMAT", default="DN{seq}-{yy}")
DECISION_REFERENCE_YEAR = env("DECISION_REFERENCE_YEAR", default="calendar")

# Signing decision PDFs: the OPCC's key and certificate, as PKCS#12 or as PEM files.
# `python manage.py create_signing_certificate` makes a development pair at the PEM paths.
DECISION_SIGNING_PKCS12 = env("DECISION_SIGNING_PKCS12", default="")
DECISION_SIGNING_KEY = env(
    "DECISION_SIGNING_KEY", default=str(BASE_DIR / "var" / "signing" / "dev-key.pem")
)
DECISION_SIGNING_CERT = env(
    "DECISION_SIGNING_CERT", default=str(BASE_DIR / "var" / "signing" / "dev-cert.pem")
)
DECISION_SIGNING_PASSPHRASE = env("DECISION_SIGNING_PASSPHRASE", default="")
# The TrueType font of the visible signature block, embedded in the PDF as PDF/UA requires
# (Debian's fonts-dejavu-core; the decision record itself is set in DejaVu Sans too).
DECISION_STAMP_FONT = env(
    "DECISION_STAMP_FONT", default="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)
# A document queued or rendering for longer than this (seconds) is queued again by the sweeper.
DECISION_DOCUMENT_STUCK_AFTER = env.int("DECISION_DOCUMENT_STUCK_AFTER", default=300)

# --- Awards -------------------------------------------------------------------
# Due diligence is proportionate to the amount (GovS 015): awards of this much or more
# also need the organisation's latest annual accounts checked.
DUE_DILIGENCE_ACCOUNTS_FROM = Decimal(env("DUE_DILIGENCE_ACCOUNTS_FROM", default="10000.00"))
# A progress return is due this many days after its period ends; the final report, this
# many after delivery ends.
RETURN_DUE_DAYS = env.int("RETURN_DUE_DAYS", default=14)
FINAL_REPORT_DUE_DAYS = env.int("FINAL_REPORT_DUE_DAYS", default=28)
# --- Open data ----------------------------------------------------------------
# The grants register as 360Giving data: the publisher's identifier prefix (360Giving
# gives one, like "360G-blf"), the OPCC's own org-id (org-id.guide; by default an
# identifier under the prefix) and the police force area every grant is delivered in
# (its ONS code, E23…; Durham's is E23000008).
OPEN_DATA_PREFIX = env("OPEN_DATA_PREFIX", default="360G-svdportal")
OPEN_DATA_FUNDER_ID = env("OPEN_DATA_FUNDER_ID", default=f"{OPEN_DATA_PREFIX}-ORG-OPCC")
OPEN_DATA_POLICE_FORCE_AREA = env("OPEN_DATA_POLICE_FORCE_AREA", default="Durham")
OPEN_DATA_POLICE_FORCE_AREA_CODE = env("OPEN_DATA_POLICE_FORCE_AREA_CODE", default="E23000008")

# A variation that changes an award's amount by more than this is the PCC's to decide, on
# a decision record; staff decide the rest.
VARIATION_PCC_THRESHOLD = Decimal(env("VARIATION_PCC_THRESHOLD", default="5000.00"))

# --- Demo data ---------------------------------------------------------------
# seed_demo's password for the demo accounts; required under production settings.
DEMO_PASSWORD = env("DEMO_PASSWORD", default="")
IS_PRODUCTION = False

# --- Operations: metrics and logs ------------------------------------------------
# Prometheus metrics at /metrics (svd_portal/metrics.py), for a scraper that sends
# "Authorization: Bearer <METRICS_TOKEN>"; without a token the page does not exist.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# Where each process writes its counts for /metrics to add up (prometheus_client's
# multiprocess mode); gunicorn's config and scripts/run.sh empty it when they start.
METRICS_DIR = Path(env("METRICS_DIR", default=str(BASE_DIR / "var" / "metrics")))
# "text": the message alone, for reading in a terminal; "json": one JSON object a line for a
# log collector (the production default). Either way each record carries request_id.
LOG_FORMAT = env("LOG_FORMAT", default="text")
# A worker logging JSON keeps the root handler below instead of Celery's own plain one.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

# --- Logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "svd_portal.request_ids.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "timestamp": True,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
