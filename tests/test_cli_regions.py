"""optimap-trace extract --roi/--labels/--mask and optimap-trace kymograph, end to end on real files."""

import re

import numpy as np
import pytest

from optimap.cli import main
from optimap.trace import extract_kymograph, extract_region_traces, region_masks

roifile = pytest.importorskip("roifile")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("regions")
    rng = np.random.default_rng(0)
    video = (1000 + 100 * rng.standard_normal((40, 24, 32))).astype(np.uint16)
    np.save(folder / "video.npy", video)
    labels = np.zeros((24, 32), dtype=np.uint16)
    labels[2:8, 3:10], labels[12:22, 5:25], labels[0, 31] = 5, 2, 9
    np.save(folder / "labels.npy", labels)
    rect = roifile.ImagejRoi()
    rect.roitype = roifile.ROI_TYPE.RECT
    rect.left, rect.top, rect.right, rect.bottom, rect.name = 20, 3, 28, 9, "base"
    polygon = roifile.ImagejRoi.frompoints(np.array([[2, 12], [12, 12], [7, 20]]), name="apex")
    polygon.roitype = roifile.ROI_TYPE.POLYGON
    roifile.roiwrite(folder / "RoiSet.zip", [rect, polygon])
    return folder, video, labels


def read_csv(path_or_text, from_text=False):
    text = path_or_text if from_text else path_or_text.read_text()
    lines = text.splitlines()
    return lines[0].split(","), np.array([[float(v) for v in line.split(",")] for line in lines[1:]])


def run(argv, capsys):
    status = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_roi_labels_and_masks_in_the_order_given(tmp_path, files, capsys):
    folder, video, labels = files
    tifffile = pytest.importorskip("tifffile")
    from PIL import Image

    tissue = np.zeros((24, 32), dtype=np.uint8)
    tissue[4:20, 8:30] = 255
    Image.fromarray(tissue).save(tmp_path / "tissue.png")
    tifffile.imwrite(tmp_path / "labels.tif", labels.astype(np.float32))  # Fiji's 32-bit label images
    stack = np.stack([labels == 5, labels == 2])
    np.save(tmp_path / "cells.npy", stack)
    out = tmp_path / "t.csv"
    status, _, err = run(
        [
            "extract",
            folder / "video.npy",
            "--mask",
            tmp_path / "tissue.png",
            "--roi",
            folder / "RoiSet.zip",
            "--labels",
            tmp_path / "labels.tif",
            "--mask",
            tmp_path / "cells.npy",
            "--fps",
            "100",
            "-o",
            out,
            "--quiet",
        ],
        capsys,
    )
    assert status == 0, err
    header, values = read_csv(out)
    assert header == ["time_s", "tissue", "base", "apex", "label_2", "label_5", "label_9", "cells_0", "cells_1"]
    expected = np.column_stack(
        [
            extract_region_traces(video, tissue > 0),
            extract_region_traces(video, folder / "RoiSet.zip"),
            extract_region_traces(video, labels),
            extract_region_traces(video, stack),
        ]
    )
    np.testing.assert_array_equal(values[:, 1:], expected)
    np.testing.assert_allclose(values[:, 0], np.arange(40) / 100)


@pytest.mark.parametrize("suffix", [".npy", ".mat", ".h5"])
def test_binary_outputs_and_metadata(tmp_path, files, capsys, suffix):
    folder, video, labels = files
    out = tmp_path / f"t{suffix}"
    status, _, err = run(
        ["extract", folder / "video.npy", "--labels", folder / "labels.npy", "-o", out, "--quiet"], capsys
    )
    assert status == 0, err
    expected = extract_region_traces(video, labels)
    if suffix == ".npy":
        np.testing.assert_array_equal(np.load(out), expected)
    elif suffix == ".mat":
        import scipy.io

        mat = scipy.io.loadmat(out)
        np.testing.assert_array_equal(mat["traces"], expected)
        assert "positions" not in mat and f"--labels {folder / 'labels.npy'}" in mat["regions"][0]
    else:
        import h5py

        with h5py.File(out) as file:
            np.testing.assert_array_equal(file["traces"][()], expected)
            assert list(file["traces"].attrs["names"]) == ["label_2", "label_5", "label_9"]


def test_processing_and_plots(tmp_path, files, capsys):
    folder, video, labels = files
    out, plot = tmp_path / "t.csv", tmp_path / "t.png"
    status, _, err = run(
        [
            "extract",
            folder / "video.npy",
            "--roi",
            folder / "RoiSet.zip",
            "--normalize",
            "-o",
            out,
            "--plot",
            plot,
            "--quiet",
        ],
        capsys,
    )
    assert status == 0, err
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    values = read_csv(out)[1][:, 1:]
    assert values.min() == 0 and values.max() == 1
    many = np.arange(24 * 32).reshape(24, 32) // 40  # 20 regions: a colour bar, not a legend
    np.save(tmp_path / "many.npy", many)
    status, _, err = run(
        [
            "extract",
            folder / "video.npy",
            "--labels",
            tmp_path / "many.npy",
            "--plot",
            tmp_path / "many.png",
            "-o",
            tmp_path / "many.csv",
        ],
        capsys,
    )
    assert status == 0 and "warning" not in err.lower()


def test_the_region_figure(files):
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba

    from optimap import cli
    from optimap.trace._regions import build_regions

    folder, video, labels = files
    region_set = build_regions(labels, (24, 32))
    traces = extract_region_traces(video, labels)
    label = cli.value_label(detrend="line", normalize=True)
    figure = cli.region_figure(video[0], region_set, traces, region_set.names, fps=50.0, ylabel=label)
    image_ax, trace_ax = figure.axes[:2]
    assert trace_ax.get_ylabel() == "Intensity, line detrended, normalised" and trace_ax.get_xlabel() == "Time [s]"
    assert [to_rgba(line.get_color()) for line in trace_ax.lines] == [p.get_edgecolor() for p in image_ax.patches]
    assert [t.get_text() for t in trace_ax.get_legend().get_texts()] == ["label_2", "label_5", "label_9"]
    np.testing.assert_allclose(trace_ax.lines[0].get_xdata(), np.arange(40) / 50)
    plt.close(figure)
    figure = cli.region_figure(video[0], region_set, traces[5:25], region_set.names, frames=np.arange(5, 25))
    np.testing.assert_array_equal(figure.axes[1].lines[0].get_xdata(), np.arange(5, 25))
    assert figure.axes[1].get_xlabel() == "Frame"
    plt.close(figure)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--roi", "{zip}", "--pos", "1,1"], r"^give regions \(--roi, --labels, --mask\) or positions"),
        (["--labels", "{labels}", "--size", "3"], r"^--size sets the window around positions"),
        (["--mask", "{labels}", "--window", "disc"], r"^--window sets the window around positions"),
        (["--mask", "{small}"], r"^--mask .*small\.npy: the mask has shape \(5, 5\) but the frame's is \(24, 32\)"),
        (["--labels", "{small}"], r"^--labels .*small\.npy: the label image has shape \(5, 5\)"),
        (["--labels", "{fractions}"], r"^--labels .*fractions\.npy: a label image must hold whole numbers >= 0"),
        (["--labels", "{stack}"], r"^--labels .*stack\.npy: a label image must be 2-D"),
        (["--mask", "{empty}"], r"^--mask .*empty\.npy: region 0 has no pixel inside the frame"),
        (["--labels", "{empty}"], r"^--labels .*empty\.npy: holds no label, every pixel is 0 \(the background\)$"),
        (["--mask", "{notes}"], r"^--mask .*notes\.txt: unknown format \.txt; give a file ending in \.npy, \.tif"),
        (["--mask", "{missing}"], r"^--mask .*missing\.png: no such file$"),
        (["--roi", "{notes}"], r"^--roi .*notes\.txt: '.*notes\.txt' is not an ImageJ ROI \(\.roi\) or RoiSet"),
        (["--roi", "{lines}"], r"^--roi .*lines\.zip: '.*' in '.*lines\.zip' \('scan'\) is a line ROI \(LINE\)"),
        (["--roi", "{missing}"], r"^--roi .*missing\.png: no such ImageJ ROI or RoiSet file"),
        (["--labels", "{broken}"], r"^--labels .*broken\.npy: cannot be read"),
    ],
)
def test_errors_name_the_option_and_write_nothing(tmp_path, files, capsys, argv, message):
    folder, _, labels = files
    np.save(tmp_path / "small.npy", np.ones((5, 5), dtype=bool))
    np.save(tmp_path / "fractions.npy", labels / 2)
    np.save(tmp_path / "stack.npy", np.ones((2, 24, 32), dtype=np.uint8))
    np.save(tmp_path / "empty.npy", np.zeros((24, 32), dtype=bool))
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "broken.npy").write_bytes(b"\x93NUMPY garbage")
    line = roifile.ImagejRoi()
    line.roitype, line.name = roifile.ROI_TYPE.LINE, "scan"
    line.x1, line.y1, line.x2, line.y2 = 1.0, 1.0, 9.0, 9.0
    roifile.roiwrite(tmp_path / "lines.zip", [line])
    names = {"zip": folder / "RoiSet.zip", "labels": folder / "labels.npy", "missing": tmp_path / "missing.png"}
    names.update({key: tmp_path / f"{key}.npy" for key in ("small", "fractions", "stack", "empty", "broken")})
    names.update({"notes": tmp_path / "notes.txt", "lines": tmp_path / "lines.zip"})
    argv = [a.format(**{k: str(v) for k, v in names.items()}) for a in argv]
    before = sorted(p.name for p in tmp_path.iterdir())
    status, stdout, err = run(
        ["extract", folder / "video.npy", *argv, "-o", tmp_path / "out.csv", "--plot", tmp_path / "out.png"], capsys
    )
    assert status == 2 and stdout == ""
    assert err.count("\n") == 1 and err.startswith("optimap-trace: error: "), err
    assert re.search(message, err.strip().removeprefix("optimap-trace: error: ")), err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_region_file_is_an_input(tmp_path, files, capsys):
    folder, _, _ = files
    status, _, err = run(
        ["extract", folder / "video.npy", "--labels", folder / "labels.npy", "-o", folder / "labels.npy"], capsys
    )
    assert status == 2 and "is --labels" in err and "would destroy an input" in err


# --- kymograph -------------------------------------------------------------------------------------------------


def test_kymograph_outputs(tmp_path, files, capsys):
    folder, video, _ = files
    path = [(2, 3), (20, 3), (20, 15)]
    kymograph, positions = extract_kymograph(video, path, size=3, window="disc", spacing=1.5)
    status, _, err = run(
        [
            "kymograph",
            folder / "video.npy",
            "--path",
            "2,3,20,3,20,15",
            "--size",
            "3",
            "--window",
            "disc",
            "--spacing",
            "1.5",
            "-o",
            tmp_path / "k.npy",
            "--plot",
            tmp_path / "k.png",
        ],
        capsys,
    )
    assert status == 0, err
    assert err == f"wrote {tmp_path / 'k.npy'}\nwrote {tmp_path / 'k.png'}\n"
    np.testing.assert_array_equal(np.load(tmp_path / "k.npy"), kymograph)
    assert (tmp_path / "k.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    status, stdout, _ = run(
        ["kymograph", folder / "video.npy", "--path", "2,3,20,3,20,15", "--frames", "5:25", "--fps", "50", "--quiet"],
        capsys,
    )
    header, values = read_csv(stdout, from_text=True)
    pixels, positions = extract_kymograph(video[5:25], path)
    assert header == ["time_s"] + [f"x{x}_y{y}" for x, y in positions.tolist()]
    np.testing.assert_array_equal(values[:, 1:], pixels)
    np.testing.assert_allclose(values[:, 0], np.arange(5, 25) / 50)


def test_kymograph_figure(files):
    import matplotlib.pyplot as plt

    from optimap import cli

    folder, video, _ = files
    kymograph, positions = extract_kymograph(video, [(2, 3), (20, 3)])
    figure = cli.kymograph_figure(video[0], [(2, 3), (20, 3)], positions, kymograph, fps=100)
    frame_ax, kymo_ax = figure.axes[:2]
    np.testing.assert_array_equal(frame_ax.lines[0].get_xydata(), [(2, 3), (20, 3)])
    assert kymo_ax.get_ylabel() == "Time [s]" and kymo_ax.images[0].get_array().shape == (40, 19)
    np.testing.assert_allclose(kymo_ax.images[0].get_extent()[2:], (39.5 / 100, -0.5 / 100))
    plt.close(figure)
    # rows of frames 10, 13, ... 37 (--frames 10:40 --step 3) span frames 8.5 to 38.5 of the recording
    figure = cli.kymograph_figure(video[0], [(2, 3), (20, 3)], positions, kymograph[10:40:3], start=10, step=3)
    kymo_ax = figure.axes[1]
    assert kymo_ax.get_ylabel() == "Frame"
    np.testing.assert_allclose(kymo_ax.images[0].get_extent()[2:], (38.5, 8.5))
    np.testing.assert_allclose(kymo_ax.get_ylim(), (38.5, 8.5))
    plt.close(figure)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--path", "1,2,3"], r"^--path 1,2,3: needs x,y of at least 2 vertices"),
        (["--path", "1,2"], r"^--path 1,2: needs x,y of at least 2 vertices"),
        (["--path", "1,2,a,4"], r"^--path 1,2,a,4: needs x,y of at least 2 vertices"),
        (["--path", "1,2,nan,4"], r"^--path 1,2,nan,4: needs finite numbers$"),
        (["--path", "1,2,40,4"], r"^--path 1,2,40,4: vertex 1 \(40, 4\) is outside the frame \(width 32, height 24\)"),
        (["--path", "1,2,5,4", "--spacing", "0"], r"^--spacing 0: must be a number > 0$"),
        (["--path", "1,2,5,4", "--size", "-1"], r"^--size -1: must be 0 or more$"),
        (["--path", "1,2,5,4", "--fps", "-1"], r"^--fps -1: must be a number > 0$"),
        ([], r"the following arguments are required: --path"),
    ],
)
def test_kymograph_errors(tmp_path, files, capsys, argv, message):
    folder, _, _ = files
    status, stdout, err = run(["kymograph", folder / "video.npy", *argv, "-o", tmp_path / "k.csv"], capsys)
    assert status == 2 and stdout == "" and err.count("\n") == 1, err
    assert re.search(message, err.strip().removeprefix("optimap-trace: error: ")), err
    assert list(tmp_path.iterdir()) == []


def test_help_lists_the_new_options(capsys):
    with pytest.raises(SystemExit):
        main(["extract", "--help"])
    text = capsys.readouterr().out
    assert "--roi FILE" in text and "--labels FILE" in text and "--mask FILE" in text
    status, stdout, _ = run([], capsys)
    assert "kymograph" in stdout


def test_region_masks_of_a_saved_roi_set_match_the_cli_columns(tmp_path, files, capsys):
    """What the CLI averages for --roi is what region_masks shows."""
    folder, video, _ = files
    masks = region_masks(folder / "RoiSet.zip", (24, 32))
    status, stdout, _ = run(["extract", folder / "video.npy", "--roi", folder / "RoiSet.zip", "--quiet"], capsys)
    header, values = read_csv(stdout, from_text=True)
    assert header == ["frame", "base", "apex"]
    np.testing.assert_allclose(values[:, 1:], np.stack([video[:, m].mean(axis=1) for m in masks], axis=1), rtol=1e-13)


def test_kymograph_processing_as_extract(tmp_path, files, capsys):
    from optimap.trace import delta_f_over_f, normalize

    folder, video, _ = files
    kymograph, _ = extract_kymograph(video, [(2, 3), (20, 15)], size=3)
    status, _, err = run(
        [
            "kymograph",
            folder / "video.npy",
            "--path",
            "2,3,20,15",
            "--size",
            "3",
            "--dff",
            "--invert",
            "--normalize",
            "-o",
            tmp_path / "k.npy",
            "--quiet",
        ],
        capsys,
    )
    assert status == 0, err
    expected = 1 - normalize(delta_f_over_f(kymograph, inverted=True), dtype=np.float64)
    np.testing.assert_allclose(np.load(tmp_path / "k.npy"), expected, atol=1e-15)
    status, _, err = run(
        [
            "kymograph",
            folder / "video.npy",
            "--path",
            "2,3,20,15",
            "--dff",
            "--detrend",
            "line",
            "-o",
            tmp_path / "k.csv",
        ],
        capsys,
    )
    assert status == 2 and "--dff and --detrend both remove the bleaching" in err


def test_a_missing_roifile_is_reported_before_the_video_is_read(tmp_path, files):
    import subprocess
    import sys

    folder, _, _ = files
    (tmp_path / "damaged.npy").write_bytes(b"not a video")
    code = "import sys; sys.modules['roifile'] = None\nfrom optimap.cli import main\nsys.exit(main(sys.argv[1:]))"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "extract",
            str(tmp_path / "damaged.npy"),
            "--roi",
            str(folder / "RoiSet.zip"),
            "-o",
            str(tmp_path / "t.csv"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "optimap-trace: error: roifile is needed to read ImageJ ROIs but is not installed; "
        'install it with: pip install "optimap-trace[roi]"\n'
    )
    assert not (tmp_path / "t.csv").exists()
