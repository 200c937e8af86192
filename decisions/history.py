"""What the field history records in decisions: the decision records."""

from svd_portal import history


def register_models() -> None:
    from .models import DecisionRecord

    # The search vector is derived from the other fields when the record is published.
    history.register(DecisionRecord, exclude=["updated_at", "search_vector"], m2m=["applications"])
