"""``load_video``: check the options, recognise the format, hand over to its reader."""

import glob
import os
from pathlib import Path

import numpy as np

from .._validate import as_int
from . import _readers
from ._common import FrameSelection, OptionError, natural_key
from ._multi import read_pieces

_FILE_READERS = {
    ".npy": ("npy", _readers.read_npy),
    ".tif": ("tiff", _readers.read_tiff),
    ".tiff": ("tiff", _readers.read_tiff),
    ".h5": ("hdf5", _readers.read_hdf5),
    ".hdf5": ("hdf5", _readers.read_hdf5),
}
_ZARR_MARKERS = ("zarr.json", ".zarray", ".zgroup")
_SUPPORTED = (
    ".npy, .tif/.tiff, .h5/.hdf5, a zarr store (a folder, usually named *.zarr), "
    "a folder of .tif/.tiff/.png images or of TIFF stacks, and a list or glob pattern "
    "of TIFF or .npy files"
)


def load_video(path, start_frame=0, frames=None, step=1, use_mmap=False, *, dataset=None, channel=None):
    """Load a video, or some of its frames, from a file, a folder or several files.

    The format follows from the path: ``.npy``; ``.tif``/``.tiff`` (multi-page
    stacks, ImageJ hyperstacks, OME-TIFF, Micro-Manager stacks); ``.h5``/``.hdf5``;
    a zarr store (a folder named ``*.zarr`` or holding zarr metadata); any other
    folder holds one image per frame (``.tif``, ``.tiff``, ``.png``) or a
    recording split into several TIFF stacks. A recording split into several
    files can also be given as a list of its files or as a glob pattern.
    Files are ordered by the numbers in their names (natural order), so
    ``frame2.png`` comes before ``frame10.png``. Only the selected frames are
    read from the disk.

    Parameters
    ----------
    path : str, os.PathLike, or list or tuple of them
        The video file, zarr store or folder; or the files of one recording:

        - a list or tuple of TIFF or ``.npy`` files, read in the order given;
        - a glob pattern such as ``"rec_*.tif"`` (a path that does not exist
          and holds ``*``, ``?`` or ``[``; ``**`` matches folders recursively),
          whose matching files are read in natural order: ``rec_2`` before
          ``rec_10``, ``rec.ome.tif`` before ``rec_1.ome.tif``.
    start_frame : int, default 0
        Index of the first frame to load. With several files, frames are
        counted across all of them.
    frames : int or None, default None
        Number of frames to load, at most: fewer when the video ends first.
        ``None`` loads all frames from ``start_frame`` to the end.
    step : int, default 1
        Load every ``step``-th frame. The result is
        ``video[start_frame : start_frame + frames * step : step]``.
    use_mmap : bool, default False
        Return the frames without reading them into memory, where the format
        allows it (see Notes); the result is then read-only.
    dataset : str, optional
        The dataset of an HDF5 file, or the array of a zarr group, to load, e.g.
        ``"recording/video"``. By default the only 3-D one.
    channel : int, optional
        The channel to load from a multi-channel TIFF file, counted from 0: a
        channel ``C`` of an ImageJ hyperstack or OME-TIFF, or a colour (sample)
        of an RGB file; also a band of colour PNG images in a folder. Required
        for such files; for a single-channel file only 0 is allowed. Not
        accepted for ``.npy``, HDF5 and zarr (see Notes).

    Returns
    -------
    video : (T, H, W) numpy.ndarray, numpy.memmap, zarr.Array, h5py.Dataset or ConcatenatedVideo
        Frames, rows, columns, in the dtype stored. A stored single channel,
        ``(T, H, W, 1)`` or ``(T, 1, H, W)``, is returned as ``(T, H, W)``.
        Without ``use_mmap`` always one C-contiguous in-memory
        :class:`numpy.ndarray`.

    Raises
    ------
    FileNotFoundError
        If nothing exists at ``path``, or no file matches the pattern.
    TypeError
        If an option has the wrong type (frame options and ``channel`` must be
        integers, not booleans or floats).
    ValueError
        If an option is out of range, the format is unknown, a file is damaged
        or holds no single-channel video, several files differ in frame shape
        or dtype, or the data cannot be memory-mapped as asked.
    ImportError
        If the package reading the format is not installed; the message names
        the optional extra that installs it.

    Notes
    -----
    **Recordings split over several files** (cameras, ImageJ and Micro-Manager
    split at 4 GB) are read as one video, the files one after another. All
    files must share frame shape and dtype; a ValueError names the first two
    that differ. Files after the last selected frame are not opened. In a list
    or a pattern, a TIFF file holding a single 2-D image counts as one frame,
    and a 2-D ``.npy`` array too.

    A folder is read as TIFF stacks one after another when its first file (in
    natural order) is a TIFF file holding more than one frame; then every file
    in it must be such a stack (one of a single frame is fine, a plain 2-D
    image or a PNG file is an error). Otherwise it is read as one image per
    frame, as before.

    An OME-TIFF or Micro-Manager file whose metadata reference sibling files
    brings its whole series, whichever of its files is named (this is what
    tifffile, Fiji and Bio-Formats do); those siblings are not read again when
    they are also named or matched. A series with missing files is an error,
    never filled with zeros.

    **Channels.** In a TIFF file, ``C`` is the channel axis when another axis
    (``T``, ``Z``...) also has several entries; when ``C`` is the only long axis
    it is taken as time, because writers (tifffile included) label the frames
    of plain stacks as channels. Without a ``C`` channel axis, the samples of
    an RGB file are the channels. Besides the channel, at most one axis may
    have several entries: time (``TZCYX`` with ``Z = 1`` is fine). The arrays of
    ``.npy``, HDF5 and zarr files carry no axis names, so ``channel`` does not
    guess one for them: index a ``(T, C, H, W)`` array yourself, e.g.
    ``numpy.load(path, mmap_mode="r")[:, c]``.

    What ``use_mmap=True`` returns, by format:

    - ``.npy``: a read-only :class:`numpy.memmap` (a view, also of a selection).
    - TIFF: a read-only :class:`numpy.memmap` when the image data are stored
      uncompressed and contiguously, or uncompressed with frames evenly spaced
      (one image file directory between frames, as cameras and Micro-Manager
      write them); a channel is a strided view. Otherwise a ValueError says why
      not.
    - Several files, or frames of one file that are not evenly spaced: a
      read-only ``ConcatenatedVideo``, a lazy array-like over the memory maps of
      the pieces that hold selected frames. It slices like numpy (``shape``,
      ``dtype``, ``len``, integers, slices with steps and negative indices,
      tuples over the three axes), returns read-only ndarrays, and
      ``numpy.asarray`` reads it whole; :func:`optimap.trace.extract_traces`
      streams it block by block. Every piece must be uncompressed.
    - HDF5: a read-only :class:`numpy.memmap` when the dataset is stored
      contiguously (h5py's default layout). A chunked or compressed dataset is
      returned as the :class:`h5py.Dataset` itself, read on access, when all of
      its frames are asked for and it is 3-D; a selection of frames is read into
      memory.
    - zarr: the :class:`zarr.Array` itself, read on access, when all frames are
      asked for and it is 3-D; a selection of frames is read into memory.
    - A folder of images cannot be memory-mapped: a ValueError says so.

    Files are opened read-only and never changed.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from optimap.video import load_video
    >>> video = np.arange(10 * 4 * 5, dtype=np.uint16).reshape(10, 4, 5)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "video.npy")
    ...     np.save(path, video)
    ...     part = load_video(path, start_frame=2, frames=3, step=2)
    ...     mapped = load_video(path, use_mmap=True)
    ...     print(type(mapped).__name__, mapped.shape, mapped.flags.writeable)
    ...     del mapped  # release the file before the folder is removed
    memmap (10, 4, 5) False
    >>> part.shape, part.dtype
    ((3, 4, 5), dtype('uint16'))
    >>> np.array_equal(part, video[2:8:2])
    True

    A recording split into two files, and one channel of an ImageJ hyperstack:

    >>> import tifffile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     for i, piece in enumerate((video[:6], video[6:]), start=1):
    ...         tifffile.imwrite(os.path.join(folder, f"rec_{i}.tif"), piece, photometric="minisblack")
    ...     joined = load_video(os.path.join(folder, "rec_*.tif"), start_frame=4, frames=3)
    ...     lazy = load_video(os.path.join(folder, "rec_*.tif"), use_mmap=True)
    ...     print(type(lazy).__name__, lazy.shape, np.array_equal(lazy[5:8], video[5:8]))
    ...     del lazy
    ...     two_channels = np.stack([video, 2 * video], axis=1)  # (T, C, H, W)
    ...     hyperstack = os.path.join(folder, "hyper.tif")
    ...     tifffile.imwrite(hyperstack, two_channels, imagej=True, metadata={"axes": "TCYX"})
    ...     second = load_video(hyperstack, channel=1)
    ConcatenatedVideo (10, 4, 5) True
    >>> np.array_equal(joined, video[4:7]), np.array_equal(second, 2 * video)
    (True, True)
    """
    selection = FrameSelection(
        as_int(start_frame, "start_frame", minimum=0, strict=True, hint="the first frame is 0"),
        None
        if frames is None
        else as_int(frames, "frames", minimum=1, strict=True, hint="or None for all remaining frames"),
        as_int(step, "step", minimum=1, strict=True, hint="1 loads every frame"),
    )
    if not isinstance(use_mmap, (bool, np.bool_)):
        raise TypeError(f"use_mmap must be True or False, got {use_mmap!r} of type {type(use_mmap).__name__}")
    if dataset is not None and not isinstance(dataset, str):
        raise TypeError(
            f"dataset must be a str naming the dataset, or None; got {dataset!r} of type {type(dataset).__name__}"
        )
    if channel is not None:
        channel = as_int(channel, "channel", minimum=0, strict=True, hint="the first channel is 0")
    use_mmap = bool(use_mmap)

    if isinstance(path, (list, tuple)):
        paths, files = _listed_files(path)
    else:
        path = _check_path(path)
        paths, files = (None, None) if path.exists() else _matching_files(path)

    if paths is not None:
        fmt = _pieces_format(paths, files)
        several = len(paths) > 1
        kind = {"tiff": "TIFF file", "npy": ".npy file"}[fmt]
        _check_applies(dataset, channel, fmt, f"{files} are {kind}s" if several else f"{files} is a {kind}")
        return read_pieces(paths, selection, use_mmap, channel, f"the video in {files}" if several else files)

    fmt, reader = _find_reader(path)
    kind = {"folder": "a folder of images", "zarr": "a zarr store", "npy": "a .npy file", "hdf5": "an HDF5 file"}
    _check_applies(dataset, channel, fmt, f"'{path}' is {kind.get(fmt, f'a {fmt.upper()} file')}")
    return reader(path, selection, use_mmap, dataset, channel)


def _check_applies(dataset, channel, fmt, subject):
    """dataset= only for HDF5 and zarr, channel= only for TIFF files and folders of images.

    ``subject`` says what the path is, e.g. "'v.npy' is a .npy file".
    """
    if dataset is not None and fmt not in ("hdf5", "zarr"):
        raise OptionError(
            "dataset",
            dataset,
            f"<given> was given, but <name> applies only to HDF5 files and zarr stores, and {subject}",
        )
    if channel is not None and fmt not in ("tiff", "folder"):
        raise OptionError(
            "channel",
            channel,
            f"<given> was given, but <name> applies only to TIFF files (ImageJ hyperstacks, "
            f"OME-TIFF, RGB) and folders of images, and {subject}; to load one channel of an array "
            "shaped (T, C, H, W), index it yourself, e.g. numpy.load(path, mmap_mode='r')[:, channel]",
        )


_GLOB_CHARACTERS = frozenset("*?[")
_PIECE_FORMATS = {".tif": "tiff", ".tiff": "tiff", ".npy": "npy"}


def _listed_files(path):
    """The files of a list or tuple of paths, and a phrase for them in messages."""
    if not path:
        raise ValueError(f"path is an empty {type(path).__name__}: give a video file or folder, or a list of files")
    paths = [_check_path(item, f"path[{i}]") for i, item in enumerate(path)]
    seen = {}
    for i, item in enumerate(paths):
        if not item.exists():
            raise FileNotFoundError(f"path[{i}] '{item}' does not exist: no video file there")
        if item.is_dir():
            raise ValueError(
                f"path[{i}] '{item}' is a folder, but a list of paths may name only TIFF and .npy "
                "files; load a folder by giving its path alone"
            )
        key = item.resolve()
        if key in seen:
            raise ValueError(
                f"path[{seen[key]}] '{paths[seen[key]]}' and path[{i}] '{item}' are the same file: "
                "name each file of a video once"
            )
        seen[key] = i
    if len(paths) == 1:
        return paths, f"'{paths[0]}'"
    return paths, f"the {len(paths)} files given ('{paths[0].name}' to '{paths[-1].name}')"


def _matching_files(path):
    """The files matching ``path`` (which does not exist) as a glob pattern, in natural
    order, and a phrase for them in messages; FileNotFoundError if none."""
    text = os.fspath(path)
    if _GLOB_CHARACTERS.isdisjoint(text):
        raise FileNotFoundError(f"path '{path}' does not exist: no video file or folder there")
    matches = glob.glob(text, recursive=True)
    files = sorted((Path(match) for match in matches if os.path.isfile(match)), key=lambda p: natural_key(str(p)))
    if not files:
        only = (
            f" (only {len(matches)} folder{'s' if len(matches) != 1 else ''}; a pattern selects files)"
            if matches
            else ""
        )
        raise FileNotFoundError(f"no file matches the pattern path='{text}'{only}")
    return files, f"the {len(files)} file{'s' if len(files) != 1 else ''} matching '{text}'"


def _pieces_format(paths, files):
    """'tiff' or 'npy': the one format of several files, or a ValueError."""
    formats = {}
    for item in paths:
        fmt = _PIECE_FORMATS.get(item.suffix.lower())
        if fmt is None:
            described = f"format {item.suffix!r}" if item.suffix else "no extension"
            which = f", one of {files}" if len(paths) > 1 else ("" if files == f"'{item}'" else f", {files}")
            raise ValueError(
                f"cannot load '{item}'{which}: it has {described}, but a list or pattern of files may "
                "name only TIFF (.tif, .tiff) and .npy files; load other formats one file at a time"
            )
        formats.setdefault(fmt, item)
    if len(formats) > 1:
        raise ValueError(
            f"{files} mix formats: '{formats['tiff']}' is a TIFF file and '{formats['npy']}' a .npy "
            "file; all files of one video must have the same format"
        )
    return next(iter(formats))


def _check_path(path, name="path"):
    if isinstance(path, (str, os.PathLike)):
        text = os.fspath(path)
        if isinstance(text, str):
            if not text:
                raise ValueError(f"{name} is empty: give the path of a video file or folder")
            return Path(text)
    allowed = "a str or os.PathLike" if name != "path" else "a str or os.PathLike, or a list of them"
    raise TypeError(f"{name} must be {allowed}, got {path!r} of type {type(path).__name__}")


def _find_reader(path):
    if path.is_dir():
        if path.suffix.lower() == ".zarr" or any((path / marker).is_file() for marker in _ZARR_MARKERS):
            return "zarr", _readers.read_zarr
        return "folder", _readers.read_folder
    suffix = path.suffix.lower()
    if suffix in _FILE_READERS:
        return _FILE_READERS[suffix]
    described = f"format {suffix!r}" if suffix else "format (the file name has no extension)"
    if suffix == ".zarr":
        described += " (a zarr store must be a folder)"
    raise ValueError(f"cannot load '{path}': unknown video {described}; supported are {_SUPPORTED}")
