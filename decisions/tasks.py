from celery import shared_task

from . import services


@shared_task(name="decisions.publish_due")
def publish_due() -> list[str]:
    """Publishes signed records whose deferral date has passed (hourly; idempotent)."""
    return services.decisions_publish_due()
