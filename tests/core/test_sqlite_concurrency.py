"""SQLite with several people at once: a long directory import running in one process (as
the job worker runs it) while someone else saves in another gets no "database is locked".

The settings give SQLite a 20-second busy timeout and IMMEDIATE transactions, and the
import commits every 500 records and, every two and a half seconds at most, pauses between batches
(SQLite's write lock has no queue: without the pause the import takes it back before a
waiting writer looks), so the other writer waits about two and a half seconds at most instead of
failing.
"""

import json

import pytest

from .processes import result, run, start

# Twenty-four commits of 500: long enough (8-20 s, by the machine) for the import to give way
# several times, as it does at most every two and a half seconds (core.db.SQLITE_WRITER_EVERY).
# 5,000 took only 4 s on a fast run, one give-way, and the test failed for want of saves.
RECORDS = 12000

SETUP = """
from commonweave.demo.factories import (
    MembershipFactory, OrganisationFactory, PlaceFactory, ResidentFactory,
)
from commonweave.tenancy.enums import Role
place = PlaceFactory(name="Testford", slug="testford")
org = OrganisationFactory(place=place, name="Testford Connect")
place.lead_organisation = org
place.save()
manager = MembershipFactory(organisation=org, role=Role.COORDINATOR).user
MembershipFactory(organisation=org, role=Role.PLACE_ADMIN, user=manager)
catalyst = MembershipFactory(organisation=org, role=Role.CATALYST).user
resident = ResidentFactory(organisation=org, catalyst=catalyst)
print(json.dumps({"place": place.pk, "manager": manager.pk, "catalyst": catalyst.pk,
                  "resident": resident.pk}))
"""

IMPORT = """
import uuid
from pathlib import Path
from django.core.files.uploadedfile import SimpleUploadedFile
from commonweave.accounts.models import User
from commonweave.directory.importer.jobs import import_create
from commonweave.tenancy.models import Place
from commonweave.tenancy.viewer import viewer_for_user

ids = json.loads(os.environ["IDS"])
records = []
for i in range(int(os.environ["RECORDS"])):
    location = str(uuid.uuid4())
    records.append({
        "id": str(uuid.uuid4()),
        "name": f"Imported group {i}",
        "status": "active",
        "description": "A friendly group that meets every week.",
        "service_at_locations": [{
            "id": str(uuid.uuid5(uuid.UUID(location), "sal")),
            "location": {
                "id": location,
                "location_type": "physical",
                "latitude": 53.54,
                "longitude": -2.11,
                "addresses": [{"address_1": f"{i} High Street", "city": "Oldham",
                               "postal_code": "OL1 1AA", "country": "GB"}],
            },
        }],
    })
feed = json.dumps({"total_items": len(records), "contents": records}).encode()
viewer = viewer_for_user(User.objects.get(pk=ids["manager"]), Place.objects.get(pk=ids["place"]))
# Start only once the other person is saving (their process takes a while to start), so the
# whole import is measured against someone who is already at work.
ready, give_up = Path(os.environ["READY"]), time.time() + 120
while not ready.exists() and time.time() < give_up:
    time.sleep(0.05)
started = time.time()
# The ImmediateBackend runs the job here, in this process, as the db_worker would.
imp = import_create(viewer=viewer, source="oruk_json",
                    upload=SimpleUploadedFile("feed.json", feed, "application/json"))
imp.job.refresh_from_db()
print(json.dumps({"status": imp.job.status, "result": imp.job.result,
                  "started": started, "finished": time.time()}))
"""

SAVE = """
from pathlib import Path
from django.db import connection
from django.test import Client
from commonweave.accounts.models import User
from commonweave.people import services
from commonweave.people.models import Resident
from commonweave.tenancy.models import Place
from commonweave.tenancy.viewer import viewer_for_user
from tests.people.test_referral_views import REFER, public_data

ids = json.loads(os.environ["IDS"])
with connection.cursor() as cursor:
    cursor.execute("PRAGMA busy_timeout")
    busy_timeout = cursor.fetchone()[0]
    cursor.execute("PRAGMA journal_mode")
    journal_mode = cursor.fetchone()[0]
viewer = viewer_for_user(User.objects.get(pk=ids["catalyst"]), Place.objects.get(pk=ids["place"]))
stop = Path(os.environ["STOP"])
saves, errors, longest = [], [], 0.0
n = 0
while not stop.exists():
    n += 1
    began = time.time()
    try:
        if n % 2:
            resident = Resident.objects.get(pk=ids["resident"])
            services.resident_update_profile(
                viewer=viewer, resident=resident, version=resident.version,
                preferred_name=f"Peg {n}",
            )
        else:
            client = Client(REMOTE_ADDR=f"198.51.100.{n % 250}")
            status = client.post(REFER, public_data(full_name=f"Person {n}")).status_code
            if status != 302:
                errors.append(f"public form answered {status}")
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    saves.append(time.time())
    Path(os.environ["READY"]).touch()
    longest = max(longest, time.time() - began)
    time.sleep(0.05)
print(json.dumps({"saves": saves, "errors": errors, "longest": longest,
                  "busy_timeout": busy_timeout, "journal_mode": journal_mode}))
"""


@pytest.mark.slow
def test_a_long_import_does_not_lock_out_someone_saving_at_the_same_time(sqlite_file_env, tmp_path):
    ids = run(SETUP, sqlite_file_env)
    env = {**sqlite_file_env, "IDS": json.dumps(ids), "RECORDS": str(RECORDS)}
    env["STOP"] = str(tmp_path / "stop")
    env["READY"] = str(tmp_path / "ready")
    saver = start(SAVE, env)
    importer = start(IMPORT, env)
    try:
        imported = result(importer, timeout=600)
    finally:
        (tmp_path / "stop").touch()
    saved = result(saver, timeout=120)

    assert imported["status"] == "done"
    assert imported["result"]["created"] == RECORDS
    assert saved["errors"] == []
    assert (saved["busy_timeout"], saved["journal_mode"]) == (20000, "wal")
    # The other person really was saving while the import ran: between its commits (each
    # waits for at most one batch of the import, not for the whole of it).
    during = [t for t in saved["saves"] if imported["started"] < t < imported["finished"]]
    took = imported["finished"] - imported["started"]
    assert len(during) >= 2, f"{len(during)} saves in {took:.1f}s, longest {saved['longest']:.1f}s"
    assert saved["longest"] < took
