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
