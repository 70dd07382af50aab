import copy
import math
import warnings
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimap.trace import collage_positions, extract_traces, positions_from_A_to_B, random_positions, show_positions
from optimap.trace._positions import parse_positions, round_half_up, round_to_pixels

# --- random_positions ---------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(height=st.integers(1, 30), width=st.integers(1, 30), data=st.data())
def test_random_positions_in_a_shape_are_distinct_and_inside(height, width, data):
    n = data.draw(st.integers(0, height * width))
    positions = random_positions((height, width), n, rng=data.draw(st.integers(0, 1000)))
    assert len(positions) == n == len(set(positions))
    assert all(isinstance(x, int) and isinstance(y, int) for x, y in positions)
    assert all(0 <= x < width and 0 <= y < height for x, y in positions)


@settings(max_examples=100, deadline=None)
@given(mask=st.lists(st.lists(st.booleans(), min_size=5, max_size=5), min_size=3, max_size=8), seed=st.integers(0, 99))
def test_random_positions_in_a_mask_are_on_true_pixels(mask, seed):
    mask = np.array(mask)
    available = int(mask.sum())
    if available == 0:
        with pytest.raises(ValueError, match="no True pixel"):
            random_positions(mask, 1)
        return
    positions = random_positions(mask, available, rng=seed)
    assert sorted(positions) == sorted((int(c), int(r)) for r, c in zip(*np.nonzero(mask)))


def test_random_positions_are_reproducible_and_cover_the_frame():
    assert random_positions((50, 60), 10, rng=1) == random_positions((50, 60), 10, rng=np.random.default_rng(1))
    assert random_positions((50, 60), 10, rng=1) != random_positions((50, 60), 10, rng=2)
    xs, ys = zip(*random_positions((3, 100), 300, rng=0))
    assert set(xs) == set(range(100)) and set(ys) == {0, 1, 2}  # x is the column, y the row


def test_random_positions_default_is_one():
    assert len(random_positions((4, 4))) == 1


def test_random_positions_mask_is_not_modified():
    mask = np.eye(4, dtype=int)
    before = mask.copy()
    assert sorted(random_positions(mask, 4, rng=0)) == [(0, 0), (1, 1), (2, 2), (3, 3)]
    np.testing.assert_array_equal(mask, before)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (((4, 4), 17), ValueError, "N=17 is larger than the 16 pixels"),
        (((4, 4), -1), ValueError, "N must be >= 0"),
        (((4, 4), 1.5), ValueError, "whole number"),
        ((np.zeros((3, 3), bool), 1), ValueError, "no True pixel"),
        ((np.full((3, 3), 2), 1), ValueError, "booleans"),
        (((4,), 1), TypeError, "height, width"),
        (("ab", 1), TypeError, "height, width"),
        (((0, 4), 1), ValueError, "height must be >= 1"),
    ],
)
def test_random_positions_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        random_positions(*args)


def test_random_positions_bad_rng():
    with pytest.raises(TypeError, match="rng"):
        random_positions((4, 4), 1, rng="seed")


# --- positions_from_A_to_B ----------------------------------------------------------------------------------


def test_line_includes_both_ends_and_rounds():
    assert positions_from_A_to_B(5, (0, 0), (8, 2)) == [(0, 0), (2, 1), (4, 1), (6, 2), (8, 2)]
    assert positions_from_A_to_B(2, (1.4, 2.6), (3, 3)) == [(1, 3), (3, 3)]
    assert positions_from_A_to_B(1, (4, 5), (9, 9)) == [(4, 5)]
    assert positions_from_A_to_B(0, (4, 5), (9, 9)) == []


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(2, 50),
    a=st.tuples(st.integers(-100, 100), st.integers(-100, 100)),
    b=st.tuples(st.integers(-100, 100), st.integers(-100, 100)),
)
def test_line_is_evenly_spaced(n, a, b):
    positions = np.array(positions_from_A_to_B(n, a, b))
    assert tuple(positions[0]) == a and tuple(positions[-1]) == b
    exact = np.array(a) + np.linspace(0, 1, n)[:, None] * (np.array(b) - np.array(a))
    assert np.abs(positions - exact).max() <= 0.5


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((-1, (0, 0), (1, 1)), ValueError, "N must be >= 0"),
        ((3, (0,), (1, 1)), ValueError, "A"),
        ((3, (0, 0), (1, np.nan)), ValueError, "B"),
        ((3, "ab", (1, 1)), TypeError, "A"),
    ],
)
def test_line_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        positions_from_A_to_B(*args)


# --- collage_positions --------------------------------------------------------------------------------------


def test_collage_matches_a_real_image_collage():
    """Mark each image's positions, collage the images with numpy and look the marks up."""
    rng = np.random.default_rng(0)
    height, width, ncols, n_images = 5, 7, 3, 8  # 8 is not a multiple of ncols
    positions = [random_positions((height, width), rng.integers(0, 4), rng=rng) for _ in range(n_images)]
    images = np.zeros((n_images, height, width), dtype=int)
    for i, image_positions in enumerate(positions):
        for x, y in image_positions:
            images[i, y, x] = i + 1
    rows = -(-n_images // ncols)
    grid = np.zeros((rows * ncols, height, width), dtype=int)
    grid[:n_images] = images
    collage = grid.reshape(rows, ncols, height, width).transpose(0, 2, 1, 3).reshape(rows * height, ncols * width)
    collaged = collage_positions(positions, (height, width), ncols=ncols)
    expected_labels = [i + 1 for i, image_positions in enumerate(positions) for _ in image_positions]
    assert [collage[y, x] for x, y in collaged] == expected_labels


def test_collage_leaves_input_untouched_and_keeps_floats():
    positions = [[(1, 2)], [[3.5, 4]], []]
    before = copy.deepcopy(positions)
    assert collage_positions(positions, (10, 20), ncols=2) == [(1, 2), (23.5, 4)]
    assert positions == before


def test_collage_default_ncols_is_six():
    assert collage_positions([[(0, 0)]] * 7, (1, 1))[-1] == (0, 1)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (([[(0, 0)]], (4, 4), 0), ValueError, "ncols must be >= 1"),
        (([[(0, 0)]], (4, 4), -2), ValueError, "ncols must be >= 1"),
        (([[(0, 0)]], (4,), 6), TypeError, "image_shape"),
        (("abc", (4, 4), 6), TypeError, "positions"),
        (([[(0, "a")]], (4, 4), 6), TypeError, r"positions\[0\]"),
    ],
)
def test_collage_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        collage_positions(*args)


# --- masked positions and tables ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coords", "match"),
    [
        (np.ma.masked_array([[1, 1], [2, 2]], mask=[[0, 0], [1, 0]]), r"coords: position 1 \[-- 2\] is masked"),
        (np.ma.masked_array([3, 2], mask=[0, 1]), r"coords: position \[3 --\] is masked"),
        ((1, np.ma.masked), r"coords: position \(1, --\) is masked"),
        ([(1, 1), (2, 2), np.ma.masked_array([4, 5], mask=[1, 0])], r"position \[-- 5\] is masked"),
    ],
)
def test_masked_positions_are_an_error(coords, match):
    video = np.zeros((2, 8, 8))
    with pytest.raises(ValueError, match=match):
        extract_traces(video, coords)
    with pytest.raises(ValueError, match="masked values are not positions"):
        show_positions(coords)


def test_masked_array_without_masked_entries_is_used():
    coords = np.ma.masked_array([[1, 2], [3, 4]])
    video = np.random.default_rng(0).random((4, 8, 8))
    np.testing.assert_array_equal(extract_traces(video, coords, size=1), video[:, [2, 4], [1, 3]])
    assert collage_positions([coords], (8, 8)) == [(1, 2), (3, 4)]


# --- tables (pandas DataFrame) ------------------------------------------------------------------------------


def test_data_frame_with_x_and_y_columns():
    pd = pytest.importorskip("pandas")
    video = np.random.default_rng(0).random((5, 8, 12))
    frame = pd.DataFrame({"label": ["a", "b", "c"], "y": [1, 7, 0], "x": [11, 0, 4.4]})
    expected = extract_traces(video, [(11, 1), (0, 7), (4.4, 0)], size=3)
    np.testing.assert_array_equal(extract_traces(video, frame, size=3), expected)
    np.testing.assert_array_equal(
        extract_traces(video, pd.DataFrame(np.array([[11, 1], [0, 7]])), size=1), video[:, [1, 7], [11, 0]]
    )  # two unnamed columns: x, y
    assert extract_traces(video, frame.iloc[:1]).shape == (5, 1)  # a table is many positions
    assert extract_traces(video, frame.iloc[:0]).shape == (5, 0)
    assert collage_positions([frame[["x", "y"]].iloc[:2]], (8, 12)) == [(11, 1), (0, 7)]
    fig, ax = plt.subplots()
    show_positions(frame, ax=ax)
    np.testing.assert_array_equal(ax.collections[0].get_offsets(), [[11, 1], [0, 7], [4.4, 0]])


@pytest.mark.parametrize(
    ("columns", "error", "match"),
    [
        ({"row": [1], "col": [2]}, ValueError, r"columns named 'x' \(column\) and 'y' \(row\).*\['row', 'col'\]"),
        ({"x": [1], "Y": [2]}, ValueError, r"got columns \['x', 'Y'\]"),
        ({"x": ["a"], "y": [2]}, TypeError, "column 'x' must hold numbers"),
        ({"x": [1.0, None], "y": [2, 3]}, ValueError, r"position 1 \(nan, 3.0\) is not two finite numbers"),
    ],
)
def test_bad_data_frames(columns, error, match):
    pd = pytest.importorskip("pandas")
    with pytest.raises(error, match=match):
        parse_positions(pd.DataFrame(columns))


def test_nullable_integer_columns():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"x": pd.array([1, None], dtype="Int64"), "y": [2, 3]})
    with pytest.raises(ValueError, match="not two finite numbers"):
        parse_positions(frame)
    xs, ys, single = parse_positions(frame.dropna())
    assert xs.tolist() == [1.0] and ys.tolist() == [2.0] and not single


# --- rounding and sizes beyond any pixel --------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_round_half_up_is_exact_for_every_float(value):
    assert float(round_half_up(value)) == math.floor(Fraction(value) + Fraction(1, 2))


def test_round_half_up_beyond_2_to_52():
    """floor(v + 0.5) gives 2**52 + 2 here, since v + 0.5 itself rounds to even."""
    assert float(round_half_up(2.0**52 + 1)) == 2**52 + 1
    assert positions_from_A_to_B(1, (2.0**52 + 1, 0), (0, 0)) == [(2**52 + 1, 0)]


def test_round_to_pixels_refuses_coordinates_beyond_any_index():
    with pytest.raises(ValueError, match=r"coords: coordinate 1e\+30 is beyond any pixel index"):
        round_to_pixels([3.0, 1e30])


@pytest.mark.parametrize("position", [(1e30, 1), (1, -1e30), (1e308, 1e308), (-1.7e308, 0), (2.0**63, 0)])
def test_extract_traces_far_outside_the_frame_is_a_value_error(position):
    video = np.zeros((3, 8, 10))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or invalid-cast RuntimeWarning on the way
        with pytest.raises(ValueError, match=r"is outside the frame \(width 10, height 8\)"):
            extract_traces(video, position)
        with pytest.raises(ValueError, match=r"coords: position \(.*\) is outside the frame"):
            extract_traces(video, [(0, 0), position, (1, 1)])


def test_line_to_points_beyond_any_pixel_gives_exact_python_ints():
    positions = positions_from_A_to_B(3, (0, 0), (1e30, -1e30))
    assert positions[0] == (0, 0) and positions[-1] == (int(1e30), -int(1e30))
    assert positions[1] == (int(5e29), -int(5e29))
    assert all(type(v) is int for p in positions for v in p)
    ends = positions_from_A_to_B(5, (-1.7e308, 0), (1.7e308, 1))  # b - a overflows
    assert ends[0] == (int(-1.7e308), 0) and ends[-1] == (int(1.7e308), 1)
    assert ends[2][0] == 0
    xs = [x for x, _ in ends]
    assert xs == sorted(xs)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(0, 12),
    a=st.tuples(st.floats(-1.7e308, 1.7e308), st.floats(-1.7e308, 1.7e308)),
    b=st.tuples(st.floats(-1.7e308, 1.7e308), st.floats(-1.7e308, 1.7e308)),
)
def test_line_property_any_finite_ends(n, a, b):
    positions = positions_from_A_to_B(n, a, b)
    assert len(positions) == n
    exact = [[math.floor(Fraction(v) + Fraction(1, 2)) for v in p] for p in (a, b)]
    if n:
        assert list(positions[0]) == exact[0]
    if n > 1:
        assert list(positions[-1]) == exact[1]
    for i in range(2):
        low, high = sorted((exact[0][i], exact[1][i]))
        assert all(type(p[i]) is int and low <= p[i] <= high for p in positions)


def test_random_positions_in_frames_of_any_size():
    positions = random_positions((10**10, 10**10), 3, rng=0)
    assert len(set(positions)) == 3
    assert all(type(v) is int and 0 <= v < 10**10 for p in positions for v in p)
    largest = np.iinfo(np.intp).max  # area beyond an int64: rows and columns drawn apart
    positions = random_positions((largest, largest), 5, rng=1)
    assert len(set(positions)) == 5 and all(0 <= v < largest for p in positions for v in p)
    assert positions == random_positions((largest, largest), 5, rng=1)
    with pytest.raises(
        ValueError, match="shape_or_mask height must be <= 9223372036854775807, got 10000000000000000000000"
    ):
        random_positions((10**22, 4), 1)


@pytest.mark.parametrize("coords", [(10**400, 1), [(1, 1), (2, 2), (3, -(10**400))]])
def test_python_ints_beyond_the_float_range_are_a_value_error(coords):
    with pytest.raises(ValueError, match=r"coords: position \(.*\.\.\. is beyond the range of float numbers"):
        extract_traces(np.zeros((2, 4, 4)), coords)
    with pytest.raises(ValueError, match="A: position .* is beyond the range of float numbers"):
        positions_from_A_to_B(2, (10**400, 0), (0, 0))
