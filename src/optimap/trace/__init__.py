"""Extract, show, select, normalise and detrend time series of videos.

Every public function of this module is loaded lazily from a private module,
so ``import optimap.trace`` is fast and pulls in neither matplotlib nor scipy.

Positions are ``(x, y)`` pairs: ``x`` is the column and ``y`` the row, so the
position ``(5, 10)`` is the pixel ``video[:, 10, 5]``, as matplotlib shows an
image and reports a click.

Where things live
-----------------
Positions, windows and the engine:

``_positions``         parsing and validating positions; random, line and collage positions
``_windows``           window footprints (rect, disc, pixel) and the default window
``_extract``           ``extract_traces`` and the one entry point of every extraction
``_footprint``         positions' windows and regions as one set of weighted pixel runs
``_plan``              the one place that decides kernel, dtypes, block size and threads
``_kernels``           the compiled kernels that reduce one block of frames
``_sources``           where blocks come from: arrays, memmaps, masked arrays, zarr, HDF5, dask

Regions:

``_regions``           regions as one set of pixels (``RegionSet``) and one footprint; outlines
``_region_forms``      the forms a region can take (masks, label images, polygons, ROIs), parsed
``_rasterize``         polygons and pixel rules rasterised into a frame's pixels
``_roi``               ImageJ / Fiji ROIs through roifile: read as regions, written as a RoiSet
``_kymograph``         kymographs along a path

Processing and saving:

``_normalize``         normalisation
``_detrend``           ``detrend_timeseries``: its checks and each trace's smoothing window
``_trends``            seasonal's trend kinds (mean, median, line, spline) and their aglets
``_theil_sen``         the exact Theil-Sen slopes of the line trend and the aglets
``_period``            the period estimate when none is given
``_baseline``          ΔF/F against a baseline fitted to the resting samples
``_export``            saving traces (CSV, .npy, .mat, HDF5)
``_csv``               the CSV text of traces, streamed in blocks at full precision

Plots and interaction:

``_plot``              static plots of positions and traces
``_regionplot``        plots of regions and kymographs
``_plotting``          what plots and selectors share: colours, time axis, the frame to show
``_position_selector`` ``PositionSelector``: clicks become positions (non-blocking)
``_trace_selector``    ``TraceSelector``: positions and their traces (non-blocking)
``_compare_selector``  ``CompareSelector``: several videos' traces at one position
``_selector``          what the two trace selectors share: their checks and their figure
``_select``            the blocking ``select_*`` functions and ``compare_traces``
``_backend``           where a blocking window can open, switching backends for it
``_docstring``         parameter descriptions several docstrings share, written once
"""

from .._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)  # the names: __init__.pyi
