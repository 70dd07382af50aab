"""The argument parser of the ``optimap-trace`` command line (see :mod:`optimap.cli`): its commands,
options and help texts. A usage error raises :class:`~._cli_inputs.UsageError`, which the command
line prints as one line."""

import argparse

from ._cli_inputs import UsageError, _AppendRegion

PROG = "optimap-trace"
DETREND_KINDS = ("mean", "median", "line", "spline")


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)  # --no is not --normalize
        super().__init__(*args, **kwargs)

    def error(self, message):
        raise UsageError(message)


def build_parser(runners):
    """The parser of ``optimap-trace``; ``runners`` maps each command's name to the function that
    runs it, given the parsed arguments (``args.run``)."""
    parser = _Parser(prog=PROG, description="Extract time series from optical-mapping and fluorescence videos.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="make a synthetic recording, extract its action potentials and plot them",
        description="Simulate a paced heart, save the recording and its traces and a picture.",
    )
    demo.add_argument("--out", default="optimap-demo", help="output folder (default: ./optimap-demo)")
    demo.add_argument("--quiet", action="store_true", help="print nothing on success")
    demo.set_defaults(run=runners["demo"])

    extract = commands.add_parser(
        "extract",
        help="extract traces from a video file",
        description="Extract the mean of a window around each position, frame by frame, and save the traces.",
        epilog="x is the column and y the row of a pixel, counted from 0 at the top left, as an image viewer shows "
        "them. Processing runs in the order: extract, --detrend or --dff, --normalize, --invert.",
    )
    extract.add_argument(
        "video",
        nargs="+",
        metavar="VIDEO",
        help=".npy, .tif/.tiff, .zarr, .h5/.hdf5 or a folder of TIFF/PNG images; several files "
        "(e.g. a recording split into rec.tif, rec_1.tif, ...) are read as one video in "
        "natural name order",
    )
    where = extract.add_argument_group("positions (at least one; x is the column, y the row)")
    where.add_argument("--pos", action="append", metavar="X,Y", help="a position (repeatable)")
    where.add_argument(
        "--positions",
        action="append",
        metavar="FILE",
        help="a CSV with x and y columns (comma, semicolon or tab separated; other columns are "
        "ignored), a JSON list of [x, y] pairs or JSON columns x and y (repeatable)",
    )
    where.add_argument("--random", type=int, metavar="N", help="N distinct random positions")
    where.add_argument("--seed", type=int, metavar="S", help="seed for --random")
    where.add_argument("--line", action="append", metavar="X0,Y0,X1,Y1,N", help="N positions from (X0,Y0) to (X1,Y1)")
    regions = extract.add_argument_group(
        "regions (instead of positions): one trace per region, the mean of its pixels; repeatable, in the order given"
    )
    regions.add_argument(
        "--roi",
        action=_AppendRegion,
        dest="regions",
        metavar="FILE",
        help="ImageJ/Fiji ROIs: a .roi file or a RoiSet .zip; columns take the ROIs' names",
    )
    regions.add_argument(
        "--labels",
        action=_AppendRegion,
        dest="regions",
        metavar="FILE",
        help="a label image of the frame's size (.npy, .tif, .png): one region per label > 0 "
        "(0 is background), columns label_K in increasing K",
    )
    regions.add_argument(
        "--mask",
        action=_AppendRegion,
        dest="regions",
        metavar="FILE",
        help="a mask of the frame's size (.npy, .png, .tif; non-zero pixels belong), or a .npy "
        "stack (N, rows, columns) of N masks; columns take the file's name",
    )
    window = extract.add_argument_group("window (positions only)")
    window.add_argument("--size", type=int, default=None, help="window size in pixels (default 5)")
    window.add_argument("--window", choices=("rect", "disc", "pixel"), default=None, help="window (default rect)")
    _add_video_options(extract)
    _add_processing_options(extract, "trace")
    _add_output_options(
        extract,
        "traces as .csv, .npy, .mat (MATLAB) or .h5 (HDF5), by the extension; - or nothing for CSV on standard output",
        "the positions beside their traces",
    )
    extract.set_defaults(run=runners["extract"])

    kymograph = commands.add_parser(
        "kymograph",
        help="sample a video along a path: a kymograph",
        description="Sample the video every --spacing pixels along a path, averaging a window around each sample "
        "frame by frame, and save the kymograph (one column per sample, one row per frame).",
        epilog="x is the column and y the row of a pixel, counted from 0 at the top left. Each segment is sampled "
        "from its first vertex, so every vertex is a sample.",
    )
    kymograph.add_argument("video", nargs="+", metavar="VIDEO", help="as for extract")
    along = kymograph.add_argument_group("the path")
    along.add_argument(
        "--path",
        required=True,
        metavar="X0,Y0,X1,Y1,...",
        help="the vertices of the path (at least 2), each inside the frame",
    )
    along.add_argument("--spacing", type=float, default=1.0, help="pixels between samples along the path (default 1)")
    along.add_argument("--size", type=int, default=1, help="window size around each sample (default 1: the pixel)")
    along.add_argument("--window", choices=("rect", "disc", "pixel"), default="rect", help="window (default rect)")
    _add_video_options(kymograph)
    _add_processing_options(kymograph, "sample's time series")
    _add_output_options(
        kymograph,
        "the kymograph as .npy (frames x samples), .csv, .mat or .h5 (one column per sample, named "
        "x{X}_y{Y}); - or nothing for CSV on standard output",
        "the path beside the kymograph",
    )
    kymograph.set_defaults(run=runners["kymograph"])
    return parser


def _add_output_options(parser, output_help, beside_the_frame):
    """The output options of extract and kymograph: -o, --plot (the first frame with ``beside_the_frame``), --quiet."""
    output = parser.add_argument_group("output")
    output.add_argument("-o", "--output", metavar="FILE", help=output_help)
    output.add_argument(
        "--plot", metavar="FILE", help=f"also save the first frame with {beside_the_frame} (.png, .pdf, .svg, .jpg)"
    )
    output.add_argument("--quiet", action="store_true", help="no progress bar and no messages")


def _add_processing_options(parser, what):
    processing = parser.add_argument_group("processing")
    processing.add_argument(
        "--detrend", choices=DETREND_KINDS, metavar="KIND", help=f"remove a trend: one of {', '.join(DETREND_KINDS)}"
    )
    processing.add_argument(
        "--dff",
        action="store_true",
        help="ΔF/F against a slow baseline fitted to the resting samples (the bright level with "
        "--invert): removes photobleaching, beats included; instead of --detrend",
    )
    processing.add_argument("--normalize", action="store_true", help=f"scale each {what} to [0, 1]")
    processing.add_argument(
        "--invert",
        action="store_true",
        help=f"mirror each {what} within its range (1 - x after --normalize), for dyes whose "
        "fluorescence falls on depolarisation, e.g. di-4-ANEPPS",
    )


def _add_video_options(parser):
    video = parser.add_argument_group("which frames and which data")
    video.add_argument("--start", type=int, metavar="N", help="first frame (counted from 0)")
    video.add_argument("--frames", metavar="START:STOP", help="only frames START to STOP-1 (either may be empty)")
    video.add_argument("--step", type=int, default=1, metavar="N", help="every N-th frame (default 1)")
    video.add_argument("--dataset", metavar="NAME", help="the dataset of an HDF5 file or the array of a zarr group")
    video.add_argument("--channel", type=int, metavar="K", help="channel K (from 0) of a multi-channel TIFF stack")
    video.add_argument("--fps", type=float, help="frames per second: the first column becomes time_s")


def _version():
    from optimap import __version__

    return __version__
