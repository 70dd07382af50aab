"""Extract, show, select, normalise and detrend time series of videos.

Every public function of this module is loaded lazily from a private module,
so ``import optimap.trace`` is fast and pulls in neither matplotlib nor scipy.

Positions are ``(x, y)`` pairs: ``x`` is the column and ``y`` the row, so the
position ``(5, 10)`` is the pixel ``video[:, 10, 5]``, as matplotlib shows an
image and reports a click.

Where things live
-----------------
Positions, windows and the engine:

``_positions``   parsing and validating positions; random, line and collage positions
``_windows``     window footprints (rect, disc, pixel) and the default window
``_extract``     ``extract_traces`` and the one entry point of every extraction
``_footprint``   positions' windows and regions as one set of weighted pixel runs
``_plan``        the one place that decides kernel, dtypes, block size and threads
``_kernels``     the compiled kernels that reduce one block of frames
``_sources``     where blocks come from: arrays, memmaps, masked arrays, zarr, HDF5, dask

Regions:

``_regions``     regions (masks, label images, polygons, weights) as one footprint
``_roi``         ImageJ / Fiji ROIs through roifile: read as regions, written as a RoiSet
``_kymograph``   kymographs along a path

Processing and saving:

``_normalize``   normalisation
``_detrend``     detrending with seasonal's trend kinds; ``_theil_sen`` its exact Theil-Sen slopes
``_baseline``    ΔF/F against a baseline fitted to the resting samples
``_export``      saving traces (CSV, .npy, .mat, HDF5); ``_csv`` the CSV text

Plots and interaction:

``_plot``        static plots of positions and traces
``_regionplot``  plots of regions and kymographs
``_selector``    the non-blocking selector widgets (Qt, Jupyter)
``_select``      the blocking ``select_*`` functions and ``compare_traces``
``_backend``     where a blocking window can open, switching backends for it
"""

from .._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)  # the names: __init__.pyi
