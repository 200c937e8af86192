"""What the field history records in partners: organisations, memberships and roles."""

from svd_portal import history


def register_models() -> None:
    from .models import Membership, Organisation, User

    # Only what changes a person's role; never the password or the last sign-in time.
    history.register(
        User,
        include=["is_active", "is_staff", "is_superuser"],
        m2m=["groups", "user_permissions"],
    )
    history.register(Organisation)
    history.register(Membership, parent="organisation")
