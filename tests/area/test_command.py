"""`manage.py import_imd` with a bar on the terminal, as a place's job, and a place admin's
upload run as a background job with progress."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from commonweave.area import jobs
from commonweave.area.models import LsoaDeprivation, LsoaLookup
from commonweave.audit.models import AuditEvent
from commonweave.jobs.enums import JobStatus
from commonweave.jobs.models import Job
from tests.area.conftest import IMD2019_FILE2, LOOKUP, OLDHAM, OLDHAM_2025, needs

pytestmark = pytest.mark.django_db


@needs(OLDHAM_2025, LOOKUP)
def test_the_command_draws_a_bar_and_names_refused_rows(db, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_imd",
        str(OLDHAM_2025),
        edition="2025",
        lookup=str(LOOKUP),
        lad=["Oldham"],
        stdout=out,
        stderr=err,
    )
    assert "IoD 2025: 142 neighbourhoods imported in 1 local authorities" in out.getvalue()
    assert "LSOA 2011 to 2021 lookup: 142 rows" in out.getvalue()
    assert err.getvalue().splitlines()[0].endswith("100% 142/142 done")
    assert LsoaDeprivation.objects.count() == 142 and LsoaLookup.objects.count() == 142

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "LSOA code (2021),Local Authority District code (2024),"
        "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),"
        "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)\n"
        f"E01005320,{OLDHAM},1509,1\nE01005321,{OLDHAM},1576,99\n"
    )
    err = io.StringIO()
    call_command("import_imd", str(bad), lad=[OLDHAM], stdout=out, stderr=err)
    assert "Refused: bad.csv row 3: the IMD decile 99 is outside 1–10" in err.getvalue()
    with pytest.raises(CommandError, match="LSOA 2011"):
        call_command("import_imd", str(IMD2019_FILE2), edition="2025", stdout=out, stderr=err)
    with pytest.raises(CommandError, match="No file"):
        call_command("import_imd", str(tmp_path / "none.csv"), stdout=out, stderr=err)


@needs(OLDHAM_2025)
def test_the_command_runs_as_a_places_job(world):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_imd", str(OLDHAM_2025), place="testford", stdout=out, stderr=err)
    job = Job.objects.get(place=world.place, kind=jobs.IMPORT_IMD)
    assert job.status == JobStatus.DONE and job.started_by is None
    assert job.result["imported"] == 142 and job.result["rejected"] == 0
    assert "IoD 2025: 142 neighbourhoods in 1 local authorities" in out.getvalue()
    assert AuditEvent.objects.filter(object_type="area.lsoadeprivation").count() == 1


@needs(OLDHAM_2025)
def test_a_place_admin_uploads_files_and_the_job_imports_them(world, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    upload = SimpleUploadedFile("oldham.csv", OLDHAM_2025.read_bytes())
    with pytest.raises(PermissionDenied):
        jobs.imd_import_start(
            viewer=world.viewer(world.catalyst_a), uploads=[upload], edition="2025"
        )
    job, started = jobs.imd_import_start(
        viewer=world.viewer(world.manager_a), uploads=[upload], edition="2025", lads=[OLDHAM]
    )
    assert started and job.status == JobStatus.DONE  # inline in tests (ImmediateBackend)
    assert (job.done, job.total, job.started_by) == (142, 142, world.manager_a)
    assert job.result["imported"] == 142
    assert LsoaDeprivation.objects.count() == 142
    assert not list((tmp_path / "area-uploads").iterdir())  # the upload is not kept
