from django import forms, template

from svd_portal import formatting

register = template.Library()
register.filter("money", formatting.money)
register.filter("count", formatting.count)
register.filter("in_sentence", formatting.in_sentence)
register.filter("duration", formatting.duration)
# expects_localtime: the time is shown in the portal's time zone, as the date filter shows it.
register.filter("date_time", formatting.date_time, expects_localtime=True)


@register.filter
def error_anchor(field_id, bound_field):
    """The id an error summary links to: a radio or checkbox question's first input
    (crispy-forms-gds numbers them id_<name>_1, …), or the field's own id."""
    widget = bound_field.field.widget
    if field_id == bound_field.auto_id and isinstance(
        widget, forms.RadioSelect | forms.CheckboxSelectMultiple
    ):
        return f"id_{bound_field.html_name}_1"
    return field_id


ERROR_PREFIX = "Error: "


class TitleNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        title = self.nodelist.render(context).strip()
        # Some pages say "Error: " themselves; others leave it to any form with errors.
        has_error = title.startswith(ERROR_PREFIX)
        while title.startswith(ERROR_PREFIX):
            title = title[len(ERROR_PREFIX) :]
        # type(), not isinstance(): isinstance would evaluate the lazy CSRF token, and a
        # page that asked for one sets a cookie and cannot be kept for every visitor.
        has_error = has_error or any(
            issubclass(type(value), forms.BaseForm) and value.is_bound and value.errors
            for layer in context.dicts
            for value in layer.values()
        )
        return f"{ERROR_PREFIX}{title}" if has_error else title


@register.tag
def error_title(parser, token):
    """{% error_title %}…{% enderror_title %}: the title with exactly one "Error: " prefix
    when a form on the page has errors or the page says there is an error."""
    nodelist = parser.parse(("enderror_title",))
    parser.delete_first_token()
    return TitleNode(nodelist)
