"""Every write to decision records, one module per part, re-exported here: drafting and
editing (records), references, the way to the register (approval: DECISION_MOVES and
`decision_move`) and the signed PDFs (documents)."""

from .approval import (
    DECISION,
    DECISION_MOVES,
    decision_approve,
    decision_move,
    decision_publish,
    decision_return,
    decision_return_notify,
    decision_sign,
    decision_submit,
    decisions_publish_due,
    index_for_search,
)
from .documents import (
    DOCUMENT,
    document_add,
    document_queue,
    document_render,
    document_retry,
    documents_sweep,
    latest_ready_document,
)
from .records import (
    EDITABLE_FIELDS,
    decision_attach_section_b,
    decision_correct,
    decision_create,
    decision_create_from_round,
    decision_create_from_variation,
    decision_update,
    inherited_deferral,
    round_section_a,
    section_b_name,
    validate_publication,
)
from .references import (
    allocate_reference,
)

__all__ = [
    "DECISION",
    "DECISION_MOVES",
    "DOCUMENT",
    "EDITABLE_FIELDS",
    "allocate_reference",
    "decision_approve",
    "decision_attach_section_b",
    "decision_correct",
    "decision_create",
    "decision_create_from_round",
    "decision_create_from_variation",
    "decision_move",
    "decision_publish",
    "decision_return",
    "decision_return_notify",
    "decision_sign",
    "decision_submit",
    "decision_update",
    "decisions_publish_due",
    "document_add",
    "document_queue",
    "document_render",
    "document_retry",
    "documents_sweep",
    "index_for_search",
    "inherited_deferral",
    "latest_ready_document",
    "round_section_a",
    "section_b_name",
    "validate_publication",
]
