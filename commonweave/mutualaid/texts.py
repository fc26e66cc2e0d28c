"""Mutual aid by text message: what a helper or a person being helped can text to the
partnership's number, read by a handler registered with the messaging app
(`messaging.hooks.on_inbound`, from MutualAidConfig.ready).

From a helper's phone (a `Volunteer` of that place whose phone is the same number once
both are normalised):

* YES / NO answers their latest alert still waiting for an answer (`services.alert_answer`:
  where the place allows peer to peer, YES proposes them; otherwise the coordinator sees it);
* ON MY WAY, and SAFE / DONE, check in on their live lone-working visit (`lone_working`);
* anything else, while they have exactly one accepted match, is passed on to the person
  they are helping (`services.relay_send`);
* otherwise the answer says what they can text.

From the phone of a person who asked for help (`RequestContact.phone`) whose need has
exactly one accepted match: the text is passed on to the helper.

Anything else is not ours: the text goes on to the resident's record or triage as usual.
A text holding one of the place's urgent words that is not a keyword is passed on (when
there is someone to pass it to) and *also* left to go on to triage, on the 3-hour clock
with its acknowledgement and 999 / 111 advice: a neighbour should not be the only one to
read "I feel unsafe".

The keywords are whole texts, in any case, with punctuation ignored ("Yes!", "on my
way...", "I'm safe"), so "no worries, see you at 3" is a message, not a NO. Each list is
translatable (comma-separated); the English words work in every language.
"""

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Replace
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.messaging import phones
from commonweave.messaging.hooks import Handled

from . import lone_working, services
from .actors import Helper
from .alerts import deliver_relay
from .enums import LIVE_MATCH_STATUSES, MatchStatus, RequestStatus, Side
from .models import Alert, Match, RelayMessage, Request, RequestContact, Volunteer

# Translators: words a helper may text to say yes to a request for help, separated by
# commas. Case and punctuation do not matter; the whole text must be one of them.
YES_WORDS = gettext_lazy("YES, Y, YEAH, YEP")
# Translators: words a helper may text to say no to a request for help (as above).
NO_WORDS = gettext_lazy("NO, N, NOPE, NOT THIS TIME")
# Translators: words a helper may text when setting off on a home visit (as above).
ON_MY_WAY_WORDS = gettext_lazy("ON MY WAY, OMW, ON THE WAY, LEAVING NOW")
# Translators: words a helper may text when a home visit is over and they are safe (as above).
SAFE_WORDS = gettext_lazy("SAFE, DONE, SAFE AND DONE, ALL DONE, FINISHED, IM SAFE, I AM SAFE")

KEYWORDS = (
    ("yes", YES_WORDS),
    ("no", NO_WORDS),
    ("on_my_way", ON_MY_WAY_WORDS),
    ("safe", SAFE_WORDS),
)

# Phone numbers are stored as people wrote them; these are taken out before comparing the
# last digits in the database (the exact comparison is then phones.normalise on both).
_SEPARATORS = (" ", "-", "(", ")", ".", "/", "\u00a0")
_TAIL = 7


def _plain(text: str) -> str:
    """Lower case, apostrophes dropped, any other punctuation or symbol a space."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = text.replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _words(listed: Promise) -> set[str]:
    """A keyword list, in the active language and in English."""
    with override(None):
        english = str(listed)
    return {_plain(word) for word in f"{listed},{english}".split(",") if _plain(word)}


def keyword(body: str) -> str:
    """ "yes", "no", "on_my_way", "safe", or "" for any other text."""
    said = _plain(body)
    if not said:
        return ""
    for name, listed in KEYWORDS:
        if said in _words(listed):
            return name
    return ""


def _first_word(listed: Promise) -> str:
    return str(listed).split(",")[0].strip()


def _digits_of(field: str) -> Any:
    expression: Any = F(field)
    for separator in _SEPARATORS:
        expression = Replace(expression, Value(separator), Value(""))
    return expression


def _tail(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits[-_TAIL:] if len(digits) >= _TAIL else ""


def helpers_with(place, phone: str) -> list[Volunteer]:
    """The place's helpers whose phone is this (normalised) number."""
    tail = _tail(phone)
    if not tail:
        return []
    rows = (
        Volunteer.objects.filter(place=place)
        .exclude(phone="")
        .annotate(phone_digits=_digits_of("phone"))
        .filter(phone_digits__endswith=tail)
        .select_related("place")
    )
    return [volunteer for volunteer in rows if phones.normalise(volunteer.phone) == phone]


def asker_matches(place, phone: str) -> list[Match]:
    """The accepted matches of the place's needs asked from this (normalised) number."""
    tail = _tail(phone)
    if not tail:
        return []
    contacts = (
        RequestContact.objects.filter(
            request__place=place, request__matches__status=MatchStatus.ACCEPTED
        )
        .exclude(phone="")
        .annotate(phone_digits=_digits_of("phone"))
        .filter(phone_digits__endswith=tail)
        .distinct()
    )
    needs = [c.request_id for c in contacts if phones.normalise(c.phone) == phone]
    if not needs:
        return []
    return list(
        Match.objects.filter(need_id__in=needs, status=MatchStatus.ACCEPTED)
        .select_related("need__place", "volunteer")
        .order_by("-accepted_at", "-pk")
    )


@dataclass(frozen=True)
class Asker:
    """The person who asked for help, texting from the number on their request: an actor
    the audit log can name ("asker:<need id>"), with no role in the place."""

    need: Request

    @property
    def place(self) -> Any:
        return self.need.place

    @property
    def user_id(self) -> None:
        return None

    @property
    def label(self) -> str:
        return f"asker:{self.need.public_id}"

    @property
    def primary_org_id(self) -> int:
        return self.need.organisation_id

    @property
    def is_place_admin(self) -> bool:
        return False


def relay_from_asker(*, match: Match, text: str, now=None) -> RelayMessage | None:
    """Pass a text from the person asking to their helper, as `services.relay_send` does
    for a coordinator (the person has no account; their number on the request is who they
    are). None when the match is no longer accepted or done.

    Side effects: a RelayMessage, delivered through alerts.deliver_relay; one audit event
    (without the words)."""
    text = (text or "").strip()
    if not text:
        return None
    with transaction.atomic():
        match = Match.objects.select_for_update().select_related("need__place").get(pk=match.pk)
        if match.status not in (MatchStatus.ACCEPTED, MatchStatus.DONE):
            return None
        message = RelayMessage.objects.create(
            match=match,
            place_id=match.place_id,
            from_side=Side.NEED,
            text=text,
            created_at=now or timezone.now(),
        )
        audit_record(
            viewer=Asker(match.need),
            action=Action.CREATE,
            purpose=Purpose.CASEWORK,
            obj=match,
            resident=match.need.resident,
            detail={"relay": Side.NEED.value},
            organisation_id=match.need.organisation_id,
        )
    deliver_relay(message, now=now)
    return message


def _help(place) -> str:
    return _(
        "%(place)s: text %(yes)s or %(no)s to answer a request for help, %(omw)s and "
        "%(safe)s for a home visit, or anything else to pass a message to the person you "
        "are helping."
    ) % {
        "place": place.name,
        "yes": _first_word(YES_WORDS),
        "no": _first_word(NO_WORDS),
        "omw": _first_word(ON_MY_WAY_WORDS),
        "safe": _first_word(SAFE_WORDS),
    }


def _answer_alert(message, volunteers, yes: bool) -> Handled:
    alert = (
        Alert.objects.filter(
            volunteer__in=volunteers, answered_at__isnull=True, need__status=RequestStatus.OPEN
        )
        .select_related("need__place", "need__category", "volunteer__place")
        .order_by("-created_at", "-pk")
        .first()
    )
    if alert is None:
        return Handled(
            reply=_("There is no request for help waiting for your answer. ") + _help(message.place)
        )
    helper = Helper(alert.volunteer)
    words = {"helper": alert.volunteer.first_name, "name": alert.need.first_name}
    try:
        match = services.alert_answer(helper=helper, alert=alert, yes=yes, now=message.at)
    except (ValidationError, Http404):
        return Handled(
            reply=_(
                "Thank you, %(helper)s. We could not put you forward to help %(name)s: "
                "your coordinator can tell you why."
            )
            % words
        )
    if not yes:
        return Handled(reply=_("Thank you for letting us know, %(helper)s.") % words)
    if match is not None:
        return Handled(
            reply=_(
                "Thank you, %(helper)s. You are put forward to help %(name)s; your helper "
                "link shows what happens next."
            )
            % words
        )
    taken = (
        Match.objects.filter(need_id=alert.need_id, status__in=LIVE_MATCH_STATUSES).exists()
        or Request.objects.filter(pk=alert.need_id).exclude(status=RequestStatus.OPEN).exists()
    )
    if taken:
        return Handled(
            reply=_("Thank you, %(helper)s. Someone is already helping %(name)s.") % words
        )
    return Handled(
        reply=_(
            "Thank you, %(helper)s. We have told the coordinator you can help %(name)s; they "
            "will be in touch."
        )
        % words
    )


def _check_in(message, volunteers, said: str) -> Handled:
    plan = lone_working.live_plan_for(volunteers, now=message.at)
    if plan is None:
        return Handled(
            reply=_("There is no home visit waiting for your check-in. ") + _help(message.place)
        )
    volunteer = next(v for v in volunteers if v.pk == plan.match.volunteer_id)
    helper = Helper(volunteer)
    words = {"helper": volunteer.first_name, "safe": _first_word(SAFE_WORDS)}
    if said == "on_my_way":
        lone_working.checkin_on_my_way(helper=helper, match=plan.match, now=message.at)
        return Handled(
            reply=_("Thank you, %(helper)s. Text %(safe)s when you have finished and are safe.")
            % words
        )
    lone_working.checkin_safe(helper=helper, match=plan.match, now=message.at)
    return Handled(reply=_("Thank you, %(helper)s. We have noted you are safe.") % words)


def _from_asker(message) -> Handled | None:
    matches = asker_matches(message.place, message.phone)
    if len(matches) != 1:  # none; or several, which a coordinator sorts out from triage
        return None
    relayed = relay_from_asker(match=matches[0], text=message.body, now=message.at)
    if relayed is None or message.urgent:
        return None
    return Handled()


def _from_helper(message, volunteers: list[Volunteer]) -> Handled | None:
    said = keyword(message.body)
    if said in ("yes", "no"):
        return _answer_alert(message, volunteers, yes=said == "yes")
    if said in ("on_my_way", "safe"):
        return _check_in(message, volunteers, said)
    accepted = list(
        Match.objects.filter(volunteer__in=volunteers, status=MatchStatus.ACCEPTED)
        .select_related("need__place", "volunteer__place")
        .order_by("-accepted_at", "-pk")[:2]
    )
    if len(accepted) == 1 and (message.body or "").strip():
        match = accepted[0]
        services.relay_send(
            actor=Helper(match.volunteer), match=match, text=message.body, now=message.at
        )
        return None if message.urgent else Handled()
    asked = _from_asker(message)  # a helper may have asked for help themselves
    if asked is not None or message.urgent:
        return asked
    if len(accepted) > 1:
        return Handled(
            reply=_(
                "You are helping more than one person, so we cannot tell who this is for. "
                "Send it from your helper link."
            )
        )
    return Handled(reply=_help(message.place))


def text_received(message) -> Handled | None:
    """The messaging app's inbound handler (messaging/hooks.py): take a text from a
    helper or from a person being helped, or leave it (None) to the usual routing.

    Side effects: those of the service the text asks for (an alert's answer and maybe a
    match, a check-in, a relayed message), each audited with the helper (`Helper`) or the
    person asking (`Asker`) as the actor."""
    if not message.phone:
        return None
    volunteers = helpers_with(message.place, message.phone)
    if volunteers:
        return _from_helper(message, volunteers)
    return _from_asker(message)
