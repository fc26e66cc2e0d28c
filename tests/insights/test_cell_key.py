"""Counts of people follow the ONS cell-key method: checked against the ONS package itself
(`cell_key_perturbation`) on microdata, and on the overview, where the same people always
give the same count and one person more changes it unpredictably."""

import random

import pandas as pd
import pytest
from cell_key_perturbation.create_perturbed_table import create_perturbed_table
from django.urls import reverse

from commonweave.demo.factories import ResidentFactory
from commonweave.insights.disclosure import Cell, cellkey, publish_count, round_to_5
from commonweave.people.enums import Stage
from commonweave.people.models import Resident
from tests.conftest import client_for

THRESHOLD = 8


def ptable():
    rows = list(cellkey.ptable_rows(threshold=THRESHOLD))
    return pd.DataFrame(rows, columns=["pcv", "ckey", "pvalue"])


def test_our_perturbation_is_the_ons_packages_on_the_same_microdata():
    """Microdata of 6,000 people with random record keys in 40 areas by 3 groups (cells
    from a handful to several hundred): the package's perturbed counts and ours agree."""
    rng = random.Random(5)
    people = []
    for _ in range(6000):
        area = f"area{min(int(rng.expovariate(1 / 8)), 39)}"
        people.append({"area": area, "group": rng.choice("abc"), "record_key": rng.randrange(256)})
    data = pd.DataFrame(people)
    theirs = create_perturbed_table(
        data=data,
        ptable=ptable(),
        geog=["area"],
        tab_vars=["group"],
        record_key="record_key",
        threshold=0,
    )
    compared = moved = 0
    for row in theirs.itertuples():
        cell = data[(data.area == row.area) & (data.group == row.group)]
        n, keys = len(cell), int(cell.record_key.sum())
        if n < THRESHOLD:
            continue  # we never show these at all
        ours = cellkey.perturb(n, keys, threshold=THRESHOLD)
        assert ours == int(row.count), (row.area, row.group, n)
        compared += 1
        moved += ours != n
    assert compared > 60
    # The table moves about 40% of counts (the 0 change has 154 of 256 keys).
    assert 0.25 < moved / compared < 0.55


def test_a_count_is_perturbed_then_suppressed_and_rounded():
    assert publish_count(Cell(0, 0)).label == "0"
    assert publish_count(Cell(5, 999)).label == "fewer than 8"
    # Cell key 0 takes 2 off: 23 -> 21 -> 20 (plain rounding would say 25).
    assert publish_count(Cell(23, 256 * 3)).value == 20
    # Cell key 255 adds 2: 22 -> 24 -> 25 (plain rounding would say 20).
    assert publish_count(Cell(22, 255)).value == 25
    # Never moved under the threshold: 8 with -2 stays 8, shown as 10.
    assert publish_count(Cell(8, 0)).value == 10


@pytest.mark.django_db
def test_the_overview_counts_people_with_their_record_keys(world):
    """23 engaged residents whose keys add up to a multiple of 256 (cell key 0: -2): the
    page shows 20, where plain rounding would have shown 25; asked again, the same."""
    people = [ResidentFactory(organisation=world.org_a, stage=Stage.ENGAGED) for _ in range(23)]
    keys = [10] * 22
    keys.append((-sum(keys)) % 256)
    for person, key in zip(people, keys, strict=True):
        Resident.objects.filter(pk=person.pk).update(record_key=key)
    client = client_for(world.analyst)
    url = reverse("insights:overview")
    first = client.get(url).content.decode()
    table = first.split('id="table-stage"', 1)[1].split("</table>", 1)[0]
    assert ">20<" in table and ">25<" not in table
    again = client.get(url).content.decode().split('id="table-stage"', 1)[1]
    assert again.split("</table>", 1)[0] == table


@pytest.mark.django_db
def test_one_person_more_changes_the_count_unpredictably():
    """Across cohorts one person apart (30, 31, ... 80 people with random keys), the
    published count is not plain rounding: a reader cannot tell from a step between two
    published counts whether the cohort grew at all."""
    rng = random.Random(9)
    keys, plain_steps, published_steps = [], 0, 0
    previous_plain = previous_published = None
    for _ in range(80):
        keys.append(rng.randrange(256))
        n = len(keys)
        if n < THRESHOLD:
            continue
        plain = round_to_5(n)
        published = publish_count(Cell(n, sum(keys))).value
        assert abs(published - n) <= 4  # perturbed by at most 2, then rounded
        if previous_plain is not None:
            plain_steps += plain != previous_plain
            published_steps += published != previous_published
        previous_plain, previous_published = plain, published
    # Plain rounding steps exactly every fifth person; perturbed counts step far more
    # often (and sometimes down), so a step does not mark a person joining.
    assert published_steps > plain_steps
