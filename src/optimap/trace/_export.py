"""``save_traces``: traces to CSV, ``.npy``, MATLAB ``.mat`` or HDF5, chosen by the extension.

Files are written through :func:`optimap._files.output_file`: under a temporary
name, renamed into place when complete, through symbolic links, keeping an
overwritten file's mode.
"""

import numbers
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .._files import check_output_path, output_file
from .._optional import import_optional
from .._validate import as_positive_float, check_traces
from ._csv import write_csv
from ._positions import parse_positions, round_to_pixels

FORMATS = {
    ".csv": "CSV",
    ".npy": "NumPy .npy",
    ".mat": "MATLAB .mat",
    ".h5": "HDF5",
    ".hdf5": "HDF5",
}


def trace_format(path, name="path"):
    """The extension of ``path`` if it is a format :func:`save_traces` writes, else a ValueError.

    A FIFO or a device without an extension (``/dev/null``) takes CSV.

    Examples
    --------
    >>> trace_format("traces.MAT")
    '.mat'
    """
    suffix = Path(os.fspath(path)).suffix.lower()
    if not suffix and os.path.exists(path) and not os.path.isfile(path):
        return ".csv"  # a FIFO or a device such as /dev/null: text
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        got = f"extension {suffix!r}" if suffix else "no extension"
        raise ValueError(f"{name} {os.fspath(path)!r} has {got}; traces are saved as {known}")
    return suffix


def column_names(positions):
    """One distinct name per position: ``x{X}_y{Y}`` of its pixel, ``_2``, ``_3``... for repeats.

    Examples
    --------
    >>> column_names([(5, 5), (5.2, 4.9), (7, 1)])
    ['x5_y5', 'x5_y5_2', 'x7_y1']
    """
    xs, ys, _ = parse_positions(positions, "positions")
    names, seen = [], {}
    for x, y in zip(round_to_pixels(xs).tolist(), round_to_pixels(ys).tolist()):
        name = f"x{x}_y{y}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return names


def _check_frames(frames, n_frames):
    if frames is None:
        return np.arange(n_frames)
    frames = np.asarray(frames)
    if frames.shape != (n_frames,) or frames.dtype.kind not in "iu":
        raise ValueError(
            f"frames must hold one whole frame number per row ({n_frames}), got {frames.dtype} {frames.shape}"
        )
    return frames


def save_traces(path, traces, positions=None, *, fps=None, frames=None, names=None, metadata=None):
    """Save traces to a file whose extension chooses the format.

    Parameters
    ----------
    path : str, os.PathLike or binary file
        ``.csv``, ``.npy``, ``.mat`` or ``.h5``/``.hdf5``. The file is written
        under a temporary name beside it and renamed when complete; a symbolic
        link is written through to its target, and an existing file keeps its
        permissions. A binary file object (e.g. ``sys.stdout.buffer``)
        receives CSV.
    traces : array_like, shape (T,) or (T, N)
        The traces, one column per position.
    positions : sequence of (x, y), optional
        The position of every column; they name the CSV columns (``x{X}_y{Y}``)
        and are stored in ``.mat`` and HDF5 files.
    fps : float, optional
        Frames per second: the CSV's first column is the time in seconds
        (``time_s``) instead of the frame number (``frame``).
    frames : array_like of int, shape (T,), optional
        The frame number of every row, by default ``0 ... T-1`` (e.g.
        ``start + step * arange(T)`` for a selection of frames).
    names : sequence of str, optional
        Column names, by default from ``positions`` (else ``trace1 ... traceN``).
    metadata : dict, optional
        Extra values (str or numbers) kept as attributes of the HDF5 dataset and
        as variables of the ``.mat`` file, e.g. ``{"window": "rect", "size": 5}``;
        keys are names as MATLAB's variables (letters, digits and ``_``, starting
        with a letter), other than those of the saved data (``traces``,
        ``frames``, ``time_s``, ``fps``, ``positions``, ``names``).

    Notes
    -----
    What each format holds:

    - CSV: a header, then one row per frame: the frame number or time, then
      the traces at full precision (the shortest text that reads back as the
      same number; float32 values as float32's shortest text).
    - ``.npy``: the ``(T, N)`` traces array alone, in its dtype.
    - ``.mat`` (MATLAB, e.g. for Rhythm or ElectroMap): ``traces`` (T x N),
      ``frames`` (T x 1), ``time_s`` with ``fps``, ``positions`` (N x 2, x then
      y, counted from 0 as in Python), ``names`` and the metadata.
    - HDF5 (needs h5py, the ``hdf5`` extra): datasets ``traces``, ``frames``,
      ``time_s`` (with ``fps``) and ``positions``; the column names, ``fps``
      and the metadata as attributes of ``traces``.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from optimap.trace import save_traces
    >>> traces = np.array([[1.5, 2.0], [2.5, 3.0]], dtype=np.float32)
    >>> folder = tempfile.mkdtemp()
    >>> save_traces(os.path.join(folder, "t.csv"), traces, [(3, 4), (10, 2)], fps=500)
    >>> with open(os.path.join(folder, "t.csv")) as handle:
    ...     print(handle.read(), end="")
    time_s,x3_y4,x10_y2
    0.0,1.5,2.0
    0.002,2.5,3.0
    """
    stream = hasattr(path, "write")
    if not stream:
        path = check_output_path(path)
    fmt = ".csv" if stream else trace_format(path)
    table = check_traces(traces)
    n_frames, n_traces = table.shape
    if positions is not None:
        xs, ys, _ = parse_positions(positions, "positions")
        if len(xs) != n_traces:
            raise ValueError(f"positions has {len(xs)} entries but traces has {n_traces} columns; give one per column")
        positions = np.column_stack([xs, ys])
    if names is None:
        names = column_names(positions) if positions is not None else [f"trace{i + 1}" for i in range(n_traces)]
    names = [str(name) for name in names]
    if len(names) != n_traces:
        raise ValueError(f"names has {len(names)} entries but traces has {n_traces} columns; give one per column")
    fps = None if fps is None else as_positive_float(fps, "fps")
    frames = _check_frames(frames, n_frames)
    metadata = _check_metadata(metadata)
    writer = {".csv": _write_csv_file, ".npy": _write_npy, ".mat": _write_mat, ".h5": _write_hdf5, ".hdf5": _write_hdf5}
    record = {
        "traces": table,
        "positions": positions,
        "names": names,
        "fps": fps,
        "frames": frames,
        "metadata": metadata,
    }
    if stream:
        time_name, time = _time_column(frames, fps)
        write_csv(path, table, names, time, time_name)
        return
    if fmt in (".h5", ".hdf5"):
        import_optional("h5py", "hdf5", "save traces as HDF5")  # before anything is written
    with output_file(path) as temporary:
        writer[fmt](temporary, **record)


# What the files hold besides the metadata: a metadata key of these names would replace it.
_RESERVED = ("traces", "frames", "time_s", "fps", "positions", "names")


def _check_metadata(metadata):
    """``metadata`` as a dict of names (letters, digits and ``_``, starting with a letter, as MATLAB's
    variables) to strings, numbers or None (left out); an error names the entry that is not."""
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise TypeError(f"metadata must be a dict of names to strings or numbers, got {type(metadata).__name__}")
    for key, value in metadata.items():
        if not isinstance(key, str):
            raise TypeError(f"metadata keys must be names (str), got {key!r}")
        if not (key.isascii() and key[:1].isalpha() and key.replace("_", "a").isalnum()):
            raise ValueError(f"metadata key {key!r}: give a name of letters, digits and _ that starts with a letter")
        if key in _RESERVED:
            raise ValueError(f"metadata key {key!r} would replace the {key} saved with the traces; give another name")
        if value is not None and not isinstance(value, (str, numbers.Real, np.bool_)):
            raise TypeError(f"metadata[{key!r}] must be a string or a number, got {type(value).__name__}")
    return dict(metadata)


def _time_column(frames, fps):
    return ("time_s", frames / fps) if fps is not None else ("frame", frames)


def _write_csv_file(path, traces, positions, names, fps, frames, metadata):
    time_name, time = _time_column(frames, fps)
    with open(path, "wb") as handle:
        write_csv(handle, traces, names, time, time_name)


def _write_npy(path, traces, positions, names, fps, frames, metadata):
    with open(path, "wb") as handle:
        np.save(handle, np.ascontiguousarray(traces))


def _write_mat(path, traces, positions, names, fps, frames, metadata):
    import scipy.io

    variables = {"traces": traces, "frames": frames.reshape(-1, 1), "names": np.array(names, dtype=object)}
    if fps is not None:
        variables["time_s"] = (frames / fps).reshape(-1, 1)
        variables["fps"] = fps
    if positions is not None:
        variables["positions"] = positions
    variables.update({key: value for key, value in metadata.items() if value is not None})
    with open(path, "wb") as handle:
        scipy.io.savemat(handle, variables, oned_as="column")


def _write_hdf5(path, traces, positions, names, fps, frames, metadata):
    h5py = import_optional("h5py", "hdf5", "save traces as HDF5")
    with h5py.File(path, "w") as file:
        dataset = file.create_dataset("traces", data=traces)
        file.create_dataset("frames", data=frames)
        if fps is not None:
            file.create_dataset("time_s", data=frames / fps)
            dataset.attrs["fps"] = fps
        if positions is not None:
            file.create_dataset("positions", data=positions)
        dataset.attrs["names"] = names
        for key, value in metadata.items():
            if value is not None:
                dataset.attrs[key] = value
