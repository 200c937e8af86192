"""Uploads are private: stored under PRIVATE_ROOT, or in a private S3-compatible bucket, with
no URL, and streamed by views after a permission check. The bucket's storage is
grants.object_storage, imported only when one is configured (boto3 takes a fifth of a
second to import)."""

from django.core.files.storage import FileSystemStorage, storages

NO_URL = "Private files have no URL: views stream them after a permission check"


class PrivateFileSystemStorage(FileSystemStorage):
    """A file system storage whose files have no URL at all."""

    def url(self, name):
        raise ValueError(NO_URL)


def private_storage():
    return storages["private"]
