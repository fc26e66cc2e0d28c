"""A wrong or broken file is refused at upload, before anything is stored, saying what the
file looks like and what was expected: on the import page (an error by the file field), on
the staff API (a 400 naming the field), for a file uploaded to the API, and the terminal
command reads a CSV in the encodings the page reads. Every corpus is built here."""

import io
import json
import re
import zipfile
from html import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from commonweave.demo.factories import PlaceFactory
from commonweave.directory.enums import ImportState
from commonweave.directory.importer.formats import upload_refusal
from commonweave.directory.models import DirectoryImport, Service
from commonweave.tenancy.enums import Role

from .api_helpers import api, fields_named
from .test_import_formats import S1, datapackage, v1_service

pytestmark = pytest.mark.django_db

IMPORT_URL = "/directory/testford/import/"
UPLOAD_API = "/api/directory/imports/upload"

# What Excel writes when a sheet is saved as "CSV" on Windows: Windows-1252, CRLF.
EXCEL_CSV = "Name,Cost,Telephone\r\nCafé social,£2 a session,01611234567\r\n".encode("cp1252")
BOM_CSV = b"\xef\xbb\xbf" + "Name,Cost\r\nCafé social,£2 a session\r\n".encode()
TRUNCATED_JSON = b'{"services": ['
BROKEN_JSON = b'[\n  {"name": "Lunch club"},\n  {"name": "Walking group" "id": 2}\n]'
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
EXPECTED_JSON = "Expected an Open Referral UK JSON file (version 3.0 or 1)"
EXPECTED_CSV = "Expected a CSV file with a header row"


def _datapackage_without_services():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("datapackage.json", json.dumps({"name": "hsds", "resources": []}))
        archive.writestr("organizations.csv", "id,name\n1,Testford Age\n")
    return buffer.getvalue()


def _datapackage_with_a_broken_manifest():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("datapackage.json", '{"name": "hsds", "resources": [')
        archive.writestr("services.csv", "id,name\n1,Lunch club\n")
    return buffer.getvalue()


REFUSED = [
    ("oruk_json", "feed.json", TRUNCATED_JSON, "This JSON file is cut short"),
    ("oruk_json", "feed.json", BROKEN_JSON, "broken at line 3, column 28"),
    ("oruk_json", "feed.json", b"", "The file is empty. " + EXPECTED_JSON),
    ("oruk_json", "feed.json", '[{"name": "Café"}]'.encode("cp1252"), "not UTF-8 text"),
    ("oruk_json", "feed.json", b"Name,Phone\nLunch club,0161\n", "it looks like a CSV file"),
    (
        "oruk_json",
        "datapackage.json",
        json.dumps({"name": "hsds", "resources": [{"path": "services.csv"}]}).encode(),
        "This is a datapackage.json on its own",
    ),
    (
        "oruk_json",
        "hsds.zip",
        _datapackage_without_services(),
        "This is a datapackage (.zip) we cannot read: the datapackage has no services.csv",
    ),
    (
        "oruk_json",
        "hsds.zip",
        _datapackage_with_a_broken_manifest(),
        "the datapackage.json is not JSON",
    ),
    ("csv", "groups.csv", PNG, "This is a PNG image. Upload the data itself"),
    ("csv", "groups.csv", b"", "The file is empty. " + EXPECTED_CSV),
    ("csv", "groups.csv", b"\r\n\r\n", "The file is empty"),
    ("csv", "groups.csv", TRUNCATED_JSON, "This looks like JSON, not CSV"),
    ("csv", "groups.csv", b"<!DOCTYPE html><html></html>", "looks like a web page (HTML)"),
]


@pytest.mark.parametrize(("source", "name", "raw", "message"), REFUSED)
def test_a_wrong_or_broken_file_is_refused_by_the_file_field(
    world, login, source, name, raw, message
):
    assert message in upload_refusal(raw, name, source)
    client = login(world.manager_a)
    upload = SimpleUploadedFile(name, raw)
    response = client.post(IMPORT_URL, {"source": source, "file": upload})
    assert response.status_code == 400
    # The message stands by the file field (its error paragraph), not only in the summary.
    by_field = re.search(r'<p id="id_file-error"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    assert by_field and escape(message) in by_field[1]
    assert not DirectoryImport.objects.exists()


@pytest.mark.parametrize(("source", "name", "raw", "message"), REFUSED)
def test_the_staff_api_refuses_an_upload_naming_the_file_field(world, source, name, raw, message):
    coordinator = api(world.org_a, Role.COORDINATOR)
    response = coordinator.client.post(
        UPLOAD_API, {"source": source, "file": SimpleUploadedFile(name, raw)}
    )
    assert response.status_code == 400
    assert fields_named(response) == ["file"]
    assert message in json.dumps(response.json(), ensure_ascii=False)
    assert not DirectoryImport.objects.exists()


def test_an_empty_csv_in_the_json_body_is_refused_naming_the_csv_field(world):
    coordinator = api(world.org_a, Role.COORDINATOR)
    response = coordinator.post("/api/directory/imports", {"source": "csv", "csv": ""})
    assert response.status_code == 400
    assert fields_named(response) == ["csv"]
    assert "The file is empty" in json.dumps(response.json())


@pytest.mark.parametrize("raw", [EXCEL_CSV, BOM_CSV])
def test_csv_saved_by_excel_or_with_a_bom_passes_the_upload_check(world, login, raw):
    assert upload_refusal(raw, "groups.csv", "csv") is None
    client = login(world.manager_a)
    response = client.post(
        IMPORT_URL, {"source": "csv", "file": SimpleUploadedFile("groups.csv", raw)}
    )
    assert response.status_code == 302
    assert DirectoryImport.objects.get().state == ImportState.MAPPING


def test_the_staff_api_imports_an_uploaded_datapackage(world):
    coordinator = api(world.org_a, Role.COORDINATOR)
    response = coordinator.client.post(
        UPLOAD_API,
        {
            "source": "oruk_json",
            "file": SimpleUploadedFile("hsds.zip", datapackage(folder="hsds/")),
            "source_name": "Testford HSDS",
        },
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["state"], body["file_name"], body["source_key"]) == (
        "done",
        "hsds.zip",
        "Testford HSDS",
    )
    assert body["report"]["created"] == 2
    assert Service.objects.get(pk=S1).organization.name == "Testford Age"


def test_the_staff_api_imports_an_uploaded_excel_csv_with_its_mapping(world):
    coordinator = api(world.org_a, Role.COORDINATOR)
    response = coordinator.client.post(
        UPLOAD_API,
        {
            "source": "csv",
            "file": SimpleUploadedFile("groups.csv", EXCEL_CSV),
            "mapping": json.dumps({"fees": "Cost"}),
        },
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["mapping"]["name"] == "Name" and body["mapping"]["phone"] == "Telephone"
    assert "read as Windows-1252" in [w["reason"] for w in body["report"]["warned"]]
    service = Service.objects.get()
    assert (service.name, service.fees_description) == ("Café social", "£2 a session")
    assert [c.phone for c in service.contacts.all()] == ["0161 123 4567"]


def test_the_staff_api_upload_checks_its_other_fields(world):
    coordinator = api(world.org_a, Role.COORDINATOR)

    def post(**fields):
        return coordinator.client.post(
            UPLOAD_API, {"file": SimpleUploadedFile("groups.csv", EXCEL_CSV), **fields}
        )

    assert fields_named(post(source="url")) == ["source"]
    assert fields_named(post(source="csv", mapping="[1]")) == ["mapping"]
    assert fields_named(post(source="csv", mapping='{"name": "Title"}')) == ["mapping.name"]
    feed = SimpleUploadedFile("feed.json", json.dumps([v1_service()]).encode())
    refused = coordinator.client.post(
        UPLOAD_API, {"source": "oruk_json", "file": feed, "mapping": '{"name": "Name"}'}
    )
    assert fields_named(refused) == ["mapping"]
    assert not DirectoryImport.objects.exists()


def test_the_staff_api_upload_is_for_editors_only(world):
    worker = api(world.org_a, Role.PARTNER_WORKER)
    response = worker.client.post(
        UPLOAD_API, {"source": "csv", "file": SimpleUploadedFile("groups.csv", EXCEL_CSV)}
    )
    assert response.status_code == 404
    assert not DirectoryImport.objects.exists()


# --- the terminal command -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (EXCEL_CSV, "Windows-1252"),
        (BOM_CSV, "UTF-8 with a byte-order mark"),
        ("Name,Cost\nCafé social,£2 a session\n".encode(), "UTF-8"),
    ],
)
def test_the_command_reads_a_csv_as_the_upload_does_and_says_how(tmp_path, capsys, raw, encoding):
    PlaceFactory(name="Oldham", slug="oldham")
    path = tmp_path / "groups.csv"
    path.write_bytes(raw)
    call_command("import_directory", "oldham", str(path), map=["name=Name", "fees=Cost"])
    out = capsys.readouterr().out
    assert f"Read {path} as {encoding}\n" in out
    service = Service.objects.get()
    assert (service.name, service.fees_description) == ("Café social", "£2 a session")


def test_the_command_refuses_a_file_that_is_not_text(tmp_path):
    from django.core.management.base import CommandError

    PlaceFactory(name="Oldham", slug="oldham")
    path = tmp_path / "groups.csv"
    path.write_bytes("Name\nCafé\n".encode("utf-16"))
    with pytest.raises(CommandError, match="neither UTF-8 nor Windows-1252"):
        call_command("import_directory", "oldham", str(path))
