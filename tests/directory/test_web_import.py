"""Importing from the web: an upload (ORUK JSON, or a CSV with its column mapping) or a
feed's address, run as a background job with a progress bar, ending in the per-record
report. (The task backend in tests is the ImmediateBackend: the job has run when the
upload's redirect comes back.)"""

import io
import json
import logging
from datetime import timedelta
from html import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from commonweave.audit.models import AuditEvent
from commonweave.directory import forms as directory_forms
from commonweave.directory.enums import ImportState
from commonweave.directory.importer import jobs as import_jobs
from commonweave.directory.models import DirectoryImport, Service
from commonweave.jobs.enums import JobStatus
from commonweave.jobs.services import job_create, job_run
from tests.conftest import assert_access

from .test_import_export import messy_feed

pytestmark = pytest.mark.django_db

IMPORT_URL = "/directory/testford/import/"


def _upload(name, content, content_type="application/json"):
    data = content if isinstance(content, bytes) else content.encode()
    return SimpleUploadedFile(name, data, content_type=content_type)


def _start(client, source, upload=None, url=""):
    data = {"source": source, "url": url}
    if upload is not None:
        data["file"] = upload
    return client.post(IMPORT_URL, data)


def test_only_coordinators_and_place_admins_can_import(world):
    assert_access(world, "get", IMPORT_URL, {"manager_a": 200})


def test_oruk_upload_runs_as_a_job_and_reports_each_bad_record(world, login, caplog):
    client = login(world.manager_a)
    caplog.set_level(logging.DEBUG)
    response = _start(client, "oruk_json", _upload("council.json", json.dumps(messy_feed())))
    imp = DirectoryImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/directory/testford/import/{imp.public_id}/"
    # The job ran, with its progress recorded, and its row holds counts only.
    job = imp.job
    assert (job.kind, job.status, job.done, job.total) == ("directory_import", "done", 7, 7)
    assert job.result == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "rejected": 2,
        "with_warnings": 3,
        "retired": 0,
        "restored": 0,
    }
    assert job.started_by == world.manager_a
    assert (imp.state, bytes(imp.payload)) == (ImportState.DONE, b"")  # the file is not kept
    # Every record that can be a service is in the directory; the two that cannot are
    # listed with their reasons, and the fields left out with theirs.
    names = sorted(Service.objects.filter(place=world.place).values_list("name", flat=True))
    assert names == ["Bad id", "Bad postcode", "Bad url", "Lunch club", "Walking group"]
    page = client.get(response["Location"]).content.decode()
    assert "100% complete (7 of 7 records)" in page
    for reason in [
        "Duplicate id: this id appeared earlier in the feed",
        "The service has no name",
        "A location has a postcode that is not a UK postcode",
        "Url is not an http or https address",
        "Service id is not a UUID: an id was made from it",
        "location postal_code",
    ]:
        assert reason in page
    assert "not-a-uuid" in page
    # Nothing from the file reached the logs (no personal data in logs).
    assert "Lunch club" not in caplog.text and "Hot" not in caplog.text
    # One audit event for the run, naming the import, not its content.
    event = AuditEvent.objects.filter(object_type="directory.directoryimport").get()
    assert event.object_id == imp.public_id and event.detail["created"] == 5


def test_reimporting_the_same_upload_changes_nothing(world, login):
    client = login(world.manager_a)
    feed = json.dumps(messy_feed())
    _start(client, "oruk_json", _upload("council.json", feed))
    _start(client, "oruk_json", _upload("council.json", feed))
    second = DirectoryImport.objects.first()
    assert (second.report["created"], second.report["updated"], second.report["unchanged"]) == (
        0,
        0,
        5,
    )
    assert Service.objects.filter(place=world.place).count() == 5


def test_a_queued_import_shows_its_progress_and_polls_until_it_ends(world, login):
    client = login(world.manager_a)
    imp = DirectoryImport.objects.create(
        public_id="abcdefghjkmn",
        place=world.place,
        started_by=world.manager_a,
        source="oruk_json",
        file_name="feed.json",
        payload=json.dumps(messy_feed()).encode(),
        state=ImportState.QUEUED,
    )
    imp.job = job_create(place=world.place, kind="directory_import", started_by=world.manager_a)
    imp.save(update_fields=["job"])
    url = f"/directory/testford/import/{imp.public_id}/"
    waiting = client.get(url).content.decode()
    assert "Waiting for a worker to start it" in waiting
    assert f'hx-get="{url}"' in waiting and 'hx-trigger="every 1s"' in waiting
    job_run(imp.job, stream=io.StringIO())  # what the worker does
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'id="import-status"' in fragment
    assert "100% complete" in fragment and "hx-trigger" not in fragment
    assert "Records not imported" in fragment


def test_csv_upload_asks_for_the_column_mapping_then_imports(world, login):
    client = login(world.manager_a)
    text = (
        "Title,Post code,Web address,Ignored\n"
        "Knit and natter,OL1 1AA,https://example.org/knit,x\n"
        "Bad postcode group,NOTAPOST,,x\n"
        ",OL1 1AA,,x\n"
    )
    response = _start(client, "csv", _upload("groups.csv", text, "text/csv"))
    imp = DirectoryImport.objects.get()
    assert imp.state == ImportState.MAPPING and imp.job is None
    page = client.get(response["Location"]).content.decode()
    # Recognised columns are chosen already; the form offers every column of the file.
    assert imp.mapping["name"] == "Title" and imp.mapping["postcode"] == "Post code"
    assert '<option value="Web address">Web address</option>' in page
    missing = client.post(response["Location"], {"postcode": "Post code"})
    assert missing.status_code == 400
    assert "Choose the column that holds names" in missing.content.decode()
    assert DirectoryImport.objects.get().job is None
    client.post(
        response["Location"], {"name": "Title", "postcode": "Post code", "url": "Web address"}
    )
    imp.refresh_from_db()
    assert imp.state == ImportState.DONE and imp.job.status == JobStatus.DONE
    knit = Service.objects.get(place=world.place, name="Knit and natter")
    assert knit.url == "https://example.org/knit"
    assert [[e[0], e[2], e[3]] for e in imp.report["errors"]] == [
        [3, "the service has no name", "name"]
    ]
    assert [w[2:] for w in imp.report["warnings"]] == [
        [
            "a location has a postcode that is not a UK postcode: the location was left out",
            "location postal_code",
        ]
    ]
    assert (imp.report["records"], imp.report["stored"], imp.report["rejected"]) == (3, 2, 1)


def test_a_csv_left_without_its_mapping_is_dropped_after_a_day(world, login):
    client = login(world.manager_a)
    text = "Title,Post code\nKnit and natter,OL1 1AA\n"
    response = _start(client, "csv", _upload("groups.csv", text, "text/csv"))
    stale = DirectoryImport.objects.get()
    # A day and a minute old: the daily purge drops its bytes and says why on its page.
    DirectoryImport.objects.filter(pk=stale.pk).update(
        created_at=stale.created_at - import_jobs.MAPPING_KEPT_FOR - timedelta(minutes=1)
    )
    out = io.StringIO()
    call_command("purge_directory_imports", stdout=out)
    assert out.getvalue().startswith("1 ")
    stale.refresh_from_db()
    assert (stale.state, bytes(stale.payload)) == (ImportState.FAILED, b"")
    page = client.get(response["Location"]).content.decode()
    assert "not matched within a day" in page and "upload it again" in page
    assert "Which column holds what?" not in page
    assert client.post(response["Location"], {"name": "Title"}).status_code == 200
    assert stale.job is None and not Service.objects.filter(place=world.place).exists()
    _start(client, "csv", _upload("new.csv", text, "text/csv"))  # starting one purges too
    kept = DirectoryImport.objects.exclude(pk=stale.pk).get()
    assert kept.state == ImportState.MAPPING and bytes(kept.payload) == text.encode()


@pytest.mark.parametrize(
    ("source", "upload", "message"),
    [
        ("oruk_json", ("feed.exe", b"MZ"), "The file must be a .json file"),
        ("oruk_json", ("feed.json", b"<html>"), "The file is not JSON"),
        ("csv", ("feed.json", b"a,b"), "The file must be a .csv file"),
        ("oruk_json", None, "Choose the file to import"),
        ("url", None, "Enter the web address of the feed"),
    ],
)
def test_uploads_are_checked_before_anything_is_stored(world, login, source, upload, message):
    client = login(world.manager_a)
    response = _start(client, source, _upload(*upload) if upload else None)
    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert DirectoryImport.objects.count() == 0


def test_uploads_have_a_size_limit(world, login, monkeypatch):
    monkeypatch.setattr(directory_forms, "MAX_UPLOAD_BYTES", 10)
    response = _start(
        login(world.manager_a), "oruk_json", _upload("big.json", "[" + " " * 20 + "]")
    )
    assert "The file must be smaller than 50 MB" in response.content.decode()
    assert DirectoryImport.objects.count() == 0


def test_a_file_that_is_not_json_inside_is_refused_at_upload(world, login):
    client = login(world.manager_a)
    response = _start(client, "oruk_json", _upload("feed.json", "{not json"))
    assert response.status_code == 400  # the form again, with the reason next to the file
    assert "starts like JSON but is broken at line 1" in response.content.decode()
    assert not DirectoryImport.objects.exists()
    assert Service.objects.filter(place=world.place).count() == 0


def test_a_feed_at_a_web_address_that_is_not_json_fails_in_the_job_and_says_why(
    world, login, monkeypatch
):
    import urllib.request

    class Opener:
        def open(self, url, timeout):
            return _Response(b"<html><body>Service unavailable</body></html>")

    monkeypatch.setattr(urllib.request, "build_opener", lambda *handlers: Opener())
    client = login(world.manager_a)
    response = _start(client, "url", url="https://93.184.215.14/oruk/services")
    imp = DirectoryImport.objects.get()
    assert imp.state == ImportState.FAILED and imp.job.status == JobStatus.DONE
    page = client.get(response["Location"]).content.decode()
    assert "The file could not be read" in page
    assert Service.objects.filter(place=world.place).count() == 0


class _Response(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_a_feed_at_a_web_address_is_fetched_by_the_job(world, login, monkeypatch):
    """The network is the boundary: the opener is replaced, never called for real."""
    import urllib.request

    fetched = []

    class Opener:
        def open(self, url, timeout):
            fetched.append(url)
            return _Response(json.dumps(messy_feed()).encode())

    monkeypatch.setattr(urllib.request, "build_opener", lambda *handlers: Opener())
    url = "https://93.184.215.14/oruk/services"  # a literal public address: no DNS look-up
    _start(login(world.manager_a), "url", url=url)
    imp = DirectoryImport.objects.get()
    assert fetched == [url]
    assert imp.state == ImportState.DONE and imp.report["created"] == 5


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/feed", "http://169.254.169.254/latest", "http://10.0.0.5/feed"]
)
def test_a_web_address_on_the_servers_own_network_is_refused(world, login, url):
    _start(login(world.manager_a), "url", url=url)
    imp = DirectoryImport.objects.get()
    assert imp.state == ImportState.FAILED
    assert imp.report["errors"] == [[0, "", "the address is on a private network"]]
    assert Service.objects.filter(place=world.place).count() == 0


def test_another_places_import_is_a_404(world, login):
    client = login(world.manager_a)
    _start(client, "oruk_json", _upload("council.json", json.dumps(messy_feed())))
    imp = DirectoryImport.objects.get()
    assert_access(world, "get", f"/directory/testford/import/{imp.public_id}/", {"manager_a": 200})
    outsider = login(world.outsider)
    assert outsider.get(f"/directory/elsewhere/import/{imp.public_id}/").status_code == 404


def test_the_runner_is_registered_for_the_job_kind():
    from commonweave.jobs import services as jobs

    assert jobs.RUNNERS["directory_import"] is import_jobs.run_directory_import
