"""Background work for partners: telling a person their account is locked."""

from celery import shared_task

from . import services


@shared_task(name="partners.send_lockout_email")
def send_lockout_email(*, email: str, limit: int, confirming: bool, base_url: str) -> bool:
    """Emails the holder of `email` that wrong passwords have paused their account.

    Queued for every lock, account or not, so the locking request takes as long either way;
    returns False when the address has no active account.
    """
    return services.user_lockout_notify(
        email=email, limit=limit, confirming=confirming, base_url=base_url
    )
