"""Trace work off the GUI thread: one worker thread, one update at a time, changes merged.

:class:`TraceWorker` is asked to :meth:`~TraceWorker.schedule` an update
whenever something the traces depend on changes. After the events of the
current turn of the event loop it takes a snapshot (on the GUI thread, through
the ``snapshot`` callable it was given) and hands it to a single worker thread,
which computes only the traces its :class:`~._traces.TraceCache` lacks. The
result comes back to the GUI thread through a queued Qt signal. Changes that
arrive while the worker is busy are merged into one next update; a progress
indicator is shown when an update takes longer than ``PROGRESS_DELAY_MS``.

The same thread draws the figure (:meth:`TraceWorker.render`): a drawing asked
for while another waits replaces it, and the picture comes back by a signal too.
"""

import concurrent.futures
import itertools
import threading
import time

import numpy as np
from qtpy.QtCore import QObject, QTimer, Signal
from qtpy.QtWidgets import QApplication

from ._plot import TraceFigure
from ._traces import TraceCache

# Milliseconds an update may take before the progress indicator shows.
PROGRESS_DELAY_MS = 300


class _Bridge(QObject):
    """Carries the worker's results to the GUI thread (a signal emitted from another thread is queued)."""

    done = Signal(object)
    drawn = Signal(object)


class TraceWorker(QObject):
    """Runs :meth:`TraceCache.compute` on one worker thread for the widget.

    Parameters
    ----------
    snapshot : callable
        ``snapshot(serial)`` returns the :class:`~._traces.Request` of the layers
        as they are now; a ValueError it raises goes to ``on_error``.
    on_result : callable
        Called on the GUI thread with each :class:`~._traces.Result`.
    on_error : callable
        ``on_error(message, clear)`` on the GUI thread when no traces could be made:
        ``clear`` is True when the layers themselves are unusable (the traces shown
        no longer apply), False when the computation failed.
    on_progress : callable
        Called with True when a long update starts showing progress, False when it ends.
    on_picture : callable
        Called on the GUI thread with each :class:`~._plot.Picture` drawn by :meth:`render`.
    parent : QObject, optional
    """

    def __init__(self, snapshot, on_result, on_error, on_progress, on_picture, parent=None):
        super().__init__(parent)
        self._snapshot = snapshot
        self._on_result = on_result
        self._on_error = on_error
        self._on_progress = on_progress
        self._on_picture = on_picture
        self.cache = TraceCache()
        self.figure = TraceFigure()  # drawn on the worker thread only
        self._lock = threading.Lock()
        self._next_spec = None
        self._drawings = 0  # drawings submitted and not yet shown
        self._serial = itertools.count(1)
        self._running = False
        self._dirty = False
        self._closed = False
        self._started = 0.0
        self.last_update_seconds = None  # the time from a snapshot to its result, for benchmarks
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="optimap-traces")
        self._bridge = _Bridge(self)
        self._bridge.done.connect(self._done)
        self._bridge.drawn.connect(self._drawn)
        self._update_timer = QTimer(self)
        self._update_timer.setSingleShot(True)
        self._update_timer.setInterval(0)
        self._update_timer.timeout.connect(self._start)
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.setInterval(PROGRESS_DELAY_MS)
        self._progress_timer.timeout.connect(self._show_progress)
        self._executor.submit(_warm_up)

    @property
    def busy(self):
        """Whether an update or a drawing is waiting or running."""
        return self._running or self._dirty or self._update_timer.isActive() or self._drawings > 0

    @property
    def running(self):
        """Whether the worker thread is computing an update now."""
        return self._running

    def schedule(self):
        """Ask for one update after the events of this turn of the event loop."""
        if not self._closed:
            self._update_timer.start()

    def render(self, spec):
        """Draw ``spec`` (a :class:`~._plot.PlotSpec`) on the worker thread; ``on_picture`` gets the picture.

        A drawing asked for while an earlier one still waits replaces it.
        """
        if self._closed:
            return
        with self._lock:
            waiting = self._next_spec is not None
            self._next_spec = spec
        if not waiting:
            self._drawings += 1
            self._executor.submit(_draw, self, self._bridge)

    def _take_spec(self):
        with self._lock:
            spec, self._next_spec = self._next_spec, None
        return spec

    def _drawn(self, outcome):
        self._drawings -= 1
        if self._closed:
            return
        if isinstance(outcome, BaseException):
            self._on_error(f"the plot could not be drawn: {type(outcome).__name__}: {outcome}", False)
        elif outcome is not None:
            self._on_picture(outcome)

    def wait(self, timeout=30.0):
        """Process Qt events until no update is waiting or running.

        Raises
        ------
        TimeoutError
            If an update is still running after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        app = QApplication.instance()
        while self.busy:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the traces were not ready within {timeout} s")
            app.processEvents()
            time.sleep(0.002)

    def close(self):
        """Stop the timers and the worker thread (a running computation finishes unseen)."""
        if self._closed:
            return
        self._closed = True
        self._update_timer.stop()
        self._progress_timer.stop()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _start(self):
        if self._closed:
            return
        if self._running:
            self._dirty = True
            return
        self._dirty = False
        try:
            request = self._snapshot(next(self._serial))
        except ValueError as error:
            self._on_error(str(error), True)
            return
        self._running = True
        self._started = time.perf_counter()
        self._progress_timer.start()
        self._executor.submit(_run, self.cache, request, self._bridge)

    def _done(self, outcome):
        """The worker's answer, on the GUI thread."""
        if self._closed:
            return
        self._running = False
        self._progress_timer.stop()
        self._on_progress(False)
        if isinstance(outcome, BaseException):
            self._on_error(f"traces could not be computed: {type(outcome).__name__}: {outcome}", False)
        else:  # also a result that changes have overtaken: it is closer than the one shown, the next follows
            self.last_update_seconds = time.perf_counter() - self._started
            self._on_result(outcome)
        if self._dirty or self._update_timer.isActive():
            self._update_timer.stop()
            self._start()

    def _show_progress(self):
        if self._running:
            self._on_progress(True)


def _run(cache, request, bridge):
    """The worker's job: compute, then hand the result (or the error) to the GUI thread."""
    try:
        outcome = cache.compute(request)
    except Exception as error:  # shown in the status line; the widget goes on
        outcome = error
    try:
        bridge.done.emit(outcome)
    except RuntimeError:  # the widget was deleted meanwhile
        pass


def _draw(worker, bridge):
    """The worker's drawing job: the latest spec asked for, drawn, then handed to the GUI thread."""
    try:
        spec = worker._take_spec()
        outcome = None if spec is None else worker.figure.render(spec)
    except Exception as error:  # shown in the status line
        outcome = error
    try:
        bridge.drawn.emit(outcome)
    except RuntimeError:  # the widget was deleted meanwhile
        pass


def _warm_up():
    """Load numba's runtime and the engine's kernels while the viewer opens, before the first trace is
    asked for: then no update pays that second and a half, and every update, one point's too, runs
    the compiled kernels (on a chunked video, faster than numpy's one block)."""
    from optimap._jit import warm_up
    from optimap.trace import extract_traces

    warm_up()
    video = np.zeros((8, 16, 16), dtype=np.uint16)  # eight frames: the kernels' eight-at-a-time path loads too
    for window, size in (("rect", 5), ("disc", 5), ("pixel", 1)):
        extract_traces(video, [(3, 3), (8, 8)], size=size, window=window)
