"""load_video(channel=...): one channel of ImageJ hyperstacks, OME-TIFF, RGB TIFF and
colour images, memory-mapped or read; and the errors around it."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimap.video import load_video
from optimap.video._concat import ConcatenatedVideo
from optimap.video._tiff import analyse

tifffile = pytest.importorskip("tifffile")
PIL_Image = pytest.importorskip("PIL.Image")

T, C, H, W = 7, 3, 6, 5


@pytest.fixture
def tcyx():
    return np.random.default_rng(2).integers(0, 4000, size=(T, C, H, W)).astype(np.uint16)


def check(result, want, kind=np.ndarray):
    assert isinstance(result, kind), type(result)
    assert result.shape == want.shape and result.dtype == want.dtype
    np.testing.assert_array_equal(np.asarray(result), want)


def write(path, data, **kwargs):
    tifffile.imwrite(path, data, **kwargs)
    return path


# Each writer: (file name, how data (T, C, H, W) is stored, tifffile keywords).
LAYOUTS = {
    "imagej-TCYX": (lambda d: d, dict(imagej=True, metadata={"axes": "TCYX"})),
    "imagej-TZCYX": (lambda d: d[:, None], dict(imagej=True, metadata={"axes": "TZCYX"})),
    "ome-TCYX": (lambda d: d, dict(ome=True, metadata={"axes": "TCYX"})),
    "ome-CTYX": (lambda d: d.transpose(1, 0, 2, 3), dict(ome=True, metadata={"axes": "CTYX"})),
    "rgb-contig": (lambda d: d.transpose(0, 2, 3, 1), dict(photometric="rgb")),
    "rgb-separate": (lambda d: d, dict(photometric="rgb", planarconfig="separate")),
    "ome-rgb": (lambda d: d.transpose(0, 2, 3, 1), dict(ome=True, photometric="rgb")),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("use_mmap", [False, True])
def test_each_channel_of_each_layout(tmp_path, tcyx, layout, use_mmap):
    store, kwargs = LAYOUTS[layout]
    data = (tcyx % 256).astype(np.uint8) if "rgb" in layout else tcyx
    path = write(tmp_path / "multi.tif", np.ascontiguousarray(store(data)), **kwargs)
    for channel in range(C):
        result = load_video(path, start_frame=1, step=2, channel=channel, use_mmap=use_mmap)
        check(result, data[1::2, channel], np.memmap if use_mmap else np.ndarray)
        if use_mmap:
            assert not result.flags.writeable
            assert not result.flags.owndata  # a strided view of the mapping, not a copy
        else:
            assert result.flags.c_contiguous and result.flags.writeable


@pytest.mark.parametrize("layout", ["imagej-TCYX", "ome-TCYX", "rgb-contig"])
def test_without_channel_the_error_counts_the_channels(tmp_path, tcyx, layout):
    store, kwargs = LAYOUTS[layout]
    data = tcyx if "rgb" not in layout else (tcyx % 256).astype(np.uint8)
    path = write(tmp_path / "multi.tif", np.ascontiguousarray(store(data)), **kwargs)
    if "rgb" in layout:
        message = r"'.*multi\.tif' is a colour \(RGB\) or multi-sample TIFF with 3 samples per pixel \(TIFF axes QYXS, shape \(7, 6, 5, 3\)\).*pass channel= to load one of them \(0 to 2\)"
    else:
        message = r"'.*multi\.tif' holds more than one channel: 3 channels \(TIFF axes TCYX, shape \(7, 3, 6, 5\)\); load_video returns a single-channel video, so pass channel= to choose one of them \(0 to 2\)"
    with pytest.raises(ValueError, match=message):
        load_video(path)
    with pytest.raises(
        ValueError, match=r"channel=3 is out of range: '.*multi\.tif' has 3 channels .*so channel must be from 0 to 2"
    ):
        load_video(path, channel=3, use_mmap=True)


def test_compressed_hyperstack(tmp_path, tcyx):
    path = write(tmp_path / "z.tif", tcyx, imagej=True, metadata={"axes": "TCYX"}, compression="zlib")
    check(load_video(path, channel=2, start_frame=2, frames=3), tcyx[2:5, 2])
    with pytest.raises(ValueError, match="compressed .*cannot be memory-mapped"):
        load_video(path, channel=2, use_mmap=True)


@settings(max_examples=80, deadline=None)
@given(
    channel=st.integers(0, 2),
    start_frame=st.integers(0, 10),
    frames=st.none() | st.integers(1, 12),
    step=st.integers(1, 12),
    use_mmap=st.booleans(),
)
def test_any_selection_of_any_channel(hyperstack, channel, start_frame, frames, step, use_mmap):
    path, data = hyperstack
    result = load_video(path, start_frame, frames, step, use_mmap, channel=channel)
    stop = None if frames is None else start_frame + frames * step
    want = data[start_frame:stop:step, channel]
    assert result.shape == want.shape
    np.testing.assert_array_equal(result, want)


@pytest.fixture(scope="module")
def hyperstack(tmp_path_factory):
    data = np.random.default_rng(4).integers(0, 60000, size=(11, 3, 4, 5)).astype(np.uint16)
    path = tmp_path_factory.mktemp("hyper") / "h.tif"
    tifffile.imwrite(path, data, imagej=True, metadata={"axes": "TCYX"})
    return path, data


# --------------------------------------------------------------------------- single-channel files


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(photometric="minisblack"),
        dict(imagej=True),  # tifffile labels the frames of a plain stack as channels
        dict(ome=True),  # so does its OME writer
        dict(imagej=True, metadata={"axes": "TZCYX"}),
    ],
)
def test_single_channel_files_accept_channel_0_only(tmp_path, tcyx, kwargs):
    video = tcyx[:, 0]
    data = video[:, None, None] if kwargs.get("metadata") else video
    path = write(tmp_path / "one.tif", data, **kwargs)
    for use_mmap in (False, True):
        check(load_video(path, use_mmap=use_mmap), video, np.memmap if use_mmap else np.ndarray)
        check(load_video(path, channel=0, use_mmap=use_mmap), video, np.memmap if use_mmap else np.ndarray)
    with pytest.raises(
        ValueError,
        match=r"channel=1 is out of range: '.*one\.tif' has a single channel .*so channel must be 0 \(or None\)",
    ):
        load_video(path, channel=1)


def test_a_hyperstack_with_one_time_point_is_one_frame_per_channel(tmp_path, tcyx):
    path = write(tmp_path / "snap.tif", tcyx[:1], imagej=True, metadata={"axes": "TCYX"})
    # With a single time point, C is the only long axis: it is read as time ...
    check(load_video(path), tcyx[0])
    # ... and a channel= on it finds a single channel.
    with pytest.raises(ValueError, match="has a single channel"):
        load_video(path, channel=1)


def test_time_and_planes_together_are_rejected(tmp_path, tcyx):
    path = write(tmp_path / "tz.tif", tcyx[:, :2, None].repeat(2, axis=2), imagej=True, metadata={"axes": "TZCYX"})
    with pytest.raises(ValueError, match=r"more than one of them \(T=7, Z=2\) has several entries"):
        load_video(path, channel=0)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "channel, error, message",
    [
        (-1, ValueError, r"channel must be 0 or more \(the first channel is 0\), got -1"),
        (1.0, TypeError, r"channel must be an integer, got 1.0 of type float"),
        (True, TypeError, r"channel must be an integer, got True of type bool"),
        ("1", TypeError, r"channel must be an integer, got '1' of type str"),
    ],
)
def test_invalid_channel(tmp_path, tcyx, channel, error, message):
    path = write(tmp_path / "h.tif", tcyx, imagej=True, metadata={"axes": "TCYX"})
    with pytest.raises(error, match=message):
        load_video(path, channel=channel)


def test_numpy_integer_channel(tmp_path, tcyx):
    path = write(tmp_path / "h.tif", tcyx, imagej=True, metadata={"axes": "TCYX"})
    check(load_video(path, channel=np.uint8(2)), tcyx[:, 2])


def test_channel_does_not_apply_to_arrays(tmp_path, tcyx):
    h5py = pytest.importorskip("h5py")
    zarr = pytest.importorskip("zarr")
    np.save(tmp_path / "v.npy", tcyx)
    with h5py.File(tmp_path / "v.h5", "w") as file:
        file["video"] = tcyx
    zarr.create_array(str(tmp_path / "v.zarr"), data=tcyx)
    for name, kind in (("v.npy", r"a \.npy file"), ("v.h5", "an HDF5 file"), ("v.zarr", "a zarr store")):
        with pytest.raises(
            ValueError,
            match=rf"channel=1 was given, but channel applies only to TIFF files .* and '.*{name}' is {kind}; .*\[:, channel\]",
        ):
            load_video(tmp_path / name, channel=1)


# --------------------------------------------------------------------------- several files and folders


@pytest.mark.parametrize("use_mmap", [False, True])
def test_channel_of_a_split_hyperstack(tmp_path, tcyx, use_mmap):
    write(tmp_path / "h_1.tif", tcyx[:4], imagej=True, metadata={"axes": "TCYX"})
    write(tmp_path / "h_2.tif", tcyx[4:], imagej=True, metadata={"axes": "TCYX"})
    result = load_video(tmp_path / "h_*.tif", channel=1, start_frame=2, use_mmap=use_mmap)
    check(result, tcyx[2:, 1], ConcatenatedVideo if use_mmap else np.ndarray)
    check(load_video(tmp_path, channel=2), tcyx[:, 2])
    with pytest.raises(ValueError, match=r"h_1\.tif' holds more than one channel: 3 channels"):
        load_video(tmp_path)
    del result


def test_extract_traces_on_a_channel(tmp_path, tcyx):
    from optimap.trace import extract_traces

    path = write(tmp_path / "h.tif", tcyx, imagej=True, metadata={"axes": "TCYX"})
    mapped = load_video(path, channel=1, use_mmap=True)
    positions = [(0, 0), (4, 5), (2, 3)]
    np.testing.assert_array_equal(
        extract_traces(mapped, positions, size=3), extract_traces(tcyx[:, 1], positions, size=3)
    )
    del mapped


def test_folder_of_colour_images(tmp_path, tcyx):
    rgb = (tcyx % 256).astype(np.uint8).transpose(0, 2, 3, 1)  # (T, H, W, 3)
    for i in range(4):
        PIL_Image.fromarray(rgb[i]).save(tmp_path / f"a{i}.png")
    tifffile.imwrite(tmp_path / "a4.tif", rgb[4], photometric="rgb")
    check(load_video(tmp_path, channel=2), rgb[:5, ..., 2])
    with pytest.raises(
        ValueError, match=r"colour image \(PIL mode 'RGB'\).*pass channel=K to load its band K \(K from 0 to 2\)"
    ):
        load_video(tmp_path)
    with pytest.raises(
        ValueError,
        match=r"channel=3 is out of range: '.*a0\.png' has 3 channels \(PIL mode 'RGB'\), so channel must be from 0 to 2",
    ):
        load_video(tmp_path, channel=3)
    with pytest.raises(
        ValueError, match=r"a4\.tif' holds data of shape \(6, 5, 3\), not one grayscale image: it is a colour \(RGB\)"
    ):
        load_video(tmp_path, start_frame=4)


def test_folder_of_gray_images_accepts_channel_0(tmp_path, tcyx):
    for i in range(3):
        PIL_Image.fromarray(tcyx[i, 0]).save(tmp_path / f"f{i}.png")
    check(load_video(tmp_path, channel=0), tcyx[:3, 0])
    with pytest.raises(
        ValueError,
        match=r"channel=1 is out of range: '.*f0\.png' has a single channel, so channel must be 0 \(or None\)",
    ):
        load_video(tmp_path, channel=1)


# --------------------------------------------------------------------------- the axis rules


@pytest.mark.parametrize(
    "axes, shape, channel, n_frames, base, step",
    [
        ("TCYX", (7, 3, 6, 5), 2, 7, 2, 3),
        ("CTYX", (3, 7, 6, 5), 2, 7, 14, 1),
        ("TZCYXS", (7, 1, 3, 6, 5, 1), 1, 7, 1, 3),
        ("CYX", (9, 6, 5), None, 9, 0, 1),  # C alone is time
        ("QYXS", (4, 6, 5, 3), 1, 4, 0, 1),
        ("IYX", (5, 6, 5), 0, 5, 0, 1),
    ],
)
def test_layout_rules(axes, shape, channel, n_frames, base, step):
    page_axes = "YXS" if axes.endswith("S") and shape[-1] > 1 else "YX"
    page_size = 6 * 5 * (shape[-1] if page_axes == "YXS" else 1)
    n_pages = int(np.prod([n for a, n in zip(axes, shape) if a not in "YXS"]))
    layout = analyse(axes, shape, page_axes, page_size, n_pages, channel, "f.tif")
    assert (layout.n_frames, layout.page_base, layout.page_step) == (n_frames, base, step)
    assert (layout.height, layout.width) == (6, 5)


def test_channels_and_samples_together_are_rejected():
    with pytest.raises(ValueError, match=r"has 2 channels of 3 samples per pixel each"):
        analyse("TCYXS", (4, 2, 6, 5, 3), "YXS", 90, 8, 0, "f.tif")


def test_files_with_channels_are_never_modified(tmp_path, tcyx):
    import hashlib

    paths = [
        write(tmp_path / "h.tif", tcyx, imagej=True, metadata={"axes": "TCYX"}),
        write(tmp_path / "rgb.tif", (tcyx % 256).astype(np.uint8), photometric="rgb", planarconfig="separate"),
        write(tmp_path / "z.tif", tcyx, ome=True, metadata={"axes": "TCYX"}, compression="zlib"),
    ]

    def state():
        return [(hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in paths]

    before = state()
    for path in paths:
        for use_mmap in (False, True):
            try:
                result = load_video(path, channel=1, step=2, use_mmap=use_mmap)
            except ValueError:
                assert use_mmap and path.name == "z.tif"
                continue
            np.asarray(result[:2])
            if use_mmap:
                with pytest.raises(ValueError, match="read-only"):
                    result[0, 0, 0] = 1
            del result
    assert state() == before
