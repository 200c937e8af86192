"""Private files in an S3-compatible bucket (PRIVATE_STORAGE_S3_BUCKET): its own module, so
that a portal without a bucket never imports boto3."""

from django.core.exceptions import ImproperlyConfigured
from storages.backends.s3 import S3Storage

from .storage import NO_URL

# Canned ACLs that give no one but the bucket's owner any access. None sends no ACL at all,
# as a bucket with ACLs turned off (AWS's default since 2023) requires.
PRIVATE_ACLS = ("private", "bucket-owner-full-control", None)


class PrivateS3Storage(S3Storage):
    """An S3-compatible bucket whose objects are private and have no URL, not even a signed
    one: a link would let a download past the permission check and the audit trail.

    A name already taken is never overwritten: the new file gets a name of its own, as on
    disk. Options that would loosen any of this stop start-up."""

    default_acl = "private"
    querystring_auth = True
    file_overwrite = False

    def __init__(self, **settings):
        super().__init__(**settings)
        if self.default_acl not in PRIVATE_ACLS:
            raise ImproperlyConfigured(
                f"The private storage's objects cannot have the {self.default_acl!r} ACL: "
                "use 'private', 'bucket-owner-full-control' or none"
            )
        if self.querystring_auth is not True or self.file_overwrite is not False:
            raise ImproperlyConfigured(
                "The private storage needs querystring_auth on and file_overwrite off"
            )
        if bool(self.access_key) != bool(self.secret_key):
            raise ImproperlyConfigured(
                "Set both PRIVATE_STORAGE_S3_ACCESS_KEY_ID and PRIVATE_STORAGE_S3_SECRET_ACCESS_KEY, "
                "or neither (boto3 then finds its own credentials)"
            )

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError(NO_URL)
