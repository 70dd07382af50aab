"""ImageJ / Fiji ROIs: files written by roifile read back as regions, and regions saved as a RoiSet."""

import subprocess
import sys
import zipfile

import numpy as np
import pytest
from brute_regions import brute_polygon_mask, brute_traces, imagej_oval_mask, imagej_polygon_mask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimap.trace import extract_region_traces, region_masks, region_names, save_imagej_rois, show_regions

roifile = pytest.importorskip("roifile")
T, S, OPTIONS = roifile.ROI_TYPE, roifile.ROI_SUBTYPE, roifile.ROI_OPTIONS
FRAME = (24, 32)


def rect_roi(left, top, width, height, name):
    roi = roifile.ImagejRoi()
    roi.roitype = T.RECT
    roi.left, roi.top, roi.right, roi.bottom = left, top, left + width, top + height
    roi.name = name
    return roi


def oval_roi(left, top, width, height, name):
    roi = rect_roi(left, top, width, height, name)
    roi.roitype = T.OVAL
    return roi


def points_roi(points, kind, name):
    roi = roifile.ImagejRoi.frompoints(points, name=name)
    roi.roitype = kind
    return roi


def composite_roi(rings, name):
    """A composite (shape) ROI: rings in ImageJ's coordinates, as MOVETO / LINETO / CLOSE segments."""
    path = []
    for ring in rings:
        path += [0, *ring[0]] + [value for x, y in ring[1:] for value in (1, x, y)] + [4]
    roi = roifile.ImagejRoi()
    roi.roitype = T.RECT
    roi.multi_coordinates = np.asarray(path, dtype=np.float32)
    roi.shape_roi_size = len(path)
    every = np.concatenate([np.asarray(r) for r in rings])
    roi.left, roi.top = (int(v) for v in every.min(axis=0))
    roi.right, roi.bottom = (int(v) for v in every.max(axis=0))
    roi.name = name
    return roi


def expected_rect(left, top, width, height):
    mask = np.zeros(FRAME, dtype=bool)
    mask[max(top, 0) : top + height, max(left, 0) : left + width] = True  # columns left ... left + width - 1
    return mask


def shifted(points):
    """ImageJ corners to optimap's centres, written out here independently of the library."""
    return [(x - 0.5, y - 0.5) for x, y in points]


TRIANGLE = [(8, 2), (14, 8), (2, 8)]  # ImageJ integer coordinates; 45-degree edges through pixel centres
FREEHAND = [(20.25, 2.5), (30.75, 4.0), (27.5, 12.25), (22.0, 9.5)]  # sub-pixel
TRACED = [(5, 16), (9, 16), (9, 18), (12, 18), (12, 22), (5, 22)]  # along pixel edges
OUTER, HOLE = [(16, 14), (30, 14), (30, 23), (16, 23)], [(20, 17), (20, 20), (25, 20), (25, 17)]


@pytest.fixture(scope="module")
def roi_set(tmp_path_factory):
    """A RoiSet.zip of every region kind, written by roifile, with the masks each must give."""
    folder = tmp_path_factory.mktemp("rois")
    rois = [
        rect_roi(3, 4, 7, 5, "rect"),
        oval_roi(12, 2, 9, 6, "oval"),
        points_roi(np.array(TRIANGLE), T.POLYGON, "polygon"),
        points_roi(np.array(FREEHAND), T.FREEHAND, "freehand"),
        points_roi(np.array(TRACED), T.TRACED, "traced"),
        composite_roi([OUTER, HOLE], "composite"),
        rect_roi(-3, 20, 6, 10, "clipped"),
    ]
    roifile.roiwrite(folder / "RoiSet.zip", rois)
    expected = np.stack(
        [
            expected_rect(3, 4, 7, 5),
            imagej_oval_mask(12, 2, 9, 6, *FRAME),
            brute_polygon_mask([shifted(TRIANGLE)], *FRAME),
            brute_polygon_mask([shifted(FREEHAND)], *FRAME),
            brute_polygon_mask([shifted(TRACED)], *FRAME),
            brute_polygon_mask([shifted(OUTER), shifted(HOLE)], *FRAME),
            expected_rect(-3, 20, 6, 10),
        ]
    )
    return folder, rois, expected


def test_a_roi_set_of_every_kind(roi_set):
    folder, rois, expected = roi_set
    masks = region_masks(folder / "RoiSet.zip", FRAME)
    for name, mask, want in zip([r.name for r in rois], masks, expected):
        np.testing.assert_array_equal(mask, want, err_msg=name)
    assert region_names(folder / "RoiSet.zip") == [r.name for r in rois]
    video = np.random.default_rng(0).integers(0, 4000, size=(9, *FRAME)).astype(np.uint16)
    traces = extract_region_traces(video, str(folder / "RoiSet.zip"))
    assert traces.shape == (9, len(rois))
    np.testing.assert_allclose(traces, brute_traces(video, expected), rtol=1e-13)


def test_the_design_rectangle_rule(roi_set):
    """A rectangle at (x0, y0) of size w x h covers columns x0 ... x0+w-1 and rows y0 ... y0+h-1."""
    folder, rois, _ = roi_set
    mask = region_masks(rois[0], FRAME)[0]
    rows, cols = np.nonzero(mask)
    assert (cols.min(), cols.max(), rows.min(), rows.max()) == (3, 9, 4, 8)


def test_rois_along_pixel_edges_measure_what_imagej_measures(roi_set):
    """Rectangles, traced ROIs and composites of them: no pixel centre lies on an edge, so ImageJ's rule
    (left and top edges outside) and optimap's (edges inside) give the same pixels."""
    _, rois, expected = roi_set
    np.testing.assert_array_equal(expected[0], imagej_polygon_mask([[(3, 4), (10, 4), (10, 9), (3, 9)]], *FRAME))
    np.testing.assert_array_equal(expected[4], imagej_polygon_mask([TRACED], *FRAME))
    np.testing.assert_array_equal(expected[5], imagej_polygon_mask([OUTER, HOLE], *FRAME))
    # a 45-degree edge runs through pixel centres: there the two rules differ, and only there
    ours, theirs = expected[2], imagej_polygon_mask([TRIANGLE], *FRAME)
    assert (theirs & ~ours).sum() == 0 and (ours & ~theirs).sum() > 0
    differ = np.argwhere(ours & ~theirs)
    edges = [(x - 0.5, y - 0.5) for x, y in TRIANGLE]
    on_edge = [
        (r, c)
        for r, c in differ.tolist()
        if any((x2 - x1) * (r - y1) == (y2 - y1) * (c - x1) for (x1, y1), (x2, y2) in zip(edges, edges[1:] + edges[:1]))
    ]
    assert len(on_edge) == len(differ)


def test_a_single_roi_file_and_roi_objects(tmp_path, roi_set):
    _, rois, expected = roi_set
    rois[1].tofile(tmp_path / "oval.roi")
    video = np.random.default_rng(1).random((4, *FRAME))
    single = extract_region_traces(video, tmp_path / "oval.roi")
    assert single.shape == (4,)
    np.testing.assert_allclose(single, brute_traces(video, expected[1:2])[:, 0], rtol=1e-13)
    assert extract_region_traces(video, rois[1]).shape == (4,)
    assert extract_region_traces(video, [rois[1]]).shape == (4, 1)
    together = extract_region_traces(video, [rois[0], str(tmp_path / "oval.roi"), [(1, 1), (5, 1), (1, 5)]])
    assert together.shape == (4, 3)
    assert region_names([rois[0], str(tmp_path / "oval.roi")]) == ["rect", "oval"]


def test_sub_pixel_and_rounded_rectangles():
    roi = rect_roi(2, 2, 6, 4, "sub")
    roi.options |= OPTIONS.SUB_PIXEL_RESOLUTION
    roi.xd, roi.yd, roi.widthd, roi.heightd = 2.6, 1.9, 5.0, 3.2  # ImageJ corners
    mask = region_masks(roifile.ImagejRoi.frombytes(roi.tobytes()), FRAME)[0]
    np.testing.assert_array_equal(
        mask, brute_polygon_mask([shifted([(2.6, 1.9), (7.6, 1.9), (7.6, 5.1), (2.6, 5.1)])], *FRAME)
    )
    rounded = rect_roi(4, 4, 10, 8, "rounded")
    rounded.rounded_rect_arc_size = 6
    mask = region_masks(roifile.ImagejRoi.frombytes(rounded.tobytes()), FRAME)[0]
    # centres (ImageJ: c + 0.5, r + 0.5) inside the box, and near a corner within 3 of the corner circle's centre
    rows, cols = np.mgrid[0 : FRAME[0], 0 : FRAME[1]]
    px, py = cols + 0.5, rows + 0.5
    near_x = np.clip(px, 4 + 3, 14 - 3)
    near_y = np.clip(py, 4 + 3, 12 - 3)
    expected = expected_rect(4, 4, 10, 8) & ((px - near_x) ** 2 + (py - near_y) ** 2 <= 9)
    np.testing.assert_array_equal(mask, expected)
    assert not mask[4, 4] and mask[4, 5] and not mask[11, 13] and mask.sum() == 80 - 4
    oval = oval_roi(0, 0, 5, 4, "o")
    oval.options |= OPTIONS.SUB_PIXEL_RESOLUTION
    oval.xd, oval.yd, oval.widthd, oval.heightd = 0.0, 0.0, 5.0, 4.0
    np.testing.assert_array_equal(
        region_masks(roifile.ImagejRoi.frombytes(oval.tobytes()), FRAME)[0], imagej_oval_mask(0, 0, 5, 4, *FRAME)
    )


@pytest.mark.parametrize(("width", "height"), [(1, 1), (2, 3), (4, 4), (5, 5), (7, 3), (10, 11), (16, 9)])
def test_ovals_are_imagejs_masks(width, height):
    roi = roifile.ImagejRoi.frombytes(oval_roi(5, 6, width, height, "o").tobytes())
    np.testing.assert_array_equal(region_masks(roi, FRAME)[0], imagej_oval_mask(5, 6, width, height, *FRAME))


# --- ROIs that are not regions, files that are not ROIs ----------------------------------------------------------


def line_roi():
    roi = roifile.ImagejRoi()
    roi.roitype = T.LINE
    roi.x1, roi.y1, roi.x2, roi.y2 = 1.0, 2.0, 10.0, 12.0
    roi.name = "scan line"
    return roi


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (line_roi, r"\('scan line'\) is a line ROI \(LINE\): a path, not a region"),
        (lambda: points_roi(np.array([[3, 4], [10, 12], [5, 5]]), T.POLYLINE, "wire"), r"line ROI \(POLYLINE\)"),
        (lambda: points_roi(np.array([[3, 4], [10, 12]]), T.POINT, "cells"), r"\('cells'\) is a point ROI"),
    ],
)
def test_line_and_point_rois_are_not_regions(tmp_path, make, match):
    roi = make()
    with pytest.raises(ValueError, match=match):
        region_masks(roi, FRAME)
    roifile.roiwrite(tmp_path / "set.zip", [rect_roi(1, 1, 3, 3, "fine"), roi])
    with pytest.raises(ValueError, match=r"regions: '.*\.roi' in '.*set\.zip' .*(a line|a point) ROI"):
        extract_region_traces(np.zeros((2, *FRAME)), tmp_path / "set.zip")


def test_text_rois_are_annotations():
    roi = rect_roi(1, 1, 5, 5, "note")
    roi.subtype = S.TEXT
    roi.text = "hello"
    with pytest.raises(ValueError, match=r"\('note'\) is a text ROI: an annotation, not a region"):
        region_masks(roifile.ImagejRoi.frombytes(roi.tobytes()), FRAME)


def test_files_that_are_not_rois(tmp_path):
    (tmp_path / "notes.roi").write_text("hello")
    np.save(tmp_path / "mask.npy", np.ones(FRAME, dtype=bool))
    with zipfile.ZipFile(tmp_path / "empty.zip", "w") as archive:
        archive.writestr("readme.txt", "no ROIs here")
    with zipfile.ZipFile(tmp_path / "broken.zip", "w") as archive:
        archive.writestr("cell.roi", b"Iout" + b"\x00" * 10)
    cases = [
        (tmp_path / "notes.roi", ValueError, r"'.*notes\.roi' is not an ImageJ ROI \(\.roi\) or RoiSet \(\.zip\) file"),
        (tmp_path / "mask.npy", ValueError, r"'.*mask\.npy' is not an ImageJ ROI"),
        (tmp_path / "empty.zip", ValueError, r"'.*empty\.zip' holds no ImageJ ROI"),
        (tmp_path / "broken.zip", ValueError, r"'cell\.roi' in '.*broken\.zip' is not a readable ImageJ ROI"),
        (tmp_path / "missing.zip", FileNotFoundError, r"no such ImageJ ROI or RoiSet file: '.*missing\.zip'"),
    ]
    for path, error, match in cases:
        with pytest.raises(error, match=match):
            extract_region_traces(np.zeros((2, *FRAME)), path)


def test_zip_entry_names_stand_in_for_missing_roi_names(tmp_path):
    unnamed = [
        rect_roi(1, 1, 3, 3, ""),
        rect_roi(5, 5, 3, 3, ""),
        rect_roi(9, 9, 2, 2, "dup"),
        rect_roi(12, 12, 2, 2, "dup"),
    ]
    with zipfile.ZipFile(tmp_path / "set.zip", "w") as archive:
        for entry, roi in zip(["0001-0002.roi", "cell b.roi", "x.roi", "y.roi"], unnamed):
            archive.writestr(entry, roi.tobytes())
    assert region_names(tmp_path / "set.zip") == ["0001-0002", "cell b", "dup", "dup_2"]


def test_without_roifile_the_error_names_the_extra(tmp_path, roi_set):
    folder, _, _ = roi_set
    code = (
        "import sys; sys.modules['roifile'] = None\n"
        "import numpy as np\nfrom optimap.trace import extract_region_traces\n"
        f"extract_region_traces(np.zeros((2, 24, 32)), {str(folder / 'RoiSet.zip')!r})"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1
    assert (
        "roifile is needed to read ImageJ ROIs but is not installed; install it with: pip install "
        '"optimap-trace[roi]"' in result.stderr
    )


# --- saving regions as a RoiSet -------------------------------------------------------------------------------------


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_masks_round_trip_through_a_roi_set(tmp_path, height, width, n, seed):
    rng = np.random.default_rng(seed)
    masks = rng.random((n, height, width)) < rng.uniform(0.2, 0.8)
    masks = masks[masks.any(axis=(1, 2))]
    if len(masks) == 0:
        return
    path = tmp_path / "masks.zip"
    save_imagej_rois(path, masks)
    np.testing.assert_array_equal(region_masks(path, (height, width)), masks)
    for roi, mask in zip(roifile.roiread(path), masks):
        rings = [ring for ring in roi.coordinates(multi=True)]
        # what ImageJ itself fills: the same pixels
        np.testing.assert_array_equal(imagej_polygon_mask(rings, height, width), mask)
        assert roi.roitype == (T.RECT if roi.composite else T.TRACED)


def test_label_images_and_polygons_round_trip(tmp_path):
    labels = np.zeros(FRAME, dtype=np.uint16)
    labels[2:6, 3:9] = 4
    labels[10:20, 10:30] = 2
    labels[12:15, 14:18] = 0  # a hole
    labels[0, 30:] = 7
    labels[1, 29] = 7  # touches the other part of label 7 only at a corner
    polygons = [[(1, 1), (9.5, 2), (4, 11.25)], np.array([[20, 2], [30, 2], [25, 8], [25, 4]])]
    path = tmp_path / "RoiSet.zip"
    save_imagej_rois(path, [*[labels == k for k in (2, 4, 7)], *polygons], names=["big", "small", "corner", "a", "b"])
    expected = np.concatenate([region_masks(labels, FRAME), region_masks(polygons, FRAME)])
    np.testing.assert_array_equal(region_masks(path, FRAME), expected)
    rois = roifile.roiread(path)
    assert [r.name for r in rois] == ["big", "small", "corner", "a", "b"]
    assert [r.roitype for r in rois] == [T.RECT, T.TRACED, T.RECT, T.POLYGON, T.POLYGON]
    assert rois[0].composite and rois[2].composite and rois[3].subpixelresolution
    np.testing.assert_allclose(rois[3].coordinates(), np.asarray(polygons[0]) + 0.5)  # ImageJ's corners
    save_imagej_rois(tmp_path / "labels.zip", labels)
    assert region_names(tmp_path / "labels.zip") == ["label_2", "label_4", "label_7"]
    np.testing.assert_array_equal(region_masks(tmp_path / "labels.zip", FRAME), region_masks(labels, FRAME))


def test_rois_are_saved_as_they_are(tmp_path, roi_set):
    folder, rois, _ = roi_set
    save_imagej_rois(tmp_path / "copy.zip", folder / "RoiSet.zip")
    again = roifile.roiread(tmp_path / "copy.zip")
    assert [r.tobytes() for r in again] == [r.tobytes() for r in rois]
    save_imagej_rois(tmp_path / "one.roi", rois[1], names=["renamed"])
    assert roifile.roiread(tmp_path / "one.roi").name == "renamed" and rois[1].name == "oval"  # input unchanged


def test_save_errors_leave_no_file(tmp_path):
    mask = np.zeros((5, 5), dtype=bool)
    mask[1:3, 1:3] = True
    cases = [
        (tmp_path / "set.txt", mask, {}, r"must end in \.zip \(a RoiSet\) or \.roi \(one ROI\)"),
        (tmp_path / "two.roi", np.stack([mask, mask]), {}, r"a \.roi file holds one ROI, but there are 2 regions"),
        (tmp_path / "set.zip", np.stack([mask, mask]), {"names": ["a"]}, r"names has 1 entries but there are 2"),
        (tmp_path / "empty.zip", np.zeros((1, 5, 5), dtype=bool), {}, r"'region_0' \(region 0\) has no pixel"),
        (tmp_path / "nofolder" / "set.zip", mask, {}, r"the folder .* does not exist"),
    ]
    for path, regions, options, match in cases:
        with pytest.raises(ValueError, match=match):
            save_imagej_rois(path, regions, **options)
    assert list(tmp_path.iterdir()) == []


def test_show_regions_of_a_roi_set(roi_set):
    import matplotlib.pyplot as plt

    folder, rois, _ = roi_set
    fig, ax = plt.subplots()
    show_regions(folder / "RoiSet.zip", np.zeros(FRAME), ax=ax, labels=region_names(folder / "RoiSet.zip"))
    assert len(ax.patches) == len(rois) and [t.get_text() for t in ax.texts] == [r.name for r in rois]
