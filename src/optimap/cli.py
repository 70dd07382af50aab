"""The ``optimap-trace`` command line: ``demo``, ``extract`` and ``kymograph``.

Exit status: 0 on success, 2 for usage and input errors, 1 for other failures
(128 + the signal number when a signal ends the program). Errors print one
line on standard error that names the option the user typed, never a
traceback. Outputs are checked before anything is read (an output that is an
input, or two outputs that are one file, is a usage error) and written all or
none, under temporary names that are removed on any failure, Ctrl-C or a
terminating signal.
"""

import argparse
import contextlib
import glob
import importlib.util
import json
import logging
import os
import signal
import sys
from pathlib import Path

import numpy as np

from optimap._validate import plain

PROG = "optimap-trace"
DETREND_KINDS = ("mean", "median", "line", "spline")
TRACE_FORMATS = (".csv", ".npy", ".mat", ".h5", ".hdf5")
# Above this many positions, a plot shows a colour bar instead of a legend.
LEGEND_MAX = 10


class UsageError(Exception):
    """Bad input from the user: exit status 2."""


class Terminated(BaseException):
    """A terminating signal (SIGTERM, SIGHUP) arrived: unwind, removing temporary files."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)  # --no is not --normalize
        super().__init__(*args, **kwargs)

    def error(self, message):
        raise UsageError(message)


# --- numbers and positions from the command line -----------------------------------------------------------


def _numbers(text, count, option, integer_last=False):
    """``count`` comma-separated finite numbers from the text of ``option``."""
    parts = text.split(",")
    try:
        values = [float(part) for part in parts]
    except ValueError:
        values = None
    if values is None or len(values) != count:
        raise UsageError(f"{option} {text}: needs {count} comma-separated numbers")
    if not all(np.isfinite(values)):
        raise UsageError(f"{option} {text}: needs finite numbers")
    if integer_last and not values[-1].is_integer():
        raise UsageError(f"{option} {text}: the last value must be a whole number")
    return values


def _decode(raw):
    """Text of a positions file: UTF-8 with or without the BOM Excel writes, else Latin-1."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _read_json_positions(text, where):
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{where}: not valid JSON ({exc.msg} at line {exc.lineno})") from None

    def number(value):
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    positions = []
    for i, item in enumerate(items if isinstance(items, list) else [None]):
        if isinstance(item, dict) and number(item.get("x")) and number(item.get("y")):
            positions.append((item["x"], item["y"]))
        elif isinstance(item, list) and len(item) == 2 and all(number(v) for v in item):
            positions.append(tuple(item))
        else:
            raise UsageError(f"{where}: must hold a JSON list of [x, y] pairs or {{\"x\": ..., \"y\": ...}} objects "
                             f"(entry {i} is {json.dumps(item)[:40]})")
    return positions


def _split(line, delimiter):
    import csv

    return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))]


def _read_csv_positions(text, where):
    """Positions from a table with ``x`` and ``y`` columns, as Excel, pandas or a script write it.

    The separator is a comma, a semicolon or a tab (whichever gives ``x`` and
    ``y`` header cells); other columns (an index, names, ...) are ignored; with
    semicolons a decimal comma is read as a decimal point.
    """
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise UsageError(f"{where}: the file is empty")
    header_number, header = lines[0]
    for delimiter in (",", ";", "\t"):
        names = [name.lower() for name in _split(header, delimiter)]
        if "x" in names and "y" in names:
            break
    else:
        raise UsageError(f"{where}: needs a header with an 'x' and a 'y' column (or a JSON list of [x, y] pairs), "
                         f"got {header.strip()[:60]!r}")
    x_column, y_column = names.index("x"), names.index("y")
    positions = []
    for number, line in lines[1:]:
        cells = _split(line, delimiter)
        try:
            pair = [cells[x_column], cells[y_column]]
            if delimiter == ";":
                pair = [cell.replace(",", ".") for cell in pair]
            x, y = float(pair[0]), float(pair[1])
        except (IndexError, ValueError):
            raise UsageError(f"{where} line {number}: needs numbers in the x and y columns, got {line.strip()[:60]!r}") from None
        if not (np.isfinite(x) and np.isfinite(y)):
            raise UsageError(f"{where} line {number}: needs finite numbers, got {line.strip()[:60]!r}")
        positions.append((x, y))
    return positions


def read_positions_file(path):
    """Positions ``(x, y)`` from a CSV with ``x`` and ``y`` columns or a JSON list, for ``--positions``."""
    where = f"--positions {path}"
    if not os.path.isfile(path):
        raise UsageError(f"{where}: no such file")
    text = _decode(Path(path).read_bytes())
    if Path(path).suffix.lower() == ".json" or text.lstrip().startswith(("[", "{")):
        return _read_json_positions(text, where)
    return _read_csv_positions(text, where)


def collect_positions(args, frame_shape):
    """Every position the options give, in order, each with the option text that gave it."""
    from optimap.trace import positions_from_A_to_B, random_positions

    found = []  # ((x, y), what the user typed)
    for text in args.pos or []:
        found.append((tuple(_numbers(text, 2, "--pos")), f"--pos {text}"))
    for path in args.positions or []:
        found.extend((position, f"--positions {path}") for position in read_positions_file(path))
    if args.random is not None:
        if args.random < 1:
            raise UsageError(f"--random {args.random}: needs at least 1 position")
        height, width = frame_shape
        if args.random > height * width:
            raise UsageError(f"--random {args.random}: the frame has only {height * width} pixels")
        found.extend((p, "--random") for p in random_positions(frame_shape, args.random, rng=args.seed))
    for text in args.line or []:
        x0, y0, x1, y1, n = _numbers(text, 5, "--line", integer_last=True)
        if n < 1:
            raise UsageError(f"--line {text}: N must be at least 1")
        for end in ((x0, y0), (x1, y1)):
            _check_inside(end, frame_shape, f"--line {text}")
        found.extend((p, f"--line {text}") for p in positions_from_A_to_B(int(n), (x0, y0), (x1, y1)))
    if not found:
        raise UsageError("no positions: give --pos X,Y, --positions FILE, --random N or --line X0,Y0,X1,Y1,N, "
                         "or regions: --roi FILE, --labels FILE or --mask FILE")
    for position, option in found:
        _check_inside(position, frame_shape, option)
    return [tuple(plain(v) for v in p) for p, _ in found]


def _check_inside(position, frame_shape, option):
    """The check extract_traces makes (rounding included), with the message naming ``option``."""
    from optimap.trace._positions import positions_to_pixels

    try:
        positions_to_pixels([position], frame_shape, name=option)
    except ValueError as exc:
        raise UsageError(exc) from None


# --- regions from the command line ------------------------------------------------------------------------------


class _AppendRegion(argparse.Action):
    """--roi, --labels and --mask append ``(option, path)`` to one list, in the order typed."""

    def __call__(self, parser, namespace, values, option_string=None):
        found = list(getattr(namespace, self.dest) or [])
        found.append((option_string, values))
        setattr(namespace, self.dest, found)


IMAGE_FORMATS = (".npy", ".tif", ".tiff", ".png")


def read_image_file(path, option):
    """A label image or mask from ``.npy``, TIFF or PNG, for ``--labels`` and ``--mask``."""
    from optimap._optional import import_optional

    where = f"{option} {path}"
    if not os.path.isfile(path):
        raise UsageError(f"{where}: no such file")
    suffix = Path(path).suffix.lower()
    try:
        if suffix == ".npy":
            array = np.load(path, allow_pickle=False)
        elif suffix in (".tif", ".tiff"):
            array = import_optional("tifffile", "tiff", f"read {option} TIFF images").imread(path)
        elif suffix == ".png":
            image = import_optional("PIL.Image", "png", f"read {option} PNG images")
            with image.open(path) as picture:
                array = _png_array(picture)
        else:
            raise UsageError(f"{where}: unknown format {suffix or '(no extension)'}; give a file ending in "
                             f"{', '.join(IMAGE_FORMATS)}")
    except (UsageError, ImportError):
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged file: one line naming the option
        raise UsageError(f"{where}: cannot be read ({type(exc).__name__}: {exc})") from None
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise UsageError(f"{where}: holds {array.dtype} values, not numbers")
    return array


def _png_array(picture):
    """Grey values of a PNG; a colour PNG as 1 where it is not black (and not transparent), else 0."""
    mode = picture.mode
    if mode in ("L", "I", "I;16", "1", "P"):
        return np.asarray(picture.convert("L") if mode in ("1", "P") else picture)
    data = np.asarray(picture.convert("RGBA"))
    return ((data[..., :3] != 0).any(axis=-1) & (data[..., 3] != 0)).astype(np.uint8)


def _as_labels(array, where):
    """A label image from a file: integers, or floats that are whole numbers (as Fiji saves 32-bit labels)."""
    if array.ndim != 2:
        raise UsageError(f"{where}: a label image must be 2-D (rows, columns), got shape {array.shape}")
    if array.dtype == bool:
        return array.astype(np.uint8)
    if array.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(array) | (array != np.round(array)) | (array < 0)
        if bad.any():
            raise UsageError(f"{where}: a label image must hold whole numbers >= 0 (0 is background), got "
                             f"{array.dtype} values such as {array[bad][0].item()!r}")
        return array.astype(np.int64)
    return array


def collect_regions(args, frame_shape):
    """Every region the options give, in the order typed, as one region set with its column names."""
    from optimap.trace._regions import build_regions, merge_regions

    parts = []
    for option, path in args.regions:
        where = f"{option} {path}"
        if option == "--roi":
            parts.append(build_regions(path, frame_shape, where))
            continue
        array = read_image_file(path, option)
        stem = Path(path).stem
        if option == "--labels":
            parts.append(build_regions(_as_labels(array, where), frame_shape, where))
            continue
        if array.ndim not in (2, 3):
            raise UsageError(f"{where}: a mask must be 2-D (rows, columns) or a stack (N, rows, columns), got shape "
                             f"{array.shape}")
        part = build_regions(array != 0, frame_shape, where)
        part.names = [stem] if array.ndim == 2 else [f"{stem}_{i}" for i in range(part.n_regions)]
        parts.append(part)
    return merge_regions(parts)


# --- the video -------------------------------------------------------------------------------------------------


def frame_selection(args):
    """``(start_frame, frames, step)`` for ``load_video`` from ``--start``, ``--frames`` and ``--step``."""
    if args.step < 1:
        raise UsageError(f"--step {args.step}: must be at least 1")
    if args.start is not None and args.frames is not None:
        raise UsageError("--start and --frames both choose the first frame: give one of them")
    if args.start is not None:
        if args.start < 0:
            raise UsageError(f"--start {args.start}: must be 0 or more")
        return args.start, None, args.step
    if args.frames is None:
        return 0, None, args.step
    parts = args.frames.split(":")
    try:
        if len(parts) != 2:
            raise ValueError
        start = int(parts[0]) if parts[0] else 0
        stop = int(parts[1]) if parts[1] else None
    except ValueError:
        raise UsageError(f"--frames {args.frames}: must be START:STOP with whole numbers (either may be empty)") from None
    if start < 0 or (stop is not None and stop <= start):
        raise UsageError(f"--frames {args.frames}: needs 0 <= START < STOP")
    count = None if stop is None else -(-(stop - start) // args.step)
    return start, count, args.step


def video_inputs(videos):
    """The files (or folders) the video arguments name, globs expanded, for the output checks."""
    paths = []
    for text in videos:
        matches = glob.glob(text) if glob.has_magic(text) and not os.path.exists(text) else [text]
        paths.extend(matches)
    return paths


def video_source(videos):
    """What ``load_video`` gets: one path, or several files in natural name order."""
    if len(videos) == 1:
        return videos[0]
    from optimap.video._common import natural_key

    return sorted(videos, key=lambda path: natural_key(os.path.basename(path)))


def open_video(args):
    """The video the arguments name, memory-mapped where the format allows, and its first frame and step."""
    from optimap.video import NotMappableError, OptionError, load_video

    start, frames, step = frame_selection(args)
    source = video_source(args.video)
    options = {"start_frame": start, "frames": frames, "step": step}
    for name in ("dataset", "channel"):
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)
    try:
        try:
            return load_video(source, use_mmap=True, **options), start, step
        except NotMappableError:  # compressed, scattered or separate images: read the frames asked for
            return load_video(source, **options), start, step
    except OptionError as exc:  # say it with the option the user typed
        flag, value = {"start_frame": ("--frames", args.frames) if args.frames is not None else ("--start", args.start),
                       "dataset": ("--dataset", args.dataset), "channel": ("--channel", args.channel)}[exc.option]
        raise UsageError(exc.render(flag if value is None else f"{flag} {value}", flag, f"{flag} ")) from None


# --- processing ------------------------------------------------------------------------------------------------


def process(traces, detrend=None, normalise=False):
    from optimap.trace import detrend_timeseries, normalize

    traces = np.asarray(traces, dtype=np.float64)
    if detrend:
        traces = detrend_timeseries(traces, kind=detrend)
    if normalise:
        traces = normalize(traces, dtype=np.float64)
    return traces


def apply_processing(traces, args):
    """--dff or --detrend, then --normalize, then --invert, each column on its own."""
    traces = np.asarray(traces)
    if args.dff:
        from optimap.trace import delta_f_over_f

        traces = delta_f_over_f(traces, inverted=args.invert)
    if args.detrend or args.normalize:
        traces = process(traces, args.detrend, args.normalize)
    if args.invert:
        traces = invert(traces)
    return traces


def processing_metadata(args):
    return {"detrend": args.detrend or ("dff" if args.dff else "none"), "normalized": int(args.normalize),
            "inverted": int(args.invert)}


def invert(traces):
    """Each trace mirrored within its own range: ``min + max - value`` (``1 - value`` when normalised).

    For dyes whose fluorescence falls on depolarisation (di-4-ANEPPS), so that
    action potentials point up. NaN stays NaN.
    """
    traces = np.asarray(traces, dtype=np.float64)
    present = ~np.isnan(traces)
    low = np.min(np.where(present, traces, np.inf), axis=0)
    high = np.max(np.where(present, traces, -np.inf), axis=0)
    return np.where(present, (low + high) - traces, np.nan)


# --- outputs ---------------------------------------------------------------------------------------------------


def _format(path, special=".csv"):
    """The extension of ``path``; ``special`` for a FIFO or device without one (e.g. /dev/null)."""
    suffix = Path(path).suffix.lower()
    if not suffix and os.path.exists(path) and not os.path.isfile(path):
        return special
    return suffix


def _plot_formats():
    from matplotlib.backend_bases import FigureCanvasBase

    return sorted(FigureCanvasBase.get_supported_filetypes())


def check_outputs(args, inputs):
    """Check every output option before anything is read; returns ``[(option text, path)]``."""
    from optimap._files import check_output_path, check_outputs

    outputs = []
    if args.output in (None, "-") and sys.stdout is None:
        raise UsageError("standard output is closed: give an output file with -o FILE")
    if args.output is not None and args.output != "-":
        outputs.append((f"-o {args.output}", args.output))
    if args.plot is not None:
        outputs.append((f"--plot {args.plot}", args.plot))
    for what, path in outputs:
        try:
            check_output_path(path, what.split(" ")[0])
        except ValueError as exc:
            raise UsageError(exc) from None
    try:
        check_outputs(outputs, inputs)
    except ValueError as exc:
        raise UsageError(exc) from None
    if args.output is not None and args.output != "-" and _format(args.output) not in TRACE_FORMATS:
        raise UsageError(f"-o {args.output}: unknown format {_format(args.output) or '(no extension)'}; "
                         f"give a file ending in {', '.join(TRACE_FORMATS)}, or - for CSV on standard output")
    if args.output is not None and _format(args.output) in (".h5", ".hdf5"):
        from optimap._optional import import_optional

        import_optional("h5py", "hdf5", "save traces as HDF5")  # missing: say so before reading the video
    if args.plot is not None and _format(args.plot, ".png").lstrip(".") not in _plot_formats():
        raise UsageError(f"--plot {args.plot}: unknown picture format {_format(args.plot) or '(no extension)'}; "
                         f"give a file ending in .png, .pdf, .svg or .jpg")
    return outputs


def trace_figure(frame, positions, traces, names, fps=None, x=None):
    """The frame with the positions beside their traces, each position in its trace's colour.

    Up to ``LEGEND_MAX`` positions take the colour cycle and a legend; more take
    colours along a colour map, numbered in CSV column order by a colour bar.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from optimap.trace import show_positions_and_traces

    n = len(positions)
    figure, axs = plt.subplots(1, 2, figsize=(11, 4), width_ratios=(1, 2), layout="constrained")
    if n <= LEGEND_MAX:
        show_positions_and_traces(frame, positions, traces=traces, fps=fps, x=x, axs=axs, labels=names)
        axs[1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")  # beside, not over, the traces
        return figure
    cmap = plt.get_cmap("turbo")
    colors = [cmap(value) for value in np.linspace(0.05, 0.95, n)]
    width = max(0.2, min(1.0, 30 / n))
    show_positions_and_traces(frame, positions, traces=traces, fps=fps, x=x, axs=axs, colors=colors, linewidth=width)
    mappable = matplotlib.cm.ScalarMappable(norm=matplotlib.colors.Normalize(0.5, n + 0.5), cmap=cmap)
    bar = figure.colorbar(mappable, ax=axs[1], fraction=0.05)
    bar.set_label(f"position (column of the traces, 1-{n})")
    return figure


def _colors_and_legend(n):
    """Colours of ``n`` traces: the colour cycle (with a legend) up to LEGEND_MAX, else along a colour map."""
    import matplotlib.pyplot as plt

    if n <= LEGEND_MAX:
        return None, True
    cmap = plt.get_cmap("turbo")
    return [cmap(value) for value in np.linspace(0.05, 0.95, n)], False


def region_figure(frame, region_set, traces, names, fps=None, x=None):
    """The frame with the regions outlined beside their traces, each region in its trace's colour."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from optimap.trace import show_regions, show_traces

    n = region_set.n_regions
    colors, legend = _colors_and_legend(n)
    figure, axs = plt.subplots(1, 2, figsize=(11, 4), width_ratios=(1, 2), layout="constrained")
    show_regions(region_set, frame, ax=axs[0], colors=colors)
    width = 1.5 if legend else max(0.2, min(1.0, 30 / n))
    show_traces(traces, x=x, fps=fps, colors=colors, labels=names if legend else None, ax=axs[1], linewidth=width)
    if legend:
        axs[1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    else:
        mappable = matplotlib.cm.ScalarMappable(norm=matplotlib.colors.Normalize(0.5, n + 0.5), cmap="turbo")
        figure.colorbar(mappable, ax=axs[1], fraction=0.05).set_label(f"region (column of the traces, 1-{n})")
    return figure


def kymograph_figure(frame, vertices, positions, kymograph, fps=None, spacing=1.0):
    """The frame with the path (and its start marked) beside the kymograph."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from optimap.trace import show_kymograph

    figure, axs = plt.subplots(1, 2, figsize=(11, 4), width_ratios=(1, 2), layout="constrained")
    axs[0].imshow(frame, cmap="gray", interpolation="none")
    axs[0].axis("off")
    path = np.asarray(vertices, dtype=float)
    axs[0].plot(path[:, 0], path[:, 1], color="C1", linewidth=1.5)
    axs[0].plot(*path[0], marker="o", color="C1", markersize=5)  # distance 0
    show_kymograph(kymograph, fps=fps, spacing=spacing, ax=axs[1])
    return figure


def _figure_writer(figure, path):
    fmt = _format(path, ".png").lstrip(".")
    return lambda temporary: figure.savefig(temporary, dpi=120, format=fmt)


def _traces_writer(traces, positions, names, fps, frames, metadata):
    from optimap.trace import save_traces

    return lambda temporary: save_traces(temporary, traces, positions, fps=fps, frames=frames, names=names,
                                         metadata=metadata)


def _write_stdout(traces, positions, names, fps, frames):
    from optimap.trace import save_traces

    save_traces(sys.stdout.buffer, traces, positions, fps=fps, frames=frames, names=names)
    sys.stdout.flush()


def _has_tqdm():
    return importlib.util.find_spec("tqdm") is not None


# --- commands --------------------------------------------------------------------------------------------------


def command_extract(args):
    from optimap._files import write_outputs
    from optimap.trace import extract_traces
    from optimap.trace._export import column_names

    with_positions = bool(args.pos or args.positions or args.random is not None or args.line)
    if args.regions and with_positions:
        raise UsageError("give regions (--roi, --labels, --mask) or positions (--pos, --positions, --random, --line), "
                         "not both: a run extracts one kind")
    if args.regions:
        for option, value in (("--size", args.size), ("--window", args.window)):
            if value is not None:
                raise UsageError(f"{option} sets the window around positions; --roi, --labels and --mask give whole "
                                 f"regions, averaged as they are")
    size = 5 if args.size is None else args.size
    window = "rect" if args.window is None else args.window
    if size < 0:
        raise UsageError(f"--size {size}: must be 0 or more")
    if args.fps is not None and not (np.isfinite(args.fps) and args.fps > 0):
        raise UsageError(f"--fps {args.fps:g}: must be a number > 0")
    if args.seed is not None and args.random is None:
        raise UsageError("--seed only applies to --random N")
    if args.dff and args.detrend:
        raise UsageError("--dff and --detrend both remove the bleaching: give one of them")
    frame_selection(args)  # checks the frame options before any file is opened
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
        from optimap.trace._extract import extract_footprint

        region_set = collect_regions(args, frame_shape)
        traces = extract_footprint(video, region_set.footprint(), progress=progress)
        names = region_set.names
        metadata = {"regions": " ".join(f"{option} {path}" for option, path in args.regions)}
    else:
        positions = collect_positions(args, frame_shape)
        traces = extract_traces(video, positions, size=size, window=window, progress=progress)
        names = column_names(positions)
        metadata = {"window": window, "size": size}
    traces = apply_processing(traces, args)
    frames = start + step * np.arange(traces.shape[0])
    metadata.update({"source": " ".join(str(v) for v in args.video), **processing_metadata(args)})
    writers = []
    if args.output not in (None, "-"):
        writers.append((args.output, _traces_writer(traces, positions, names, args.fps, frames, metadata)))
    if args.plot:
        x = None if args.fps else frames
        if region_set is not None:
            figure = region_figure(np.asarray(video[0]), region_set, traces, names, fps=args.fps, x=x)
        else:
            figure = trace_figure(np.asarray(video[0]), positions, traces, names, fps=args.fps, x=x)
        writers.append((args.plot, _figure_writer(figure, args.plot)))
    written = write_outputs(writers)  # all files or none
    if args.output in (None, "-"):
        _write_stdout(traces, positions, names, args.fps, frames)
    if not args.quiet:
        for path in written:
            print(f"wrote {path}", file=sys.stderr)
    return 0


def parse_path(text):
    """The vertices of ``--path X0,Y0,X1,Y1,...``."""
    parts = text.split(",")
    try:
        values = [float(part) for part in parts]
    except ValueError:
        values = None
    if values is None or len(values) < 4 or len(values) % 2:
        raise UsageError(f"--path {text}: needs x,y of at least 2 vertices: an even number of comma-separated "
                         f"numbers X0,Y0,X1,Y1,...")
    if not all(np.isfinite(values)):
        raise UsageError(f"--path {text}: needs finite numbers")
    return [(values[i], values[i + 1]) for i in range(0, len(values), 2)]


def command_kymograph(args):
    from optimap._files import write_outputs
    from optimap.trace import extract_kymograph
    from optimap.trace._export import column_names
    from optimap.trace._kymograph import check_path

    vertices = parse_path(args.path)
    if args.size < 0:
        raise UsageError(f"--size {args.size}: must be 0 or more")
    if not (np.isfinite(args.spacing) and args.spacing > 0):
        raise UsageError(f"--spacing {args.spacing:g}: must be a number > 0")
    if args.fps is not None and not (np.isfinite(args.fps) and args.fps > 0):
        raise UsageError(f"--fps {args.fps:g}: must be a number > 0")
    if args.dff and args.detrend:
        raise UsageError("--dff and --detrend both remove the bleaching: give one of them")
    frame_selection(args)
    inputs = [(f"the video {path}", path) for path in video_inputs(args.video)]
    check_outputs(args, inputs)
    video, start, step = open_video(args)
    check_path(vertices, tuple(int(n) for n in video.shape[1:]), name=f"--path {args.path}")
    kymograph, positions = extract_kymograph(video, vertices, size=args.size, window=args.window,
                                             spacing=args.spacing, progress=not args.quiet and _has_tqdm())
    kymograph = apply_processing(kymograph, args)
    positions = [tuple(p) for p in positions.tolist()]
    names = column_names(positions)
    frames = start + step * np.arange(kymograph.shape[0])
    metadata = {"path": args.path, "spacing": args.spacing, "window": args.window, "size": args.size,
                "source": " ".join(str(v) for v in args.video), **processing_metadata(args)}
    writers = []
    if args.output not in (None, "-"):
        writers.append((args.output, _traces_writer(kymograph, positions, names, args.fps, frames, metadata)))
    if args.plot:
        figure = kymograph_figure(np.asarray(video[0]), vertices, positions, kymograph, fps=args.fps,
                                  spacing=args.spacing)
        writers.append((args.plot, _figure_writer(figure, args.plot)))
    written = write_outputs(writers)
    if args.output in (None, "-"):
        _write_stdout(kymograph, positions, names, args.fps, frames)
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
    from optimap._files import check_output_path, write_outputs
    from optimap.datasets import synthetic_recording
    from optimap.datasets._synthetic import action_potentials
    from optimap.trace import extract_traces, save_traces

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    video, info = synthetic_recording()
    fps = float(info["fps"])
    positions = demo_positions(info["mask"], info["pacing_site"])
    traces = extract_traces(video, positions, size=5)
    # dF/F against the bleaching baseline fitted to diastole, inverted (di-4-ANEPPS dims on
    # depolarisation) and scaled to [0, 1]
    processed = action_potentials(traces)
    figure = trace_figure(video[0], positions, processed, [f"({x}, {y})" for x, y in positions], fps=fps)
    out.mkdir(parents=True, exist_ok=True)
    recording, table, picture = out / "recording.npy", out / "traces.csv", out / "traces.png"
    for path in (recording, table, picture):
        check_output_path(path, "--out")

    def save_recording(path):
        with open(path, "wb") as handle:
            np.save(handle, video)

    write_outputs([(recording, save_recording),
                   (table, lambda path: save_traces(path, processed, positions, fps=fps)),
                   (picture, _figure_writer(figure, picture))])
    if not args.quiet:
        print(f"wrote {recording}  (synthetic recording: {video.shape[0]} frames of {video.shape[1]}x{video.shape[2]} "
              f"pixels, uint16, {fps:g} fps)")
        print(f"wrote {table}  (ΔF/F against the bleaching baseline, inverted and normalised, at {len(positions)} positions; time in seconds)")
        print(f"wrote {picture}  (the first frame with the positions beside their traces)")
        x, y = positions[0]
        print(f"next: {PROG} extract {recording} --pos {x},{y} --fps {fps:g} --dff --normalize --invert "
              f"-o {out / 'my-traces.csv'} --plot {out / 'my-traces.png'}")
    return 0


# --- the parser ------------------------------------------------------------------------------------------------


def build_parser():
    parser = _Parser(prog=PROG, description="Extract time series from optical-mapping and fluorescence videos.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    demo = commands.add_parser("demo", help="make a synthetic recording, extract its action potentials and plot them",
                               description="Simulate a paced heart, save the recording and its traces and a picture.")
    demo.add_argument("--out", default="optimap-demo", help="output folder (default: ./optimap-demo)")
    demo.add_argument("--quiet", action="store_true", help="print nothing on success")
    demo.set_defaults(run=command_demo)

    extract = commands.add_parser(
        "extract", help="extract traces from a video file",
        description="Extract the mean of a window around each position, frame by frame, and save the traces.",
        epilog="x is the column and y the row of a pixel, counted from 0 at the top left, as an image viewer shows "
               "them. Processing runs in the order: extract, --detrend or --dff, --normalize, --invert.")
    extract.add_argument("video", nargs="+", metavar="VIDEO",
                         help=".npy, .tif/.tiff, .zarr, .h5/.hdf5 or a folder of TIFF/PNG images; several files "
                              "(e.g. a recording split into rec.tif, rec_1.tif, ...) are read as one video in "
                              "natural name order")
    where = extract.add_argument_group("positions (at least one; x is the column, y the row)")
    where.add_argument("--pos", action="append", metavar="X,Y", help="a position (repeatable)")
    where.add_argument("--positions", action="append", metavar="FILE",
                       help="a CSV with x and y columns (comma, semicolon or tab separated; other columns are "
                            "ignored) or a JSON list of [x, y] pairs (repeatable)")
    where.add_argument("--random", type=int, metavar="N", help="N distinct random positions")
    where.add_argument("--seed", type=int, metavar="S", help="seed for --random")
    where.add_argument("--line", action="append", metavar="X0,Y0,X1,Y1,N", help="N positions from (X0,Y0) to (X1,Y1)")
    regions = extract.add_argument_group(
        "regions (instead of positions): one trace per region, the mean of its pixels; repeatable, in the order given")
    regions.add_argument("--roi", action=_AppendRegion, dest="regions", metavar="FILE",
                         help="ImageJ/Fiji ROIs: a .roi file or a RoiSet .zip; columns take the ROIs' names")
    regions.add_argument("--labels", action=_AppendRegion, dest="regions", metavar="FILE",
                         help="a label image of the frame's size (.npy, .tif, .png): one region per label > 0 "
                              "(0 is background), columns label_K in increasing K")
    regions.add_argument("--mask", action=_AppendRegion, dest="regions", metavar="FILE",
                         help="a mask of the frame's size (.npy, .png, .tif; non-zero pixels belong), or a .npy "
                              "stack (N, rows, columns) of N masks; columns take the file's name")
    window = extract.add_argument_group("window (positions only)")
    window.add_argument("--size", type=int, default=None, help="window size in pixels (default 5)")
    window.add_argument("--window", choices=("rect", "disc", "pixel"), default=None, help="window (default rect)")
    _add_video_options(extract)
    _add_processing_options(extract, "trace")
    output = extract.add_argument_group("output")
    output.add_argument("-o", "--output", metavar="FILE",
                        help="traces as .csv, .npy, .mat (MATLAB) or .h5 (HDF5), by the extension; - or nothing "
                             "for CSV on standard output")
    output.add_argument("--plot", metavar="FILE", help="also save the first frame with the positions beside their "
                                                       "traces (.png, .pdf, .svg, .jpg)")
    output.add_argument("--quiet", action="store_true", help="no progress bar and no messages")
    extract.set_defaults(run=command_extract)

    kymograph = commands.add_parser(
        "kymograph", help="sample a video along a path: a kymograph",
        description="Sample the video every --spacing pixels along a path, averaging a window around each sample "
                    "frame by frame, and save the kymograph (one column per sample, one row per frame).",
        epilog="x is the column and y the row of a pixel, counted from 0 at the top left. Each segment is sampled "
               "from its first vertex, so every vertex is a sample.")
    kymograph.add_argument("video", nargs="+", metavar="VIDEO", help="as for extract")
    along = kymograph.add_argument_group("the path")
    along.add_argument("--path", required=True, metavar="X0,Y0,X1,Y1,...",
                       help="the vertices of the path (at least 2), each inside the frame")
    along.add_argument("--spacing", type=float, default=1.0, help="pixels between samples along the path (default 1)")
    along.add_argument("--size", type=int, default=1, help="window size around each sample (default 1: the pixel)")
    along.add_argument("--window", choices=("rect", "disc", "pixel"), default="rect", help="window (default rect)")
    _add_video_options(kymograph)
    _add_processing_options(kymograph, "sample's time series")
    output = kymograph.add_argument_group("output")
    output.add_argument("-o", "--output", metavar="FILE",
                        help="the kymograph as .npy (frames x samples), .csv, .mat or .h5 (one column per sample, "
                             "named x{X}_y{Y}); - or nothing for CSV on standard output")
    output.add_argument("--plot", metavar="FILE", help="also save the first frame with the path beside the kymograph "
                                                       "(.png, .pdf, .svg, .jpg)")
    output.add_argument("--quiet", action="store_true", help="no progress bar and no messages")
    kymograph.set_defaults(run=command_kymograph)
    return parser


def _add_processing_options(parser, what):
    processing = parser.add_argument_group("processing")
    processing.add_argument("--detrend", choices=DETREND_KINDS, metavar="KIND",
                            help=f"remove a trend: one of {', '.join(DETREND_KINDS)}")
    processing.add_argument("--dff", action="store_true",
                            help="ΔF/F against a slow baseline fitted to the resting samples (the bright level with "
                                 "--invert): removes photobleaching, beats included; instead of --detrend")
    processing.add_argument("--normalize", action="store_true", help=f"scale each {what} to [0, 1]")
    processing.add_argument("--invert", action="store_true",
                            help=f"mirror each {what} within its range (1 - x after --normalize), for dyes whose "
                                 "fluorescence falls on depolarisation, e.g. di-4-ANEPPS")


def _add_video_options(parser):
    video = parser.add_argument_group("which frames and which data")
    video.add_argument("--start", type=int, metavar="N", help="first frame (counted from 0)")
    video.add_argument("--frames", metavar="START:STOP", help="only frames START to STOP-1 (either may be empty)")
    video.add_argument("--step", type=int, default=1, metavar="N", help="every N-th frame (default 1)")
    video.add_argument("--dataset", metavar="NAME", help="the dataset of an HDF5 file or the array of a zarr group")
    video.add_argument("--channel", type=int, metavar="K", help="channel K (from 0) of a multi-channel TIFF stack")
    video.add_argument("--fps", type=float, help="frames per second: the first column becomes time_s")


def _version():
    from optimap import __version__

    return __version__


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
    parser = build_parser()
    try:
        with _signals_unwind():
            args = parser.parse_args(argv)
            if args.command is None:
                parser.print_help()
                return 0
            return args.run(args)
    except (UsageError, ValueError, TypeError, FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        return _fail(exc, 2)
    except BrokenPipeError:
        _quiet_stdout()
        return _fail("standard output was closed before all traces were written", 1)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Terminated as exc:
        return _fail(f"terminated by {signal.Signals(exc.signum).name}", 128 + exc.signum)
    except Exception as exc:  # noqa: BLE001 - one line, no traceback, for any other failure
        return _fail(exc if isinstance(exc, ImportError) else f"{type(exc).__name__}: {exc}", 1)


if __name__ == "__main__":
    sys.exit(main())
