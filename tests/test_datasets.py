"""Tests of optimap.datasets.synthetic_recording."""

import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import ndimage, stats
from scipy.spatial import ConvexHull

from optimap.datasets import _optics, _synthetic, synthetic_recording

# --------------------------------------------------------------------------
# Shared recordings (module scope: each is simulated once).


@pytest.fixture(scope="module")
def paced():
    """Paced recording long enough for one beat to cross the heart."""
    return synthetic_recording(shape=(64, 64), frames=150, fps=500, seed=1)


@pytest.fixture(scope="module")
def default_size():
    """The default call: 128 x 128, 1000 frames at 500 fps."""
    return synthetic_recording()


@pytest.fixture(scope="module")
def spiral():
    return synthetic_recording(shape=(48, 48), frames=1000, seed=2, pacing="spiral")


def _tissue_traces(video, mask, spatial=3, temporal=3):
    """Smoothed traces of the tissue pixels, (frames, n_pixels) float."""
    smooth = ndimage.uniform_filter(video.astype(np.float64), size=(temporal, spatial, spatial), mode="nearest")
    return smooth[:, mask]


def _detrended(video, mask, spatial=3, temporal=5):
    """Fractional deviation of each tissue trace from a quadratic trend."""
    traces = _tissue_traces(video, mask, spatial, temporal)
    t = np.linspace(0.0, 1.0, traces.shape[0])
    coef = np.polynomial.polynomial.polyfit(t, traces, 2)
    trend = np.polynomial.polynomial.polyval(t, coef).T
    return traces / trend - 1.0


# --------------------------------------------------------------------------
# Output and metadata


def test_shape_dtype_and_metadata():
    video, info = synthetic_recording(shape=(32, 40), frames=50, fps=250.0, seed=3)
    assert video.shape == (50, 32, 40)
    assert video.dtype == np.uint16
    assert {
        "fps",
        "dt",
        "times",
        "mask",
        "pacing",
        "pacing_site",
        "stimulus_times",
        "cycle_length",
        "activation_times",
        "baseline",
        "dff",
        "seed",
    } <= set(info)
    assert isinstance(info["fps"], float) and info["fps"] == 250.0
    assert info["dt"] == pytest.approx(1 / 250)
    np.testing.assert_allclose(info["times"], np.arange(50) / 250.0)
    mask = info["mask"]
    assert mask.dtype == bool and mask.shape == (32, 40)
    x, y = info["pacing_site"]
    assert all(isinstance(v, int) for v in (x, y))
    assert mask[y, x]
    assert info["pacing"] == "point"
    assert info["cycle_length"] == pytest.approx(0.35)
    np.testing.assert_allclose(info["stimulus_times"], [0.05])
    act = info["activation_times"]
    assert act.shape == (32, 40) and act.dtype == np.float64
    assert np.isnan(act[~mask]).all()
    assert np.isfinite(act[mask]).all()
    assert (act[mask] >= 0.05).all() and (act[mask] < 50 / 250).all()
    assert info["baseline"].shape == info["dff"].shape == (32, 40)
    assert (info["dff"][~mask] == 0).all()
    assert (info["dff"][mask] < -0.03).all() and (info["dff"][mask] > -0.08).all()
    assert info["seed"] == 3


def test_single_frame_is_at_rest():
    video, info = synthetic_recording(shape=(16, 16), frames=1)
    assert video.shape == (1, 16, 16)
    assert np.isnan(info["activation_times"]).all()
    assert info["stimulus_times"].size == 0


def test_non_square_frame():
    video, info = synthetic_recording(shape=(40, 72), frames=80, seed=5)
    assert video.shape == (80, 40, 72)
    mask = info["mask"]
    assert 0.25 < mask.mean() < 0.8
    assert ndimage.label(mask)[1] == 1
    assert np.isfinite(info["activation_times"][mask]).all()


def test_rendering_in_blocks_changes_nothing(monkeypatch):
    whole = synthetic_recording(shape=(24, 24), frames=90, seed=4)
    monkeypatch.setattr(_optics, "_BLOCK_PIXELS", 24 * 24 * 7)
    blocks = synthetic_recording(shape=(24, 24), frames=90, seed=4)
    np.testing.assert_array_equal(whole[0], blocks[0])
    np.testing.assert_allclose(whole[1]["activation_times"], blocks[1]["activation_times"], rtol=1e-12)


def test_deterministic_for_a_seed():
    a, info_a = synthetic_recording(shape=(24, 24), frames=40, seed=7)
    b, info_b = synthetic_recording(shape=(24, 24), frames=40, seed=7)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(info_a["mask"], info_b["mask"])
    np.testing.assert_array_equal(info_a["activation_times"], info_b["activation_times"])
    c, _ = synthetic_recording(shape=(24, 24), frames=40, seed=8)
    assert not np.array_equal(a, c)


def test_seed_none_gives_fresh_noise():
    a, info = synthetic_recording(shape=(16, 16), frames=5, seed=None)
    b, _ = synthetic_recording(shape=(16, 16), frames=5, seed=None)
    assert info["seed"] is None
    assert not np.array_equal(a, b)


def test_numpy_integer_arguments():
    video, _ = synthetic_recording(
        shape=(np.int64(16), np.int32(20)),
        frames=np.int64(3),
        fps=np.float32(100),
        seed=np.uint8(4),
    )
    assert video.shape == (3, 16, 20)


def test_noise_free_video_matches_the_model():
    video, info = synthetic_recording(shape=(32, 32), frames=5, noise=0.0)
    # At rest (the first stimulus is at 50 ms) the video is the baseline,
    # bleached by at most a fraction of a percent, rounded to counts.
    np.testing.assert_allclose(video[0], info["baseline"], atol=0.51)
    assert np.abs(video[4].astype(float) - info["baseline"]).max() < 0.01 * info["baseline"].max()


def test_noise_scales_with_the_noise_argument():
    def noise_std(scale):
        video, info = synthetic_recording(shape=(32, 32), frames=20, noise=scale)
        clean, _ = synthetic_recording(shape=(32, 32), frames=20, noise=0.0)
        diff = video.astype(float) - clean
        return diff[:, info["mask"]].std()

    low, high = noise_std(0.5), noise_std(2.0)
    assert 3.0 < high / low < 5.0
    assert 10 < noise_std(1.0) < 40  # counts, on a baseline of 1000-3500


# --------------------------------------------------------------------------
# Appearance


def test_mask_is_a_connected_heart(default_size):
    video, info = default_size
    mask = info["mask"]
    assert ndimage.label(mask)[1] == 1
    assert 0.3 < mask.mean() < 0.8
    # Heart-shaped: not convex (the notch at the base), but nearly so.
    rows, cols = np.nonzero(mask)
    hull = ConvexHull(np.column_stack([cols, rows]))
    solidity = mask.sum() / hull.volume
    assert 0.85 < solidity < 0.99
    # Broad base at the top, narrow apex at the bottom.
    widths = mask.sum(axis=1)
    top, bottom = rows.min(), rows.max()
    span = bottom - top
    upper = widths[top + span // 4 : top + span // 2].max()
    lower = widths[top + 7 * span // 8 : bottom + 1].max()
    assert lower < 0.6 * upper
    # The mask does not touch the border of the frame.
    assert not (mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any())


def test_bright_uneven_tissue_on_dark_background(default_size):
    video, info = default_size
    mask = info["mask"]
    first = video[0].astype(float)
    assert first[~mask].mean() < 200
    assert first[~mask].max() < 500
    tissue = first[mask]
    assert 1000 < np.percentile(tissue, 5) and np.percentile(tissue, 95) < 3800
    assert np.percentile(tissue, 95) - np.percentile(tissue, 5) > 500  # uneven
    assert video.max() < 4096  # 12-bit-like


def test_photobleaching(default_size):
    video, info = default_size
    mask = info["mask"]
    mean = video[:, mask].mean(axis=1, dtype=np.float64)
    n = len(mean) // 10
    # The diastolic (brightest) level of each end, which excludes the beats.
    first, last = mean[:n].max(), mean[-n:].max()
    assert 0.7 < last / first < 0.9


def test_beats_are_a_few_percent_drop(default_size):
    video, info = default_size
    mask = info["mask"]
    rel = _detrended(video, mask)
    # Each pixel's beats: the swing of its detrended trace.
    swing = np.percentile(rel, 99, axis=0) - np.percentile(rel, 1, axis=0)
    assert 0.03 < np.median(swing) < 0.09
    # Inverted dye: the first beat (stimulus at 50 ms) lowers the fluorescence
    # of every pixel by a few percent and raises it nowhere.
    traces = _tissue_traces(video, mask)
    rest = traces[:20].mean(axis=0)
    first_beat = traces[25:150] / rest - 1.0
    assert -0.09 < np.median(first_beat.min(axis=0)) < -0.03
    assert (first_beat.max(axis=0) < 0.01).all()


def test_several_beats_in_the_default_recording(default_size):
    video, info = default_size
    assert len(info["stimulus_times"]) >= 5
    mask = info["mask"]
    x, y = 64, 64
    assert mask[y, x]
    trace = video[:, y - 1 : y + 2, x - 1 : x + 2].mean(axis=(1, 2))
    t = np.linspace(0, 1, trace.size)
    trend = np.polynomial.polynomial.polyval(t, np.polynomial.polynomial.polyfit(t, trace, 2))
    rel = ndimage.uniform_filter1d(trace / trend - 1.0, 5)
    low = rel < 0.5 * (np.percentile(rel, 2) + np.percentile(rel, 98))
    upstrokes = np.flatnonzero(low[1:] & ~low[:-1])
    assert len(upstrokes) == len(info["stimulus_times"])
    # One upstroke per stimulus, after it by the conduction time.
    delay = upstrokes / info["fps"] - info["stimulus_times"]
    assert (delay > 0).all() and (delay < 0.15).all()
    # Half-amplitude action-potential duration: 40-150 frames (80-300 ms).
    assert 40 < np.count_nonzero(low) / len(upstrokes) < 150


# --------------------------------------------------------------------------
# Propagation


def _activation_from_video(video, mask, fps, rest_frames=20):
    """Time of the first drop below half the beat amplitude, per tissue pixel."""
    traces = _tissue_traces(video, mask, spatial=3, temporal=3)
    rel = traces / traces[:rest_frames].mean(axis=0) - 1.0
    amplitude = rel.min(axis=0)
    below = rel < 0.5 * amplitude
    return below.argmax(axis=0) / fps


def test_activation_from_video_grows_with_distance(paced):
    video, info = paced
    mask = info["mask"]
    act = _activation_from_video(video, mask, info["fps"])
    rows, cols = np.nonzero(mask)
    x, y = info["pacing_site"]
    distance = np.hypot(cols - x, rows - y)
    assert stats.spearmanr(distance, act).statistic > 0.8
    # The earliest activation is at the pacing site, after the stimulus.
    first = np.argmin(act)
    assert math.hypot(cols[first] - x, rows[first] - y) < 8
    assert act.min() >= 0.05
    # The wave takes 40-200 ms to cross the heart.
    assert 0.04 < np.percentile(act, 99) - act.min() < 0.2
    # The metadata agree with the video within a few frames.
    truth = info["activation_times"][mask]
    assert np.median(np.abs(act - truth)) < 3 / info["fps"]
    assert stats.pearsonr(truth, act).statistic > 0.95


def test_custom_pacing_site():
    mask = synthetic_recording(shape=(48, 48), frames=1)[1]["mask"]
    rows, cols = np.nonzero(mask)
    left = np.argmin(cols + 0.1 * rows)  # a site at the left edge
    site = (int(cols[left]), int(rows[left]))
    video, info = synthetic_recording(shape=(48, 48), frames=130, pacing_site=site, noise=0.0)
    assert info["pacing_site"] == site
    act = info["activation_times"][mask]
    distance = np.hypot(cols - site[0], rows - site[1])
    assert stats.spearmanr(distance, act).statistic > 0.9
    assert np.isfinite(act).all()


def test_pacing_site_is_not_driven_beyond_the_action_potential():
    video, info = synthetic_recording(shape=(64, 64), frames=100, noise=0.0)
    x, y = info["pacing_site"]
    trace = video[:, y - 1 : y + 2, x - 1 : x + 2].mean(axis=(1, 2))
    onset = int(round(info["stimulus_times"][0] * info["fps"]))
    rel = trace / trace[onset] - 1.0
    during, after = rel[onset : onset + 3].min(), rel[onset + 3 : onset + 60].min()
    # The stimulus (4 ms) starts the action potential without driving the
    # site beyond it: no spike at the upstroke.
    assert after < -0.03
    assert during > after


def test_pacing_follows_the_cycle_length():
    video, info = synthetic_recording(shape=(32, 32), frames=500, fps=500, cycle_length=0.3, noise=0)
    np.testing.assert_allclose(info["stimulus_times"], [0.05, 0.35, 0.65, 0.95])
    assert info["cycle_length"] == 0.3


# --------------------------------------------------------------------------
# Spiral wave


def test_spiral_wave_rotates(spiral):
    video, info = spiral
    mask = info["mask"]
    assert info["pacing"] == "spiral" and info["cycle_length"] is None
    assert len(info["stimulus_times"]) == 2  # S1 and S2
    x, y = info["pacing_site"]
    assert mask[y, x]
    late = 500  # from 1 s on, well after the S2 stimulus
    assert info["stimulus_times"][1] < late / info["fps"]
    rel = _detrended(video[late:], mask)
    excited = rel < -0.01
    fraction = excited.mean(axis=1)
    # At every moment part of the heart is excited and part is not.
    assert fraction.min() > 0.1 and fraction.max() < 0.7
    # The excited region turns around the heart in one direction, more than
    # two full turns in a second.
    rows, cols = np.nonzero(mask)
    angles = []
    for k in range(0, excited.shape[0], 5):
        on = excited[k]
        angles.append(math.atan2(rows[on].mean() - rows.mean(), cols[on].mean() - cols.mean()))
    angles = np.unwrap(angles)
    turns = (angles[-1] - angles[0]) / (2 * np.pi)
    assert abs(turns) > 2
    assert np.mean(np.sign(np.diff(angles)) == np.sign(turns)) > 0.9


def test_point_pacing_does_not_rotate(default_size):
    video, info = default_size
    mask = info["mask"]
    rel = _detrended(video[500:], mask)
    fraction = (rel < -0.01).mean(axis=1)
    # Between beats the whole heart is at rest, during one all excited.
    assert fraction.min() < 0.05 and fraction.max() > 0.95


# --------------------------------------------------------------------------
# Paced steady state


def _beat_durations(video, mask, stimulus_times, fps):
    """Frames each beat spends beyond half its amplitude, in a noise-free trace.

    The trace is the mean of a 5 x 5 window in the middle of the tissue; each
    beat, from one stimulus to the next, is measured against the straight line
    between the diastolic levels just before the two stimuli (which takes out
    the bleaching). The last beat ends with the recording.
    """
    rows, cols = np.nonzero(mask)
    y, x = int(rows.mean()), int(cols.mean())
    trace = video[:, y - 2 : y + 3, x - 2 : x + 3].mean(axis=(1, 2))
    bounds = [int(round(t * fps)) for t in stimulus_times] + [trace.size - 1]
    durations = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        line = np.interp(np.arange(a, b), [a, b], [trace[a], trace[b]])
        rel = trace[a:b] / line - 1.0
        durations.append(np.count_nonzero(rel < 0.5 * rel.min()))
    return durations


def test_first_recorded_beat_is_in_the_paced_steady_state():
    video, info = synthetic_recording(shape=(48, 48), frames=800, noise=0.0)
    fps, stimuli = info["fps"], info["stimulus_times"]
    np.testing.assert_allclose(stimuli, [0.05, 0.4, 0.75, 1.1, 1.45])
    durations = _beat_durations(video, info["mask"], stimuli, fps)
    # From full rest the first beat would last twice as long as the others
    # (restitution); after the unrecorded earlier beats all are alike.
    assert max(durations[:-1]) - min(durations[:-1]) <= 2, durations
    # The 50 ms before the first stimulus are ordinary diastole: the voltage
    # is back at rest everywhere and no activation is recorded before it.
    assert np.nanmin(info["activation_times"]) > stimuli[0]
    np.testing.assert_allclose(video[0], info["baseline"], atol=0.51)


def test_long_cycle_lengths_start_from_rest():
    video, info = synthetic_recording(shape=(32, 32), frames=1200, fps=250, cycle_length=2.5, noise=0.0)
    np.testing.assert_allclose(info["stimulus_times"], [0.05, 2.55])
    first, second = _beat_durations(video, info["mask"], info["stimulus_times"], info["fps"])
    assert first > second  # the first beat from rest is longer


def test_pacing_before_the_recording_is_not_reported():
    _, info = synthetic_recording(shape=(32, 32), frames=500, fps=500, cycle_length=0.3)
    assert (info["stimulus_times"] >= 0).all()
    np.testing.assert_allclose(info["stimulus_times"], [0.05, 0.35, 0.65, 0.95])


# --------------------------------------------------------------------------
# The demo's traces (optimap-trace demo): what a researcher reads from them


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory):
    """The files ``optimap-trace demo`` writes: video, times and traces."""
    from optimap.cli import main

    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out), "--quiet"]) == 0
    video = np.load(out / "recording.npy")
    table = np.loadtxt(out / "traces.csv", delimiter=",", skiprows=1)
    return video, table[:, 0], table[:, 1:]


def _beats(trace, fps):
    """Upstrokes, diastolic levels and amplitudes of a trace with APs pointing up.

    An upstroke is an upward crossing of 0.5 by the 5-frame running mean. The
    diastolic level of a beat is the 10th percentile of the trace from 100 ms
    to 10 ms before its upstroke; its amplitude is the mean from 10 to 50 ms
    after the upstroke minus that level.
    """
    smooth = ndimage.uniform_filter1d(trace, 5)
    high = smooth >= 0.5
    upstrokes = np.flatnonzero(high[1:] & ~high[:-1]) + 1
    ms = fps / 1000.0
    levels = np.array([np.percentile(trace[max(0, u - int(100 * ms)) : u - int(10 * ms)], 10) for u in upstrokes])
    plateaus = np.array([trace[u + int(10 * ms) : u + int(50 * ms)].mean() for u in upstrokes])
    return upstrokes, levels, plateaus - levels


def test_demo_traces_have_a_flat_diastole_and_equal_beats(demo_output, default_size):
    video, times, traces = demo_output
    recording, info = default_size
    np.testing.assert_array_equal(video, recording)  # the demo shows the default recording
    fps = info["fps"]
    np.testing.assert_allclose(times, info["times"])
    stimuli = info["stimulus_times"]
    assert traces.shape == (1000, 5)
    assert traces.min() == 0 and traces.max() == 1
    levels, amplitudes = [], []
    for trace in traces.T:
        upstrokes, level, amplitude = _beats(trace, fps)
        # One action potential per stimulus, up to 150 ms after it.
        assert len(upstrokes) == len(stimuli)
        delay = upstrokes / fps - stimuli
        assert (delay > 0).all() and (delay < 0.15).all()
        levels.append(level)
        amplitudes.append(amplitude)
        # Beat to beat: the same diastolic level and the same height.
        assert np.ptp(level) < 0.05, level
        assert amplitude.max() < 1.05 * amplitude.min(), amplitude
    levels, amplitudes = np.concatenate(levels), np.concatenate(amplitudes)
    # Across positions as well (noise sets how far each trace's extremes,
    # which normalisation maps to 0 and 1, lie from diastole and peak).
    assert np.ptp(levels) < 0.05, levels
    assert levels.max() < 0.15
    assert amplitudes.max() < 1.1 * amplitudes.min(), amplitudes
    assert amplitudes.min() > 0.75


def test_demo_recording_still_bleaches(demo_output, default_size):
    video, _, _ = demo_output
    mask = default_size[1]["mask"]
    tissue = video[:, mask].mean(axis=1, dtype=np.float64)
    # About 20 % over two seconds (b = 0.6 + 0.4 exp(-t / 3 s)), seen through
    # the camera offset: the last 100 frames are about 17 % darker.
    ratio = tissue[-100:].mean() / tissue[:100].mean()
    assert 0.78 < ratio < 0.88


# --------------------------------------------------------------------------
# action_potentials (the demo's processing)


def _bleached_beats(frames=1000, fps=500, cycle=0.35, width=0.1):
    t = np.arange(frames) / fps
    beats = ((t - 0.05) % cycle < width) & (t >= 0.05)
    return t, beats, 100 + 3000 * (0.6 + 0.4 * np.exp(-t / 3)) * (1 - 0.05 * beats)


def test_action_potentials_remove_multiplicative_bleaching():
    t, beats, fluorescence = _bleached_beats()
    ap = _synthetic.action_potentials(fluorescence)
    assert ap.shape == fluorescence.shape and ap.dtype == np.float64
    assert ap.min() == 0 and ap.max() == 1
    # Flat diastole and equal beats although the dye bleaches by 20 %: the
    # camera offset of 100 counts, which does not bleach, leaves 1 %.
    assert np.ptp(ap[~beats]) < 0.01
    assert np.ptp(ap[beats]) < 0.02
    # Subtracting a trend instead leaves the beats fading with the dye.
    from optimap.trace import detrend_timeseries, normalize

    subtracted = 1 - normalize(detrend_timeseries(fluorescence, kind="spline"), dtype=np.float64)
    assert np.ptp(subtracted[beats]) > 0.1


def test_action_potentials_columns_and_input():
    _, _, a = _bleached_beats()
    _, _, b = _bleached_beats(cycle=0.5, width=0.15)
    traces = np.column_stack([a, 2 * b]).astype(np.float32)
    before = traces.copy()
    result = _synthetic.action_potentials(traces)
    np.testing.assert_array_equal(traces, before)  # not modified
    assert result.shape == (1000, 2) and result.dtype == np.float64
    np.testing.assert_allclose(result[:, 0], _synthetic.action_potentials(a), atol=1e-5)
    np.testing.assert_allclose(result[:, 1], _synthetic.action_potentials(b), atol=1e-5)
    # A constant trace has no beats: all zeros.
    np.testing.assert_array_equal(_synthetic.action_potentials(np.full(20, 7.0)), np.zeros(20))


@pytest.mark.parametrize(
    "traces, match",
    [
        (np.ones((10, 2, 2)), "1-D .* or 2-D"),
        (np.ones(5), "at least 8 samples"),
        (np.r_[np.ones(9), np.nan], "finite"),
        (-np.ones(20), "not positive"),
        (np.linspace(-2.0, -1.0, 20), "not positive"),
    ],
)
def test_action_potentials_bad_input(traces, match):
    with pytest.raises(ValueError, match=match):
        _synthetic.action_potentials(traces)


# --------------------------------------------------------------------------
# Input validation


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"shape": (8, 64)}, ValueError, "shape"),
        ({"shape": (64, 15)}, ValueError, "shape"),
        ({"shape": (16.0, 16)}, TypeError, "shape"),
        ({"shape": (16, 16, 3)}, TypeError, "shape"),
        ({"shape": 64}, TypeError, "shape"),
        ({"shape": "ab"}, TypeError, "shape"),
        ({"shape": (True, 16)}, TypeError, "shape"),
        ({"frames": 0}, ValueError, "frames"),
        ({"frames": -5}, ValueError, "frames"),
        ({"frames": 10.0}, TypeError, "frames"),
        ({"fps": 0}, ValueError, "fps"),
        ({"fps": -500}, ValueError, "fps"),
        ({"fps": math.inf}, ValueError, "fps"),
        ({"fps": math.nan}, ValueError, "fps"),
        ({"fps": "500"}, TypeError, "fps"),
        ({"frames": 1000, "fps": 1.0}, ValueError, "frames / fps.*at most 600 s"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"seed": "0"}, TypeError, "seed"),
        ({"seed": -1}, ValueError, "seed"),
        ({"pacing": "line"}, ValueError, "pacing must be one of 'point', 'spiral'"),
        ({"pacing": None}, ValueError, "pacing"),
        ({"pacing": "spiral", "pacing_site": (10, 10)}, ValueError, "pacing_site"),
        ({"pacing_site": (10,)}, TypeError, "pacing_site"),
        ({"pacing_site": (100, 5)}, ValueError, "pacing_site .* outside"),
        ({"pacing_site": (0, 0)}, ValueError, "pacing_site .* not on the tissue"),
        ({"cycle_length": 0.1}, ValueError, "cycle_length"),
        ({"cycle_length": "1"}, TypeError, "cycle_length"),
        ({"noise": -1.0}, ValueError, "noise"),
        ({"noise": None}, TypeError, "noise"),
    ],
)
def test_bad_inputs(kwargs, error, match):
    kwargs = {"shape": (32, 32), "frames": 2, **kwargs}
    with pytest.raises(error, match=match):
        synthetic_recording(**kwargs)


# --------------------------------------------------------------------------
# Package hygiene


def test_import_loads_neither_matplotlib_nor_scipy():
    code = (
        "import sys, optimap.datasets; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib'; "
        "assert 'scipy' not in sys.modules, 'scipy'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
