"""Published change for a cohort: the mean change, its interval and the shares who got
better, stayed the same or got worse, each with noise from the Laplace mechanism (OpenDP).

Why noise: two cohorts that differ by one person (windows ending a day apart) gave, from
their exact means, that person's exact change; rounding the means cannot stop that. Here
each published row is worked out from three noisy numbers, drawn once:

* the mean change, with Laplace noise of scale 2W / (n * EPSILON_MEAN), where a change can
  be anything from -W to +W (W is the scale's highest minus lowest value) and n the people
  paired: adding or removing one person moves the mean by at most 2W / n;
* the standard deviation of the changes, with Laplace noise of scale
  2W * (1/sqrt(n) + 1/n) / EPSILON_SPREAD (the most one person can move it);
* the numbers who improved, stayed the same and got worse, with discrete Laplace noise of
  scale 1 / EPSILON_SHARES on each (one person is in one of the three).

Everything shown is worked out from those noisy numbers only: the people (their noisy
total, rounded to 5), the interval (the usual t interval from the noisy spread, widened by
the noise's own 95% range: both half-widths combined as a root sum of squares), the effect
size and the shares. The Wilcoxon p-value is not published: it needs the exact ranks (the
evaluators' pseudonymous export has what it needs).

So someone who knows exactly who is in two cohorts differing by one person, and works
that person's change out as (n+1) * mean_B - n * mean_A, is off by the difference of two
Laplace draws of scale 2W / EPSILON_MEAN: a standard deviation of 4W / EPSILON_MEAN,
forty points on a 0-10 scale. A row is released once for the same people with the same
answers (Release.fingerprint), so asking again, or by other filters that find the same
people, gives the same numbers and gains nothing; each new release spends EPSILON_PER_ROW
of the place's quarterly budget (budget.py). The number of people is treated as known to
the attacker (the worst case); it is itself published only perturbed and rounded.
"""

import hashlib
import hmac
import math
from dataclasses import dataclass

import opendp.prelude as dp
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from scipy import special

from ..models import PrivacyBudget, Release
from . import budget
from .counts import DEFAULT_THRESHOLD, round_to_5

# The Laplace mechanism on floats is in OpenDP's "contrib" set (vetted by its authors but
# not yet independently): enabled here, where it is used, and nowhere else.
dp.enable_features("contrib")

MIN_PAIRED_FOR_CHANGE = 30
EPSILON_MEAN = 1.0
EPSILON_SPREAD = 0.5
EPSILON_SHARES = 0.5
EPSILON_PER_ROW = EPSILON_MEAN + EPSILON_SPREAD + EPSILON_SHARES
LAPLACE_95 = math.log(20)  # 95% of Laplace(b) noise lies within +-b*ln(20)
METHOD = "laplace-1"  # in every fingerprint: a change of method releases afresh

NOT_ENOUGH = "not enough people yet"


@dataclass(frozen=True)
class ChangeInput:
    """One row's exact input: each distinct change and how many people had it."""

    statistic: str  # stable name, e.g. "area:housing" or "measure:ucla3.total"
    values: tuple
    counts: tuple
    higher_is: str  # "better" or "worse"
    width: float  # the scale's highest minus lowest value: changes lie in [-width, width]


@dataclass(frozen=True)
class PublishedChange:
    n: str
    enough: bool
    mean_change: str
    ci: str
    dz: str
    improved: str
    same: str
    worse: str
    # Numbers for charts, only when released; None otherwise.
    mean_value: float | None = None
    ci_values: tuple | None = None
    # "released", "not enough" (fewer than 30 paired) or "budget spent"
    state: str = "released"


@dataclass(frozen=True)
class _Exact:
    n: int
    mean: float
    sd: float
    improved: int
    same: int
    worse: int


def _exact(row: ChangeInput) -> _Exact:
    merged: dict[float, int] = {}
    for value, count in zip(row.values, row.counts, strict=True):
        if count:
            clipped = min(max(float(value), -row.width), row.width)
            merged[clipped] = merged.get(clipped, 0) + int(count)
    n = sum(merged.values())
    if n == 0:
        return _Exact(0, 0.0, 0.0, 0, 0, 0)
    sign = 1 if row.higher_is == "better" else -1
    improved = sum(c for v, c in merged.items() if sign * v > 0)
    worse = sum(c for v, c in merged.items() if sign * v < 0)
    mean = math.fsum(v * c for v, c in merged.items()) / n
    sd = math.sqrt(math.fsum(c * (v - mean) ** 2 for v, c in merged.items()) / max(n - 1, 1))
    return _Exact(n, mean, sd, improved, n - improved - worse, worse)


def fingerprint(row: ChangeInput) -> str:
    """A keyed hash of the exact numbers: the same people with the same answers give the
    same fingerprint; it cannot be turned back into the numbers without the secret key."""
    pairs = sorted((float(v), int(c)) for v, c in zip(row.values, row.counts, strict=True) if c)
    text = f"{METHOD}|{row.statistic}|{row.higher_is}|{float(row.width)}|{pairs}"
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def _laplace(value: float, scale: float) -> float:
    space = dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float)
    return float(dp.m.make_laplace(*space, scale=scale)(float(value)))


def _discrete_laplace(counts: list, scale: float) -> list:
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    return [int(c) for c in dp.m.make_laplace(*space, scale=scale)(counts)]


def mean_noise_scale(n: int, width: float) -> float:
    return 2 * width / (n * EPSILON_MEAN)


def spread_noise_scale(n: int, width: float) -> float:
    return 2 * width * (1 / math.sqrt(n) + 1 / n) / EPSILON_SPREAD


def draw(exact: _Exact, width: float) -> dict:
    """The noisy numbers a row is published from: drawn once, then stored."""
    return {
        "mean": _laplace(exact.mean, mean_noise_scale(exact.n, width)),
        "sd": max(_laplace(exact.sd, spread_noise_scale(exact.n, width)), 0.0),
        "counts": [
            max(c, 0)
            for c in _discrete_laplace(
                [exact.improved, exact.same, exact.worse], 1 / EPSILON_SHARES
            )
        ],
    }


def _shares(counts: list, threshold: int) -> dict:
    """Shares from the noisy counts. A group whose noisy count is under the threshold (but
    not 0) is not shown; the others need no hiding to protect it, as every count is noisy."""
    whole = sum(counts)
    shares = {}
    for name, k in zip(("improved", "same", "worse"), counts, strict=True):
        if not whole or 0 < k < threshold:
            shares[name] = _(NOT_ENOUGH)
        else:
            shares[name] = f"{round(100 * k / whole)}%"
    return shares


def _not_released(exact: _Exact, state: str, threshold: int) -> PublishedChange:
    if exact.n == 0:
        people = "0"
    elif exact.n < threshold:
        people = _("fewer than %(threshold)s") % {"threshold": threshold}
    else:
        people = f"{round_to_5(exact.n):,}"
    words = _(NOT_ENOUGH) if state == "not enough" else _("budget spent")
    return PublishedChange(
        n=people,
        enough=False,
        mean_change=words,
        ci=words,
        dz=words,
        improved=words,
        same=words,
        worse=words,
        state=state,
    )


def _published(noisy: dict, width: float, threshold: int) -> PublishedChange:
    counts = noisy["counts"]
    people = max(sum(counts), 2)
    mean, sd = noisy["mean"], noisy["sd"]
    sampling = float(special.stdtrit(people - 1, 0.975)) * sd / math.sqrt(people)
    noise = LAPLACE_95 * mean_noise_scale(people, width)
    half = math.hypot(sampling, noise)
    low, high = mean - half, mean + half
    return PublishedChange(
        n=f"{max(round_to_5(people), MIN_PAIRED_FOR_CHANGE):,}",
        enough=True,
        mean_change=f"{mean:+.2f}",
        ci=f"{low:+.2f} to {high:+.2f}",
        dz="–" if sd <= 0 else f"{mean / sd:.2f}",
        **_shares(counts, threshold),
        mean_value=round(mean, 2),
        ci_values=(round(low, 2), round(high, 2)),
    )


def publish_changes(place, rows: list, *, threshold: int = DEFAULT_THRESHOLD) -> list:
    """PublishedChange for each ChangeInput of the place's cohort, in order.

    Rows with fewer than 30 paired people (or under the threshold) are not released. A
    row released before for the same numbers is given again; others are drawn now and
    spend the place's budget for this quarter, as far as it goes."""
    exact = [_exact(row) for row in rows]
    minimum = max(MIN_PAIRED_FOR_CHANGE, threshold)
    keys = [
        fingerprint(row) if e.n >= minimum else None for row, e in zip(rows, exact, strict=True)
    ]
    wanted = [key for key in keys if key]
    known = dict(
        Release.objects.filter(place=place, fingerprint__in=wanted).values_list(
            "fingerprint", "values"
        )
    )
    if any(key not in known for key in wanted):
        known.update(_release(place, rows, exact, keys, known))
    out = []
    for row, e, key in zip(rows, exact, keys, strict=True):
        if key is None:
            out.append(_not_released(e, "not enough", threshold))
        elif key not in known:
            out.append(_not_released(e, "budget spent", threshold))
        else:
            out.append(_published(known[key], row.width, threshold))
    return out


def _release(place, rows, exact, keys, known) -> dict:
    period = budget.current_period()
    limit = budget.total()
    released: dict[str, dict] = {}
    new: list[Release] = []
    with transaction.atomic():
        PrivacyBudget.objects.get_or_create(place=place, period=period)
        account = PrivacyBudget.objects.select_for_update().get(place=place, period=period)
        # Someone else may have released some of these while we waited for the lock.
        todo = [k for k in keys if k and k not in known]
        released.update(
            Release.objects.filter(place=place, fingerprint__in=todo).values_list(
                "fingerprint", "values"
            )
        )
        for row, e, key in zip(rows, exact, keys, strict=True):
            if not key or key in known or key in released:
                continue
            if account.spent + EPSILON_PER_ROW > limit + 1e-9:
                break
            values = draw(e, row.width)
            new.append(
                Release(
                    place=place,
                    period=period,
                    fingerprint=key,
                    statistic=row.statistic[:200],
                    epsilon=EPSILON_PER_ROW,
                    values=values,
                )
            )
            account.spent += EPSILON_PER_ROW
            released[key] = values
        Release.objects.bulk_create(new)
        account.save(update_fields=["spent"])
    return released
