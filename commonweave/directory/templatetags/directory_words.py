"""{% load directory_words %}: opening times and languages in words (directory/words.py)."""

from django import template

from .. import words

register = template.Library()


@register.filter
def in_words(schedule) -> str:
    return words.schedule_in_words(schedule)


@register.filter
def language_names(codes) -> str:
    return words.language_names(codes or [])
