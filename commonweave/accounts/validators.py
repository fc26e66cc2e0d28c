"""Password rules beyond Django's own: length (12) and common passwords are checked there."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def repeated_unit(text: str) -> str | None:
    """The shortest piece that `text` is made of, repeated ("abcabcabc" -> "abc"), or None.

    The classic trick: a string is a repetition exactly when it occurs inside itself
    doubled, at an offset shorter than its length.
    """
    if len(text) < 2:
        return None
    offset = (text + text).find(text, 1)
    return text[:offset] if offset < len(text) else None


class CharacterVarietyValidator:
    """Refuse passwords with too few different characters ("aaaaaaaaaaaa", "aaaabbbbcccc")
    or made of one piece repeated ("abcabcabcabc", "passwordpassword").

    Letters count regardless of case (changing case adds little to guess). Long passphrases
    pass ("correct horse battery staple" has 13 different characters); there are no
    composition rules (no "one digit, one symbol"), which push people to predictable ones.
    """

    def __init__(self, min_distinct: int = 5):
        self.min_distinct = min_distinct

    def validate(self, password, user=None):
        folded = password.casefold()
        if len(set(folded)) < self.min_distinct:
            raise ValidationError(
                ngettext(
                    "This password uses too few different characters. "
                    "Use at least %(min_distinct)d different character.",
                    "This password uses too few different characters. "
                    "Use at least %(min_distinct)d different characters.",
                    self.min_distinct,
                ),
                code="password_too_few_characters",
                params={"min_distinct": self.min_distinct},
            )
        if repeated_unit(folded) is not None:
            raise ValidationError(
                _("This password is the same few characters repeated. Try a few unrelated words."),
                code="password_repeated_pattern",
            )

    def get_help_text(self):
        return ngettext(
            "Your password must use at least %(min_distinct)d different character and "
            "must not be the same characters repeated.",
            "Your password must use at least %(min_distinct)d different characters and "
            "must not be the same characters repeated.",
            self.min_distinct,
        ) % {"min_distinct": self.min_distinct}
