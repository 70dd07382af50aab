"""Make the README's pictures from the code: ``python docs/make_figures.py``.

Every picture is drawn by the library's own functions on the embedded
synthetic recording, so the README shows what the code does.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import optimap
from optimap.cli import demo_positions
from optimap.datasets import synthetic_recording
from optimap.trace import (
    compare_traces,
    delta_f_over_f,
    detrend_timeseries,
    extract_kymograph,
    extract_region_traces,
    extract_traces,
    show_kymograph,
    show_regions,
    show_traces,
)

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
    from optimap.cli import trace_figure, value_label
    from optimap.datasets._synthetic import action_potentials

    demo = demo_positions(info["mask"], info["pacing_site"])
    processed = action_potentials(extract_traces(video, demo, size=5))
    label = value_label(dff=True, normalize=True, invert=True)
    save(
        trace_figure(video[0], demo, processed, [f"({x}, {y})" for x, y in demo], fps=fps, ylabel=label),
        "demo_traces.png",
    )

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

    regions_figure(video, info)
    kymograph_figure(video, info)


def regions_figure(video, info):
    """Regions: the tissue in four bands at growing distance from the pacing site (a label image) and a
    polygon, outlined on the first frame beside their -ΔF/F traces, one colour each."""
    fps = info["fps"]
    px, py = info["pacing_site"]
    rows, cols = np.mgrid[0 : video.shape[1], 0 : video.shape[2]]
    distance = np.hypot(cols - px, rows - py)
    tissue = info["mask"]
    bands = np.zeros(tissue.shape, dtype=np.uint8)
    edges = np.quantile(distance[tissue], [0.25, 0.5, 0.75])
    bands[tissue] = np.digitize(distance[tissue], edges) + 1
    polygon = [(20, 44), (34, 40), (38, 52), (27, 58)]  # (x, y) vertices, e.g. drawn over a landmark
    regions = [*(bands == k for k in (1, 2, 3, 4)), polygon]
    names = ["band 1 (pacing site)", "band 2", "band 3", "band 4 (far)", "polygon"]
    traces = extract_region_traces(video, regions)
    action_potentials = -100 * delta_f_over_f(traces, inverted=True)  # -ΔF/F in %: upstrokes point up
    figure, axs = plt.subplots(1, 2, figsize=(10, 3.6), width_ratios=(1, 2), layout="constrained")
    show_regions(regions, video[0], ax=axs[0], fill=True)
    axs[0].plot(px, py, marker="*", color="white", markersize=9)
    show_traces(action_potentials[: int(0.8 * fps)], fps=fps, labels=names, ax=axs[1])
    axs[1].set_ylabel("-ΔF/F [%]")
    axs[1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    save(figure, "regions.png")


def kymograph_figure(video, info):
    """A kymograph along a path from the pacing site across the heart: each beat is a slanted band."""
    from optimap.cli import demo_positions

    fps = info["fps"]
    ends = demo_positions(info["mask"], info["pacing_site"], n=2)
    kymograph, positions = extract_kymograph(video, ends, size=3)
    action_potentials = -100 * delta_f_over_f(np.asarray(kymograph, dtype=np.float64), inverted=True)
    figure, axs = plt.subplots(1, 2, figsize=(10, 3.6), width_ratios=(1, 2), layout="constrained")
    axs[0].imshow(video[0], cmap="gray", interpolation="none")
    axs[0].plot(positions[:, 0], positions[:, 1], color="C1", linewidth=2)
    axs[0].plot(*positions[0], marker="o", color="C1")
    axs[0].axis("off")
    show_kymograph(action_potentials[: int(0.8 * fps)], fps=fps, ax=axs[1], cmap="inferno")
    figure.colorbar(axs[1].images[0], ax=axs[1], label="-ΔF/F [%]")
    save(figure, "kymograph.png")


if __name__ == "__main__":
    main()
