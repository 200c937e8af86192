"""Uploads are private: stored under MEDIA_ROOT/private with no URL, streamed by views after a check."""

from django.core.files.storage import storages


def private_storage():
    return storages["private"]
