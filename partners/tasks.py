"""Background work for partners: telling a person their account is locked, and members that
their organisation is verified or not."""

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


@shared_task(
    name="partners.send_verification_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_verification_email(*, status_change_id: int) -> int:
    """Emails an organisation's members the OPCC's verification decision (with the reason
    when it is refused). Returns the number of people written to; 0 when it is gone."""
    return services.organisation_verification_notify(status_change_id=status_change_id)
