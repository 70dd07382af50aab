"""Plots of regions and kymographs.

As in :mod:`._plot`, every function draws on the ``ax`` it is given and returns
it; with no ``ax`` it makes a figure, shows it and returns the new Axes.
Region ``i`` takes the ``i``-th colour of the colour cycle, as its trace does
in :func:`show_traces`.
"""

import functools

import matplotlib.pyplot as plt
import numpy as np

from .._validate import as_positive_float, check_frame_shape, check_keywords, is_real_dtype
from ._docstring import shared_docs
from ._plotting import check_image, cycle_colors, new_axes_if_needed, per_trace_colors, per_trace_labels
from ._regions import build_regions, mask_outlines


@functools.cache
def _setters(artist_class):
    from matplotlib.artist import ArtistInspector

    inspector = ArtistInspector(artist_class)
    names = set(inspector.get_setters())
    for aliases in inspector.aliasd.values():
        names.update(aliases)
    return frozenset(names)


def region_paths(region_set):
    """One matplotlib Path per region: the outlines of its pixels along pixel edges."""
    from matplotlib.path import Path

    height, width = region_set.frame_shape
    bounds = np.searchsorted(region_set.region, np.arange(region_set.n_regions + 1))
    paths, anchors = [], []
    for k in range(region_set.n_regions):
        rows, cols = np.divmod(region_set.pixel[bounds[k] : bounds[k + 1]], width)
        top, left = rows.min(), cols.min()
        crop = np.zeros((rows.max() - top + 1, cols.max() - left + 1), dtype=bool)
        crop[rows - top, cols - left] = True
        vertices, codes = [], []
        for ring in mask_outlines(crop):
            ring = ring + (left, top)
            vertices.extend([*ring.tolist(), ring[0].tolist()])
            codes.extend([Path.MOVETO] + [Path.LINETO] * (len(ring) - 1) + [Path.CLOSEPOLY])
        paths.append(Path(np.asarray(vertices, dtype=float), codes))
        # the region's pixel nearest its centroid: a label inside even a ring-shaped region
        nearest = np.argmin((rows - rows.mean()) ** 2 + (cols - cols.mean()) ** 2)
        anchors.append((float(cols[nearest]), float(rows[nearest])))
    return paths, anchors


@shared_docs
def show_regions(
    regions,
    image=None,
    ax=None,
    colors=None,
    labels=None,
    *,
    fill=False,
    frame_shape=None,
    cmap="gray",
    vmin=None,
    vmax=None,
    **kwargs,
):
    """Outline regions on an image, each in the colour its trace gets from :func:`show_traces`.

    The outline of a region follows the edges of the pixels it averages (as
    :func:`region_masks` gives them), so what is drawn is what is measured.

    Parameters
    ----------
    regions
        Any form :func:`extract_region_traces` takes: masks, a label image,
        polygons, ImageJ ROIs or a RoiSet.
    image : array_like, shape (H, W), optional
        The image to draw on, e.g. a frame of the video.
    %(ax)s
    colors : color or sequence of colors, optional
        One colour for all regions or one per region; by default the colour
        cycle, in the order of the trace columns.
    labels : sequence of str, optional
        One label per region, written at its centre (e.g. from
        :func:`region_names`).
    fill : bool, optional
        Fill the regions, semi-transparent, instead of only outlining them.
    frame_shape : (int, int), optional
        ``(height, width)`` of the frame when no image is given (by default
        one that holds the regions).
    cmap, vmin, vmax
        Display of the image, as in :func:`show_positions`.
    **kwargs
        Passed to :class:`matplotlib.patches.PathPatch` (e.g. ``linewidth``,
        ``linestyle``, ``alpha``).

    %(returns_ax)s

    Raises
    ------
    ValueError
        If ``colors`` or ``labels`` do not give one entry per region, or a
        region has no pixel inside the image.

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> from optimap.trace import show_regions
    >>> labels = np.zeros((20, 30), dtype=int)
    >>> labels[2:8, 3:9], labels[10:18, 15:28] = 1, 2
    >>> fig, ax = plt.subplots()
    >>> ax = show_regions(labels, np.random.default_rng(0).random((20, 30)), ax=ax, labels=["a", "b"])
    >>> len(ax.patches), [t.get_text() for t in ax.texts]
    (2, ['a', 'b'])
    >>> plt.close(fig)
    """
    from matplotlib.colors import to_rgba
    from matplotlib.patches import PathPatch

    check_keywords(
        kwargs,
        _setters(PathPatch),
        "show_regions",
        what_is_allowed="matplotlib PathPatch properties (e.g. linewidth, linestyle, alpha)",
        also_suggest=("image", "colors", "labels", "fill", "frame_shape", "cmap", "vmin", "vmax"),
    )
    if not isinstance(fill, (bool, np.bool_)):
        raise TypeError(f"fill must be True or False, got {fill!r}")
    if image is not None:
        image = check_image(image)
        frame_shape = image.shape[:2]
    elif frame_shape is not None:
        frame_shape = check_frame_shape(frame_shape)
    region_set = build_regions(regions, frame_shape)
    n = region_set.n_regions
    colors = cycle_colors(n) if colors is None else per_trace_colors(colors, n)
    labels = None if labels is None else [str(label) for label in per_trace_labels(labels, n)]
    ax, show = new_axes_if_needed(ax)
    height, width = region_set.frame_shape
    if image is not None:
        ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="none")
        ax.axis("off")
    else:
        ax.set_xlim(-0.5, width - 0.5)
        ax.set_ylim(height - 0.5, -0.5)
        ax.set_aspect("equal")
    paths, anchors = region_paths(region_set) if n else ([], [])
    options = {"linewidth": 1.2, **kwargs}
    for i, (path, color) in enumerate(zip(paths, colors)):
        face = to_rgba(color, 0.35) if fill else "none"
        patch = PathPatch(path, facecolor=face, edgecolor=color, **options)
        if labels is not None:
            patch.set_label(labels[i])
        ax.add_patch(patch)
    if labels is not None:
        import matplotlib.patheffects as effects

        outline = [effects.withStroke(linewidth=2.5, foreground="black")]
        for (x, y), color, label in zip(anchors, colors, labels):
            ax.text(x, y, label, color=color, ha="center", va="center", fontsize="small", path_effects=outline)
    if show:
        plt.show()
    return ax


@shared_docs
def show_kymograph(kymograph, fps=None, spacing=1.0, ax=None, **kwargs):
    """Draw a kymograph: time (down) against distance along the path (across).

    Parameters
    ----------
    kymograph : array_like, shape (T, L)
        From :func:`extract_kymograph`: one column per sample along the path.
    fps : float, optional
        Frames per second: the time axis is in seconds, else in frames.
    spacing : float, optional
        Distance between samples in pixels (the ``spacing`` of
        :func:`extract_kymograph`), by default 1.
    %(ax)s
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.imshow` (e.g. ``cmap``,
        ``vmin``, ``vmax``); the colour map is ``'gray'`` unless given.

    %(returns_ax)s

    Raises
    ------
    ValueError
        If the kymograph is not 2-D, or ``fps`` or ``spacing`` is not a
        finite number > 0.

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> from optimap.trace import show_kymograph
    >>> fig, ax = plt.subplots()
    >>> ax = show_kymograph(np.random.default_rng(0).random((500, 40)), fps=500, spacing=2.0, ax=ax)
    >>> ax.get_xlabel(), ax.get_ylabel(), tuple(float(v) for v in ax.images[0].get_extent())
    ('Distance along the path [px]', 'Time [s]', (-1.0, 79.0, 0.999, -0.001))
    >>> plt.close(fig)
    """
    from matplotlib.image import AxesImage

    allowed = _setters(AxesImage) | {
        "cmap",
        "norm",
        "vmin",
        "vmax",
        "aspect",
        "interpolation",
        "interpolation_stage",
        "resample",
        "filternorm",
        "filterrad",
    }
    check_keywords(
        kwargs,
        allowed,
        "show_kymograph",
        what_is_allowed="Axes.imshow keywords (e.g. cmap, vmin, vmax, interpolation)",
        also_suggest=("fps", "spacing", "ax"),
    )
    if isinstance(kymograph, (str, bytes)):
        raise TypeError("kymograph must be a 2-D numeric array (T, L), got a string")
    data = np.asarray(kymograph)
    if not is_real_dtype(data.dtype):
        raise TypeError(f"kymograph must hold real numbers, got dtype {data.dtype}")
    if data.ndim != 2:
        raise ValueError(f"kymograph must be 2-D (frames, samples along the path), got shape {data.shape}")
    spacing = as_positive_float(spacing, "spacing")
    n_frames, n_samples = data.shape
    if fps is not None:
        fps = as_positive_float(fps, "fps")
        top, bottom, time_label = -0.5 / fps, (n_frames - 0.5) / fps, "Time [s]"
    else:
        top, bottom, time_label = -0.5, n_frames - 0.5, "Frame"
    ax, show = new_axes_if_needed(ax)
    options = {"cmap": "gray", "aspect": "auto", "interpolation": "nearest", **kwargs}
    ax.imshow(data, extent=(-0.5 * spacing, (n_samples - 0.5) * spacing, bottom, top), **options)
    ax.set_xlabel("Distance along the path [px]")
    ax.set_ylabel(time_label)
    if show:
        plt.show()
    return ax
