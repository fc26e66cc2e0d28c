"""Choices for mutual aid: what kind of request, how risky the task is, how a match moves."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    NEED = "need", _("Asking for help")
    OFFER = "offer", _("Offering help")


class RiskTier(models.IntegerChoices):
    """How much a task puts a helper and the person helped at risk (safeguarding on the
    task, not just the person). Higher tiers need more checks: eligibility.py."""

    NO_CONTACT = 0, _("No contact (for example a phone chat or an online task)")
    DOORSTEP = 1, _("Doorstep (for example dropping off shopping)")
    HOME_VISIT = 2, _("Home visit or working alone")
    AT_RISK = 3, _("Work with a person at risk")


class AidFrontDoor(models.TextChoices):
    WEB = "web", _("Web form")
    TEXT = "text", _("Text message")
    PHONE = "phone", _("Phone call")
    CATALYST = "catalyst", _("A catalyst on their behalf")


class AidUrgency(models.TextChoices):
    ROUTINE = "routine", _("In the next day or so")
    URGENT = "urgent", _("Today")


class When(models.TextChoices):
    """A time window in a resident's words. ANY fits every other window."""

    ANY = "any", _("Any time")
    MORNING = "morning", _("Mornings")
    AFTERNOON = "afternoon", _("Afternoons")
    EVENING = "evening", _("Evenings")
    WEEKEND = "weekend", _("Weekends")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MATCHED = "matched", _("Matched")
    DONE = "done", _("Done")
    CLOSED = "closed", _("Closed")


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted by both")
    DONE = "done", _("Done")
    THANKED = "thanked", _("Thanked")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


# A need has at most one match in these states at a time.
LIVE_MATCH_STATUSES = (MatchStatus.PROPOSED, MatchStatus.ACCEPTED)


class Side(models.TextChoices):
    NEED = "need", _("The person asking")
    HELPER = "helper", _("The helper")


class DbsType(models.TextChoices):
    """The level of a Disclosure and Barring Service certificate."""

    NONE = "", _("None")
    BASIC = "basic", _("Basic")
    STANDARD = "standard", _("Standard")
    ENHANCED = "enhanced", _("Enhanced")
    ENHANCED_BARRED = "enhanced_barred", _("Enhanced with barred list check")
