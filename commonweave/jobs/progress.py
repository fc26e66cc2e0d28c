"""How far a job has got: a cheap counter for task code, a row for the page, a bar for the terminal.

    with job_progress(job, total=len(items), message="Checking residents") as progress:
        for item in items:
            ...
            progress.advance()
        progress.result = {"changed": 12}

`advance()` is called once per item but writes the job row only when at least
`MIN_INTERVAL` seconds have passed or another 1% is done since the last write, so a loop of
100,000 items costs about a hundred small UPDATEs, not 100,000. The same moments redraw a
progress bar on stderr: in place on a terminal, one line per tenth when stderr is a log.
Leaving the block marks the job done (or failed, with an error summary that names the kind
of error and where it happened, never its message, which could quote personal data).
"""

import logging
import math
import sys
import time
import traceback
from contextlib import contextmanager

from django.utils import timezone

from .enums import JobStatus
from .models import Job

logger = logging.getLogger(__name__)

MIN_INTERVAL = 0.5  # seconds between progress writes, at most
STEP_FRACTION = 0.01  # ... or another 1% of the work
BAR_WIDTH = 30
_DEFAULT_STREAM = object()


def error_summary(exc: BaseException) -> str:
    """The kind of error and the line of our code it came from, without its message."""
    # Skip this module's own frames: the error reaches job_progress through its `yield`.
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    ours = [f for f in frames if "/commonweave/" in f.filename.replace("\\", "/")]
    frame = (ours or frames)[-1] if frames else None
    summary = type(exc).__name__
    if frame is not None:
        path = frame.filename.replace("\\", "/")
        path = "commonweave/" + path.split("/commonweave/")[-1] if ours else path.split("/")[-1]
        summary += f" at {path}:{frame.lineno} in {frame.name}"
    return summary[:300]


class TerminalBar:
    """A text bar on a stream: redrawn in place on a terminal, a line per tenth on a log."""

    LOG_INTERVAL = 10.0  # seconds between lines on a log while the size is not known

    def __init__(self, stream, label: str, clock=time.monotonic):
        self.stream = stream
        self.label = label
        self._clock = clock
        self._last_line_at = None
        try:
            self.interactive = bool(stream.isatty())
        except (AttributeError, ValueError):
            self.interactive = False
        self._last_tenth = -1

    def render(self, done: int, total: int) -> str:
        if not total:
            return f"{self.label} [{'?' * BAR_WIDTH}] {done:,} items"
        fraction = min(1.0, done / total)
        filled = int(fraction * BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        return f"{self.label} [{bar}] {int(fraction * 100):>3}% {done:,}/{total:,}"

    def update(self, done: int, total: int, *, final: bool = False, note: str = ""):
        line = self.render(done, total) + (f" {note}" if note else "")
        if self.interactive:
            self.stream.write("\r" + line + ("\n" if final else ""))
        else:
            now = self._clock()
            if not final:
                if total:
                    # One line per tenth; the closing line stands for 100%.
                    tenth = done * 10 // total
                    if tenth <= self._last_tenth or done >= total:
                        return
                    self._last_tenth = tenth
                elif (
                    self._last_line_at is not None and now - self._last_line_at < self.LOG_INTERVAL
                ):
                    return
            self._last_line_at = now
            self.stream.write(line + "\n")
        self.stream.flush()


class Progress:
    """The handle task code advances. Writes to the database are throttled (see module doc)."""

    def __init__(self, job, *, total, message, stream, clock, min_interval):
        self.job = job
        self.total = total if total is not None else job.total
        self.done = 0
        self.message = message or job.message
        self.result = {}
        self._clock = clock
        self._min_interval = min_interval
        self._written = (None, None, None)
        self._written_at = clock()
        self.bar = None
        if stream is not None:
            self.bar = TerminalBar(stream, f"{job.kind} {job.public_id}", clock=clock)
        self.writes = 0

    # --- for task code ---------------------------------------------------------------------

    def set_total(self, total: int):
        self.total = max(0, int(total))
        self.flush(force=True)

    def set_message(self, message: str):
        self.message = message[:200]
        self.flush()

    def advance(self, n: int = 1, *, message: str | None = None):
        self.done += n
        if message is not None:
            self.message = message[:200]
        self.flush()

    @property
    def step(self) -> int | None:
        return max(1, math.ceil(self.total * STEP_FRACTION)) if self.total else None

    def flush(self, *, force: bool = False):
        """Write the counter if enough time or work has passed since the last write."""
        state = (self.done, self.total, self.message)
        if state == self._written:
            return
        now = self._clock()
        if not force:
            last_done = self._written[0] or 0
            due = now - self._written_at >= self._min_interval
            if not due and (self.step is None or self.done - last_done < self.step):
                return
        self._write(status=None)
        self._written, self._written_at = state, now
        if self.bar is not None:
            self.bar.update(self.done, self.total)

    # --- for job_progress ------------------------------------------------------------------

    def _write(self, *, status, **fields):
        fields.update(done=self.done, total=self.total, message=self.message)
        fields["updated_at"] = timezone.now()
        if status is not None:
            fields["status"] = status
        Job.objects.filter(pk=self.job.pk).update(**fields)
        for name, value in fields.items():
            setattr(self.job, name, value)
        self.writes += 1

    def _start(self):
        now = timezone.now()
        self._write(status=JobStatus.RUNNING, started_at=now, finished_at=None, error="")
        self._written = (self.done, self.total, self.message)

    def _finish(self):
        self.total = self.done  # whatever was there when it finished is the whole of it
        self._write(status=JobStatus.DONE, finished_at=timezone.now(), result=self.result)
        if self.bar is not None:
            self.bar.update(self.done, self.total, final=True, note="done")

    def _fail(self, exc: BaseException):
        summary = "Interrupted" if isinstance(exc, KeyboardInterrupt) else error_summary(exc)
        frames = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
        # The stack (our code lines, no values) and the error's kind, never its message.
        logger.error(
            "Job %s (%s) failed: %s\n%s", self.job.public_id, self.job.kind, summary, frames
        )
        try:
            self._write(
                status=JobStatus.FAILED,
                finished_at=timezone.now(),
                error=summary,
                result=self.result,
            )
        except Exception:  # the database itself may be what failed
            logger.exception("Job %s: could not record the failure", self.job.public_id)
        if self.bar is not None:
            self.bar.update(self.done, self.total, final=True, note="failed")


@contextmanager
def job_progress(
    job,
    *,
    total: int | None = None,
    message: str = "",
    stream=_DEFAULT_STREAM,
    clock=time.monotonic,
    min_interval: float = MIN_INTERVAL,
):
    """Run the body as `job`: running on entry, done on a clean exit, failed on an exception
    (which is re-raised). Yields a Progress. `stream` gets the terminal bar (stderr by
    default; None for no bar)."""
    if stream is _DEFAULT_STREAM:
        stream = sys.stderr
    progress = Progress(
        job, total=total, message=message, stream=stream, clock=clock, min_interval=min_interval
    )
    progress._start()
    try:
        yield progress
    except BaseException as exc:
        progress._fail(exc)
        raise
    progress._finish()
