"""The similarity index follows the register: edits, withdrawals and changes made by
another process are seen on the next suggestion, by swapping only the changed barriers in."""

import pytest
from django.db.models import F

from commonweave.learning import selectors, services, similarity
from commonweave.learning.models import Barrier

from .test_services import _register

pytestmark = pytest.mark.django_db


def _titles(found):
    return [barrier.title for barrier, _ in found]


def test_an_edited_barrier_is_found_by_its_new_words_only(world):
    viewer, barriers = _register(world)
    bus = barriers[11]  # "Bus routes to the health centre were cut"
    assert (
        _titles(selectors.similar_barriers(viewer, "The bus to the health centre stopped"))[0]
        == bus.title
    )
    services.barrier_update(
        viewer=viewer, barrier=bus, version=1, title="Pharmacies close before people finish work"
    )
    assert _titles(selectors.similar_barriers(viewer, "The bus to the health centre stopped")) == []
    found = selectors.similar_barriers(viewer, "The chemist shuts before residents get home")
    assert found[0][0] == bus


def test_a_change_made_elsewhere_is_seen_by_swapping_in_only_that_barrier(world):
    viewer, barriers = _register(world)
    selectors.similar_barriers(viewer, "warm the index")
    index = similarity._cache[world.place.pk]
    vocabulary = dict(index.vocab)
    # another process (or server) changes a barrier: only the database knows
    Barrier.objects.filter(pk=barriers[5].pk).update(
        title="Charities must compete with each other for every grant", version=F("version") + 1
    )
    found = selectors.similar_barriers(viewer, "Grants make charities compete")
    assert found[0][0] == barriers[5]
    index = similarity._cache[world.place.pk]
    assert (index.swapped, index.vocab == vocabulary) == (1, True)


def test_many_changes_rebuild_the_index(world):
    viewer, barriers = _register(world)
    selectors.similar_barriers(viewer, "warm the index")
    first = similarity._cache[world.place.pk]
    for barrier in barriers[:5]:  # a quarter of the register: past the rebuild share
        Barrier.objects.filter(pk=barrier.pk).update(version=F("version") + 1)
    selectors.similar_barriers(viewer, "GP appointments by phone")
    rebuilt = similarity._cache[world.place.pk]
    assert rebuilt is not first and rebuilt.swapped == 0
    assert rebuilt.built_n == len(barriers)


def test_withdrawn_barriers_are_never_suggested(world):
    viewer, barriers = _register(world)
    text = "When someone leaves hospital nobody lets their support network know"
    assert selectors.similar_barriers(viewer, text)[0][0] == barriers[3]
    barriers[3].created_by = world.manager_a
    services.barrier_withdraw(viewer=viewer, barrier=barriers[3], version=1, reason="Fixed")
    assert barriers[3] not in [b for b, _ in selectors.similar_barriers(viewer, text)]


def test_a_new_process_loads_the_saved_index_and_checks_it(world, monkeypatch):
    from commonweave.learning.models import SimilarityIndex

    viewer, barriers = _register(world)
    text = "You need a professional to refer you before you get a food bank voucher"
    first = selectors.similar_barriers(viewer, text)
    assert SimilarityIndex.objects.filter(place=world.place).count() == 1
    similarity._cache.clear()  # as a new process would start

    def no_build(place_id):
        raise AssertionError("built again instead of loading the saved index")

    monkeypatch.setattr(similarity, "_build", no_build)
    assert selectors.similar_barriers(viewer, text) == first
    # a change since it was saved is swapped in after loading
    similarity._cache.clear()
    Barrier.objects.filter(pk=barriers[16].pk).update(
        title="Pharmacies close before people finish work", version=F("version") + 1
    )
    assert barriers[16] not in [b for b, _ in selectors.similar_barriers(viewer, text)]
    found = selectors.similar_barriers(viewer, "The chemist shuts before residents get home")
    assert found[0][0] == barriers[16]


def test_an_unreadable_saved_index_is_rebuilt(world):
    from commonweave.learning.models import SimilarityIndex

    viewer, barriers = _register(world)
    selectors.similar_barriers(viewer, "warm")
    SimilarityIndex.objects.update(data=b"not an index")
    similarity._cache.clear()
    found = selectors.similar_barriers(viewer, "The bus to the health centre stopped")
    assert found[0][0] == barriers[11]
