import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimap.trace import collage_positions, positions_from_A_to_B, random_positions


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
