"""Counting the public vote of a participatory grant-making round (issue 17, part 3).

A small domain API over pabutools (GPL-3.0-or-later, https://github.com/COMSOC-Community/pabutools):
the round's projects, its budget and its ballots go in, an `Outcome` comes out. Nothing here
touches the database; the ledger's services store rounds, ballots and outcomes.

- `Project(id, cost, name)`: costs and the budget are whole amounts of the round's currency
  (pounds, or pence if a round needs them), so every count is exact.
- Ballots: `ApprovalBallot` (the projects a voter supports; with `k`, at most k of them:
  k-of-n approval) and `CumulativeBallot` (points shared out between projects, at most
  `max_total` in all). A ballot records what the voter chose, not how: a paper ballot typed
  in and a ballot sent by text message are made and checked the same way.
- `count(projects, budget, ballots, rule)` -> `Outcome(winners, total_cost, tallies)`.
- `read_pabulib(path)` / `write_pabulib(...)`: the Pabulib `.pb` format, so anyone can
  re-count a round with their own tools.

Every rule is pabutools' own function; see docs/grants-voting.md for the rules in plain words.
Two choices are ours: a project nobody voted for is never funded (pabutools' greedy rules
would fund it with money left over, even in a round without ballots), and ties in the
knapsack rule are broken explicitly (pabutools leaves them to its solver, see `_knapsack`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from types import MappingProxyType
from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from natsort import natsorted

# pabutools (and PuLP, and the gurobipy it probes for) is imported late, in the functions
# that count or read a file: about 0.2 s that no page or command pays until a count is made.


class VotingError(ValueError):
    """Anything that stops a count; the message is for people and already translated."""


class InvalidBallot(VotingError):
    """A ballot that breaks the round's rules (too many choices, too many points, …)."""


class InvalidRound(VotingError):
    """Projects, budget, ballots and rule that do not make a round together."""


class Unsupported(VotingError):
    """A kind of ballot Commonweave does not count (ranked ballots, scores)."""


# --- Kinds of ballot --------------------------------------------------------------------

VOTE_APPROVAL = "approval"
VOTE_K_OF_N = "k_of_n"
VOTE_CUMULATIVE = "cumulative"
VOTE_TYPES: dict[str, Promise] = {
    VOTE_APPROVAL: gettext_lazy("Approval: tick every project you support"),
    VOTE_K_OF_N: gettext_lazy("Approval, up to a set number of projects"),
    VOTE_CUMULATIVE: gettext_lazy("Points: share out your points between projects"),
}

_SEPARATORS = (";", ",", "\n", "\r")


_COST = gettext_lazy("A project's cost")
_BUDGET = gettext_lazy("The budget")
_POINTS = gettext_lazy("The points")


def _whole(value: object, what: Promise) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRound(
            _("%(what)s must be a whole number, not %(value)r.") % {"what": what, "value": value}
        )
    return value


@dataclass(frozen=True)
class Project:
    """A project on the ballot paper. `id` is its reference (also the tie-breaker)."""

    id: str
    cost: int
    name: str = ""

    def __post_init__(self) -> None:
        if not self.id or self.id != self.id.strip() or any(s in self.id for s in _SEPARATORS):
            raise InvalidRound(
                _(
                    "A project reference must not be empty, start or end with a space, "
                    "or contain ; or ,: %(id)r."
                )
                % {"id": self.id}
            )
        if _whole(self.cost, _COST) <= 0:
            raise InvalidRound(_("Project %(id)s must cost more than nothing.") % {"id": self.id})


@dataclass(frozen=True, init=False)
class ApprovalBallot:
    """The projects one voter supports; with `k`, a k-of-n ballot that may choose at most k."""

    approved: frozenset[str]
    k: int | None

    def __init__(self, approved: Iterable[str], *, k: int | None = None) -> None:
        chosen = frozenset(approved)
        if k is not None:
            if isinstance(k, bool) or not isinstance(k, int) or k < 1:
                raise InvalidBallot(_("The most projects a voter may choose must be at least 1."))
            if len(chosen) > k:
                raise InvalidBallot(
                    _("This ballot chooses %(n)d projects, but a voter may choose at most %(k)d.")
                    % {"n": len(chosen), "k": k}
                )
        object.__setattr__(self, "approved", chosen)
        object.__setattr__(self, "k", k)

    @property
    def vote_type(self) -> str:
        return VOTE_APPROVAL if self.k is None else VOTE_K_OF_N


@dataclass(frozen=True, init=False)
class CumulativeBallot:
    """Points one voter gave to projects: whole, not negative, at most `max_total` in all
    (and at most `max_per_project` on one project, when the round sets that)."""

    points: Mapping[str, int]
    max_total: int
    max_per_project: int | None
    vote_type: ClassVar[str] = VOTE_CUMULATIVE

    def __init__(
        self, points: Mapping[str, int], *, max_total: int, max_per_project: int | None = None
    ) -> None:
        if isinstance(max_total, bool) or not isinstance(max_total, int) or max_total < 1:
            raise InvalidBallot(_("The points a voter may give must be at least 1."))
        for project_id, value in points.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidBallot(
                    _("Points must be whole numbers, 0 or more: %(value)r for project %(id)s.")
                    % {"value": value, "id": project_id}
                )
            if max_per_project is not None and value > max_per_project:
                raise InvalidBallot(
                    _(
                        "This ballot gives %(n)d points to project %(id)s, "
                        "but at most %(max)d are allowed."
                    )
                    % {"n": value, "id": project_id, "max": max_per_project}
                )
        if (total := sum(points.values())) > max_total:
            raise InvalidBallot(
                _("This ballot gives %(n)d points in all, but a voter has only %(max)d to give.")
                % {"n": total, "max": max_total}
            )
        given = {project_id: value for project_id, value in sorted(points.items()) if value}
        object.__setattr__(self, "points", MappingProxyType(given))
        object.__setattr__(self, "max_total", max_total)
        object.__setattr__(self, "max_per_project", max_per_project)

    def __hash__(self) -> int:
        return hash((tuple(self.points.items()), self.max_total, self.max_per_project))


Ballot = ApprovalBallot | CumulativeBallot


# --- Rules ------------------------------------------------------------------------------

_NO_VOTES_NOTE = gettext_lazy(
    "A project nobody voted for is never funded. Ties are broken by project reference, "
    "in alphabetical order (so give references the same length: P01, P02, … P10)."
)


@dataclass(frozen=True)
class Rule:
    """A counting rule: its key (stored on a round), its name and description for residents,
    the kinds of ballot it counts, and the pabutools function and satisfaction it uses."""

    key: str
    label: Promise
    description: Promise
    vote_types: frozenset[str]
    pabutools_function: str
    # The pabutools satisfaction measure per kind of ballot (approval ballots, points).
    satisfaction: Mapping[str, str] = field(default_factory=dict)

    @property
    def note(self) -> Promise:
        return _NO_VOTES_NOTE


_APPROVALS = frozenset({VOTE_APPROVAL, VOTE_K_OF_N})

APPROVAL = Rule(
    key="approval",
    label=gettext_lazy("Approval voting: most votes first"),
    description=gettext_lazy(
        "Each voter ticks every project they support. Projects are funded in order of how many "
        "voters ticked them, most first; a project that no longer fits in what is left of the "
        "budget is skipped and the next one is tried."
    ),
    vote_types=_APPROVALS,
    pabutools_function="greedy_utilitarian_welfare",
    satisfaction={VOTE_APPROVAL: "Cost_Sat"},
)
K_OF_N = Rule(
    key="k_of_n",
    label=gettext_lazy("Choose up to a set number: most votes first"),
    description=gettext_lazy(
        "Each voter ticks up to a set number of projects. Projects are funded in order of how "
        "many voters ticked them, most first; a project that no longer fits in what is left of "
        "the budget is skipped and the next one is tried."
    ),
    vote_types=frozenset({VOTE_K_OF_N}),
    pabutools_function="greedy_utilitarian_welfare",
    satisfaction={VOTE_APPROVAL: "Cost_Sat"},
)
KNAPSACK = Rule(
    key="knapsack",
    label=gettext_lazy("Knapsack: the most supported spending"),
    description=gettext_lazy(
        "Of all the sets of projects that fit in the budget, the one chosen puts the most money "
        "where voters asked for it: every pound counts once for each voter who ticked its "
        "project. With points, it is the set that collects the most points."
    ),
    vote_types=_APPROVALS | {VOTE_CUMULATIVE},
    pabutools_function="max_additive_utilitarian_welfare",
    satisfaction={VOTE_APPROVAL: "Cost_Sat", VOTE_CUMULATIVE: "Additive_Cardinal_Sat"},
)
EQUAL_SHARES = Rule(
    key="equal_shares",
    label=gettext_lazy("Method of Equal Shares"),
    description=gettext_lazy(
        "The budget is shared out equally between the voters. A project is funded when the "
        "voters who chose it can pay for it together from their shares; each step funds the "
        "project that costs its supporters least for what they get from it. No group can "
        "spend more than its fair share, so a smaller group still gets something it wants. "
        "Part of the budget can be left unspent; it stays in the fund."
    ),
    vote_types=_APPROVALS | {VOTE_CUMULATIVE},
    pabutools_function="method_of_equal_shares",
    satisfaction={VOTE_APPROVAL: "Cost_Sat", VOTE_CUMULATIVE: "Additive_Cardinal_Sat"},
)
EQUAL_SHARES_PROJECTS = Rule(
    key="equal_shares_projects",
    label=gettext_lazy("Method of Equal Shares, counting projects"),
    description=gettext_lazy(
        "As the Method of Equal Shares, but each voter counts how many of their projects are "
        "funded, whatever they cost, so cheaper projects go further."
    ),
    vote_types=_APPROVALS,
    pabutools_function="method_of_equal_shares",
    satisfaction={VOTE_APPROVAL: "Cardinality_Sat"},
)
CUMULATIVE = Rule(
    key="cumulative",
    label=gettext_lazy("Points: most points for the money first"),
    description=gettext_lazy(
        "Each voter shares out their points between projects. Projects are funded in order of "
        "the points they received for each pound they cost, highest first; a project that no "
        "longer fits in what is left of the budget is skipped and the next one is tried."
    ),
    vote_types=frozenset({VOTE_CUMULATIVE}),
    pabutools_function="greedy_utilitarian_welfare",
    satisfaction={VOTE_CUMULATIVE: "Additive_Cardinal_Sat"},
)

RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (APPROVAL, K_OF_N, KNAPSACK, EQUAL_SHARES, EQUAL_SHARES_PROJECTS, CUMULATIVE)
}
RULE_CHOICES: list[tuple[str, Promise]] = [(rule.key, rule.label) for rule in RULES.values()]


@dataclass(frozen=True)
class Outcome:
    """The result of a count. `winners` are project ids in the order the projects were given;
    `tallies` holds every project's approvals or points."""

    rule: str
    budget: int
    winners: list[str]
    total_cost: int
    tallies: dict[str, int]

    @property
    def unspent(self) -> int:
        return self.budget - self.total_cost


# --- Counting ---------------------------------------------------------------------------


def _vote_type(ballots: Sequence[Ballot]) -> str | None:
    kinds = {ballot.vote_type for ballot in ballots}
    if len(kinds) > 1:
        raise InvalidRound(_("A round's ballots must all be of one kind."))
    if len({b.k for b in ballots if isinstance(b, ApprovalBallot)}) > 1:
        raise InvalidRound(_("A round's ballots must all allow the same number of choices."))
    if (
        len({(b.max_total, b.max_per_project) for b in ballots if isinstance(b, CumulativeBallot)})
        > 1
    ):
        raise InvalidRound(_("A round's ballots must all allow the same number of points."))
    return kinds.pop() if kinds else None


def _sat_kind(vote_type: str) -> str:
    return VOTE_CUMULATIVE if vote_type == VOTE_CUMULATIVE else VOTE_APPROVAL


def _pabutools(
    projects: Sequence[Project], budget: int, ballots: Sequence[Ballot], vote_type: str
) -> tuple[Any, Any, dict[str, Any]]:
    from pabutools import election as pb

    by_id = {p.id: pb.Project(p.id, p.cost) for p in projects}
    instance = pb.Instance(by_id.values(), budget_limit=budget)
    profile: Any
    if _sat_kind(vote_type) == VOTE_CUMULATIVE:
        profile = pb.CumulativeProfile(
            [
                pb.CumulativeBallot({by_id[i]: v for i, v in b.points.items()})
                for b in ballots
                if isinstance(b, CumulativeBallot)
            ],
            instance=instance,
        )
    else:
        profile = pb.ApprovalProfile(
            [
                pb.ApprovalBallot(by_id[i] for i in b.approved)
                for b in ballots
                if isinstance(b, ApprovalBallot)
            ],
            instance=instance,
        )
    return instance, profile, by_id


def _satisfaction(rule: Rule, vote_type: str) -> Any:
    from pabutools import election as pb

    return getattr(pb, rule.satisfaction[_sat_kind(vote_type)])


def _knapsack(instance: Any, profile: Any, sat_class: Any, supported: Sequence[Any]) -> list[Any]:
    """pabutools' max_additive_utilitarian_welfare (its exact primal-dual knapsack algorithm, no
    solver), made deterministic. pabutools leaves ties between equally good sets to the order
    it meets projects in, which follows Python's string hashing and so can change from one
    run to the next. So: find the best total satisfaction, then take the supported projects in
    tie-breaking order (by id), keeping each one if a best set that holds it, and holds none
    already left out, still exists. The result is one of pabutools' tied best sets (the first
    in that order), the same every time."""
    from pabutools import election as pb
    from pabutools import rules as pb_rules
    from pabutools.tiebreaking import lexico_tie_breaking

    sat_profile = profile.as_sat_profile(sat_class=sat_class)
    score = {p: sat_profile.total_satisfaction_project(p) for p in instance}

    def best(candidates: Sequence[Any], kept: list[Any]) -> Any:
        allocation = kept
        if candidates:  # (pabutools 1.2.3 fails on a knapsack with no items)
            allocation = pb_rules.max_additive_utilitarian_welfare(
                pb.Instance([*candidates, *kept], budget_limit=instance.budget_limit),
                profile,
                sat_profile=sat_profile,
                initial_budget_allocation=kept,
            )
        return sum((score[p] for p in allocation), 0)

    ordered = lexico_tie_breaking.order(instance, profile, supported)
    target = best(ordered, [])
    kept: list[Any] = []
    for index, project in enumerate(ordered):
        if sum(p.cost for p in kept) + project.cost > instance.budget_limit:
            continue
        if best(ordered[index + 1 :], [*kept, project]) == target:
            kept.append(project)
    return kept


def count(
    projects: Sequence[Project], budget: int, ballots: Sequence[Ballot], rule: Rule | str
) -> Outcome:
    """Count a round: which projects `rule` funds from `budget`, given the `ballots`.

    Refuses (with a translated `VotingError`) duplicate project ids, ballots naming unknown
    projects, ballots of mixed kinds and a rule that does not count this kind of ballot. A
    round without ballots elects nothing. Same input, same output: ties are broken by
    project id (pabutools' lexicographic tie-breaking)."""
    if isinstance(rule, str):
        if rule not in RULES:
            raise InvalidRound(_("There is no counting rule called %(rule)r.") % {"rule": rule})
        rule = RULES[rule]
    if _whole(budget, _BUDGET) < 0:
        raise InvalidRound(_("The budget must not be negative."))
    ids = [p.id for p in projects]
    if len(set(ids)) != len(ids):
        raise InvalidRound(_("Two projects have the same reference."))
    known = set(ids)
    tallies = dict.fromkeys(ids, 0)
    for ballot in ballots:
        named = ballot.approved if isinstance(ballot, ApprovalBallot) else ballot.points.keys()
        unknown = sorted(set(named) - known)
        if unknown:
            raise InvalidBallot(
                _("A ballot names projects that are not in this round: %(ids)s.")
                % {"ids": ", ".join(unknown)}
            )
        if isinstance(ballot, ApprovalBallot):
            for project_id in ballot.approved:
                tallies[project_id] += 1
        else:
            for project_id, points in ballot.points.items():
                tallies[project_id] += points
    vote_type = _vote_type(ballots)
    if vote_type is not None and vote_type not in rule.vote_types:
        raise InvalidRound(
            _("The rule “%(rule)s” cannot count these ballots (%(kind)s).")
            % {"rule": rule.label, "kind": VOTE_TYPES[vote_type]}
        )
    if vote_type is None:  # nobody voted: nothing is funded
        return Outcome(rule=rule.key, budget=budget, winners=[], total_cost=0, tallies=tallies)

    from pabutools import rules as pb_rules
    from pabutools.tiebreaking import lexico_tie_breaking

    instance, profile, by_id = _pabutools(projects, budget, ballots, vote_type)
    sat_class = _satisfaction(rule, vote_type)
    selected: Iterable[Any]
    if rule.pabutools_function == "greedy_utilitarian_welfare":
        selected = pb_rules.greedy_utilitarian_welfare(
            instance, profile, sat_class=sat_class, tie_breaking=lexico_tie_breaking
        )
    elif rule.pabutools_function == "method_of_equal_shares":
        # No completion: the outcome as the method gives it (unspent money stays in the fund).
        selected = pb_rules.method_of_equal_shares(
            instance, profile, sat_class=sat_class, tie_breaking=lexico_tie_breaking
        )
    else:
        supported = [by_id[i] for i in ids if tallies[i] > 0]
        selected = _knapsack(instance, profile, sat_class, supported)
    chosen = {p.name for p in selected}
    winners = [i for i in ids if i in chosen and tallies[i] > 0]
    costs = {p.id: p.cost for p in projects}
    return Outcome(
        rule=rule.key,
        budget=budget,
        winners=winners,
        total_cost=sum(costs[i] for i in winners),
        tallies=tallies,
    )


# --- Pabulib files ----------------------------------------------------------------------


def _exact(value: Any, what: Promise) -> int:
    if value != int(value):
        raise InvalidRound(
            _("%(what)s must be a whole amount, not %(value)s.") % {"what": what, "value": value}
        )
    return int(value)


def read_pabulib(path: str | PathLike[str]) -> tuple[list[Project], int, list[Ballot], str]:
    """Read a Pabulib `.pb` file with pabutools' parser: (projects in natural order of their
    ids, budget, ballots, vote type). An approval file with a `max_length` below the number of
    projects is a k-of-n round. Ranked (ordinal) and scoring files are refused: `Unsupported`."""
    from pabutools.election import parse_pabulib

    instance, profile = parse_pabulib(str(path))
    kind = instance.meta.get("vote_type")
    if kind not in ("approval", "choose-1", "cumulative"):
        raise Unsupported(
            _(
                "This file holds %(kind)s ballots. Commonweave counts approval, k-of-n approval "
                "and points (cumulative) ballots only."
            )
            % {"kind": kind}
        )
    names = {p: instance.project_meta.get(p, {}).get("name", "") for p in instance}
    projects = [
        Project(id=p.name, cost=_exact(p.cost, _COST), name=names[p])
        for p in natsorted(instance, key=lambda p: p.name)
    ]
    budget = _exact(instance.budget_limit, _BUDGET)
    ballots: list[Ballot] = []
    if kind == "cumulative":
        totals = [sum(b.values()) for b in profile]
        max_total = profile.legal_max_total_score
        max_total = _exact(max_total, _POINTS) if max_total is not None else max([1, *totals])
        max_points = profile.legal_max_score
        max_points = _exact(max_points, _POINTS) if max_points is not None else None
        for b in profile:
            ballots.append(
                CumulativeBallot(
                    {p.name: _exact(v, _POINTS) for p, v in b.items()},
                    max_total=int(max_total),
                    max_per_project=max_points,
                )
            )
        return projects, budget, ballots, VOTE_CUMULATIVE
    # The file's own max_length (pabutools' profile drops one that is not below the number of
    # projects, and a k-of-n round must stay one when it is read back).
    max_length = instance.meta.get("max_length")
    k = 1 if kind == "choose-1" else (int(max_length) if max_length not in (None, "") else None)
    for b in profile:
        ballots.append(ApprovalBallot((p.name for p in b), k=k))
    return projects, budget, ballots, (VOTE_APPROVAL if k is None else VOTE_K_OF_N)


_PABULIB_RULE = {
    "approval": "greedy",
    "k_of_n": "greedy",
    "cumulative": "greedy",
    "equal_shares": "equalshares",
}


def write_pabulib(
    projects: Sequence[Project],
    budget: int,
    ballots: Sequence[Ballot],
    vote_type: str,
    *,
    rule: Rule | str | None = None,
    meta: Mapping[str, str] | None = None,
) -> str:
    """A round as Pabulib `.pb` text, for anyone to re-count it (`read_pabulib` reads it back).

    Voters are numbered 1, 2, 3 … in the order given: the file says nothing about who voted.
    `meta` adds or overrides META lines (description, country, unit, instance, …)."""
    if vote_type not in VOTE_TYPES:
        raise InvalidRound(_("There is no kind of ballot called %(kind)r.") % {"kind": vote_type})
    found = _vote_type(ballots)
    if found is not None and found != vote_type:
        raise InvalidRound(_("A round's ballots must all be of one kind."))
    rule_key = rule.key if isinstance(rule, Rule) else rule
    lines: dict[str, object] = {
        "description": "Commonweave participatory grant-making round",
        "country": "unknown",
        "unit": "unknown",
        "instance": "unknown",
        "num_projects": len(projects),
        "num_votes": len(ballots),
        "budget": budget,
        "vote_type": "cumulative" if vote_type == VOTE_CUMULATIVE else "approval",
        "rule": _PABULIB_RULE.get(rule_key or "", "unknown"),
    }
    if rule_key:
        lines["commonweave_rule"] = rule_key
    first = ballots[0] if ballots else None
    if isinstance(first, ApprovalBallot) and first.k is not None:
        lines["max_length"] = first.k
    if isinstance(first, CumulativeBallot):
        lines["max_sum_points"] = first.max_total
        if first.max_per_project is not None:
            lines["max_points"] = first.max_per_project
    lines.update(meta or {})

    def clean(text: object) -> str:
        return " ".join(str(text).split()) or "None"

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows([key, clean(value)] for key, value in lines.items())
    writer.writerow(["PROJECTS"])
    writer.writerow(["project_id", "cost", "name"])
    writer.writerows([p.id, p.cost, clean(p.name)] for p in projects)
    writer.writerow(["VOTES"])
    if vote_type == VOTE_CUMULATIVE:
        writer.writerow(["voter_id", "vote", "points"])
        for number, ballot in enumerate(ballots, start=1):
            points = ballot.points if isinstance(ballot, CumulativeBallot) else {}
            # An empty ballot has neither (pabutools reads "None" as absent).
            writer.writerow(
                [number, ",".join(points) or "None", ",".join(map(str, points.values())) or "None"]
            )
    else:
        writer.writerow(["voter_id", "vote"])
        for number, ballot in enumerate(ballots, start=1):
            approved = ballot.approved if isinstance(ballot, ApprovalBallot) else frozenset()
            writer.writerow([number, ",".join(natsorted(approved))])
    return out.getvalue()
