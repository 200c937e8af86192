"""Settings for the load benchmark: the test settings (PostgreSQL and Redis from the
environment) served by gunicorn as production would: no debug, persistent connections,
and one extra URL, a minimal view, to compare the portal's pages with."""

from svd_portal.settings.test import *  # noqa: F403 (a settings module extends another wholesale)
from svd_portal.settings.test import DATABASES

ROOT_URLCONF = "benchmarks.load.urls"
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
WHITENOISE_AUTOREFRESH = False
# The test settings' MD5 hasher stays: each simulated person signs in once at the start,
# and the benchmark measures the pages, not PBKDF2.
