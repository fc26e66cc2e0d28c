from django import template

register = template.Library()


@register.filter
def label_for(area, value):
    """The words for a point on an area's scale."""
    return area.label_for(value)
