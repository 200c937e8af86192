"""The budget under contention: two chairs' sessions recommending at the same moment.

moderation_record locks the round's row before it adds up the other recommendations,
so on PostgreSQL the second transaction waits for the first and then sees its amount.
"""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from grants import services
from grants.enums import ApplicationStatus, Recommendation
from grants.models import Application, Moderation


@pytest.mark.django_db(transaction=True)
def test_moderation_record_concurrent_recommendations_cannot_exceed_budget(
    roles, panel, application, second_application, criteria, chair_user, member, score, eager_celery
):
    # Budget £10,000; each asks for £6,000: both fit alone, not together. Each has a
    # submitted scorecard, without which neither could be recommended.
    score(member, application, [4, 4])
    score(member, second_application, [4, 4])
    barrier = threading.Barrier(2, timeout=30)
    outcomes = {}

    def recommend(target):
        try:
            barrier.wait()
            services.moderation_record(
                application=target,
                by=chair_user,
                scores={c.pk: 4 for c in criteria},
                rationale="A strong bid.",
                recommendation=Recommendation.FUND,
                recommended_amount=Decimal("6000"),
            )
            outcomes[target.reference] = "recommended"
        except ValidationError as exc:
            outcomes[target.reference] = exc.message_dict["recommended_amount"]
        finally:
            connection.close()

    threads = [
        threading.Thread(target=recommend, args=(target,))
        for target in (application, second_application)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert sorted(outcomes.values(), key=str) == sorted(
        [
            "recommended",
            ["Only £4,000 of the £10,000 budget is left to recommend; this asks for £6,000"],
        ],
        key=str,
    )
    total = Moderation.objects.aggregate(total=Sum("recommended_amount"))["total"]
    assert total == Decimal("6000.00") <= panel.round.budget
    assert sorted(
        Application.objects.filter(pk__in=[application.pk, second_application.pk]).values_list(
            "status", flat=True
        )
    ) == [ApplicationStatus.RECOMMENDED, ApplicationStatus.UNDER_ASSESSMENT]
