"""Load videos from files: ``.npy``, TIFF, zarr, HDF5, folders of images, and
recordings split over several files.

Importing this package is cheap: it loads neither matplotlib nor scipy, and the
readers of the optional formats (tifffile, zarr, h5py, pillow) are imported only
when a file of that format is loaded.

A video is an array shaped ``(T, H, W)``: frames, rows, columns.

Where things live
-----------------
``_load``     ``load_video``: checking the options, the forms of ``path``, choosing the reader
``_readers``  one reader per format (and folders)
``_tiff``     TIFF series as frames of one channel, read or memory-mapped
``_multi``    pieces of a video one after another: selecting frames across files
``_concat``   ``ConcatenatedVideo``, the lazy video over several memory maps
``_common``   frame selection, shapes, errors (``OptionError``, ``NotMappableError``), natural order
"""

from .._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)  # the names: __init__.pyi
