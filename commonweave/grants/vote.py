"""The public vote of a participatory round, with one-use voter codes (issue 17, part 3;
docs/grants-voting.md).

A round's runners issue codes in batches (`codes_issue`) and hand them out on paper or by
text. A resident votes on the web with one code and no account (`vote_cast`): the code is
marked used and the ballot is stored in one transaction, so a code never votes twice.

What is kept, and what is not:

* a code only as the SHA-256 digest of its normalised form (`code_digest`), never the code;
* whether a code has been used, and on which day (`used_at` is the start of that day, not
  the moment: the moment would match the ballot's own time and so tie the code to it);
* the ballot with a random reference, never linked to the code that cast it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.publicid import new_public_id
from commonweave.tenancy.viewer import public_viewer

from . import rounds, voting
from .enums import BallotChannel, RoundState
from .models import Round, RoundBallot, VoterCode

# No 0/O, 1/I/L: easy to read aloud and to type on a phone's keypad. 31 ** 8 codes
# (about 8.5 × 10^11): a round's few thousand are not found by guessing, with the page's
# rate limit in front.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
GROUP = 4
MOST_PER_BATCH = 2000
# Room for a code typed with spaces and dashes in odd places; anything longer is not one.
LONGEST_TYPED = 40


def normalise(code: str) -> str:
    """A code as typed ("kx7f m2qp", "KX7F-M2QP") in its one stored form ("KX7FM2QP")."""
    return "".join(ch for ch in (code or "").upper() if ch not in " -\t\r\n")


def code_digest(code: str) -> str:
    """A keyed digest (HMAC-SHA256 under the site's SECRET_KEY): with a copy of the database
    alone, the unused codes of a short alphabet cannot be recovered by trying them all.
    Changing SECRET_KEY while a vote is open makes its unused codes stop working."""
    return salted_hmac(
        "commonweave.grants.voter-code", normalise(code), algorithm="sha256"
    ).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def _looks_like_a_code(code: str) -> bool:
    plain = normalise(code)
    return len(plain) == CODE_LENGTH and all(ch in ALPHABET for ch in plain)


def vote_open(round_: Round) -> bool:
    """Residents can vote on the web now: the round has a public vote and is at that stage."""
    return round_.vote_open and round_.state == RoundState.VOTE


def code_counts(round_: Round) -> dict[str, int]:
    """How many codes the round has issued and how many have voted (never the codes)."""
    codes = VoterCode.objects.filter(round=round_)
    return {"issued": codes.count(), "used": codes.filter(used_at__isnull=False).count()}


def _audit(viewer, action, obj, round_: Round, detail: dict[str, Any]) -> None:
    # As rounds' events: the round, on its fund's organisation; never a code.
    audit_record(
        viewer=viewer,
        action=action,
        purpose=Purpose.ADMIN,
        obj=obj,
        detail={"round": round_.public_id, **detail},
        organisation_id=round_.fund.organisation_id,
    )


# --- issuing codes ----------------------------------------------------------------------------


def _how_many(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= MOST_PER_BATCH:
        raise ValidationError(
            {
                "how_many": _("Make between 1 and %(most)d codes at a time")
                % {"most": MOST_PER_BATCH}
            }
        )
    return number


def codes_issue(*, viewer, round_: Round, how_many: Any) -> list[str]:
    """Make `how_many` (1 to 2000) new voter codes for a round the viewer runs, before or
    during its vote. The codes are answered once, here: only their digests are kept.
    Side effects: VoterCode rows, one audit event (how many, never the codes)."""
    if not rounds.runs_round(viewer, round_):
        raise Http404
    number = _how_many(how_many)
    if not round_.vote_open:
        raise ValidationError({"how_many": _("This round has no public vote")})
    if round_.state == RoundState.DECIDED:
        raise ValidationError({"how_many": _("This round is decided: the vote is over")})
    for _attempt in range(3):
        codes: set[str] = set()
        while len(codes) < number:
            codes.add(_new_code())
        try:
            with transaction.atomic():
                VoterCode.objects.bulk_create(
                    VoterCode(round=round_, digest=code_digest(code), issued_by=viewer.user)
                    for code in codes
                )
                _audit(viewer, Action.CREATE, round_, round_, {"voter_codes": number})
        except IntegrityError:
            # One of them was already some round's code (a batch of 2,000 beside 10,000
            # codes: about 1 in 40,000): make the whole batch again, never a code twice.
            continue
        return sorted(codes)
    raise RuntimeError("Could not make unique voter codes")  # pragma: no cover


def codes_confirm(*, viewer, round_: Round, codes: list[str]) -> list[str]:
    """The codes of a batch just shown, sent back by the runner's browser for its CSV file:
    only those that really are this round's unused codes, in order. Nothing is stored.
    Side effects: one audit event (an export of how many codes)."""
    if not rounds.runs_round(viewer, round_):
        raise Http404
    wanted = {code_digest(c): normalise(c) for c in codes[:MOST_PER_BATCH] if _looks_like_a_code(c)}
    known = set(
        VoterCode.objects.filter(
            round=round_, digest__in=list(wanted), used_at__isnull=True
        ).values_list("digest", flat=True)
    )
    found = sorted(f"{plain[:GROUP]}-{plain[GROUP:]}" for d, plain in wanted.items() if d in known)
    _audit(viewer, Action.EXPORT, round_, round_, {"voter_codes": len(found)})
    return found


# --- voting -----------------------------------------------------------------------------------


def _checked(round_: Round, choices: Any) -> list[str] | dict[str, int]:
    """The choices as they are stored, checked as rounds.ballot_enter checks a typed-in
    ballot: the round's kind of ballot and its limits, and only its eligible projects."""
    try:
        ballot = rounds.to_ballot(round_, choices)
        known = {p.id for p in rounds.round_projects(round_)}
        named = set(ballot.approved if isinstance(ballot, voting.ApprovalBallot) else ballot.points)
        if named - known:
            raise voting.InvalidBallot(
                _("Not projects in this vote: %(refs)s")
                % {"refs": ", ".join(sorted(named - known))}
            )
        if not named:
            raise voting.InvalidBallot(
                _("Give points to at least one project")
                if isinstance(ballot, voting.CumulativeBallot)
                else _("Choose at least one project")
            )
    except voting.VotingError as error:
        raise ValidationError({"choices": str(error)}) from None
    if isinstance(ballot, voting.ApprovalBallot):
        return sorted(ballot.approved)
    return dict(ballot.points)


def _start_of_today() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


@transaction.atomic
def vote_cast(*, round_: Round, code: str, choices: Any) -> RoundBallot:
    """A resident's vote on the web, with a voter code and no account: only while the vote
    is open, with an unused code of this round, and choices that pass the same checks as a
    ballot typed in by a runner. An empty ballot is refused (a code is not spent on it).

    The round and the code are locked, the code marked used (checked again in the UPDATE
    itself, so two requests with one code cannot both vote) and the ballot stored, in one
    transaction. The ballot
    gets a random reference and is never linked to the code.

    Side effects: the code used, a RoundBallot (channel web), one audit event (anonymous,
    naming the round and never the code)."""
    # Locked as rounds.round_count locks it: a vote either commits before the count reads
    # the ballots, or finds the round decided.
    round_ = (
        Round.objects.select_for_update(of=("self",))
        .select_related("fund", "place")
        .get(pk=round_.pk)
    )
    if not vote_open(round_):
        raise ValidationError(_("The vote is not open"))
    errors: dict[str, Any] = {}
    voter_code = None
    if not (code or "").strip():
        errors["code"] = _("Enter your voting code")
    elif len(code) > LONGEST_TYPED or not _looks_like_a_code(code):
        errors["code"] = _("Check your code. It has 8 letters and numbers, like KX7F-M2QP")
    else:
        voter_code = (
            VoterCode.objects.select_for_update()
            .filter(round=round_, digest=code_digest(code))
            .first()
        )
        if voter_code is None:
            errors["code"] = _("We do not know this code. Check it and try again")
        elif voter_code.used_at is not None:
            errors["code"] = _("This code has already been used to vote")
    try:
        stored = _checked(round_, choices)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors or voter_code is None:
        raise ValidationError(errors)
    spent = VoterCode.objects.filter(pk=voter_code.pk, used_at__isnull=True).update(
        used_at=_start_of_today()
    )
    if spent != 1:  # another request used it between our read and this write
        raise ValidationError({"code": _("This code has already been used to vote")})
    ballot = RoundBallot.objects.create(
        round=round_,
        ref=f"web-{new_public_id()}",
        channel=BallotChannel.WEB,
        choices=stored,
        entered_by=None,
    )
    _audit(
        public_viewer(round_.place), Action.CREATE, ballot, round_, {"channel": BallotChannel.WEB}
    )
    return ballot


# --- the Pabulib file -------------------------------------------------------------------------


def pabulib_for(viewer, round_: Round) -> str:
    """The round's eligible projects and ballots as a Pabulib file, for anyone to re-count:
    public once the round is decided, for its runners at any time; otherwise a 404."""
    if round_.state != RoundState.DECIDED and not rounds.runs_round(viewer, round_):
        raise Http404
    if rounds.points_ballots(round_):
        vote_type = voting.VOTE_CUMULATIVE
    elif round_.max_choices:
        vote_type = voting.VOTE_K_OF_N
    else:
        vote_type = voting.VOTE_APPROVAL
    return voting.write_pabulib(
        rounds.round_projects(round_),
        rounds.round_budget(round_),
        rounds.round_ballots(round_),
        vote_type,
        rule=round_.rule,
        meta={
            "description": f"{round_.fund.name}: {round_.name}",
            "instance": round_.public_id,
            "currency": round_.fund.currency,
        },
    )
