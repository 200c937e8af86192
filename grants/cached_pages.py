"""What the funding rounds' kept pages show (svd_portal.caching.public_page), and the
changes that make them stale: the list shows every round; a round's page shows the round,
its caps, criteria, priorities and how it closed."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from partners.models import StrategicPriority
from svd_portal.caching import pages_changed

from .models import AssessmentCriterion, AwardCap, FundingRound, RoundStatusChange

ROUNDS = "rounds"
PRIORITIES = "priorities"


def round_scope(slug: str) -> str:
    return f"round:{slug}"


def round_changed(sender, instance: FundingRound, **kwargs):
    pages_changed(ROUNDS, round_scope(instance.slug))


def part_changed(sender, instance, **kwargs):
    slug = FundingRound.objects.filter(pk=instance.round_id).values_list("slug", flat=True).first()
    pages_changed(ROUNDS, *([round_scope(slug)] if slug else []))


def priorities_changed(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        if isinstance(instance, FundingRound):
            pages_changed(ROUNDS, round_scope(instance.slug))
        else:  # a priority's rounds changed, from the priority's side
            pages_changed(ROUNDS, PRIORITIES)


def priority_changed(sender, instance, **kwargs):
    pages_changed(PRIORITIES)


def connect():
    for signal in (post_save, post_delete):
        signal.connect(round_changed, sender=FundingRound, dispatch_uid="pages-round")
        for part in (AwardCap, AssessmentCriterion, RoundStatusChange):
            signal.connect(part_changed, sender=part, dispatch_uid=f"pages-{part.__name__}")
        signal.connect(priority_changed, sender=StrategicPriority, dispatch_uid="pages-priority")
    m2m_changed.connect(
        priorities_changed, sender=FundingRound.priorities.through, dispatch_uid="pages-priorities"
    )
