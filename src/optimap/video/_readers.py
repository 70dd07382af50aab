"""One reader per format.

Every reader has the signature ``read(path, selection, use_mmap, dataset, channel)``,
where ``path`` is a :class:`pathlib.Path` that exists, ``selection`` a
:class:`~optimap.video._common.FrameSelection` and the options are checked
(``dataset`` and ``channel`` are given only to the formats they apply to).
It returns the selected frames shaped ``(T, H, W)``. The readers open files
read-only and never change them.
"""

import os

import numpy as np

from .._optional import import_optional
from ._common import NotMappableError, OptionError, is_whole, library_errors, natural_key, video_shape
from ._multi import open_npy, read_pieces, take_frames


def _in_memory(array):
    """A C-contiguous in-memory copy, never a view of a file."""
    return np.array(array, order="C", copy=True, subok=False)


# --------------------------------------------------------------------- .npy


def read_npy(path, selection, use_mmap, dataset, channel):
    # Memory-map in both cases, so that only the selected frames are read.
    mapped = open_npy(path)
    n, h, w = video_shape(mapped.shape, path)
    slc = selection.slice_for(n, f"'{path}'")
    frames = mapped.reshape(n, h, w)[slc]
    if use_mmap:
        return frames  # a read-only np.memmap view: no copy
    with library_errors(path, ".npy file"):
        return _in_memory(frames)


# --------------------------------------------------------------------- TIFF


def read_tiff(path, selection, use_mmap, dataset, channel):
    from ._tiff import TiffVideo

    with TiffVideo(path, channel) as video:
        if video.is_image:
            h, w = video.frame_shape
            raise ValueError(
                f"'{path}' holds a single 2-D image of shape {(h, w)}, not a video: load_video needs a stack of frames"
            )
        return take_frames([video], selection, use_mmap, f"'{path}'")


# ------------------------------------------------------------ HDF5 and zarr


def _choose_array(path, arrays, dataset, kind):
    """The name of the video among ``arrays`` ({name: shape}) of an HDF5 file or zarr group."""

    def listing(names):
        return ", ".join(f"'{name}' {arrays[name]}" for name in names)

    if dataset is not None:
        name = dataset.strip("/")
        if name not in arrays:
            held = f"its datasets are {listing(arrays)}" if arrays else "it holds no datasets"
            raise OptionError("dataset", dataset, f"<given> is not a dataset in {kind} '{path}': {held}")
        return name
    videos = [name for name, shape in arrays.items() if len(shape) == 3]
    if len(videos) == 1:
        return videos[0]
    if not videos:
        held = f"its datasets are {listing(arrays)}" if arrays else "it holds no datasets"
        raise OptionError(
            "dataset",
            None,
            f"{kind} '{path}' holds no 3-D dataset to load as a video ({held}); name the one to load with <option>",
        )
    raise OptionError(
        "dataset",
        None,
        f"{kind} '{path}' holds {len(videos)} 3-D datasets: {listing(videos)}; "
        f"choose one with <option>, e.g. <option>{videos[0]!r}",
    )


def _hdf5_offset(h5py, ds):
    """Byte offset of a dataset that can be memory-mapped directly, else None."""
    if ds.dtype.kind not in "biufc" or ds.dtype.hasobject or ds.external:
        return None
    if ds.id.get_create_plist().get_layout() != h5py.h5d.CONTIGUOUS:
        return None
    return ds.id.get_offset()  # None while no data were written


def read_hdf5(path, selection, use_mmap, dataset, channel):
    h5py = import_optional("h5py", "hdf5", "read HDF5 files")
    kind = "HDF5 file"
    with library_errors(path, kind):
        file = h5py.File(path, "r")
    keep_open = False
    try:
        with library_errors(path, kind):
            arrays = {}

            def collect(name, obj):
                if isinstance(obj, h5py.Dataset):
                    arrays[name] = tuple(obj.shape) if obj.shape is not None else ()

            file.visititems(collect)
        name = _choose_array(path, arrays, dataset, kind)
        ds = file[name]
        n, h, w = video_shape(ds.shape, path, f"dataset '{name}'")
        slc = selection.slice_for(n, f"'{path}'")
        if use_mmap:
            with library_errors(path, kind):
                offset = _hdf5_offset(h5py, ds)
                if offset is not None:
                    mapped = np.memmap(path, dtype=ds.dtype, mode="r", offset=offset, shape=ds.shape)
                    return mapped.reshape(n, h, w)[slc]
            if is_whole(slc, n) and ds.ndim == 3:
                keep_open = True  # the dataset keeps the file open while it is in use
                return ds
        with library_errors(path, kind):
            return _in_memory(ds[slc].reshape(-1, h, w))
    finally:
        if not keep_open:
            file.close()


def read_zarr(path, selection, use_mmap, dataset, channel):
    zarr = import_optional("zarr", "zarr", "read zarr stores")
    kind = "zarr store"
    with library_errors(path, kind):
        node = zarr.open(str(path), mode="r")
    if isinstance(node, zarr.Array):
        if dataset is not None:
            raise OptionError(
                "dataset",
                dataset,
                f"<given> was given, but '{path}' is a single zarr array, not a group, so it needs no dataset",
            )
        array, what = node, "zarr array"
    else:
        with library_errors(path, kind):
            arrays = {
                name: tuple(member.shape)
                for name, member in node.members(max_depth=None)
                if isinstance(member, zarr.Array)
            }
        name = _choose_array(path, arrays, dataset, kind)
        with library_errors(path, kind):
            array = node[name]
        what = f"array '{name}'"
    n, h, w = video_shape(array.shape, path, what)
    slc = selection.slice_for(n, f"'{path}'")
    if use_mmap and is_whole(slc, n) and array.ndim == 3:
        return array  # lazy: chunks are read when indexed
    with library_errors(path, kind):
        return _in_memory(np.asarray(array[slc]).reshape(-1, h, w))


# ---------------------------------------------------------- image folders

_FOLDER_SUFFIXES = (".tif", ".tiff", ".png")
_GRAY_PNG_MODES = ("1", "L", "I", "F", "I;16", "I;16L", "I;16B", "I;16N")
_COLOUR_PNG_MODES = ("LA", "RGB", "RGBA")


def _image_files(folder):
    with os.scandir(folder) as entries:
        names = [
            entry.name
            for entry in entries
            if not entry.name.startswith(".")
            and os.path.splitext(entry.name)[1].lower() in _FOLDER_SUFFIXES
            and entry.is_file()
        ]
    return [folder / name for name in sorted(names, key=natural_key)]


def _is_tiff(file):
    return file.suffix.lower() in (".tif", ".tiff")


def _mixed(folder, image, stack, n_frames):
    return ValueError(
        f"folder '{folder}' mixes single images ('{image.name}') with multi-page TIFF stacks "
        f"('{stack.name}' holds {n_frames} frames): a folder is read either as one image per file "
        "or as TIFF stacks one after another; to load some of its files, give them as a list or a "
        "glob pattern"
    )


def _read_png_image(pil_image, file, channel):
    with library_errors(file, "PNG image"):
        with pil_image.open(file) as image:
            mode = image.mode
            bands = len(image.getbands())
            data = np.asarray(image) if mode in _GRAY_PNG_MODES or mode in _COLOUR_PNG_MODES else None
    if data is None:
        raise ValueError(
            f"'{file}' is a colour image (PIL mode {mode!r}): load_video needs grayscale images; convert it to grayscale"
        )
    if mode in _COLOUR_PNG_MODES and channel is None:  # (an OptionError: the command line names its --channel)
        raise OptionError(
            "channel",
            None,
            f"'{file}' is a colour image (PIL mode {mode!r}): load_video needs grayscale images; pass <option>K "
            f"to load its band K (K from 0 to {bands - 1})",
        )
    if channel is None:
        return data
    if data.ndim == 2:
        data = data[..., np.newaxis]
    if channel >= data.shape[-1]:
        allowed = "0 (or None)" if data.shape[-1] == 1 else f"from 0 to {data.shape[-1] - 1}"
        has = "a single channel" if data.shape[-1] == 1 else f"{data.shape[-1]} channels (PIL mode {mode!r})"
        raise OptionError(
            "channel", channel, f"<given> is out of range: '{file}' has {has}, so <name> must be {allowed}"
        )
    return data[..., channel]


def read_folder(path, selection, use_mmap, dataset, channel):
    """A folder of images, one per frame, or of TIFF stacks, one after another.

    The first file (in natural order) decides: a TIFF file holding several
    frames makes the folder a recording split into stacks.
    """
    files = _image_files(path)
    if not files:
        raise ValueError(
            f"folder '{path}' holds no video: it contains no .tif, .tiff or .png images and is not a zarr store"
        )
    first = files[0]
    if _is_tiff(first):
        from ._tiff import TiffVideo

        with TiffVideo(first, channel) as video:
            n_first = video.n_frames
        if n_first > 1:
            others = [file for file in files if not _is_tiff(file)]
            if others:
                raise _mixed(path, others[0], first, n_first)
            source = f"the video in the {len(files)} TIFF stacks in folder '{path}'"
            return read_pieces(files, selection, use_mmap, channel, source, folder=path)
    if use_mmap:
        raise NotMappableError(
            f"a folder of images ('{path}') cannot be memory-mapped: load it with "
            "use_mmap=False, or save the video as one .npy or TIFF file to memory-map it"
        )
    chosen = files[selection.slice_for(len(files), f"folder '{path}'")]
    pil_image = None
    if any(file.suffix.lower() == ".png" for file in chosen):
        pil_image = import_optional("PIL.Image", "png", "read PNG images")

    video = None

    def target(file, shape, dtype):
        nonlocal video
        if video is None:
            video = np.empty((len(chosen), *shape), dtype=dtype)
        elif shape != video.shape[1:] or dtype != video.dtype:
            raise ValueError(
                f"the images in folder '{path}' differ: '{chosen[0].name}' is "
                f"{video.shape[1:]} {video.dtype} but '{file.name}' is {shape} "
                f"{dtype}; all images of a video must have the same shape and dtype"
            )
        return video

    for i, file in enumerate(chosen):
        if _is_tiff(file):
            from ._tiff import TiffVideo

            with TiffVideo(file, channel, role="image") as image:
                if image.n_frames != 1:
                    raise _mixed(path, first, file, image.n_frames)
                image.read_into(range(1), target(file, image.frame_shape, image.dtype)[i : i + 1])
        else:
            data = _read_png_image(pil_image, file, channel)
            target(file, data.shape, data.dtype)[i] = data
    return video
