from django import template

from svd_portal import formatting

register = template.Library()
register.filter("money", formatting.money)
register.filter("in_sentence", formatting.in_sentence)
register.filter("duration", formatting.duration)
