"""A stand-in runner for tests that check what is dispatched, not what the jobs do."""


class RecordingRunner:
    """Keeps every dispatched record in `dispatched`; always configured."""

    name = "recording"

    def __init__(self, dispatched: list):
        self.dispatched = dispatched

    def check(self) -> list:
        return []

    def dispatch(self, record) -> None:
        self.dispatched.append(record)


def recording_runner(dispatched: list) -> RecordingRunner:
    return RecordingRunner(dispatched)
