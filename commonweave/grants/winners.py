"""A decided round's winners become community grants (issue 17, parts 3 and 4).

The round decided who gets money; the ledger still decides and pays each award the one way
it does every other (services.award_decide with its approvers, services.payment_record), so
a winner's grant is asked for here and then waits for the fund's approvers like any other.
Each winning application is asked for once: it keeps its award (Application.award)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from commonweave.audit.enums import Action

from .enums import RoundState
from .models import Application, Award, Round
from .rounds import _audit, _run, latest_decision
from .services import award_request


@transaction.atomic
def awards_make(*, viewer, round_: Round) -> list[Award]:
    """Ask the round's fund for a community grant for each winner that has none yet: to the
    application's group, for its project and the amount it asked for.
    Side effects: an Award per new winner (waiting for a decision), one audit event."""
    round_ = Round.objects.select_for_update(of=("self",)).select_related("fund").get(pk=round_.pk)
    _run(viewer, round_)
    decision = latest_decision(round_)
    if round_.state != RoundState.DECIDED or decision is None:
        raise ValidationError(_("Ask for the winners' grants once the round is decided"))
    if not round_.fund.community:
        raise ValidationError(_("This fund does not give community grants"))
    winners = set(decision.winners)
    made = []
    for application in Application.objects.select_for_update(of=("self",)).filter(
        round=round_, award__isnull=True
    ):
        if application.ref not in winners:
            continue
        application.award = award_request(
            viewer=viewer,
            fund=round_.fund,
            group_name=application.group_name,
            title=application.title,
            why=application.what_for,
            amount=application.amount,
        )
        application.save(update_fields=["award"])
        made.append(application.award)
    if made:
        _audit(viewer, Action.CREATE, decision, round_, detail={"awards": len(made)})
    return made
