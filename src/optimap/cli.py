"""The ``optimap-trace`` command line: ``demo`` and ``extract``.

Exit status: 0 on success, 2 for usage and input errors, 1 for other failures.
Errors print one line on standard error, never a traceback, and leave no
output file behind (files are written to a temporary name and renamed).
"""

import argparse
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

PROG = "optimap-trace"
DETREND_KINDS = ("mean", "median", "line", "spline")


class UsageError(Exception):
    """Bad input from the user: exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


# --- writing files safely -----------------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to ``path``; rename it to ``path`` only on success."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"output {str(path)!r} is a folder, not a file")
    if not path.parent.exists():
        raise UsageError(f"the folder of output {str(path)!r} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def csv_text(traces, positions, first_frame=0, fps=None):
    """The CSV: a time column (``time_s`` or ``frame``), then one column ``x{X}_y{Y}`` per position.

    Values are written at full precision: the shortest text that reads back as
    the same number.
    """
    traces = np.asarray(traces)
    frames = first_frame + np.arange(traces.shape[0])
    time_name, time = ("time_s", (frames / fps).tolist()) if fps else ("frame", frames.tolist())
    header = ",".join([time_name] + [f"x{x}_y{y}" for x, y in positions])
    # float32 values become the float64 that holds them exactly; repr is the shortest round trip
    values = traces.tolist() if traces.ndim == 2 else [[]] * len(time)
    lines = [header]
    lines.extend(",".join(map(repr, [t, *row])) for t, row in zip(time, values))
    return "\n".join(lines) + "\n"


def write_files(writers):
    """Write every ``(path, write)`` pair under a temporary name, then rename them all.

    ``write(temporary_path)`` writes one file. If any check or write fails, no
    file is renamed into place and every temporary is removed.
    """
    with contextlib.ExitStack() as stack:
        temporaries = [(stack.enter_context(atomic_path(path)), write) for path, write in writers]
        for temporary, write in temporaries:
            write(temporary)
    return [path for path, _ in writers]


def figure_writer(figure):
    return lambda path: figure.savefig(path, dpi=120, format="png")


# --- positions -----------------------------------------------------------------------------------------------


def _numbers(text, count, option, integer=False):
    parts = text.split(",")
    if len(parts) != count:
        raise UsageError(f"{option} needs {count} comma-separated numbers, got {text!r}")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise UsageError(f"{option} needs {count} comma-separated numbers, got {text!r}") from None
    if not all(np.isfinite(values)):
        raise UsageError(f"{option} needs finite numbers, got {text!r}")
    if integer and not float(values[-1]).is_integer():
        raise UsageError(f"{option}: the last value must be a whole number, got {text!r}")
    return values


def read_positions_file(path):
    """Positions from a CSV with an ``x,y`` header or a JSON list of pairs."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"--positions: no such file {str(path)!r}")
    text = path.read_text()
    if path.suffix.lower() == ".json" or text.lstrip().startswith("["):
        try:
            pairs = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--positions: {str(path)!r} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
        if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)
            for p in pairs
        ):
            raise UsageError(f"--positions: {str(path)!r} must hold a JSON list of [x, y] pairs of numbers")
        return [tuple(p) for p in pairs]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or [h.strip().lower() for h in lines[0].split(",")] != ["x", "y"]:
        raise UsageError(f"--positions: {str(path)!r} must be a CSV whose header is 'x,y' (or a JSON list of pairs)")
    return [tuple(_numbers(line, 2, f"--positions line {i}")) for i, line in enumerate(lines[1:], start=2)]


def collect_positions(args, frame_shape):
    from optimap.trace import positions_from_A_to_B, random_positions

    positions = []
    for text in args.pos or []:
        positions.append(tuple(_numbers(text, 2, "--pos")))
    if args.positions:
        positions.extend(read_positions_file(args.positions))
    if args.random is not None:
        if args.random < 1:
            raise UsageError(f"--random must be at least 1, got {args.random}")
        positions.extend(random_positions(frame_shape, args.random, rng=args.seed))
    for text in args.line or []:
        x0, y0, x1, y1, n = _numbers(text, 5, "--line", integer=True)
        if n < 1:
            raise UsageError(f"--line: N must be at least 1, got {int(n)}")
        positions.extend(positions_from_A_to_B(int(n), (x0, y0), (x1, y1)))
    if not positions:
        raise UsageError("no positions: give --pos X,Y, --positions FILE, --random N or --line X0,Y0,X1,Y1,N")
    return [tuple(int(v) if float(v).is_integer() else v for v in p) for p in positions]


def _pixel_names(positions):
    """Positions as whole pixels (rounded as extract_traces rounds them), for column names."""
    from optimap.trace._positions import round_to_pixels

    xy = round_to_pixels(np.asarray(positions, dtype=float))
    return [(int(x), int(y)) for x, y in xy]


# --- commands --------------------------------------------------------------------------------------------------


def parse_frames(text):
    """``START:STOP`` (either may be empty) into ``(start_frame, frames)``."""
    if text is None:
        return 0, None
    parts = text.split(":")
    if len(parts) != 2:
        raise UsageError(f"--frames must be START:STOP, got {text!r}")
    try:
        start = int(parts[0]) if parts[0] else 0
        stop = int(parts[1]) if parts[1] else None
    except ValueError:
        raise UsageError(f"--frames must be START:STOP with whole numbers, got {text!r}") from None
    if start < 0 or (stop is not None and stop <= start):
        raise UsageError(f"--frames needs 0 <= START < STOP, got {text!r}")
    return start, None if stop is None else stop - start


def open_video(path, start, frames):
    from optimap.video import load_video

    try:
        return load_video(path, start_frame=start, frames=frames, use_mmap=True)
    except ValueError as exc:
        if "memory-map" not in str(exc):
            raise
        return load_video(path, start_frame=start, frames=frames)


def process(traces, detrend=None, normalise=False):
    from optimap.trace import detrend_timeseries, normalize

    traces = np.asarray(traces, dtype=np.float64)
    if detrend:
        traces = detrend_timeseries(traces, kind=detrend)
    if normalise:
        traces = normalize(traces, dtype=np.float64)
    return traces


def plot_positions_and_traces(frame, positions, traces, fps=None, x=None):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from optimap.trace import show_positions_and_traces

    figure, axs = plt.subplots(1, 2, figsize=(11, 4), width_ratios=(1, 2), layout="constrained")
    show_positions_and_traces(frame, positions, traces, fps=fps, x=x, axs=axs, labels=[f"({x}, {y})" for x, y in positions])
    return figure


def command_extract(args):
    from optimap.trace import extract_traces

    if args.size < 0:
        raise UsageError(f"--size must be >= 0, got {args.size}")
    if args.fps is not None and not (np.isfinite(args.fps) and args.fps > 0):
        raise UsageError(f"--fps must be a number > 0, got {args.fps}")
    start, frames = parse_frames(args.frames)
    video = open_video(args.video, start, frames)
    positions = collect_positions(args, tuple(video.shape[1:]))
    traces = extract_traces(video, positions, size=args.size, window=args.window, progress=not args.quiet)
    traces = np.asarray(traces)
    if args.detrend or args.normalize:
        traces = process(traces, args.detrend, args.normalize)
    text = csv_text(traces, _pixel_names(positions), start, args.fps)
    to_stdout = args.output is None or str(args.output) == "-"
    writers = [] if to_stdout else [(args.output, lambda path: Path(path).write_text(text))]
    if args.plot:
        x = None if args.fps else start + np.arange(traces.shape[0])
        figure = plot_positions_and_traces(np.asarray(video[0]), positions, traces, fps=args.fps, x=x)
        writers.append((args.plot, figure_writer(figure)))
    written = write_files(writers)  # all files or none
    if to_stdout:
        sys.stdout.write(text)
    if not args.quiet:
        for path in written:
            print(f"wrote {path}", file=sys.stderr)
    return 0


def demo_positions(mask, pacing_site, n=5, margin=4):
    """``n`` positions on the tissue, from near the pacing site to the far side of the heart."""
    from scipy import ndimage

    tissue = ndimage.binary_erosion(mask, iterations=margin)
    rows, cols = np.nonzero(tissue)
    px, py = pacing_site
    distance = np.hypot(cols - px, rows - py)
    far = int(np.argmax(distance))
    line = [(px + t * (cols[far] - px), py + t * (rows[far] - py)) for t in np.linspace(0, 1, 4 * n)]
    inside = [(int(round(x)), int(round(y))) for x, y in line if tissue[int(round(y)), int(round(x))]]
    picks = np.linspace(0, len(inside) - 1, n).round().astype(int)
    return [inside[i] for i in picks]


def command_demo(args):
    from optimap.datasets import synthetic_recording
    from optimap.datasets._synthetic import action_potentials
    from optimap.trace import extract_traces

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {str(out)!r} exists and is not a folder")
    video, info = synthetic_recording()
    fps = float(info["fps"])
    positions = demo_positions(info["mask"], info["pacing_site"])
    traces = extract_traces(video, positions, size=5)
    # dF/F against the bleaching baseline fitted to diastole, inverted (di-4-ANEPPS dims on
    # depolarisation) and scaled to [0, 1]
    processed = action_potentials(traces)
    figure = plot_positions_and_traces(video[0], positions, processed, fps=fps)
    out.mkdir(parents=True, exist_ok=True)
    recording, table, picture = out / "recording.npy", out / "traces.csv", out / "traces.png"
    text = csv_text(processed, positions, 0, fps)

    def save_recording(path):
        with open(path, "wb") as handle:
            np.save(handle, video)

    write_files([(recording, save_recording), (table, lambda path: Path(path).write_text(text)),
                 (picture, figure_writer(figure))])
    if not args.quiet:
        print(f"wrote {recording}  (synthetic recording: {video.shape[0]} frames of {video.shape[1]}x{video.shape[2]} "
              f"pixels, uint16, {fps:g} fps)")
        print(f"wrote {table}  (detrended, normalised and inverted traces at {len(positions)} positions, time in seconds)")
        print(f"wrote {picture}  (the first frame with the positions beside their traces)")
        print(f"next: {PROG} extract {recording} --pos {positions[0][0]},{positions[0][1]} --fps {fps:g}")
    return 0


def build_parser():
    parser = _Parser(prog=PROG, description="Extract time series from optical-mapping and fluorescence videos.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = commands.add_parser("demo", help="make a synthetic recording and extract, detrend and plot its traces")
    demo.add_argument("--out", default="optimap-demo", help="output folder (default: ./optimap-demo)")
    demo.add_argument("--quiet", action="store_true", help="print nothing on success")
    demo.set_defaults(run=command_demo)

    extract = commands.add_parser("extract", help="extract traces from a video file to CSV")
    extract.add_argument("video", help=".npy, .tif/.tiff, .zarr, .h5/.hdf5 or a folder of TIFF/PNG images")
    where = extract.add_argument_group("positions (at least one; x is the column, y the row)")
    where.add_argument("--pos", action="append", metavar="X,Y", help="a position (repeatable)")
    where.add_argument("--positions", metavar="FILE", help="a CSV with an x,y header, or a JSON list of [x, y] pairs")
    where.add_argument("--random", type=int, metavar="N", help="N distinct random positions")
    where.add_argument("--seed", type=int, metavar="S", help="seed for --random")
    where.add_argument("--line", action="append", metavar="X0,Y0,X1,Y1,N", help="N positions from (X0,Y0) to (X1,Y1)")
    extract.add_argument("--size", type=int, default=5, help="window size in pixels (default 5)")
    extract.add_argument("--window", choices=("rect", "disc", "pixel"), default="rect", help="window (default rect)")
    extract.add_argument("--frames", metavar="START:STOP", help="only frames START to STOP-1")
    extract.add_argument("--fps", type=float, help="frames per second: the first column becomes time_s")
    extract.add_argument("--detrend", choices=DETREND_KINDS, metavar="KIND",
                         help=f"remove a trend: one of {', '.join(DETREND_KINDS)}")
    extract.add_argument("--normalize", action="store_true", help="scale each trace to [0, 1]")
    extract.add_argument("-o", "--output", metavar="FILE.csv", help="CSV file (default: standard output)")
    extract.add_argument("--plot", metavar="FILE.png", help="also save the first frame with positions and traces")
    extract.add_argument("--quiet", action="store_true", help="no progress bar and no messages")
    extract.set_defaults(run=command_extract)
    return parser


def _version():
    from optimap import __version__

    return __version__


def _fail(message, status):
    print(f"{PROG}: error: " + " ".join(str(message).split()), file=sys.stderr)
    return status


def main(argv=None):
    """Run the command line; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return args.run(args)
    except (UsageError, ValueError, TypeError, FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        return _fail(exc, 2)
    except KeyboardInterrupt:
        return _fail("interrupted", 1)
    except Exception as exc:  # noqa: BLE001 - one line, no traceback, for any other failure
        return _fail(exc if isinstance(exc, ImportError) else f"{type(exc).__name__}: {exc}", 1)


if __name__ == "__main__":
    sys.exit(main())
