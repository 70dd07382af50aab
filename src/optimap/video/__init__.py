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

from .._lazy import attach

_EXPORTS = {
    "load_video": "_load",
}

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
