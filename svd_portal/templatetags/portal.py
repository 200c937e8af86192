from django import template

from svd_portal import formatting

register = template.Library()
register.filter("money", formatting.money)
register.filter("in_sentence", formatting.in_sentence)
register.filter("duration", formatting.duration)
# expects_localtime: the time is shown in the portal's time zone, as the date filter shows it.
register.filter("date_time", formatting.date_time, expects_localtime=True)
