"""Argument checking at the top of extract_traces (the engine is tested in test_extract.py)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from optimap.trace import extract_traces, show_traces


@pytest.fixture
def video():
    return np.random.default_rng(1).random((12, 6, 9))


@pytest.mark.parametrize("show", [False, True])
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"windw": "disc"}, r"unexpected keyword argument 'windw' \(= 'disc'\); did you mean 'window'\?"),
        ({"sise": 1}, r"'sise' \(= 1\); did you mean 'size'\?"),
        ({"fsp": 500}, r"did you mean 'fps'\?"),
        ({"linewidht": 2}, r"did you mean 'linewidth'\?"),
        (
            {"fps": 500, "zzzzzz": 1},
            r"'zzzzzz' \(= 1\)\. Allowed: show_traces parameters \(x, fps, colors, labels, ax\) or matplotlib Line2D",
        ),
    ],
)
def test_unknown_keyword_is_a_type_error(video, kwargs, show, match):
    with pytest.raises(TypeError, match=match):
        extract_traces(video, (2, 3), show=show, **kwargs)
    assert plt.get_fignums() == []  # refused before anything was drawn


def test_known_keywords_reach_the_plot(video):
    fig, ax = plt.subplots()
    traces = extract_traces(video, [(1, 1), (4, 2)], size=3, ax=ax, fps=100, lw=3, linestyle="--", alpha=0.5)
    assert len(ax.lines) == 2
    for line, trace in zip(ax.lines, traces.T):
        np.testing.assert_array_equal(line.get_ydata(), trace)
        assert line.get_linewidth() == 3 and line.get_linestyle() == "--" and line.get_alpha() == 0.5
    assert ax.get_xlabel() == "Time [s]"


def test_show_traces_checks_its_plot_keywords():
    fig, ax = plt.subplots()
    with pytest.raises(TypeError, match=r"show_traces\(\) got an unexpected keyword argument 'colour'.*'color'"):
        show_traces(np.zeros(5), ax=ax, colour="red")
    with pytest.raises(TypeError, match=r"'fsp' \(= 10\); did you mean 'fps'\?"):
        show_traces(np.zeros(5), ax=ax, fsp=10)
    assert not ax.lines
    show_traces(np.zeros(5), ax=ax, c="red", scalex=False, markersize=4)
    assert ax.lines[0].get_markersize() == 4
