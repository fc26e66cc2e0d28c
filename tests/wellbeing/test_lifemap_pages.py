"""A place defines its own life map in plain words; changes make a new version and
never touch earlier check-ins."""

from django.urls import reverse

from commonweave.wellbeing import services
from commonweave.wellbeing.models import AreaRating, LifeMapVersion
from tests.conftest import assert_access

LIFEMAP = reverse("wellbeing:lifemap")


def test_everyone_in_the_place_can_read_the_life_map(world):
    assert_access(
        world,
        "get",
        LIFEMAP,
        {
            "catalyst_a": 200,
            "manager_a": 200,
            "worker_b": 200,
            "catalyst_b": 200,
            "analyst": 200,
            "outsider": 200,
        },
    )


def test_only_place_admins_change_it(world):
    url = reverse("wellbeing:area_edit", args=["home"])
    assert_access(world, "get", url, {"manager_a": 200, "outsider": 200})
    assert_access(world, "get", reverse("wellbeing:area_new"), {"manager_a": 200, "outsider": 200})


def test_changing_the_words_makes_a_new_version_and_keeps_old_check_ins(world, resident_a, login):
    viewer = world.viewer(world.catalyst_a)
    old = services.checkin_start(viewer=viewer, resident=resident_a)
    services.checkin_submit(viewer=viewer, checkin=old, ratings={"home": 2})
    response = login(world.manager_a).post(
        reverse("wellbeing:area_edit", args=["home"]),
        {
            "name": "Where I live",
            "question": "How is home?",
            "points": "Awful\nPoor\nOK\nGood\nGreat",
        },
    )
    assert response.status_code == 302
    current = services.current_lifemap(world.place)
    assert current.number == 2
    home = current.areas.get(key="home")
    assert (home.name, home.label_for(2)) == ("Where I live", "Poor")
    rating = AreaRating.objects.get(checkin=old, area__key="home")
    assert (rating.area.name, rating.area.label_for(2)) == ("Home", "Not going well")


def test_an_existing_scale_keeps_its_number_of_points(world, login):
    response = login(world.manager_a).post(
        reverse("wellbeing:area_edit", args=["home"]),
        {"name": "Home", "points": "Bad\nGood"},
    )
    assert response.status_code == 400
    assert "Keep 5 points so earlier check-ins stay comparable" in response.content.decode()
    assert LifeMapVersion.objects.filter(place=world.place).count() == 1


def test_adding_a_traffic_light_needs_each_colour_described(world, login):
    client = login(world.manager_a)
    url = reverse("wellbeing:area_new")
    response = client.post(
        url,
        {
            "name": "Enough food",
            "kind": "traffic_light",
            "red": "Often go without",
            "amber": "",
            "green": "Always",
        },
    )
    assert response.status_code == 400
    assert "Say in plain words what amber means" in response.content.decode()
    response = client.post(
        url,
        {
            "name": "Enough food",
            "kind": "traffic_light",
            "red": "Often go without",
            "amber": "Sometimes short",
            "green": "Always enough",
        },
    )
    assert response.status_code == 302
    food = services.current_lifemap(world.place).areas.get(key="enough_food")
    assert [p["colour"] for p in food.points] == ["red", "amber", "green"]
    assert food.points[1]["description"] == "Sometimes short"


def test_removing_an_area(world, login):
    response = login(world.manager_a).post(reverse("wellbeing:area_remove", args=["money"]))
    assert response.status_code == 302
    keys = [a.key for a in services.current_lifemap(world.place).areas.all()]
    assert "money" not in keys and len(keys) == 7
    assert (
        login(world.catalyst_a).post(reverse("wellbeing:area_remove", args=["home"])).status_code
        == 404
    )
