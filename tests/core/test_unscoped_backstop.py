"""The unscoped-query backstop (tests/conftest.py, tests/core/unscoped.py) fails a test
whose request reads a personal table without scoping the read, and only then."""

import contextlib

import pytest
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client
from django.urls import path

from commonweave.people.access import residents_visible_to
from commonweave.people.models import Consent, Goal, Referral, Resident
from tests.core.unscoped import UnscopedQuery, personal_tables, scoping_columns, unscoped_tables


def _every_resident(request):
    return HttpResponse(str(len(list(Resident.objects.all()))))


def _residents_by_stage(request):
    return HttpResponse(str(Resident.objects.filter(stage="referred").count()))


def _one_resident(request, public_id):
    resident = Resident.objects.filter(public_id=public_id).first()
    goals = list(resident.goals.all()) if resident else []
    return HttpResponse(str(len(goals)))


def _every_resident_streamed(request):
    return StreamingHttpResponse(r.public_id for r in Resident.objects.all())


def _swallowed(request):
    # A view that catches everything still fails: the backstop raises after the request.
    with contextlib.suppress(Exception):
        list(Resident.objects.all())
    return HttpResponse("ok")


urlpatterns = [
    path("every-resident/", _every_resident),
    path("by-stage/", _residents_by_stage),
    path("one/<str:public_id>/", _one_resident),
    path("streamed/", _every_resident_streamed),
    path("swallowed/", _swallowed),
]


@pytest.fixture
def test_urls(settings):
    settings.ROOT_URLCONF = __name__


def _sql(queryset):
    statement, _ = queryset.query.get_compiler(connection=connection).as_sql()
    return statement


def test_a_request_that_reads_every_resident_fails(world, resident_a, test_urls):
    with pytest.raises(UnscopedQuery, match="people_resident"):
        Client().get("/every-resident/")


def test_a_filter_that_is_not_a_scope_fails(world, resident_a, test_urls):
    with pytest.raises(UnscopedQuery, match="people_resident"):
        Client().get("/by-stage/")


def test_a_streamed_response_fails_when_it_is_read(world, resident_a, test_urls):
    # Read in the request by a middleware, or by the test: the read is watched either way.
    with pytest.raises(UnscopedQuery):
        response = Client().get("/streamed/")
        b"".join(response.streaming_content)


def test_a_view_cannot_swallow_it(world, resident_a, test_urls):
    with pytest.raises(UnscopedQuery):
        Client().get("/swallowed/")


def test_reads_by_public_id_and_of_what_hangs_off_them_pass(world, resident_a, test_urls):
    assert Client().get(f"/one/{resident_a.public_id}/").status_code == 200


def test_setup_and_a_tests_own_queries_are_not_checked(world, resident_a):
    assert list(Resident.objects.all()) == [resident_a]


def test_the_personal_tables_and_scoping_columns_come_from_the_field_policy(db):
    assert {"people_resident", "people_referral", "people_goal", "wellbeing_checkin"} <= (
        personal_tables()
    )
    assert "tenancy_organisation" not in personal_tables()
    assert {"id", "public_id", "place_id", "organisation_id", "resident_id"} <= scoping_columns()
    assert "token_hash" in scoping_columns()  # a unique key, as the primary key
    assert "catalyst_id" not in scoping_columns()  # a user works in more than one place


def test_the_rule_on_the_sql_django_writes(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    unscoped = {
        "all": Resident.objects.all(),
        "stage": Resident.objects.filter(stage="referred"),
        "not merged": Resident.objects.filter(merged_into__isnull=True),
        "by catalyst": Resident.objects.filter(catalyst=world.catalyst_a),
        "excluded": Resident.objects.exclude(pk=resident_a.pk),
        "goals of anyone": Goal.objects.filter(progress=0),
        "joined, unscoped": Referral.objects.filter(resident__stage="referred"),
        "unscoped inside": Resident.objects.filter(pk__in=Goal.objects.values("resident_id")),
    }
    scoped = {
        "by place": Resident.objects.filter(place=world.place),
        "by organisation": Resident.objects.filter(organisation_id__in=[world.org_a.pk]),
        "by public id": Resident.objects.filter(public_id=resident_a.public_id),
        "by pk": Resident.objects.filter(pk=resident_a.pk),
        "visible to": residents_visible_to(viewer),
        "a resident's goals": resident_a.goals.all(),
        "goals of residents": Goal.objects.filter(resident__in=[resident_a]),
        "joined, scoped": Referral.objects.filter(resident__place=world.place),
        # A sub-select that only narrows a scoped read needs no scope of its own.
        "narrowed": Resident.objects.filter(
            place=world.place, pk__in=Consent.objects.filter(given=True).values("resident_id")
        ),
        "by a scoped sub-select": Resident.objects.filter(
            pk__in=Consent.objects.filter(organisation=world.org_a).values("resident_id")
        ),
    }
    assert {name for name, qs in unscoped.items() if not unscoped_tables(_sql(qs))} == set()
    assert {name for name, qs in scoped.items() if unscoped_tables(_sql(qs))} == set()


def test_each_side_of_a_union_is_checked(world):
    scoped = Resident.objects.filter(place=world.place).order_by().values("pk")
    unscoped = Resident.objects.filter(stage="referred").order_by().values("pk")
    assert unscoped_tables(_sql(scoped.union(scoped).order_by())) == frozenset()
    assert unscoped_tables(_sql(scoped.union(unscoped).order_by())) == {"people_resident"}
