"""The optimap-trace command line, end to end on real files."""

import json
import subprocess
import sys

import numpy as np
import pytest

from optimap.cli import main
from optimap.trace import detrend_timeseries, extract_traces, normalize


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
        ["extract", folder / "video.npy", "--line", "0,0,30,20,3", "--frames", "10:50", "--fps", "200",
         "--detrend", "line", "--normalize", "--quiet"],
        capsys,
    )
    assert status == 0
    lines = stdout.splitlines()
    assert lines[0] == "time_s,x0_y0,x15_y10,x30_y20"
    values = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    np.testing.assert_allclose(values[:, 0], np.arange(10, 50) / 200)
    raw = extract_traces(video[10:50], [(0, 0), (15, 10), (30, 20)])
    np.testing.assert_allclose(values[:, 1:], normalize(detrend_timeseries(raw, kind="line"), dtype=np.float64),
                               rtol=1e-12, atol=1e-12)


def test_positions_files_random_and_plot(tmp_path, recording, capsys):
    folder, video = recording
    (tmp_path / "p.csv").write_text("x,y\n1,2\n5.4,6\n")
    (tmp_path / "p.json").write_text(json.dumps([[7, 8]]))
    out, plot = tmp_path / "t.csv", tmp_path / "t.png"
    status, _, err = run(
        ["extract", folder / "video.npy", "--positions", tmp_path / "p.csv", "--positions", tmp_path / "p.json",
         "--random", "4", "--seed", "3", "-o", out, "--plot", plot],
        capsys,
    )
    assert status == 0, err
    header, values = read_csv(out)
    # the last --positions wins (argparse), then 4 random positions
    assert header[:2] == ["frame", "x7_y8"] and len(header) == 6
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    status, _, _ = run(["extract", folder / "video.npy", "--positions", tmp_path / "p.csv", "-o", out], capsys)
    assert read_csv(out)[0] == ["frame", "x1_y2", "x5_y6"]


def test_demo_end_to_end(tmp_path, capsys):
    out = tmp_path / "demo"
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
        (["extract", "{npy}", "--pos", "1"], "--pos needs 2"),
        (["extract", "{npy}", "--pos", "a,b"], "--pos needs 2"),
        (["extract", "{npy}", "--pos", "100,1"], "outside the frame"),
        (["extract", "{npy}", "--pos", "1,1", "--window", "square"], "invalid choice"),
        (["extract", "{npy}", "--pos", "1,1", "--detrend", "cubic"], "invalid choice"),
        (["extract", "{npy}", "--pos", "1,1", "--size", "-1"], "--size must be >= 0"),
        (["extract", "{npy}"], "no positions"),
        (["extract", "{npy}", "--pos", "1,1", "--frames", "5:2"], "--frames"),
        (["extract", "{npy}", "--pos", "1,1", "--fps", "0"], "--fps"),
        (["extract", "{npy}", "--line", "0,0,5,5"], "--line needs 5"),
        (["extract", "{npy}", "--random", "0"], "--random"),
        (["extract", "{npy}", "--positions", "{badjson}"], "JSON"),
        (["extract", "{npy}", "--positions", "{badcsv}"], "x,y"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_errors_are_one_line_with_status_2_and_leave_no_file(tmp_path, recording, capsys, argv, message):
    folder, _ = recording
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "bad.npy").write_bytes(np.lib.format.magic(1, 0) + b"\x76\x00{'descr': '<u2', 'fortran_order': False, 'shape': (10, 10, 10), }" + b" " * 40 + b"\n" + b"\x00" * 10)
    np.save(tmp_path / "image.npy", np.zeros((5, 5)))
    (tmp_path / "bad.json").write_text("[[1, 2], [3")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    names = {"missing": tmp_path / "missing.npy", "text": tmp_path / "notes.txt", "truncated": tmp_path / "bad.npy",
             "image2d": tmp_path / "image.npy", "npy": folder / "video.npy", "badjson": tmp_path / "bad.json",
             "badcsv": tmp_path / "bad.csv"}
    out = tmp_path / "out.csv"
    argv = [a.format(**names) for a in argv] + (["-o", str(out), "--plot", str(tmp_path / "out.png")]
                                                if argv[0] == "extract" else [])
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
    status, stdout, err = run(["extract", folder / "video.npy", "--pos", "1,1", "-o", out, "--plot",
                               tmp_path / "missing" / "p.png"], capsys)
    assert status == 2 and "does not exist" in err
    assert list(tmp_path.iterdir()) == []
    status, stdout, _ = run(["extract", folder / "video.npy", "--pos", "1,1", "--plot",
                             tmp_path / "missing" / "p.png"], capsys)
    assert status == 2 and stdout == ""  # no CSV on standard output either
