import pytest

from commonweave.demo.wellbeing import generate_checkins
from commonweave.wellbeing import services
from commonweave.wellbeing.models import CheckIn, ScoreTrack

pytestmark = pytest.mark.slow  # a demo builder


def test_generated_check_ins_and_their_tracks(world):
    made = generate_checkins(world.place, world.org_a, residents=6, per_resident=7, batch=4)
    assert (made.residents, made.checkins, made.ratings) == (6, 42, 42 * 8)
    assert CheckIn.objects.filter(place=world.place).count() == 42
    kept = sorted(
        ScoreTrack.objects.values_list(
            "resident_id", "kind", "code", "first_value", "latest_value", "answers"
        )
    )
    services.tracks_rebuild(world.place)
    assert (
        sorted(
            ScoreTrack.objects.values_list(
                "resident_id", "kind", "code", "first_value", "latest_value", "answers"
            )
        )
        == kept
    )
