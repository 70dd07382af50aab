"""The command line's outputs: checked before anything is read, figures, and the writers.

Every output goes through :func:`optimap._files.write_outputs` (all files or
none, under temporary names) or to standard output.
"""

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np

from ._cli_inputs import UsageError

TRACE_FORMATS = (".csv", ".npy", ".mat", ".h5", ".hdf5")
# Above this many positions, a plot shows a colour bar instead of a legend, and colours along this map.
LEGEND_MAX = 10
_MANY_CMAP = "turbo"


def _format(path, special=".csv"):
    """The extension of ``path``; ``special`` for a FIFO or device without one (e.g. /dev/null)."""
    suffix = Path(path).suffix.lower()
    if not suffix and os.path.exists(path) and not os.path.isfile(path):
        return special
    return suffix


def _plot_formats():
    from matplotlib.backend_bases import FigureCanvasBase

    return sorted(FigureCanvasBase.get_supported_filetypes())


def check_outputs(args, inputs):
    """Check every output option before anything is read; returns ``[(option text, path)]``."""
    from optimap._files import check_output_path, check_outputs

    outputs = []
    if args.output in (None, "-") and sys.stdout is None:
        raise UsageError("standard output is closed: give an output file with -o FILE")
    if args.output is not None and args.output != "-":
        outputs.append((f"-o {args.output}", args.output))
    if args.plot is not None:
        outputs.append((f"--plot {args.plot}", args.plot))
    for what, path in outputs:
        try:
            check_output_path(path, what.split(" ")[0])
        except ValueError as exc:
            raise UsageError(exc) from None
    try:
        check_outputs(outputs, inputs)
    except ValueError as exc:
        raise UsageError(exc) from None
    if args.output is not None and args.output != "-" and _format(args.output) not in TRACE_FORMATS:
        raise UsageError(
            f"-o {args.output}: unknown format {_format(args.output) or '(no extension)'}; "
            f"give a file ending in {', '.join(TRACE_FORMATS)}, or - for CSV on standard output"
        )
    if args.output is not None and _format(args.output) in (".h5", ".hdf5"):
        from optimap._optional import import_optional

        import_optional("h5py", "hdf5", "save traces as HDF5")  # missing: say so before reading the video
    if args.plot is not None and _format(args.plot, ".png").lstrip(".") not in _plot_formats():
        raise UsageError(
            f"--plot {args.plot}: unknown picture format {_format(args.plot) or '(no extension)'}; "
            f"give a file ending in .png, .pdf, .svg or .jpg"
        )
    return outputs


def trace_figure(frame, positions, traces, names, fps=None, frames=None, ylabel="Intensity"):
    """The frame with the positions beside their traces, each position in its trace's colour (see
    :func:`_colors_and_legend`); ``frames`` are the numbers of the traces' frames in the video (by
    default 0, 1, ...), ``ylabel`` says what the traces are."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from optimap.trace import show_positions_and_traces

    n = len(positions)
    colors, legend = _colors_and_legend(n)
    figure, axs = plt.subplots(1, 2, figsize=(11, 4), width_ratios=(1, 2), layout="constrained")
    show_positions_and_traces(frame, positions, traces=traces, x=_times(frames, len(traces), fps), axs=axs,
                              colors=colors, labels=names if legend else None,
                              linewidth=None if legend else _many_width(n))  # fmt: skip
    _label_axes(axs[1], fps, ylabel)
    _legend_or_colour_bar(figure, axs[1], n, legend, "position")
    return figure


def _colors_and_legend(n):
    """Colours of ``n`` traces: the colour cycle (with a legend) up to LEGEND_MAX, else along a colour
    map (with a colour bar numbering them in CSV column order)."""
    import matplotlib.pyplot as plt

    if n <= LEGEND_MAX:
        return None, True
    cmap = plt.get_cmap(_MANY_CMAP)
    return [cmap(value) for value in np.linspace(0.05, 0.95, n)], False


def _many_width(n):
    """Line width of ``n`` traces too many for a legend: thinner the more there are."""
    return max(0.2, min(1.0, 30 / n))


def _times(frames, n_frames, fps):
    """The time axis of traces from video frames ``frames`` (by default ``0 ... n_frames - 1``): the
    frame numbers, or seconds with ``fps``. Passed to the plots as ``x``, so that traces of
    ``--frames``, ``--start`` or ``--step`` sit where they are in the recording (``fps=`` would count
    from 0 in steps of one frame)."""
    frames = np.arange(n_frames) if frames is None else np.asarray(frames)
    return frames if fps is None else frames / fps


def _label_axes(ax, fps, ylabel):
    """Say what the traces are, and in what the time is counted (the plots leave ``x`` unnamed)."""
    ax.set_ylabel(ylabel)
    ax.set_xlabel("Frame" if fps is None else "Time [s]")


def _legend_or_colour_bar(figure, ax, n, legend, what):
    """A legend beside (not over) the traces, or a colour bar numbering the ``what`` in column order."""
    import matplotlib

    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
        return
    mappable = matplotlib.cm.ScalarMappable(norm=matplotlib.colors.Normalize(0.5, n + 0.5), cmap=_MANY_CMAP)
    figure.colorbar(mappable, ax=ax, fraction=0.05).set_label(f"{what} (column of the traces, 1-{n})")


def region_figure(frame, region_set, traces, names, fps=None, frames=None, ylabel="Intensity"):
    """The frame with the regions outlined beside their traces, each region in its trace's colour;
    ``frames`` and ``ylabel`` as in :func:`trace_figure`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from optimap.trace import show_regions, show_traces

    n = region_set.n_regions
    colors, legend = _colors_and_legend(n)
    figure, axs = plt.subplots(1, 2, figsize=(11, 4), width_ratios=(1, 2), layout="constrained")
    show_regions(region_set, frame, ax=axs[0], colors=colors)
    width = 1.5 if legend else _many_width(n)
    x = _times(frames, len(traces), fps)
    show_traces(traces, x=x, colors=colors, labels=names if legend else None, ax=axs[1], linewidth=width)
    _label_axes(axs[1], fps, ylabel)
    _legend_or_colour_bar(figure, axs[1], n, legend, "region")
    return figure


def kymograph_figure(frame, vertices, positions, kymograph, fps=None, spacing=1.0, start=0, step=1):
    """The frame with the path (and its start marked) beside the kymograph, whose rows are the video's
    frames ``start``, ``start + step``, ..."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from optimap.trace import show_kymograph

    figure, axs = plt.subplots(1, 2, figsize=(11, 4), width_ratios=(1, 2), layout="constrained")
    axs[0].imshow(frame, cmap="gray", interpolation="none")
    axs[0].axis("off")
    path = np.asarray(vertices, dtype=float)
    axs[0].plot(path[:, 0], path[:, 1], color="C1", linewidth=1.5)
    axs[0].plot(*path[0], marker="o", color="C1", markersize=5)  # distance 0
    ax = show_kymograph(kymograph, fps=fps, spacing=spacing, ax=axs[1])
    # show_kymograph counts rows 0, 1, ...: place each where its frame is in the recording
    top, bottom = start - step / 2, start + step * (len(kymograph) - 0.5)
    if fps is not None:
        top, bottom = top / fps, bottom / fps
    left, right = ax.images[0].get_extent()[:2]
    ax.images[0].set_extent((left, right, bottom, top))
    ax.set_ylim(bottom, top)
    return figure


def _figure_writer(figure, path):
    fmt = _format(path, ".png").lstrip(".")
    return lambda temporary: figure.savefig(temporary, dpi=120, format=fmt)


def _traces_writer(traces, positions, names, fps, frames, metadata):
    from optimap.trace import save_traces

    return lambda temporary: save_traces(
        temporary, traces, positions, fps=fps, frames=frames, names=names, metadata=metadata
    )


def _write_stdout(traces, positions, names, fps, frames):
    from optimap.trace import save_traces

    save_traces(sys.stdout.buffer, traces, positions, fps=fps, frames=frames, names=names)
    sys.stdout.flush()


def _has_tqdm():
    return importlib.util.find_spec("tqdm") is not None
