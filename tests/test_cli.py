"""The optimap-trace command line, end to end on real files."""

import json
import os
import re
import shlex
import subprocess
import sys

import numpy as np
import pytest

from optimap.cli import main
from optimap.trace import detrend_timeseries, extract_traces, normalize

# the command line in a child process of its own
CLI = [sys.executable, "-c", "import sys; from optimap.cli import main; sys.exit(main())"]


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    """A small video on disk as .npy and TIFF."""
    folder = tmp_path_factory.mktemp("videos")
    rng = np.random.default_rng(0)
    video = (1000 + 100 * rng.standard_normal((60, 24, 32))).astype(np.uint16)
    np.save(folder / "video.npy", video)
    import tifffile

    tifffile.imwrite(folder / "video.tif", video)
    return folder, video


def read_csv(path):
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    values = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    return header, values


def run(argv, capsys):
    status = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("name", ["video.npy", "video.tif"])
def test_extract_matches_the_library(tmp_path, recording, capsys, name):
    folder, video = recording
    out = tmp_path / "traces.csv"
    status, stdout, stderr = run(
        ["extract", folder / name, "--pos", "3,4", "--pos", "31,23", "--size", "3", "--window", "disc", "-o", out],
        capsys,
    )
    assert status == 0, stderr
    header, values = read_csv(out)
    assert header == ["frame", "x3_y4", "x31_y23"]
    np.testing.assert_array_equal(values[:, 0], np.arange(60))
    expected = extract_traces(video, [(3, 4), (31, 23)], size=3, window="disc")
    np.testing.assert_array_equal(values[:, 1:], expected)  # full precision round trip
    assert f"wrote {out}" in stderr


def test_extract_to_stdout_with_fps_frames_and_processing(recording, capsys):
    folder, video = recording
    status, stdout, _ = run(
        [
            "extract",
            folder / "video.npy",
            "--line",
            "0,0,30,20,3",
            "--frames",
            "10:50",
            "--fps",
            "200",
            "--detrend",
            "line",
            "--normalize",
            "--quiet",
        ],
        capsys,
    )
    assert status == 0
    lines = stdout.splitlines()
    assert lines[0] == "time_s,x0_y0,x15_y10,x30_y20"
    values = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    np.testing.assert_allclose(values[:, 0], np.arange(10, 50) / 200)
    raw = extract_traces(video[10:50], [(0, 0), (15, 10), (30, 20)])
    np.testing.assert_allclose(
        values[:, 1:], normalize(detrend_timeseries(raw, kind="line"), dtype=np.float64), rtol=1e-12, atol=1e-12
    )


def test_json_columns_as_pandas_writes_them(tmp_path, recording, capsys):
    """``DataFrame.to_json()`` writes columns of row labels; a list per column works too."""
    folder, video = recording
    (tmp_path / "pandas.json").write_text(json.dumps({"x": {"0": 1, "1": 5}, "y": {"0": 2, "1": 6}, "name": {}}))
    (tmp_path / "lists.json").write_text(json.dumps({"y": [8], "x": [7]}))
    argv = ["extract", folder / "video.npy", "--positions", tmp_path / "pandas.json", "--positions"]
    status, stdout, err = run([*argv, tmp_path / "lists.json", "--quiet"], capsys)
    assert status == 0, err
    assert stdout.splitlines()[0] == "frame,x1_y2,x5_y6,x7_y8"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("x,y\n", "holds no positions"),
        ("[]", "holds no positions"),
        ('{"positions": [[1, 2]]}', r"must hold a JSON list of .* or an object .* of columns \(got \{\"positions\""),
        ('{"x": [1, 3], "y": [2]}', 'the columns "x" and "y" must be lists of numbers of one length'),
        (None, "is a folder; give a CSV or JSON file of positions"),
    ],
)
def test_positions_files_that_hold_none(tmp_path, recording, capsys, content, message):
    path = tmp_path / ("p.csv" if content and content.startswith("x") else "p.json")
    path.mkdir() if content is None else path.write_text(content)
    status, _, err = run(["extract", recording[0] / "video.npy", "--positions", path, "-o", tmp_path / "t.csv"], capsys)
    assert status == 2 and err.count("\n") == 1 and not (tmp_path / "t.csv").exists()
    assert re.search(f"^optimap-trace: error: --positions {re.escape(str(path))}: {message}", err), err


def test_output_paths_say_what_is_wrong_with_their_folder(tmp_path, recording, capsys):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "link.csv").symlink_to(tmp_path / "nowhere" / "t.csv")
    video = recording[0] / "video.npy"
    status, _, err = run(["extract", video, "--pos", "1,1", "--plot", tmp_path / "notes.txt" / "p.png"], capsys)
    assert status == 2 and err.endswith(f": {str(tmp_path / 'notes.txt')!r} is a file, not a folder\n")
    status, _, err = run(["extract", video, "--pos", "1,1", "-o", tmp_path / "link.csv"], capsys)
    assert status == 2 and err.endswith(
        f"is a link to {str(tmp_path / 'nowhere' / 't.csv')!r}, whose folder does not exist\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "notes.txt"]


def test_positions_files_random_and_plot(tmp_path, recording, capsys):
    folder, video = recording
    (tmp_path / "p.csv").write_text("x,y\n1,2\n5.4,6\n")
    (tmp_path / "p.json").write_text(json.dumps([[7, 8]]))
    out, plot = tmp_path / "t.csv", tmp_path / "t.png"
    status, _, err = run(
        [
            "extract",
            folder / "video.npy",
            "--positions",
            tmp_path / "p.csv",
            "--positions",
            tmp_path / "p.json",
            "--random",
            "4",
            "--seed",
            "3",
            "-o",
            out,
            "--plot",
            plot,
        ],
        capsys,
    )
    assert status == 0, err
    header, values = read_csv(out)
    # every --positions file in order, then 4 random positions
    assert header[:4] == ["frame", "x1_y2", "x5_y6", "x7_y8"] and len(header) == 8
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    status, _, _ = run(["extract", folder / "video.npy", "--positions", tmp_path / "p.csv", "-o", out], capsys)
    assert read_csv(out)[0] == ["frame", "x1_y2", "x5_y6"]


def test_demo_end_to_end(tmp_path, capsys):
    out = tmp_path / "my demo"  # a space: the command it suggests next must still paste as it is
    status, stdout, err = run(["demo", "--out", out], capsys)
    assert status == 0, err
    for name in ("recording.npy", "traces.csv", "traces.png"):
        assert (out / name).is_file() and f"wrote {out / name}" in stdout
    video = np.load(out / "recording.npy")
    assert video.dtype == np.uint16 and video.ndim == 3
    header, values = read_csv(out / "traces.csv")
    assert header[0] == "time_s" and len(header) >= 4
    assert values[:, 1:].min() >= 0 and values[:, 1:].max() <= 1
    # the CSV is the library's result on the saved recording
    positions = [tuple(int(v[1:]) for v in name.split("_")) for name in header[1:]]
    from optimap.datasets._synthetic import action_potentials  # the demo's processing

    expected = action_potentials(extract_traces(video, positions, size=5))
    np.testing.assert_allclose(values[:, 1:], expected, atol=1e-12)
    suggested = shlex.split(stdout.splitlines()[-1].removeprefix("next: "))
    assert suggested[0] == "optimap-trace"
    status, _, err = run(suggested[1:], capsys)
    assert status == 0, err
    assert (out / "my-traces.csv").is_file() and (out / "my-traces.png").is_file()


def test_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "optimap.cli", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("optimap-trace ")


# --- errors: one line, exit status, no file left behind -------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["extract", "{missing}", "--pos", "1,1"], "No such file|not found|does not exist"),
        (["extract", "{text}", "--pos", "1,1"], "format|not"),
        (["extract", "{truncated}", "--pos", "1,1"], "truncated|damaged|cannot|not"),
        (["extract", "{image2d}", "--pos", "1,1"], "3-D|video|2-D"),
        (["extract", "{npy}", "--pos", "1"], "--pos 1: needs 2"),
        (["extract", "{npy}", "--pos", "a,b"], "--pos a,b: needs 2"),
        (["extract", "{npy}", "--pos", "100,1"], "outside the frame"),
        (["extract", "{npy}", "--pos", "1,1", "--window", "square"], "invalid choice"),
        (["extract", "{npy}", "--pos", "1,1", "--detrend", "cubic"], "invalid choice"),
        (["extract", "{npy}", "--pos", "1,1", "--size", "-1"], "--size -1: must be 0 or more"),
        (["extract", "{npy}"], "no positions"),
        (["extract", "{npy}", "--pos", "1,1", "--frames", "5:2"], "--frames"),
        (["extract", "{npy}", "--pos", "1,1", "--fps", "0"], "--fps"),
        (["extract", "{npy}", "--line", "0,0,5,5"], "--line 0,0,5,5: needs 5"),
        (["extract", "{npy}", "--random", "0"], "--random"),
        (["extract", "{npy}", "--positions", "{badjson}"], "JSON"),
        (["extract", "{npy}", "--positions", "{badcsv}"], "an 'x' and a 'y' column"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_errors_are_one_line_with_status_2_and_leave_no_file(tmp_path, recording, capsys, argv, message):
    folder, _ = recording
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "bad.npy").write_bytes(
        np.lib.format.magic(1, 0)
        + b"\x76\x00{'descr': '<u2', 'fortran_order': False, 'shape': (10, 10, 10), }"
        + b" " * 40
        + b"\n"
        + b"\x00" * 10
    )
    np.save(tmp_path / "image.npy", np.zeros((5, 5)))
    (tmp_path / "bad.json").write_text("[[1, 2], [3")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    names = {
        "missing": tmp_path / "missing.npy",
        "text": tmp_path / "notes.txt",
        "truncated": tmp_path / "bad.npy",
        "image2d": tmp_path / "image.npy",
        "npy": folder / "video.npy",
        "badjson": tmp_path / "bad.json",
        "badcsv": tmp_path / "bad.csv",
    }
    out = tmp_path / "out.csv"
    argv = [a.format(**names) for a in argv] + (
        ["-o", str(out), "--plot", str(tmp_path / "out.png")] if argv[0] == "extract" else []
    )
    before = sorted(p.name for p in tmp_path.iterdir())
    status, stdout, stderr = run(argv, capsys)
    assert status == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("optimap-trace: error: "), stderr
    assert "Traceback" not in stderr
    import re

    assert re.search(message, lines[0]), lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, no temporary left


def test_unwritable_output_is_status_2_and_nothing_left(tmp_path, recording, capsys):
    folder, _ = recording
    status, _, err = run(["extract", folder / "video.npy", "--pos", "1,1", "-o", tmp_path / "nope" / "t.csv"], capsys)
    assert status == 2 and "does not exist" in err
    assert not (tmp_path / "nope").exists()


def test_a_failing_plot_leaves_no_csv_either(tmp_path, recording, capsys):
    """A plot into a folder that does not exist fails before anything is renamed into place."""
    folder, _ = recording
    out = tmp_path / "t.csv"
    status, stdout, err = run(
        ["extract", folder / "video.npy", "--pos", "1,1", "-o", out, "--plot", tmp_path / "missing" / "p.png"], capsys
    )
    assert status == 2 and "does not exist" in err
    assert list(tmp_path.iterdir()) == []
    status, stdout, _ = run(
        ["extract", folder / "video.npy", "--pos", "1,1", "--plot", tmp_path / "missing" / "p.png"], capsys
    )
    assert status == 2 and stdout == ""  # no CSV on standard output either


# --- the options a lab needs ----------------------------------------------------------------------------------


def test_frames_start_and_step_select_frames_and_number_them(tmp_path, recording, capsys):
    folder, video = recording
    for options, selected, numbers in [
        (["--start", "7", "--step", "3"], video[7::3], np.arange(7, 60, 3)),
        (["--frames", "10:20", "--step", "4"], video[10:20:4], np.array([10, 14, 18])),
        (["--frames", ":5"], video[:5], np.arange(5)),
    ]:
        out = tmp_path / "t.csv"
        status, _, err = run(["extract", folder / "video.npy", "--pos", "3,4", "-o", out, "--quiet", *options], capsys)
        assert status == 0, err
        header, values = read_csv(out)
        np.testing.assert_array_equal(values[:, 0], numbers)
        np.testing.assert_array_equal(values[:, 1], extract_traces(selected, (3, 4)))


def test_dataset_chooses_among_several_hdf5_videos(tmp_path, recording, capsys):
    import h5py

    _, video = recording
    with h5py.File(tmp_path / "two.h5", "w") as file:
        file["raw"] = video
        file["processed/smooth"] = video[:, ::-1, :] * 2
    out = tmp_path / "t.csv"
    status, _, err = run(["extract", tmp_path / "two.h5", "--pos", "3,4", "-o", out], capsys)
    assert status == 2 and "--dataset" in err and "dataset=" not in err
    status, _, err = run(
        ["extract", tmp_path / "two.h5", "--dataset", "processed/smooth", "--pos", "3,4", "-o", out, "--quiet"], capsys
    )
    assert status == 0, err
    np.testing.assert_array_equal(read_csv(out)[1][:, 1], extract_traces(video[:, ::-1, :] * 2, (3, 4)))
    status, _, err = run(["extract", tmp_path / "two.h5", "--dataset", "nope", "--pos", "3,4", "-o", out], capsys)
    assert status == 2 and err.count("\n") == 1 and "--dataset nope" in err


def test_invert_mirrors_each_trace_within_its_range(recording, capsys):
    folder, video = recording
    status, stdout, _ = run(
        ["extract", folder / "video.npy", "--pos", "3,4", "--pos", "9,9", "--invert", "--quiet"], capsys
    )
    values = np.array([[float(v) for v in line.split(",")] for line in stdout.splitlines()[1:]])[:, 1:]
    raw = extract_traces(video, [(3, 4), (9, 9)])
    np.testing.assert_allclose(values, raw.min(axis=0) + raw.max(axis=0) - raw, rtol=1e-14)
    status, stdout, _ = run(
        ["extract", folder / "video.npy", "--pos", "3,4", "--normalize", "--invert", "--quiet"], capsys
    )
    values = np.array([float(line.split(",")[1]) for line in stdout.splitlines()[1:]])
    np.testing.assert_allclose(values, 1 - normalize(raw[:, 0], dtype=np.float64), atol=1e-15)


def test_invert_keeps_nan_and_refuses_inf(tmp_path, capsys):
    video = np.arange(5 * 4 * 6, dtype=np.float32).reshape(5, 4, 6)
    video[:, 0, 0] = np.nan  # a pixel that is NaN in every frame
    video[2, 3, 5] = np.inf
    np.save(tmp_path / "v.npy", video)
    argv = ["extract", tmp_path / "v.npy", "--window", "pixel", "--invert", "--quiet"]
    status, stdout, err = run([*argv, "--pos", "0,0", "--pos", "1,1"], capsys)  # no RuntimeWarning: pytest fails on one
    assert status == 0 and err == ""
    rows = [line.split(",") for line in stdout.splitlines()[1:]]
    assert [row[1] for row in rows] == ["nan"] * 5
    np.testing.assert_array_equal([float(row[2]) for row in rows], video[::-1, 1, 1])  # an even ramp mirrored
    status, stdout, err = run([*argv, "--pos", "5,3", "-o", tmp_path / "t.csv"], capsys)
    assert status == 2 and not (tmp_path / "t.csv").exists()
    assert (
        err
        == "optimap-trace: error: --invert: trace column 1 holds an infinite value (frame 2): it has no range to mirror within\n"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--detrend", "mean"], "--detrend mean: data is too short to estimate the period"),
        (["--dff"], "--dff: traces must have at least 8 samples"),
        (["--normalize", "--window", "pixel", "--pos", "5,3"], "--normalize: array contains infinite values"),
    ],
)
def test_processing_errors_name_the_option(tmp_path, capsys, options, message):
    video = np.arange(3 * 4 * 6, dtype=np.float32).reshape(3, 4, 6)
    video[1, 3, 5] = np.inf
    np.save(tmp_path / "v.npy", video)
    status, _, err = run(["extract", tmp_path / "v.npy", "--pos", "1,1", *options, "-o", tmp_path / "t.csv"], capsys)
    assert status == 2 and err.count("\n") == 1 and not (tmp_path / "t.csv").exists()
    assert err.startswith(f"optimap-trace: error: {message}"), err


@pytest.mark.parametrize(
    ("name", "magic"),
    [
        ("f.pdf", b"%PDF"),
        ("f.svg", b"<?xml"),
        ("f.jpg", b"\xff\xd8\xff"),
        ("f.jpeg", b"\xff\xd8\xff"),
        ("f.PNG", b"\x89PNG"),
    ],
)
def test_plot_format_follows_the_extension(tmp_path, recording, capsys, name, magic):
    folder, _ = recording
    status, _, err = run(
        [
            "extract",
            folder / "video.npy",
            "--pos",
            "3,4",
            "--plot",
            tmp_path / name,
            "-o",
            tmp_path / "t.csv",
            "--quiet",
        ],
        capsys,
    )
    assert status == 0, err
    assert (tmp_path / name).read_bytes().startswith(magic)


def test_unknown_extensions_are_usage_errors(tmp_path, recording, capsys):
    folder, _ = recording
    for option, name in (("--plot", "f.txt"), ("-o", "t.xlsx"), ("-o", "traces")):
        status, _, err = run(["extract", folder / "video.npy", "--pos", "3,4", option, tmp_path / name], capsys)
        assert status == 2 and f"{option} {tmp_path / name}: unknown" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fps", [None, 50.0])
def test_plots_of_selected_frames_sit_at_those_frames(tmp_path, recording, capsys, monkeypatch, fps):
    """--frames, --start and --step keep the traces' place in the recording on the plot's time axis, as
    in the CSV's first column (frames, or seconds with --fps)."""
    import matplotlib.pyplot as plt

    from optimap import cli

    drawn = []

    def keep(*args, **kwargs):  # the real figure, kept to look at
        drawn.append(trace_figure(*args, **kwargs))
        return drawn[-1]

    trace_figure = cli.trace_figure
    monkeypatch.setattr(cli, "trace_figure", keep)
    fps_option = [] if fps is None else ["--fps", fps]
    status, _, err = run(
        ["extract", recording[0] / "video.npy", "--pos", "3,4", "--frames", "10:40", "--step", "3", *fps_option,
         "-o", tmp_path / "t.csv", "--plot", tmp_path / "t.png", "--quiet"],
        capsys,
    )  # fmt: skip
    assert status == 0, err
    _, values = read_csv(tmp_path / "t.csv")
    times = np.arange(10, 40, 3) / (fps or 1)
    np.testing.assert_allclose(values[:, 0], times)
    trace_ax = drawn[0].axes[1]
    np.testing.assert_allclose(trace_ax.lines[0].get_xdata(), times)
    assert trace_ax.get_xlabel() == ("Frame" if fps is None else "Time [s]")
    plt.close(drawn[0])


@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_a_plot_of_many_positions_stays_readable(tmp_path, recording, capsys, quiet):
    """No legend past ten traces, one colour per position, no warning (pytest turns warnings into errors)."""
    import matplotlib.pyplot as plt

    from optimap import cli

    positions = [(x, y) for x in range(2, 30, 4) for y in range(2, 22, 5)]  # 28 positions
    figure = cli.trace_figure(
        np.zeros((24, 32)), positions, np.random.default_rng(0).random((60, 28)), [f"p{i}" for i in range(28)]
    )
    image_ax, trace_ax = figure.axes[:2]
    assert trace_ax.get_legend() is None
    colors = [tuple(line.get_color()) for line in trace_ax.lines]
    assert len(set(colors)) == 28
    np.testing.assert_allclose(image_ax.collections[0].get_facecolors(), colors)
    assert len(figure.axes) == 3  # the colour bar numbers the positions
    plt.close(figure)
    assert trace_ax.get_ylabel() == "Intensity"
    few = cli.trace_figure(
        np.zeros((24, 32)), positions[:4], np.ones((60, 4)), ["a", "b", "c", "d"], ylabel=cli.value_label(dff=True)
    )
    assert [t.get_text() for t in few.axes[1].get_legend().get_texts()] == ["a", "b", "c", "d"]
    assert few.axes[1].get_ylabel() == "ΔF/F" and few.axes[1].get_xlabel() == "Frame"
    status, _, err = run(
        [
            "extract",
            recording[0] / "video.npy",
            "--random",
            "40",
            "--seed",
            "1",
            "-o",
            tmp_path / "t.csv",
            "--plot",
            tmp_path / "t.png",
            *quiet,
        ],
        capsys,
    )
    assert status == 0 and "warning" not in err.lower()


def test_position_files_as_excel_and_pandas_write_them(tmp_path, recording, capsys):
    folder, video = recording
    files = {
        "bom.csv": "\ufeffx,y\r\n3,4\r\n10,5\r\n".encode(),
        "index.csv": b",x,y\n0,3,4\n1,10,5\n",
        "extra.csv": b"name,y,x,area\ncell a,4,3,12\ncell b,5,10,9\n",
        "semicolon.csv": "\ufeffX;Y;note\r\n3;4;a\r\n10,0;5,0;b\r\n".encode(),
        "tabs.tsv": b"x\ty\n3\t4\n10\t5\n",
        "objects.json": json.dumps([{"x": 3, "y": 4}, {"x": 10, "y": 5, "label": "b"}]).encode(),
    }
    expected = extract_traces(video, [(3, 4), (10, 5)])
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        status, stdout, err = run(["extract", folder / "video.npy", "--positions", tmp_path / name, "--quiet"], capsys)
        assert status == 0, (name, err)
        assert stdout.splitlines()[0] == "frame,x3_y4,x10_y5", name
        values = np.array([[float(v) for v in line.split(",")] for line in stdout.splitlines()[1:]])
        np.testing.assert_array_equal(values[:, 1:], expected)


def test_position_files_written_by_pandas(tmp_path, recording, capsys):
    pandas = pytest.importorskip("pandas")
    folder, video = recording
    frame = pandas.DataFrame({"cell": ["a", "b"], "y": [4.0, 5.0], "x": [3, 10]})
    frame.to_csv(tmp_path / "p.csv")
    frame.to_csv(tmp_path / "p2.csv", sep=";", decimal=",", index=False)
    for name in ("p.csv", "p2.csv"):
        status, stdout, err = run(["extract", folder / "video.npy", "--positions", tmp_path / name, "--quiet"], capsys)
        assert status == 0, err
        assert stdout.splitlines()[0] == "frame,x3_y4,x10_y5"


def test_positions_rounding_to_one_pixel_get_distinct_columns(recording, capsys):
    folder, _ = recording
    status, stdout, _ = run(
        ["extract", folder / "video.npy", "--pos", "3,4", "--pos", "3.2,4.1", "--pos", "3,4", "--quiet"], capsys
    )
    assert stdout.splitlines()[0] == "frame,x3_y4,x3_y4_2,x3_y4_3"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--pos", "5,x"], r"^--pos 5,x: needs 2 comma-separated numbers$"),
        (["--pos", "99,1"], r"^--pos 99,1: position \(99, 1\) is outside the frame \(width 32, height 24\)"),
        (["--pos", "1,1", "--pos", "1e30,2"], r"^--pos 1e30,2: position \(1e\+30, 2\) is outside the frame"),
        (["--positions", "{pos}"], r"^--positions .*p\.csv: position \(50, 1\) is outside the frame"),
        (["--line", "0,0,40,0,3"], r"^--line 0,0,40,0,3: position \(40, 0\) is outside the frame"),
        (["--line", "0,0,5,5,769"], r"^--line 0,0,5,5,769: N is more positions than the frame has pixels \(768\)$"),
        (["--pos", "1,1", "--seed", "3"], r"^--seed only applies to --random N$"),
        (["--pos", "1,1", "--no"], r"unrecognized arguments: --no"),
        (["--pos", "1,1", "--norm"], r"unrecognized arguments: --norm"),
        (["--pos", "1,1", "--start", "2", "--frames", "3:5"], r"--start and --frames"),
        (["--pos", "1,1", "--step", "0"], r"^--step 0: must be at least 1$"),
        (
            ["--pos", "1,1", "--start", "60"],
            r"^--start 60 is out of range: .*60 frames, so --start must be at most 59$",
        ),
        (["--pos", "1,1", "--frames", "70:80"], r"^--frames 70:80 is out of range: .*60 frames"),
        (["--random", "5000"], r"^--random 5000: the frame has only 768 pixels$"),
        (["--pos", "1,1", "--size", "-2"], r"^--size -2: must be 0 or more$"),
        (["--pos", "1,1", "--fps", "-5"], r"^--fps -5: must be a number > 0$"),
        (
            ["--pos", "1,1", "--dataset", "x"],
            r"^--dataset x was given, but --dataset applies only to HDF5 files and zarr stores",
        ),
    ],
)
def test_messages_name_the_option_the_user_typed(tmp_path, recording, capsys, argv, message):
    import re

    folder, _ = recording
    (tmp_path / "p.csv").write_text("x,y\n1,1\n50,1\n")
    argv = [a.format(pos=tmp_path / "p.csv") for a in argv]
    status, _, err = run(["extract", folder / "video.npy", *argv], capsys)
    assert status == 2
    line = err.strip().removeprefix("optimap-trace: error: ")
    assert err.count("\n") == 1 and re.search(message, line), line
    assert "coords" not in line and "start_frame" not in line


def test_bare_command_prints_usage(capsys):
    status, stdout, _ = run([], capsys)
    assert status == 0 and stdout.startswith("usage: optimap-trace") and "extract" in stdout and "demo" in stdout


def cli_subprocess(args, prelude="", **kwargs):
    code = f"import sys\n{prelude}\nfrom optimap.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, **kwargs)


def test_runs_without_tqdm(tmp_path, recording):
    """The core install has no tqdm: extraction runs without a progress bar."""
    folder, video = recording
    result = cli_subprocess(
        ["extract", folder / "video.npy", "--pos", "3,4", "-o", tmp_path / "t.csv"],
        prelude="sys.modules['tqdm'] = None  # importing tqdm fails, as without the extra",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"wrote {tmp_path / 't.csv'}\n"
    np.testing.assert_array_equal(read_csv(tmp_path / "t.csv")[1][:, 1], extract_traces(video, (3, 4)))


def test_a_closed_standard_output_gives_one_line(recording):
    folder, _ = recording
    result = subprocess.run(
        [
            *CLI,
            "extract",
            str(folder / "video.npy"),
            "--pos",
            "3,4",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.close(1),
    )
    assert result.returncode == 2
    assert result.stderr == "optimap-trace: error: standard output is closed: give an output file with -o FILE\n"


def test_a_broken_pipe_gives_one_line(recording):
    folder, _ = recording
    process = subprocess.Popen(
        [
            *CLI,
            "extract",
            str(folder / "video.npy"),
            "--random",
            "700",
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.read(100)
    process.stdout.close()  # like `| head -c 100`
    with process.stderr:
        err = process.stderr.read().decode()
    process.wait(timeout=60)
    assert process.returncode == 1
    assert err == "optimap-trace: error: standard output was closed before all traces were written\n"


def test_a_damaged_tiff_gives_only_our_line(tmp_path, recording):
    import tifffile

    _, video = recording
    tifffile.imwrite(tmp_path / "v.tif", video)
    data = bytearray((tmp_path / "v.tif").read_bytes())
    (tmp_path / "bad.tif").write_bytes(bytes(data[: len(data) // 3]))
    result = cli_subprocess(["extract", tmp_path / "bad.tif", "--pos", "3,4"])
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("optimap-trace: error: ")


def test_an_object_npy_is_described_as_such(tmp_path, capsys):
    np.save(tmp_path / "objects.npy", np.array([[[{"a": 1}]]], dtype=object), allow_pickle=True)
    status, _, err = run(["extract", tmp_path / "objects.npy", "--pos", "0,0"], capsys)
    assert status == 2 and "object" in err and "damaged" not in err


@pytest.mark.parametrize("suffix", [".npy", ".mat", ".h5"])
def test_binary_outputs(tmp_path, recording, capsys, suffix):
    folder, video = recording
    out = tmp_path / f"t{suffix}"
    status, _, err = run(
        [
            "extract",
            folder / "video.npy",
            "--pos",
            "3,4",
            "--pos",
            "9,9",
            "--fps",
            "100",
            "--window",
            "disc",
            "-o",
            out,
            "--quiet",
        ],
        capsys,
    )
    assert status == 0, err
    expected = extract_traces(video, [(3, 4), (9, 9)], window="disc")
    if suffix == ".npy":
        np.testing.assert_array_equal(np.load(out), expected)
    elif suffix == ".mat":
        import scipy.io

        mat = scipy.io.loadmat(out)
        np.testing.assert_array_equal(mat["traces"], expected)
        assert mat["window"][0] == "disc" and float(mat["fps"][0, 0]) == 100
    else:
        import h5py

        with h5py.File(out) as file:
            np.testing.assert_array_equal(file["traces"][()], expected)
            assert file["traces"].attrs["window"] == "disc" and file["traces"].attrs["size"] == 5
            assert str(folder / "video.npy") in file["traces"].attrs["source"]


def test_channel_of_an_imagej_hyperstack(tmp_path, recording, capsys):
    import tifffile

    _, video = recording
    stack = np.stack([video, video // 2 + 7], axis=1)  # TCYX
    tifffile.imwrite(tmp_path / "two.tif", stack, imagej=True, metadata={"axes": "TCYX"})
    status, _, err = run(["extract", tmp_path / "two.tif", "--pos", "3,4", "-o", tmp_path / "t.csv"], capsys)
    assert status == 2 and "2 channels" in err and "--channel" in err and "channel=" not in err
    status, _, err = run(
        ["extract", tmp_path / "two.tif", "--channel", "1", "--pos", "3,4", "-o", tmp_path / "t.csv", "--quiet"], capsys
    )
    assert status == 0, err
    np.testing.assert_allclose(
        read_csv(tmp_path / "t.csv")[1][:, 1], extract_traces(video // 2 + 7, (3, 4)), rtol=1e-13
    )
    status, _, err = run(["extract", tmp_path / "two.tif", "--channel", "5", "--pos", "3,4"], capsys)
    assert (
        status == 2 and err.startswith("optimap-trace: error: --channel 5 is out of range") and "--channel must" in err
    )


def test_a_folder_of_colour_pngs_names_the_channel_option(tmp_path, capsys):
    from PIL import Image

    rgba = np.random.default_rng(0).integers(0, 256, (3, 6, 5, 4), dtype=np.uint8)
    for i, frame in enumerate(rgba):
        Image.fromarray(frame, mode="RGBA").save(tmp_path / f"f{i}.png")
    status, _, err = run(["extract", tmp_path, "--pos", "1,1"], capsys)
    assert status == 2 and err.endswith("pass --channel K to load its band K (K from 0 to 3)\n"), err
    status, stdout, err = run(["extract", tmp_path, "--pos", "1,1", "--channel", "3", "--window", "pixel"], capsys)
    assert status == 0, err
    assert [int(line.split(",")[1]) for line in stdout.splitlines()[1:]] == rgba[:, 1, 1, 3].tolist()


def test_a_split_recording_is_one_video_in_natural_name_order(tmp_path, recording, capsys):
    import tifffile

    _, video = recording
    for name, part in (("rec.tif", video[:20]), ("rec_2.tif", video[20:40]), ("rec_10.tif", video[40:])):
        tifffile.imwrite(tmp_path / name, part)
    files = sorted(str(p) for p in tmp_path.glob("rec*.tif"))  # as a shell expands rec*.tif: rec_10 before rec_2
    status, _, err = run(
        ["extract", *files, "--pos", "3,4", "--start", "15", "-o", tmp_path / "t.csv", "--quiet"], capsys
    )
    assert status == 0, err
    header, values = read_csv(tmp_path / "t.csv")
    np.testing.assert_array_equal(values[:, 0], np.arange(15, 60))
    np.testing.assert_allclose(values[:, 1], extract_traces(video[15:], (3, 4)), rtol=1e-13)
    status, _, err = run(["extract", *files, "--pos", "3,4", "-o", tmp_path / "rec_2.tif"], capsys)
    assert status == 2 and "is the video" in err


def test_dash_is_standard_output(tmp_path, recording, capsys, monkeypatch):
    folder, video = recording
    monkeypatch.chdir(tmp_path)
    status, stdout, _ = run(["extract", folder / "video.npy", "--pos", "3,4", "-o", "-", "--quiet"], capsys)
    assert status == 0 and stdout.splitlines()[0] == "frame,x3_y4" and len(stdout.splitlines()) == 61
    assert list(tmp_path.iterdir()) == []  # no file named "-"


def test_dff_removes_the_bleaching(tmp_path, recording, capsys):
    from optimap.trace import delta_f_over_f

    folder, video = recording
    status, stdout, err = run(["extract", folder / "video.npy", "--pos", "3,4", "--dff", "--invert", "--quiet"], capsys)
    assert status == 0, err
    values = np.array([float(line.split(",")[1]) for line in stdout.splitlines()[1:]])
    dff = delta_f_over_f(extract_traces(video, (3, 4)), inverted=True)
    np.testing.assert_allclose(values, dff.min() + dff.max() - dff, rtol=1e-12, atol=1e-15)
    status, _, err = run(["extract", folder / "video.npy", "--pos", "3,4", "--dff", "--detrend", "line"], capsys)
    assert status == 2 and "--dff and --detrend" in err


def test_a_missing_extra_for_the_output_is_reported_before_reading(tmp_path, recording):
    folder, _ = recording
    result = cli_subprocess(
        ["extract", folder / "video.npy", "--pos", "3,4", "-o", tmp_path / "t.h5"],
        prelude="sys.modules['h5py'] = None  # as without the hdf5 extra\n"
        "import optimap.trace._extract as e; e.run_blocks = None  # reading would fail",
    )
    assert result.returncode == 1
    assert result.stderr == (
        "optimap-trace: error: h5py is needed to save traces as HDF5 but is not installed; "
        'install it with: pip install "optimap-trace[hdf5]"\n'
    )
    assert list(tmp_path.iterdir()) == []
