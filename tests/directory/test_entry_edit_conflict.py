"""Two coordinators editing one directory entry: the second save is refused with both
versions side by side, keeps what was typed, and goes through when made again."""

import pytest

from commonweave.demo import directory as demo
from commonweave.directory.forms import EntryForm
from commonweave.directory.models import Service

pytestmark = pytest.mark.django_db


def _form_data(service, **changes):
    initial = EntryForm.initial_for(service)
    data = {k: v for k, v in initial.items() if v not in (None, False)}
    data["categories"] = initial["categories"]
    return {**data, **changes}


def test_a_second_editor_sees_both_versions_and_nothing_is_overwritten(world, login):
    demo.generate_directory(world.place, services=3, locations=2)
    service = Service.objects.filter(place=world.place).order_by("name").first()
    url = f"/directory/testford/entries/{service.id}/edit/"
    first, second = login(world.manager_a), login(world.manager_a)
    opened = _form_data(service)  # both opened the page at the same version
    done = first.post(url, {**opened, "description": "Now meets on Thursdays."})
    assert done.status_code == 302

    response = second.post(url, {**opened, "description": "Now meets on Fridays."})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this entry" in html
    assert "Now meets on Thursdays." in html and "Now meets on Fridays." in html
    service.refresh_from_db()
    assert service.description == "Now meets on Thursdays."
    # Saving again, having seen the other change, is deliberate and goes through.
    again = response.context["form"].data.copy()
    assert second.post(url, again).status_code == 302
    service.refresh_from_db()
    assert service.description == "Now meets on Fridays."


def test_an_edit_without_the_version_it_started_from_is_not_saved(world, login):
    demo.generate_directory(world.place, services=2, locations=1)
    service = Service.objects.filter(place=world.place).first()
    data = _form_data(service, description="Changed")
    data.pop("version")
    response = login(world.manager_a).post(f"/directory/testford/entries/{service.id}/edit/", data)
    assert response.status_code == 400
    service.refresh_from_db()
    assert service.description != "Changed"
