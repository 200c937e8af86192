"""Uploads are private: stored under PRIVATE_ROOT with no URL, streamed by views after a check."""

from django.core.files.storage import FileSystemStorage, storages


class PrivateFileSystemStorage(FileSystemStorage):
    """A file system storage whose files have no URL at all."""

    def url(self, name):
        raise ValueError("Private files have no URL: views stream them after a permission check")


def private_storage():
    return storages["private"]
