"""Make the README's pictures from the code: ``python docs/make_figures.py``.

Every picture is drawn by the library's own functions on the embedded
synthetic recording, so the README shows what the code does.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import optimap  # noqa: E402
from optimap.cli import demo_positions  # noqa: E402
from optimap.datasets import synthetic_recording  # noqa: E402
from optimap.trace import compare_traces, detrend_timeseries, extract_traces, show_traces  # noqa: E402

IMAGES = Path(__file__).resolve().parent / "images"


def save(figure, name):
    figure.savefig(IMAGES / name, dpi=110)
    plt.close(figure)
    print(f"wrote {IMAGES / name}")


def main():
    IMAGES.mkdir(parents=True, exist_ok=True)
    video, info = synthetic_recording()
    fps = info["fps"]
    positions = demo_positions(info["mask"], info["pacing_site"], n=4)

    # The demo command's figure.
    from optimap.cli import trace_figure
    from optimap.datasets._synthetic import action_potentials

    demo = demo_positions(info["mask"], info["pacing_site"])
    processed = action_potentials(extract_traces(video, demo, size=5))
    save(trace_figure(video[0], demo, processed, [f"({x}, {y})" for x, y in demo], fps=fps), "demo_traces.png")

    # Quick start: positions beside their raw traces.
    figure, axs = plt.subplots(1, 2, figsize=(10, 3.6), width_ratios=(1, 2), layout="constrained")
    optimap.show_positions_and_traces(video, positions, size=5, fps=fps, axs=axs)
    save(figure, "positions_and_traces.png")

    # Detrending: raw trace, its spline trend, and the detrended trace.
    trace = extract_traces(video, positions[2], size=5)
    trend = detrend_timeseries(trace, kind="spline", return_trend_data=True)
    figure, axs = plt.subplots(1, 2, figsize=(10, 3.2), layout="constrained")
    show_traces(np.column_stack([trace, trend]), fps=fps, labels=["raw", "spline trend"], ax=axs[0])
    show_traces(detrend_timeseries(trace, kind="spline"), fps=fps, labels=["detrended"], colors=["C2"], ax=axs[1])
    save(figure, "detrend.png")

    # Comparing a raw with a processed video at the same positions.
    smoothed = video.astype(np.float32)
    from scipy.ndimage import uniform_filter

    smoothed = uniform_filter(smoothed, size=(1, 5, 5))
    figure, axs = plt.subplots(1, 2, figsize=(10, 3.2), layout="constrained")
    compare_traces([video, smoothed], coords=positions[:2], labels=["raw", "5x5 smoothed"], size=1, fps=fps, axs=axs)
    save(figure, "compare_traces.png")


if __name__ == "__main__":
    main()
