from django import template

register = template.Library()

# How a barrier's history names the fields that changed.
FIELD_LABELS = {
    "title": "What got in the way",
    "description": "More detail",
    "quadrant": "Where it sits",
    "service_area": "Service area",
    "same_as": "Same as",
    "merged_from": "Took over the cases of",
}


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def field_label(name):
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
