"""Tests of the lazy ConcatenatedVideo: it must slice exactly like the joined numpy array."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimap.video._concat import ConcatenatedVideo, concatenate_lazily, part_of_range, range_to_slice

H, W = 3, 4


def make_parts(lengths, dtype=np.int32):
    parts, start = [], 0
    for n in lengths:
        parts.append((start + np.arange(n * H * W).reshape(n, H, W) * 1000).astype(dtype))
        start += 1 + n * H * W * 1000
    return parts


def read_only_parts(lengths, dtype=np.int32):
    parts = make_parts(lengths, dtype)
    for part in parts:
        part.flags.writeable = False
    return parts


def same(result, want):
    assert type(result) is type(want) or (isinstance(result, np.generic) and np.ndim(want) == 0)
    assert np.shape(result) == np.shape(want)
    assert np.asarray(result).dtype == np.asarray(want).dtype
    np.testing.assert_array_equal(result, want)


# --------------------------------------------------------------------------- range helpers


@settings(max_examples=300, deadline=None)
@given(
    start=st.integers(-3, 25),
    stop=st.integers(-3, 25),
    step=st.integers(-5, 5).filter(bool),
    lo=st.integers(0, 20),
    width=st.integers(0, 10),
)
def test_part_of_range_keeps_the_values_inside(start, stop, step, lo, width):
    frames = range(start, stop, step)
    part = part_of_range(frames, lo, lo + width)
    assert list(part) == [v for v in frames if lo <= v < lo + width]


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 12), key=st.slices(14))
def test_range_to_slice_selects_the_range(n, key):
    frames = range(n)[key]
    np.testing.assert_array_equal(np.arange(n)[range_to_slice(frames)], list(frames))


# --------------------------------------------------------------------------- indexing


indices = st.one_of(st.integers(-12, 12), st.slices(14), st.just(Ellipsis))


@settings(max_examples=400, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 5), min_size=2, max_size=5).filter(lambda ls: sum(ls) > 0),
    key=st.one_of(
        st.integers(-14, 14),
        st.slices(16),
        st.tuples(st.slices(16), st.integers(-H, H - 1)),
        st.tuples(st.slices(16), st.slices(5), st.slices(6)),
        st.tuples(st.integers(-14, 14), st.slices(5), st.integers(-W, W - 1)),
        st.tuples(st.just(Ellipsis), st.integers(-W, W - 1)),
        st.tuples(st.slices(16), st.just(Ellipsis)),
        st.tuples(st.integers(-14, 14), st.integers(-H, H - 1), st.integers(-W, W - 1)),
    ),
)
def test_indexing_matches_numpy(lengths, key):
    parts = read_only_parts(lengths)
    video = ConcatenatedVideo(parts)
    joined = np.concatenate(parts)
    try:
        want = joined[key]
    except IndexError:
        with pytest.raises(IndexError):
            video[key]
        return
    result = video[key]
    same(result, want)
    if isinstance(result, np.ndarray):
        assert not result.flags.writeable


def test_attributes_and_protocols():
    parts = read_only_parts([2, 3, 1])
    video = ConcatenatedVideo(parts)
    joined = np.concatenate(parts)
    assert video.shape == (6, H, W) and video.ndim == 3 and len(video) == 6
    assert video.dtype == np.int32 and video.size == joined.size and video.nbytes == joined.nbytes
    assert video.n_parts == 3 and video.files == ()
    assert repr(video) == f"<ConcatenatedVideo (6, {H}, {W}) int32 from 3 parts, read-only>"
    same(np.asarray(video), joined)
    assert np.asarray(video).flags.writeable  # a new array of its own
    same(np.asarray(video, dtype=np.float64), joined.astype(np.float64))
    same(np.array(video), joined)
    for frame, want in zip(video, joined):
        same(frame, want)
    assert np.mean(np.asarray(video)) == joined.mean()


def test_copy_false_is_refused():
    video = ConcatenatedVideo(make_parts([2, 2]))
    if np.lib.NumpyVersion(np.__version__) < "2.0.0":
        pytest.skip("numpy < 2 has no copy=False protocol")
    with pytest.raises(ValueError, match="cannot be returned as one array without copying"):
        np.asarray(video, copy=False)


def test_results_never_write_through_to_the_parts():
    parts = make_parts([3, 3])  # writeable parts
    video = ConcatenatedVideo(parts)
    inside, across = video[0:2], video[2:5]
    assert not inside.flags.writeable and not across.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        inside[0, 0, 0] = 1
    assert parts[0].flags.writeable  # the part itself is left as it was


def test_a_slice_inside_one_part_is_a_view_not_a_copy():
    parts = read_only_parts([4, 4])
    video = ConcatenatedVideo(parts)
    view = video[5:8:2, 1]
    assert np.shares_memory(view, parts[1])


def test_parts_with_another_byte_order_are_converted():
    little = np.arange(2 * H * W, dtype="<u2").reshape(2, H, W)
    big = (100 + np.arange(3 * H * W)).astype(">u2").reshape(3, H, W)
    video = ConcatenatedVideo([little, big])
    assert video.dtype == np.dtype("<u2")
    same(video[3], big[1].astype("<u2"))
    same(video[1:4], np.concatenate([little, big])[1:4].astype("<u2"))
    assert video[4, 0, 0] == big[2, 0, 0] and video[4, 0, 0].dtype == np.dtype("<u2")


@pytest.mark.parametrize(
    "key, error, message",
    [
        ((0, 0, 0, 0), IndexError, "too many indices"),
        ((Ellipsis, 0, Ellipsis), IndexError, "single ellipsis"),
        (np.array([0, 2]), TypeError, "index arrays are not supported on the time axis"),
        ([0, 2], TypeError, "index arrays"),
        (True, TypeError, "boolean"),
        (None, TypeError, "None"),
        (1.5, TypeError, "integer or a slice, got float"),
        (6, IndexError, "index 6 is out of range for a video of 6 frames"),
        (-7, IndexError, "index -7 is out of range"),
    ],
)
def test_bad_indices(key, error, message):
    video = ConcatenatedVideo(make_parts([3, 3]))
    with pytest.raises(error, match=message):
        video[key]


def test_spatial_index_arrays_are_passed_to_the_parts():
    parts = make_parts([2, 3])
    video, joined = ConcatenatedVideo(parts), np.concatenate(parts)
    same(video[1:4, [0, 2], 1], joined[1:4, [0, 2], 1])
    same(video[:, [0, 2], [1, 3]], joined[:, [0, 2], [1, 3]])


def test_constructor_checks_the_parts():
    with pytest.raises(ValueError, match="at least two parts"):
        ConcatenatedVideo(make_parts([2]))
    with pytest.raises(ValueError, match=r"part 1 has shape \(2, 3, 5\), but every part must be shaped \(n, 3, 4\)"):
        ConcatenatedVideo([np.zeros((2, 3, 4)), np.zeros((2, 3, 5))])


def test_concatenate_lazily_flattens_and_unwraps():
    a, b, c = make_parts([2, 0, 3])
    assert concatenate_lazily([a]) is a
    assert concatenate_lazily([a, b]) is a  # empty parts are left out
    nested = concatenate_lazily([concatenate_lazily([a, c]), a])
    assert isinstance(nested, ConcatenatedVideo) and nested.n_parts == 3
    same(np.asarray(nested), np.concatenate([a, c, a]))


# --------------------------------------------------------------------------- the engine streams it


def test_extract_traces_streams_the_lazy_video():
    from optimap.trace import extract_traces

    rng = np.random.default_rng(5)
    parts = [rng.random((n, 20, 24), dtype=np.float32) for n in (7, 1, 12, 5)]
    parts[2][3, 4, 5] = np.nan
    video = ConcatenatedVideo(parts)
    joined = np.concatenate(parts)
    positions = [(0, 0), (5, 4), (23, 19), (10, 10)]
    for window, size in (("rect", 5), ("disc", 4), ("pixel", 0), ("rect", 1)):
        want = extract_traces(joined, positions, size=size, window=window)
        got = extract_traces(video, positions, size=size, window=window)
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype
