"""Load videos from files: ``.npy``, TIFF, zarr, HDF5 and folders of images.

Importing this package is cheap: it loads neither matplotlib nor scipy, and the
readers of the optional formats (tifffile, zarr, h5py, pillow) are imported only
when a file of that format is loaded.

A video is an array shaped ``(T, H, W)``: frames, rows, columns.

Where things live
-----------------
``_load``     ``load_video``: checking the options, choosing the reader, picking frames
``_readers``  one reader per format
"""

import importlib

_EXPORTS = {
    "load_video": "_load",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__():
    return __all__
