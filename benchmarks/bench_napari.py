"""The napari plugin on a large zarr video: how soon a trace shows, what is read, and the event loop.

Usage (napari needs a display; under xvfb on a headless machine)::

    xvfb-run -a python benchmarks/bench_napari.py [--data DIR] [--points 200]

The video is 4000 x 512 x 512 uint16 in a zarr store with chunks 100 x 64 x 64
(made once, seeded, in ``--data``; by default a temporary folder), opened
through a store wrapper that counts chunk reads. A real ``napari.Viewer`` (shown)
holds it with a Points layer and the ``TraceWidget`` docked. Measured, from
``LOOK_S`` seconds after the widget opened (as a user looks at the video before
the first click; the widget loads the compiled kernels meanwhile):

* adding one point, from ``points.add`` to the plot's picture with the new
  trace shown; the chunks read against the chunks under the point's window (one
  spatial chunk x 40 time chunks for a window inside one chunk);
* 200 points added at once (a points file opened), at random over the whole
  frame, so every chunk of the video is read;
* the event loop: a 5 ms ``QTimer`` heartbeat records its ticks; the longest gap
  between ticks from the action to the picture shown (+0.2 s), and the longest
  of the widget's own GUI-thread steps (the snapshot of the layer, taking the
  result, showing the picture the worker drew). The gap includes napari's own
  work (``points.add`` and its redraw); the gaps "while the worker extracts /
  draws" run from the widget's snapshot of the layer (napari has handled the
  action) to the result taken, and from there to the picture shown.
"""

import argparse
import collections
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

SHAPE = (4000, 512, 512)
CHUNKS = (100, 64, 64)
ONE_POINT_TARGET_S = 0.5
MANY_POINTS_TARGET_S = 3.0
BLOCK_TARGET_MS = 50.0
LOOK_S = 3.0  # seconds between opening the widget and adding the first point


def make_video(folder):
    """The zarr store of the benchmark: a baseline with noise and a travelling wave, seeded."""
    import zarr

    path = Path(folder) / "napari_bench.zarr"
    if (path / "zarr.json").exists():
        return path
    rng = np.random.default_rng(14)
    array = zarr.create_array(path, shape=SHAPE, chunks=CHUNKS, dtype=np.uint16)
    rows, columns = np.mgrid[0 : SHAPE[1], 0 : SHAPE[2]]
    distance = np.hypot(rows - 256, columns - 256) / 512
    for start in range(0, SHAPE[0], CHUNKS[0]):
        t = np.arange(start, start + CHUNKS[0])[:, None, None] / 500
        wave = (np.sin(2 * np.pi * (2 * t - distance)) > 0.6) * 300
        noise = rng.integers(0, 64, size=(CHUNKS[0], *SHAPE[1:]), dtype=np.uint16)
        array[start : start + CHUNKS[0]] = (1000 + wave + noise).astype(np.uint16)
    return path


def counting_store(path):
    """A read-only zarr LocalStore whose chunk reads are counted by key."""
    import zarr

    class CountingStore(zarr.storage.WrapperStore):
        counts = collections.Counter()

        async def get(self, key, prototype, byte_range=None):
            if key.startswith("c/"):
                CountingStore.counts[key] += 1
            return await super().get(key, prototype, byte_range)

    return CountingStore(zarr.storage.LocalStore(path, read_only=True)), CountingStore.counts


def chunks_under(rows_columns, size):
    """The chunk keys ``c/t/r/c`` a rect window of ``size`` around each (row, column) reads, all frames."""
    keys = set()
    half = size // 2
    for row, column in rows_columns:
        row_chunks = range(
            max(row - half, 0) // CHUNKS[1], min(row + half + size % 2 - 1, SHAPE[1] - 1) // CHUNKS[1] + 1
        )
        column_chunks = range(
            max(column - half, 0) // CHUNKS[2], min(column + half + size % 2 - 1, SHAPE[2] - 1) // CHUNKS[2] + 1
        )
        for t in range(SHAPE[0] // CHUNKS[0]):
            keys.update(f"c/{t}/{r}/{c}" for r in row_chunks for c in column_chunks)
    return keys


class Probe:
    """The heartbeat, and timers around the widget's GUI-thread steps and the plot's draws."""

    def __init__(self, widget):
        from qtpy.QtCore import QTimer

        self.ticks = []
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))
        self.timer.start()
        self.steps = collections.defaultdict(list)  # name -> [(start, seconds)]
        self.draws = []
        self.computes = []  # seconds from each snapshot to its traces (the worker's extraction)
        worker = self.worker = widget._worker
        # the widget's steps on the GUI thread, through the attributes the worker calls them by
        for name, label in (("_snapshot", "snapshot"), ("_on_result", "result"), ("_on_picture", "picture")):
            self._wrap(worker, name, label)

    def _wrap(self, owner, name, label):
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.steps[label].append((start, time.perf_counter() - start))
                if label == "picture":
                    self.draws.append(time.perf_counter())
                if label == "result":
                    self.computes.append(self.worker.last_update_seconds)

        setattr(owner, name, timed)

    def longest_gap_ms(self, start, stop):
        ticks = [t for t in self.ticks if start <= t <= stop]
        edges = [start, *ticks, stop]
        return max(np.diff(edges)) * 1e3 if len(edges) > 1 else 0.0

    def longest_worker_gaps_ms(self, start, stop):
        """The longest heartbeat gaps while the worker thread extracted (from the end of the first
        snapshot begun in [start, stop] to the last result taken) and while it drew (from there to
        the last picture shown, ``stop``): trace work's own pauses of the event loop, without
        napari's handling of the action itself."""
        snapshots = [begin + seconds for begin, seconds in self.steps["snapshot"] if start <= begin <= stop]
        results = [begin + seconds for begin, seconds in self.steps["result"] if start <= begin <= stop]
        if not snapshots or not results:
            return float("nan"), float("nan")
        extracted = max(results)
        return self.longest_gap_ms(min(snapshots), extracted), self.longest_gap_ms(extracted, stop)

    def longest_step_ms(self, start, stop):
        """The longest of the widget's GUI-thread steps begun in [start, stop], and its name."""
        steps = [
            (seconds * 1e3, label)
            for label, steps in self.steps.items()
            for begin, seconds in steps
            if start <= begin <= stop
        ]
        return max(steps, default=(0.0, "-"))


def wait_shown(app, widget, probe, n_traces, timeout=120):
    """Process events until the widget shows ``n_traces`` traces in the picture of the plot; the time shown."""
    deadline = time.perf_counter() + timeout
    while True:
        app.processEvents()
        if not widget.busy and widget.traces.shape[1] == n_traces and probe.draws:
            return probe.draws[-1]  # not busy: the last picture is of these traces
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{n_traces} traces not shown within {timeout} s")
        time.sleep(0.001)


def measure(app, widget, probe, counts, action, n_traces, name=""):
    counts.clear()
    probe.computes.clear()
    start = time.perf_counter()
    action()
    shown = wait_shown(app, widget, probe, n_traces)
    # ticks up to 0.2 s after, so a late draw of ours would show as a gap
    settle = time.perf_counter() + 0.2
    while time.perf_counter() < settle:
        app.processEvents()
        time.sleep(0.001)
    result = {
        "seconds": shown - start,
        "reads": set(counts),
        "read_calls": sum(counts.values()),
        "gap_ms": probe.longest_gap_ms(start, shown + 0.2),
        "worker_gaps_ms": probe.longest_worker_gaps_ms(start, shown),
        "step_ms": probe.longest_step_ms(start, shown + 0.2),
        "compute_s": max(probe.computes, default=float("nan")),
    }
    print(
        f"{name}: {result['seconds'] * 1e3:.0f} ms (traces {result['compute_s'] * 1e3:.0f} ms), "
        f"{len(result['reads'])} chunks read, longest gap "
        f"{result['gap_ms']:.0f} ms, longest step {result['step_ms'][0]:.0f} ms ({result['step_ms'][1]})",
        flush=True,
    )
    return result


def napari_alone(app, viewer, points):
    """The longest heartbeat gap when napari adds a point without the widget (its own redraw), in ms."""
    from qtpy.QtCore import QTimer

    gaps = []
    for row, column in [(10, 500), (500, 10), (250, 250)]:
        ticks = []
        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(lambda ticks=ticks: ticks.append(time.perf_counter()))
        timer.start()
        start = time.perf_counter()
        points.add([[row, column]])
        while time.perf_counter() < start + 0.5:
            app.processEvents()
            time.sleep(0.001)
        timer.stop()
        gaps.append(max(np.diff([start, *ticks])) * 1e3)
    points.data = np.empty((0, 2))
    return max(gaps)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="folder for the zarr store (kept; default: a temporary folder)")
    parser.add_argument("--points", type=int, default=200)
    args = parser.parse_args()

    import napari
    import zarr

    from optimap.napari import TraceWidget

    folder = args.data or tempfile.mkdtemp(prefix="optimap-napari-bench-")
    os.makedirs(folder, exist_ok=True)
    made = time.perf_counter()
    path = make_video(folder)
    print(f"video {SHAPE} uint16, chunks {CHUNKS}: {path} ({time.perf_counter() - made:.1f} s to make or find)")
    store, counts = counting_store(path)
    video = zarr.open_array(store, mode="r")

    viewer = napari.Viewer(show=True)
    viewer.window.resize(1400, 900)
    viewer.add_image(video, name="video", contrast_limits=(900, 1400), colormap="gray")
    points = viewer.add_points(np.empty((0, 2)), name="points", size=6, face_color="yellow")
    app = napari.qt.get_qapp()
    baseline = napari_alone(app, viewer, points)
    widget = TraceWidget(viewer)
    viewer.window.add_dock_widget(widget, name="Traces")
    probe = Probe(widget)
    widget.wait(120)
    rng = np.random.default_rng(0)
    # a user looks at the video a few seconds before the first click (the widget loads the kernels meanwhile)
    looked = time.perf_counter() + LOOK_S
    while time.perf_counter() < looked:
        app.processEvents()
        time.sleep(0.005)

    rows = []
    first = measure(app, widget, probe, counts, lambda: points.add([[5, 5]]), 1, "first point")
    expected = chunks_under([(5, 5)], widget.size)
    first.update(expected=len(expected), only=first["reads"] <= expected and len(first["reads"]) > 0)
    rows.append((f"first point, {LOOK_S:.0f} s after the widget opened, at (row 5, column 5), rect 5", first))
    # one point at a time: inside one chunk, then on a chunk corner (4 spatial chunks)
    one = []
    for row, column in [(300, 200), (100, 420), (450, 30), (200, 330), (64, 128)]:
        n = len(points.data) + 1
        result = measure(
            app, widget, probe, counts, lambda r=row, c=column: points.add([[r, c]]), n, f"1 point at {row}, {column}"
        )
        expected = chunks_under([(row, column)], widget.size)
        result.update(expected=len(expected), only=result["reads"] <= expected and len(result["reads"]) > 0)
        one.append(result)
        rows.append((f"add 1 point at (row {row}, column {column}), rect {widget.size}", result))

    # many points at once (a points file pasted or loaded), then one per event-loop turn
    points.data = np.empty((0, 2))
    widget.wait()
    many = rng.integers(0, 512, size=(args.points, 2))
    result = measure(app, widget, probe, counts, lambda: points.add(many), args.points, "at once")
    result.update(expected=len(chunks_under(many.tolist(), widget.size)), only=None)
    rows.append((f"add {args.points} points at once (random, whole frame)", result))

    import matplotlib
    import zarr as zarr_module

    print()
    print(
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.node()} ({os.cpu_count()} cores, {platform.machine()}), "
        f"Python {platform.python_version()}, napari {napari.__version__}, zarr {zarr_module.__version__}, "
        f"matplotlib {matplotlib.__version__}; load average {os.getloadavg()[0]:.1f} at the end"
    )
    print()
    print(
        "| action | shown after | traces computed in | chunks read (distinct / calls) | chunks under the windows | "
        "longest event-loop gap | while the worker extracts / draws | longest widget step |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows:
        only = "" if r["only"] is None else (" (only those)" if r["only"] else " (**others too**)")
        print(
            f"| {name} | {r['seconds'] * 1e3:.0f} ms | {r['compute_s'] * 1e3:.0f} ms | "
            f"{len(r['reads'])} / {r['read_calls']}{only} | "
            f"{r['expected']} | {r['gap_ms']:.0f} ms | {r['worker_gaps_ms'][0]:.0f} / {r['worker_gaps_ms'][1]:.0f} ms | "
            f"{r['step_ms'][0]:.0f} ms ({r['step_ms'][1]}) |"
        )
    print()
    median_one = statistics.median(r["seconds"] for r in one)
    print(
        f"one point: median {median_one * 1e3:.0f} ms, worst {max(r['seconds'] for r in one) * 1e3:.0f} ms "
        f"(target {ONE_POINT_TARGET_S * 1e3:.0f} ms); only the chunks under the window: "
        f"{all(r['only'] for r in one)}"
    )
    print(f"{args.points} points at once: {rows[-1][1]['seconds']:.2f} s (target {MANY_POINTS_TARGET_S} s)")
    print(
        f"longest event-loop gap in any row: {max(r['gap_ms'] for _, r in rows):.0f} ms "
        f"(target {BLOCK_TARGET_MS:.0f} ms); napari adding a point without the widget: {baseline:.0f} ms; "
        f"while the worker extracts / draws: {max(r['worker_gaps_ms'][0] for _, r in rows):.0f} / "
        f"{max(r['worker_gaps_ms'][1] for _, r in rows):.0f} ms"
    )
    widget.close()
    viewer.close()


if __name__ == "__main__":
    main()
