"""Settings for `make run` on one machine: console mail, the embedded defaults.

DEBUG is off, as in production: the portal's own error pages, static files from
STATIC_ROOT. `make dev` sets DJANGO_DEBUG=1 for Django's debug pages and auto-reloading.
"""

from .base import *  # noqa: F403 (a settings module extends the base one wholesale)
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
