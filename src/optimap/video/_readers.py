"""One reader per format.

Every reader has the signature ``read(path, selection, use_mmap, dataset)``,
where ``path`` is a :class:`pathlib.Path` that exists, ``selection`` a
:class:`~optimap.video._common.FrameSelection` and the options are checked.
It returns the selected frames shaped ``(T, H, W)``. The readers open files
read-only and never change them.
"""

import os

import numpy as np

from .._optional import import_optional
from ._common import is_whole, library_errors, natural_key, video_shape

_NPY_MAGIC = b"\x93NUMPY"


def _in_memory(array):
    """A C-contiguous in-memory copy, never a view of a file."""
    return np.array(array, order="C", copy=True, subok=False)


# --------------------------------------------------------------------- .npy


def read_npy(path, selection, use_mmap, dataset):
    with open(path, "rb") as file:
        magic = file.read(len(_NPY_MAGIC))
    if magic != _NPY_MAGIC:
        raise ValueError(f"cannot read '{path}': it is not a .npy file (it does not start with the .npy signature)")
    with library_errors(path, ".npy file"):
        # Memory-map in both cases, so that only the selected frames are read.
        mapped = np.load(path, mmap_mode="r", allow_pickle=False)
    n, h, w = video_shape(mapped.shape, path)
    slc = selection.slice_for(n, path)
    frames = mapped.reshape(n, h, w)[slc]
    if use_mmap:
        return frames  # a read-only np.memmap view: no copy
    with library_errors(path, ".npy file"):
        return _in_memory(frames)


# --------------------------------------------------------------------- TIFF


def _tiff_series_shape(series, path):
    """``(T, H, W)`` of a TIFF image series, or a ValueError."""
    if hasattr(series, "get_axes"):
        axes, shape = series.get_axes(False), series.get_shape(False)
    else:  # older tifffile
        axes, shape = series.axes, series.shape
    samples = dict(zip(axes, shape)).get("S", 1)
    if samples > 1:
        raise ValueError(
            f"'{path}' is a colour (RGB) or multi-sample TIFF with {samples} samples per pixel "
            f"(axes {axes}, shape {tuple(shape)}): load_video needs single-channel (grayscale) frames"
        )
    kept = [(axis, n) for axis, n in zip(axes, shape) if axis != "S"]
    if len(kept) < 2 or kept[-2][0] != "Y" or kept[-1][0] != "X":
        raise ValueError(f"'{path}' has TIFF axes {axes} of shape {tuple(shape)}, which load_video cannot read as frames")
    height, width = kept[-2][1], kept[-1][1]
    frame_axes = kept[:-2]
    if not frame_axes:
        raise ValueError(
            f"'{path}' holds a single 2-D image of shape {(height, width)}, not a video: "
            "load_video needs a stack of frames"
        )
    several = [(axis, n) for axis, n in frame_axes if n > 1]
    if len(several) > 1:
        raise ValueError(
            f"'{path}' has TIFF axes {axes} of shape {tuple(shape)}: more than one of them "
            f"({', '.join(f'{axis}={n}' for axis, n in several)}) has several entries, so the "
            "file holds more than one channel or plane per frame; load_video needs a single-channel video"
        )
    n_frames = int(np.prod([n for _, n in frame_axes]))
    return n_frames, height, width


def _one_page_per_series(tif):
    """Whether the file is a plain sequence of equal 2-D pages, one series each."""
    first = tif.series[0]
    return len(tif.pages) == len(tif.series) and all(
        len(s.pages) == 1 and s.axes == "YX" and s.shape == first.shape and s.dtype == first.dtype
        for s in tif.series
    )


def _tiff_not_mappable(path, series):
    compression = series.keyframe.compression
    if int(compression) != 1:
        name = getattr(compression, "name", str(compression))
        return ValueError(
            f"'{path}' is compressed ({name}) and cannot be memory-mapped: "
            "load it with use_mmap=False, or save it uncompressed to memory-map it"
        )
    return ValueError(
        f"the image data of '{path}' are not stored contiguously (for example tiled or in "
        "scattered strips) and cannot be memory-mapped: load it with use_mmap=False"
    )


def read_tiff(path, selection, use_mmap, dataset):
    tifffile = import_optional("tifffile", "tiff", "read TIFF files")
    kind = "TIFF file"
    with library_errors(path, kind):
        tif = tifffile.TiffFile(path)
    with tif:
        with library_errors(path, kind):
            if not tif.series:
                raise ValueError("no image series found")
            pages_are_frames = len(tif.series) > 1 and _one_page_per_series(tif)
            series = tif.series[0]
        if pages_are_frames:
            # Pages appended one by one without shape metadata: each page a frame.
            n, (h, w) = len(tif.pages), series.shape
        else:
            n, h, w = _tiff_series_shape(series, path)
        slc = selection.slice_for(n, path)
        indices = list(range(n)[slc])

        if use_mmap:
            if pages_are_frames:
                raise ValueError(
                    f"the frames of '{path}' are separate TIFF images and cannot be memory-mapped "
                    "as one array: load it with use_mmap=False, or save the video as one stack "
                    "with tifffile.imwrite"
                )
            if series.dataoffset is None:
                raise _tiff_not_mappable(path, series)
            with library_errors(path, kind):
                mapped = tifffile.memmap(path, series=0, mode="r")
            return mapped.reshape(n, h, w)[slc]

        with library_errors(path, kind):
            if pages_are_frames:
                data = tif.asarray(key=indices)
            elif len(series.pages) == n and series.keyframe.size == h * w:
                # One page per frame: read only the selected pages.
                data = tif.asarray(key=indices, series=0)
            else:
                # Frames are not pages (e.g. one page holding a volume): read the series.
                data = series.asarray().reshape(n, h, w)[slc]
            return _in_memory(data.reshape(len(indices), h, w))


# ------------------------------------------------------------ HDF5 and zarr


def _choose_array(path, arrays, dataset, kind):
    """The name of the video among ``arrays`` ({name: shape}) of an HDF5 file or zarr group."""

    def listing(names):
        return ", ".join(f"'{name}' {arrays[name]}" for name in names)

    if dataset is not None:
        name = dataset.strip("/")
        if name not in arrays:
            held = f"its datasets are {listing(arrays)}" if arrays else "it holds no datasets"
            raise ValueError(f"dataset={dataset!r} is not a dataset in {kind} '{path}': {held}")
        return name
    videos = [name for name, shape in arrays.items() if len(shape) == 3]
    if len(videos) == 1:
        return videos[0]
    if not videos:
        held = f"its datasets are {listing(arrays)}" if arrays else "it holds no datasets"
        raise ValueError(
            f"{kind} '{path}' holds no 3-D dataset to load as a video ({held}); "
            "name the one to load with dataset="
        )
    raise ValueError(
        f"{kind} '{path}' holds {len(videos)} 3-D datasets: {listing(videos)}; "
        f"choose one with dataset=, e.g. dataset={videos[0]!r}"
    )


def _hdf5_offset(h5py, ds):
    """Byte offset of a dataset that can be memory-mapped directly, else None."""
    if ds.dtype.kind not in "biufc" or ds.dtype.hasobject or ds.external:
        return None
    if ds.id.get_create_plist().get_layout() != h5py.h5d.CONTIGUOUS:
        return None
    return ds.id.get_offset()  # None while no data were written


def read_hdf5(path, selection, use_mmap, dataset):
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
        slc = selection.slice_for(n, path)
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


def read_zarr(path, selection, use_mmap, dataset):
    zarr = import_optional("zarr", "zarr", "read zarr stores")
    kind = "zarr store"
    with library_errors(path, kind):
        node = zarr.open(str(path), mode="r")
    if isinstance(node, zarr.Array):
        if dataset is not None:
            raise ValueError(
                f"dataset={dataset!r} was given, but '{path}' is a single zarr array, not a group: "
                "leave dataset=None"
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
    slc = selection.slice_for(n, path)
    if use_mmap and is_whole(slc, n) and array.ndim == 3:
        return array  # lazy: chunks are read when indexed
    with library_errors(path, kind):
        return _in_memory(np.asarray(array[slc]).reshape(-1, h, w))


# ---------------------------------------------------------- image folders

_FOLDER_SUFFIXES = (".tif", ".tiff", ".png")
_GRAY_PNG_MODES = ("1", "L", "I", "F", "I;16", "I;16L", "I;16B", "I;16N")


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


def _read_tiff_image(tifffile, file):
    with library_errors(file, "TIFF image"):
        image = tifffile.imread(file)
    while image.ndim > 2 and image.shape[0] == 1:
        image = image[0]
    while image.ndim > 2 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim != 2:
        raise ValueError(
            f"'{file}' holds data of shape {image.shape}, not one grayscale image: every image "
            "in a folder must be a single 2-D frame (load a multi-page TIFF by its file name)"
        )
    return image


def _read_png_image(pil_image, file):
    with library_errors(file, "PNG image"):
        with pil_image.open(file) as image:
            mode = image.mode
            data = np.asarray(image) if mode in _GRAY_PNG_MODES else None
    if data is None:
        raise ValueError(
            f"'{file}' is a colour image (PIL mode {mode!r}): load_video needs grayscale images"
        )
    return data


def read_folder(path, selection, use_mmap, dataset):
    files = _image_files(path)
    if not files:
        raise ValueError(
            f"folder '{path}' holds no video: it contains no .tif, .tiff or .png images "
            "and is not a zarr store"
        )
    if use_mmap:
        raise ValueError(
            f"a folder of images ('{path}') cannot be memory-mapped: load it with "
            "use_mmap=False, or save the video as one .npy or TIFF file to memory-map it"
        )
    chosen = files[selection.slice_for(len(files), path)]
    readers = {}
    if any(file.suffix.lower() != ".png" for file in chosen):
        tifffile = import_optional("tifffile", "tiff", "read TIFF images")
        readers[".tif"] = readers[".tiff"] = lambda file: _read_tiff_image(tifffile, file)
    if any(file.suffix.lower() == ".png" for file in chosen):
        pil_image = import_optional("PIL.Image", "png", "read PNG images")
        readers[".png"] = lambda file: _read_png_image(pil_image, file)

    video = None
    for i, file in enumerate(chosen):
        image = readers[file.suffix.lower()](file)
        if video is None:
            video = np.empty((len(chosen), *image.shape), dtype=image.dtype)
        elif image.shape != video.shape[1:] or image.dtype != video.dtype:
            raise ValueError(
                f"the images in folder '{path}' differ: '{chosen[0].name}' is "
                f"{video.shape[1:]} {video.dtype} but '{file.name}' is {image.shape} "
                f"{image.dtype}; all images of a video must have the same shape and dtype"
            )
        video[i] = image
    return video
