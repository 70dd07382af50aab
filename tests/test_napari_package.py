"""The napari plugin as a package: lazy imports, the npe2 manifest, the entry point and the extra.

These tests need neither napari nor a display, except the manifest validation,
which runs ``npe2 validate`` when npe2 is installed (the test-napari extra).
"""

import importlib.resources
import os
import subprocess
import sys
from pathlib import Path

import pytest

from optimap.napari._traces import ellipse_mask

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"


def _pyproject():
    tomllib = pytest.importorskip("tomllib", reason="tomllib (to read pyproject.toml) is in Python 3.11 and later")
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def _run(code):
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout


def test_importing_optimap_imports_neither_napari_nor_qt():
    code = (
        "import sys, optimap, optimap.trace, optimap.napari\n"
        "heavy = [m for m in ('napari', 'qtpy', 'PySide6', 'PyQt5', 'matplotlib', 'vispy') if m in sys.modules]\n"
        "print(heavy, 'TraceWidget' in dir(optimap.napari))"
    )
    assert _run(code).split() == ["[]", "True"]


def test_manifest_is_package_data_and_the_entry_point_names_it():
    pyproject = _pyproject()
    entry = pyproject["project"]["entry-points"]["napari.manifest"]["optimap-trace"]
    package, _, resource = entry.partition(":")
    assert (package, resource) == ("optimap.napari", "napari.yaml")
    assert resource in pyproject["tool"]["setuptools"]["package-data"][package]
    manifest = importlib.resources.files(package) / resource
    text = manifest.read_text()
    assert "python_name: optimap.napari:TraceWidget" in text
    assert "display_name: Traces" in text


def test_the_napari_extra_is_kept_out_of_test_and_in_test_napari():
    extras = _pyproject()["project"]["optional-dependencies"]
    assert any(requirement.startswith("napari") for requirement in extras["napari"])
    assert not any("napari" in requirement for requirement in extras["all"] + extras["test"])
    assert "optimap-trace[test,napari]" in extras["test-napari"]
    assert any(requirement.startswith("pytest-qt") for requirement in extras["test-napari"])


def test_npe2_validates_the_manifest():
    if os.environ.get("OPTIMAP_NAPARI_TEST") != "required":  # CI: an error, not a skip
        pytest.importorskip("npe2", reason="npe2 validates the manifest: pip install -e '.[test-napari]'")
    manifest = SRC / "optimap" / "napari" / "napari.yaml"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-m", "npe2", "validate", str(manifest), "--imports"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "valid" in done.stdout


def test_ellipse_mask_takes_pixel_centres_inside_or_on_the_ellipse():
    import numpy as np

    # axis-aligned box x 2..10, y 1..5: centre (6, 3), half-axes 4 and 2
    corners = np.array([(2, 1), (10, 1), (10, 5), (2, 5)], dtype=float)
    mask = ellipse_mask(corners, (8, 14))
    rows, cols = np.mgrid[0:8, 0:14]
    expected = ((cols - 6) / 4.0) ** 2 + ((rows - 3) / 2.0) ** 2 <= 1
    assert np.array_equal(mask, expected)
    # the same box rotated by 90 degrees about its centre (corners in another order) gives the transpose's shape
    rotated = np.array([(8, -1), (8, 7), (4, 7), (4, -1)], dtype=float)
    expected = ((cols - 6) / 2.0) ** 2 + ((rows - 3) / 4.0) ** 2 <= 1
    assert np.array_equal(ellipse_mask(rotated, (8, 14)), expected)
    # clipped at the frame border, and empty outside it
    assert ellipse_mask(corners - 20, (8, 14)).sum() == 0
    assert ellipse_mask(corners - 2, (8, 14)).sum() == (((cols - 4) / 4.0) ** 2 + ((rows - 1) / 2.0) ** 2 <= 1).sum()


def test_the_stub_lists_the_public_names():
    import optimap.napari
    from optimap._lazy import stub_exports

    assert stub_exports(optimap.napari.__file__) == {"TraceWidget": "_widget"}
    assert optimap.napari.__all__ == dir(optimap.napari) == ["TraceWidget"]


def test_rows_and_columns_become_x_and_y_off_the_diagonal():
    import numpy as np

    from optimap.napari._coords import rows_columns_to_xy
    from optimap.trace import extract_traces

    rows, columns = np.array([3.0, 20.0]), np.array([17.0, 4.0])  # napari: (row 3, column 17), (row 20, column 4)
    xy = rows_columns_to_xy(rows, columns)
    assert xy.tolist() == [[17.0, 3.0], [4.0, 20.0]]  # optimap: (x, y) = (column, row)
    video = np.arange(2 * 24 * 40, dtype=np.float64).reshape(2, 24, 40)
    np.testing.assert_array_equal(extract_traces(video, xy, size=1), video[:, [3, 20], [17, 4]])
