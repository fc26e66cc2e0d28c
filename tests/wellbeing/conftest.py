import pytest

from commonweave.wellbeing.senders import MemorySender


@pytest.fixture(autouse=True)
def _memory_sender(settings):
    settings.WELLBEING_SENDER = "commonweave.wellbeing.senders.MemorySender"
    MemorySender.outbox = []
    yield MemorySender.outbox
    MemorySender.outbox = []


@pytest.fixture
def outbox(_memory_sender):
    return _memory_sender


@pytest.fixture(autouse=True)
def _exports_folder(settings, tmp_path):
    """Built scores exports go to a folder of this test's own."""
    settings.WELLBEING_EXPORT_DIR = tmp_path / "exports"
    return settings.WELLBEING_EXPORT_DIR
