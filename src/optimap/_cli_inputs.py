"""What the command line's options say: positions, regions, the video, a path.

Each reader checks the text the user typed and raises :class:`UsageError` with
a message that names the option (``--pos 5,x: needs 2 comma-separated
numbers``); the library's own checks run with the option's name in their
messages.
"""

import argparse
import glob
import json
import os
from pathlib import Path

import numpy as np

from ._validate import plain

# Files --labels and --mask read.
IMAGE_FORMATS = (".npy", ".tif", ".tiff", ".png")


class UsageError(Exception):
    """Bad input from the user: exit status 2."""


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


def _is_json_number(value):
    """A number in parsed JSON (``true`` and ``false`` are not)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _read_json_positions(text, where):
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{where}: not valid JSON ({exc.msg} at line {exc.lineno})") from None

    if isinstance(items, dict) and "x" in items and "y" in items:  # columns, as pandas' to_json writes a table
        return _json_columns(items["x"], items["y"], where)
    if not isinstance(items, list):
        raise UsageError(
            f'{where}: must hold a JSON list of [x, y] pairs or {{"x": ..., "y": ...}} objects, or an object '
            f'{{"x": [...], "y": [...]}} of columns (got {json.dumps(items)[:40]})'
        )
    positions = []
    for i, item in enumerate(items):
        if isinstance(item, dict) and _is_json_number(item.get("x")) and _is_json_number(item.get("y")):
            positions.append((item["x"], item["y"]))
        elif isinstance(item, list) and len(item) == 2 and all(_is_json_number(v) for v in item):
            positions.append(tuple(item))
        else:
            raise UsageError(
                f'{where}: must hold a JSON list of [x, y] pairs or {{"x": ..., "y": ...}} objects '
                f"(entry {i} is {json.dumps(item)[:40]})"
            )
    return positions


def _json_columns(xs, ys, where):
    """Positions from JSON columns ``x`` and ``y``: lists, or objects of row labels to values (pandas'
    ``to_json()``), the same labels in both."""
    if isinstance(xs, dict) and isinstance(ys, dict) and xs.keys() == ys.keys():
        xs, ys = list(xs.values()), [ys[label] for label in xs]
    lists = isinstance(xs, list) and isinstance(ys, list) and len(xs) == len(ys)
    if not (lists and all(_is_json_number(v) for v in [*xs, *ys])):
        raise UsageError(f'{where}: the columns "x" and "y" must be lists of numbers of one length (or objects '
                         "with the same row labels, as pandas writes them)")  # fmt: skip
    return list(zip(xs, ys))


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
        raise UsageError(
            f"{where}: needs a header with an 'x' and a 'y' column (or a JSON list of [x, y] pairs), "
            f"got {header.strip()[:60]!r}"
        )
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
            raise UsageError(
                f"{where} line {number}: needs numbers in the x and y columns, got {line.strip()[:60]!r}"
            ) from None
        if not (np.isfinite(x) and np.isfinite(y)):
            raise UsageError(f"{where} line {number}: needs finite numbers, got {line.strip()[:60]!r}")
        positions.append((x, y))
    return positions


def read_positions_file(path):
    """Positions ``(x, y)`` from a CSV with ``x`` and ``y`` columns or a JSON list, for ``--positions``."""
    where = f"--positions {path}"
    if os.path.isdir(path):
        raise UsageError(f"{where}: is a folder; give a CSV or JSON file of positions")
    if not os.path.isfile(path):
        raise UsageError(f"{where}: no such file")
    text = _decode(Path(path).read_bytes())
    if Path(path).suffix.lower() == ".json" or text.lstrip().startswith(("[", "{")):
        positions = _read_json_positions(text, where)
    else:
        positions = _read_csv_positions(text, where)
    if not positions:
        raise UsageError(f"{where}: holds no positions")
    return positions


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
        if n > frame_shape[0] * frame_shape[1]:  # (a typo such as 1e8 would otherwise run for hours)
            raise UsageError(
                f"--line {text}: N is more positions than the frame has pixels ({frame_shape[0] * frame_shape[1]})"
            )
        for end in ((x0, y0), (x1, y1)):
            _check_inside(end, frame_shape, f"--line {text}")
        found.extend((p, f"--line {text}") for p in positions_from_A_to_B(int(n), (x0, y0), (x1, y1)))
    if not found:
        raise UsageError(
            "no positions: give --pos X,Y, --positions FILE, --random N or --line X0,Y0,X1,Y1,N, "
            "or regions: --roi FILE, --labels FILE or --mask FILE"
        )
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


class _AppendRegion(argparse.Action):
    """--roi, --labels and --mask append ``(option, path)`` to one list, in the order typed."""

    def __call__(self, parser, namespace, values, option_string=None):
        found = list(getattr(namespace, self.dest) or [])
        found.append((option_string, values))
        setattr(namespace, self.dest, found)


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
            raise UsageError(
                f"{where}: unknown format {suffix or '(no extension)'}; give a file ending in "
                f"{', '.join(IMAGE_FORMATS)}"
            )
    except (UsageError, ImportError):
        raise
    except Exception as exc:
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
            raise UsageError(
                f"{where}: a label image must hold whole numbers >= 0 (0 is background), got "
                f"{array.dtype} values such as {array[bad][0].item()!r}"
            )
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
            part = build_regions(_as_labels(array, where), frame_shape, where)
            if part.n_regions == 0:  # (the API gives no traces; a command asked for none is a mistake)
                raise UsageError(f"{where}: holds no label, every pixel is 0 (the background)")
            parts.append(part)
            continue
        if array.ndim not in (2, 3):
            raise UsageError(
                f"{where}: a mask must be 2-D (rows, columns) or a stack (N, rows, columns), got shape {array.shape}"
            )
        part = build_regions(array != 0, frame_shape, where)
        part.names = [stem] if array.ndim == 2 else [f"{stem}_{i}" for i in range(part.n_regions)]
        parts.append(part)
    return merge_regions(parts)


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
        raise UsageError(
            f"--frames {args.frames}: must be START:STOP with whole numbers (either may be empty)"
        ) from None
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
        flag, value = {
            "start_frame": ("--frames", args.frames) if args.frames is not None else ("--start", args.start),
            "dataset": ("--dataset", args.dataset),
            "channel": ("--channel", args.channel),
        }[exc.option]
        raise UsageError(exc.render(flag if value is None else f"{flag} {value}", flag, f"{flag} ")) from None


def parse_path(text):
    """The vertices of ``--path X0,Y0,X1,Y1,...``."""
    parts = text.split(",")
    try:
        values = [float(part) for part in parts]
    except ValueError:
        values = None
    if values is None or len(values) < 4 or len(values) % 2:
        raise UsageError(
            f"--path {text}: needs x,y of at least 2 vertices: an even number of comma-separated "
            f"numbers X0,Y0,X1,Y1,..."
        )
    if not all(np.isfinite(values)):
        raise UsageError(f"--path {text}: needs finite numbers")
    return [(values[i], values[i + 1]) for i in range(0, len(values), 2)]
