"""The demo partnership's theory of change (impact, issue 18 part 3): a first version from
its founding workshop and a second after a year, so the page, its history and the
indicators' sources all have something to show. Saved through impact's own service, as a
coordinator would (audited, checked like any version)."""

from commonweave.impact.services_theory import (
    ActivityIn,
    AssumptionIn,
    IndicatorIn,
    OutcomeIn,
    TheoryIn,
    theory_save,
)
from commonweave.tenancy.enums import Role

from .grants import _person

ANALYSIS = (
    "Hartley Vale's east wards are among the most deprived tenth of neighbourhoods in "
    "England. Many older residents live alone, families with young children move often, "
    "and services each see one piece of a person's life. Residents told us they want to "
    "know their neighbours, and to be asked what matters to them before being told what "
    "is on offer."
)

OUTCOMES = (
    OutcomeIn(
        "Fewer residents feel alone",
        "People have someone to turn to and somewhere to go each week.",
        (
            IndicatorIn("Connections made to groups and people", "connections_made"),
            IndicatorIn("Change in loneliness (UCLA-3) over six months", "wellbeing_change"),
        ),
    ),
    OutcomeIn(
        "Help arrives fast, through any front door",
        "A neighbour, a shop or a GP can refer, and someone calls back within a day.",
        (
            IndicatorIn("Referrals received", "referrals_received"),
            IndicatorIn("First contact within the promise", "first_contact_in_promise", "9 in 10"),
        ),
    ),
    OutcomeIn(
        "Services change what gets in people's way",
        "Barriers met in one person's story are fixed for everyone.",
        (IndicatorIn("Barriers raised at Connecting the Dots", "barriers_raised"),),
    ),
)

ACTIVITIES = (
    ActivityIn("Connection catalysts work one to one with residents", (1, 2)),
    ActivityIn("Neighbours help neighbours (mutual aid)", (1,)),
    ActivityIn("Connecting the Dots sessions with partner services", (3,)),
)

ASSUMPTIONS = (
    AssumptionIn("Residents will talk to a catalyst they did not choose", activity=1),
    AssumptionIn("Partners send someone who can change their own service", activity=3),
    AssumptionIn("Funding lasts long enough for trust to build (five years)"),
)


def generate_theory(place) -> int:
    """Two versions of the place's theory of change; returns how many were saved."""
    coordinator = _person(place, place.lead_organisation_id, Role.COORDINATOR)
    if coordinator is None:
        return 0
    first = theory_save(
        viewer=coordinator,
        content=TheoryIn(ANALYSIS, OUTCOMES[:2], ACTIVITIES[:2], ASSUMPTIONS[:1]),
        based_on=0,
    )
    theory_save(
        viewer=coordinator,
        content=TheoryIn(
            ANALYSIS,
            OUTCOMES,
            ACTIVITIES,
            ASSUMPTIONS,
            change_note=(
                "After a year: partners asked that fixing barriers be an outcome of its own, "
                "with Connecting the Dots as the activity that leads to it."
            ),
        ),
        based_on=first.number,
    )
    return 2
