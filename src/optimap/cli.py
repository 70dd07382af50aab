"""The ``optimap-trace`` command line: ``demo``, ``extract`` and ``kymograph``.

Exit status: 0 on success, 2 for usage and input errors, 1 for other failures
(128 + the signal number when a signal ends the program). Errors print one
line on standard error that names the option the user typed, never a
traceback. Outputs are checked before anything is read (an output that is an
input, or two outputs that are one file, is a usage error) and written all or
none, under temporary names that are removed on any failure, Ctrl-C or a
terminating signal.
"""

import contextlib
import logging
import os
import shlex
import signal
import sys
from pathlib import Path

import numpy as np

from ._cli_inputs import (
    UsageError,
    collect_positions,
    collect_regions,
    frame_selection,
    open_video,
    parse_path,
    video_inputs,
)
from ._cli_outputs import (
    _figure_writer,
    _has_tqdm,
    _traces_writer,
    _write_stdout,
    check_outputs,
    kymograph_figure,
    region_figure,
    trace_figure,
)
from ._cli_parser import PROG, build_parser


class Terminated(BaseException):
    """A terminating signal (SIGTERM, SIGHUP) arrived: unwind, removing temporary files."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def apply_processing(traces, *, dff=False, detrend=None, normalize=False, invert=False):
    """--dff or --detrend, then --normalize, then --invert, each column on its own. Traces a step cannot
    process (too short, infinite values) are a :class:`UsageError` that names its option."""
    traces = np.asarray(traces)
    if dff:
        from optimap.trace import delta_f_over_f

        with _naming("--dff"):
            traces = delta_f_over_f(traces, inverted=invert)
    if detrend:  # imported only when asked for: detrending needs scipy.ndimage, slow to import
        from optimap.trace import detrend_timeseries

        with _naming(f"--detrend {detrend}"):
            traces = detrend_timeseries(np.asarray(traces, dtype=np.float64), kind=detrend)
    if normalize:
        from optimap.trace import normalize as scale

        with _naming("--normalize"):
            traces = scale(traces, dtype=np.float64)
    if invert:
        with _naming("--invert"):
            traces = mirror(traces)
    return traces


@contextlib.contextmanager
def _naming(option):
    """A ValueError from the processing asked for by ``option`` becomes a UsageError that starts with it."""
    try:
        yield
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def value_label(*, dff=False, detrend=None, normalize=False, invert=False):
    """What :func:`apply_processing` makes of the traces, for a plot's value axis.

    >>> value_label(dff=True, normalize=True, invert=True)
    'ΔF/F, normalised, inverted'
    >>> value_label(detrend="line")
    'Intensity, line detrended'
    """
    parts = ["ΔF/F" if dff else "Intensity"]
    if detrend:
        parts.append(f"{detrend} detrended")
    if normalize:
        parts.append("normalised")
    if invert:
        parts.append("inverted")
    return ", ".join(parts)


def processing_options(args):
    """The processing the options ask for, as :func:`apply_processing`'s keywords."""
    return {"dff": args.dff, "detrend": args.detrend, "normalize": args.normalize, "invert": args.invert}


def processing_metadata(args):
    return {
        "detrend": args.detrend or ("dff" if args.dff else "none"),
        "normalized": int(args.normalize),
        "inverted": int(args.invert),
    }


def mirror(traces):
    """Each trace mirrored within its own range: ``min + max - value`` (``1 - value`` when normalised).

    For dyes whose fluorescence falls on depolarisation (di-4-ANEPPS), so that
    action potentials point up. NaN stays NaN; an infinite value is a ValueError.

    >>> mirror([[1.0, np.nan], [3.0, np.nan], [2.0, np.nan]]).tolist()
    [[3.0, nan], [1.0, nan], [2.0, nan]]
    """
    traces = np.asarray(traces, dtype=np.float64)
    infinite = np.isinf(traces)
    if infinite.any():
        row, column = (int(i) for i in np.argwhere(infinite)[0])
        raise ValueError(
            f"trace column {column + 1} holds an infinite value (frame {row}): it has no range to mirror within"
        )
    present = ~np.isnan(traces)
    some = present.any(axis=0)  # an all-NaN trace has no range (inf - inf): it stays NaN, without a warning
    low = np.min(traces, axis=0, initial=np.inf, where=present)
    high = np.max(traces, axis=0, initial=-np.inf, where=present)
    middle = np.where(some, low, 0.0) + np.where(some, high, 0.0)
    return np.where(present, middle - traces, np.nan)


def check_shared_options(args, size):
    """Check the options ``extract`` and ``kymograph`` share, before any file is opened.

    The functions behind them check their parameters too, but only once the video is read, and
    in their own parameters' names; here a mistake costs no read and the message names the option.
    """
    if size < 0:
        raise UsageError(f"--size {size}: must be 0 or more")
    if args.fps is not None and not (np.isfinite(args.fps) and args.fps > 0):
        raise UsageError(f"--fps {args.fps:g}: must be a number > 0")
    if args.dff and args.detrend:
        raise UsageError("--dff and --detrend both remove the bleaching: give one of them")
    frame_selection(args)


def command_extract(args):
    from optimap.trace import extract_traces
    from optimap.trace._export import column_names

    with_positions = bool(args.pos or args.positions or args.random is not None or args.line)
    if args.regions and with_positions:
        raise UsageError(
            "give regions (--roi, --labels, --mask) or positions (--pos, --positions, --random, --line), "
            "not both: a run extracts one kind"
        )
    if args.regions:
        for option, value in (("--size", args.size), ("--window", args.window)):
            if value is not None:
                raise UsageError(
                    f"{option} sets the window around positions; --roi, --labels and --mask give whole "
                    f"regions, averaged as they are"
                )
    size = 5 if args.size is None else args.size
    window = "rect" if args.window is None else args.window
    if args.seed is not None and args.random is None:
        raise UsageError("--seed only applies to --random N")
    check_shared_options(args, size)
    inputs = [(f"the video {path}", path) for path in video_inputs(args.video)]
    inputs += [(f"--positions {path}", path) for path in args.positions or []]
    inputs += [(f"{option} {path}", path) for option, path in args.regions or []]
    check_outputs(args, inputs)
    if any(option == "--roi" for option, _ in args.regions or []):
        from optimap._optional import import_optional

        import_optional("roifile", "roi", "read ImageJ ROIs")  # missing: say so before reading the video
    video, start, step = open_video(args)
    frame_shape = tuple(int(n) for n in video.shape[1:])
    progress = not args.quiet and _has_tqdm()
    positions = region_set = None
    if args.regions:
        from optimap.trace import extract_region_traces

        region_set = collect_regions(args, frame_shape)
        traces = extract_region_traces(video, region_set, progress=progress)
        names = region_set.names
        metadata = {"regions": " ".join(f"{option} {path}" for option, path in args.regions)}
    else:
        positions = collect_positions(args, frame_shape)
        traces = extract_traces(video, positions, size=size, window=window, progress=progress)
        names = column_names(positions)
        metadata = {"window": window, "size": size}
    traces = apply_processing(traces, **processing_options(args))
    frames = start + step * np.arange(traces.shape[0])
    metadata.update({"source": " ".join(str(v) for v in args.video), **processing_metadata(args)})

    def figure():
        label = value_label(**processing_options(args))
        if region_set is not None:
            return region_figure(np.asarray(video[0]), region_set, traces, names, args.fps, frames, label)
        return trace_figure(np.asarray(video[0]), positions, traces, names, args.fps, frames, label)

    return _write_results(args, traces, positions, names, frames, metadata, figure)


def command_kymograph(args):
    from optimap.trace import extract_kymograph
    from optimap.trace._export import column_names
    from optimap.trace._kymograph import check_path

    vertices = parse_path(args.path)
    if not (np.isfinite(args.spacing) and args.spacing > 0):
        raise UsageError(f"--spacing {args.spacing:g}: must be a number > 0")
    check_shared_options(args, args.size)
    inputs = [(f"the video {path}", path) for path in video_inputs(args.video)]
    check_outputs(args, inputs)
    video, start, step = open_video(args)
    check_path(vertices, tuple(int(n) for n in video.shape[1:]), name=f"--path {args.path}")
    kymograph, positions = extract_kymograph(
        video,
        vertices,
        size=args.size,
        window=args.window,
        spacing=args.spacing,
        progress=not args.quiet and _has_tqdm(),
    )
    kymograph = apply_processing(kymograph, **processing_options(args))
    positions = [tuple(p) for p in positions.tolist()]
    names = column_names(positions)
    frames = start + step * np.arange(kymograph.shape[0])
    metadata = {
        "path": args.path,
        "spacing": args.spacing,
        "window": args.window,
        "size": args.size,
        "source": " ".join(str(v) for v in args.video),
        **processing_metadata(args),
    }

    def figure():
        return kymograph_figure(
            np.asarray(video[0]), vertices, positions, kymograph, args.fps, args.spacing, start, step
        )

    return _write_results(args, kymograph, positions, names, frames, metadata, figure)


def _write_results(args, traces, positions, names, frames, metadata, figure):
    """Write -o and --plot (``figure()`` draws the plot), all files or none; CSV to standard output without -o.

    What ``extract`` and ``kymograph`` do once their traces are computed; returns the exit status 0.
    """
    from optimap._files import write_outputs

    options = {}  # the outputs, by the option that named them
    if args.output not in (None, "-"):
        options["-o"] = (args.output, _traces_writer(traces, positions, names, args.fps, frames, metadata))
    if args.plot:
        options["--plot"] = (args.plot, _figure_writer(figure(), args.plot))
    try:
        written = write_outputs(list(options.values()))  # all files or none
    except OSError as exc:  # an output refused (a full disk, no permission): its filename is the path typed
        option = next((option for option, (path, _) in options.items() if str(path) == exc.filename), None)
        if option is None:
            raise
        raise WriteFailure(f"{option} {exc.filename}: cannot be written: {exc.strerror}") from None
    if args.output in (None, "-"):
        _write_stdout(traces, positions, names, args.fps, frames)
    if not args.quiet:
        for path in written:
            print(f"wrote {path}", file=sys.stderr)
    return 0


class WriteFailure(Exception):
    """An output that could not be written (no permission, a full disk): exit status 1."""


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
    from optimap._files import check_output_path, write_outputs
    from optimap.datasets import synthetic_recording
    from optimap.trace import extract_traces, save_traces

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    video, info = synthetic_recording()
    fps = float(info["fps"])
    positions = demo_positions(info["mask"], info["pacing_site"])
    traces = extract_traces(video, positions, size=5)
    # what --dff --normalize --invert do: dF/F against the bleaching baseline fitted to diastole,
    # scaled to [0, 1] and inverted (di-4-ANEPPS dims on depolarisation)
    processing = {"dff": True, "normalize": True, "invert": True}
    processed = apply_processing(traces, **processing)
    names = [f"({x}, {y})" for x, y in positions]
    figure = trace_figure(video[0], positions, processed, names, fps=fps, ylabel=value_label(**processing))
    out.mkdir(parents=True, exist_ok=True)
    recording, table, picture = out / "recording.npy", out / "traces.csv", out / "traces.png"
    for path in (recording, table, picture):
        check_output_path(path, "--out")

    def save_recording(path):
        with open(path, "wb") as handle:
            np.save(handle, video)

    write_outputs(
        [
            (recording, save_recording),
            (table, lambda path: save_traces(path, processed, positions, fps=fps)),
            (picture, _figure_writer(figure, picture)),
        ]
    )
    if not args.quiet:
        print(
            f"wrote {recording}  (synthetic recording: {video.shape[0]} frames of {video.shape[1]}x{video.shape[2]} "
            f"pixels, uint16, {fps:g} fps)"
        )
        print(
            f"wrote {table}  (ΔF/F against the bleaching baseline, inverted and normalised, at {len(positions)} positions; time in seconds)"
        )
        print(f"wrote {picture}  (the first frame with the positions beside their traces)")
        x, y = positions[0]
        typed = [shlex.quote(str(path)) for path in (recording, out / "my-traces.csv", out / "my-traces.png")]
        print(
            f"next: {PROG} extract {typed[0]} --pos {x},{y} --fps {fps:g} --dff --normalize --invert "
            f"-o {typed[1]} --plot {typed[2]}"
        )  # (quoted for the shell: a folder name may hold spaces)
    return 0


# --- running -----------------------------------------------------------------------------------------------------


def _fail(message, status):
    with contextlib.suppress(Exception):
        print(f"{PROG}: error: " + " ".join(str(message).split()), file=sys.stderr)
    return status


def _raise_terminated(signum, frame):
    raise Terminated(signum)


@contextlib.contextmanager
def _signals_unwind():
    """Turn SIGTERM and SIGHUP into an exception, so that temporary files are removed on the way out."""
    handled = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    try:
        previous = {signum: signal.signal(signum, _raise_terminated) for signum in handled}
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _quiet_stdout():
    """After a broken pipe, point standard output at /dev/null so that Python's exit flush stays silent."""
    with contextlib.suppress(Exception):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main(argv=None):
    """Run the command line; returns the exit status."""
    # Libraries that log (tifffile on a damaged file) must not print before our one-line error.
    logging.getLogger().addHandler(logging.NullHandler())
    parser = build_parser({"demo": command_demo, "extract": command_extract, "kymograph": command_kymograph})
    try:
        with _signals_unwind():
            args = parser.parse_args(argv)
            if args.command is None:
                parser.print_help()
                return 0
            return args.run(args)
    except (UsageError, ValueError, TypeError, FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        return _fail(exc, 2)
    except WriteFailure as exc:
        return _fail(exc, 1)
    except BrokenPipeError:
        _quiet_stdout()
        return _fail("standard output was closed before all traces were written", 1)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Terminated as exc:
        return _fail(f"terminated by {signal.Signals(exc.signum).name}", 128 + exc.signum)
    except Exception as exc:
        return _fail(exc if isinstance(exc, ImportError) else f"{type(exc).__name__}: {exc}", 1)


if __name__ == "__main__":
    sys.exit(main())
