"""The Celery application. Broker and worker settings come from Django settings (CELERY_*)."""

import os

from celery import Celery, signals

from . import request_ids

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "svd_portal.settings.local")

app = Celery("svd_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A task queued during a request logs that request's id (svd_portal/request_ids.py).
signals.before_task_publish.connect(request_ids.add_to_task_headers)
signals.task_prerun.connect(request_ids.task_started)
signals.task_postrun.connect(request_ids.task_finished)


def _task_ended(outcome: str):
    def count(sender=None, **kwargs):
        # Imported here: the metrics module reads the settings, not yet loaded at this point.
        from . import metrics

        metrics.task_ended(sender, outcome)

    return count


# Task outcomes for /metrics, counted in the process that ran the task.
for _signal, _outcome in (
    (signals.task_success, "succeeded"),
    (signals.task_failure, "failed"),
    (signals.task_retry, "retried"),
):
    _signal.connect(_task_ended(_outcome), weak=False)
