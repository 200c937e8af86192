"""Settings for `make run` on one machine: debug pages, console mail, the embedded defaults."""

from .base import *  # noqa: F403 (a settings module extends the base one wholesale)
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
