from urllib.parse import urlencode

from django import template
from django.urls import reverse

from partners.rules import is_opcc_staff
from svd_portal import audit, history

register = template.Library()


@register.inclusion_tag("components/field_history.html", takes_context=True)
def field_history(context, obj):
    """{% field_history obj %}: who changed which field of `obj`, when, from what to what.

    OPCC staff only: the history names people and shows earlier text, so the block is
    empty for anybody else, whichever page includes it.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if not obj or user is None or not is_opcc_staff.test(user):
        return {"show": False}
    changes, more = history.history_for(obj)
    audit_url = reverse("audit-trail") + "?" + urlencode({"object": audit.object_key(obj)})
    return {
        "show": True,
        "changes": changes,
        "more": more,
        "short": history.SHORT_TEXT,
        "audit_url": audit_url,
    }
