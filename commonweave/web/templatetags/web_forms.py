from django import template

from commonweave.web.forms import _kind

register = template.Library()


@register.filter
def field_kind(bound_field):
    return _kind(bound_field.field.widget)
