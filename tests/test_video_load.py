"""Tests of optimap.video.load_video on real files of every supported format."""

import hashlib
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimap.video import load_video

h5py = pytest.importorskip("h5py")
tifffile = pytest.importorskip("tifffile")
zarr = pytest.importorskip("zarr")
PIL_Image = pytest.importorskip("PIL.Image")

T, H, W = 12, 6, 5


@pytest.fixture
def video():
    rng = np.random.default_rng(7)
    return rng.integers(0, 4000, size=(T, H, W), dtype=np.uint16)


def expected(video, start_frame=0, frames=None, step=1):
    stop = None if frames is None else start_frame + frames * step
    return video[start_frame:stop:step]


def digest(path):
    """Hash of a file, or of every file under a folder."""
    path = pathlib.Path(path)
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    sha = hashlib.sha256()
    for file in files:
        sha.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
        sha.update(file.read_bytes())
        sha.update(str(file.stat().st_mtime_ns).encode())
    return sha.hexdigest()


def check(result, want, kind=np.ndarray):
    assert isinstance(result, kind)
    assert result.shape == want.shape
    assert result.dtype == want.dtype
    np.testing.assert_array_equal(np.asarray(result), want)


SELECTIONS = [
    dict(),
    dict(start_frame=3),
    dict(frames=4),
    dict(start_frame=2, frames=3, step=3),
    dict(step=5),
    dict(start_frame=T - 1),
    dict(start_frame=10, frames=50),  # more frames than remain: clipped
]


# --------------------------------------------------------------------------- .npy


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int32, np.float32, np.float64, ">u2"])
def test_npy_keeps_dtype(tmp_path, dtype):
    data = (np.arange(T * H * W) % 200).reshape(T, H, W).astype(dtype)
    np.save(tmp_path / "v.npy", data)
    result = load_video(tmp_path / "v.npy")
    check(result, data)
    assert type(result) is np.ndarray


@pytest.mark.parametrize("selection", SELECTIONS)
def test_npy_selection_in_memory(tmp_path, video, selection):
    np.save(tmp_path / "v.npy", video)
    result = load_video(str(tmp_path / "v.npy"), **selection)
    check(result, expected(video, **selection))
    assert type(result) is np.ndarray and result.flags.writeable and result.flags.c_contiguous


@pytest.mark.parametrize("selection", SELECTIONS)
def test_npy_mmap_is_readonly_memmap_view(tmp_path, video, selection):
    np.save(tmp_path / "v.npy", video)
    result = load_video(tmp_path / "v.npy", use_mmap=True, **selection)
    check(result, expected(video, **selection), np.memmap)
    assert not result.flags.writeable
    assert not result.flags.owndata  # a view of the mapping, not a copy
    with pytest.raises(ValueError, match="read-only"):
        result[0, 0, 0] = 1


def test_npy_fortran_order(tmp_path, video):
    np.save(tmp_path / "v.npy", np.asfortranarray(video))
    check(load_video(tmp_path / "v.npy", start_frame=1, step=2), video[1::2])
    check(load_video(tmp_path / "v.npy", start_frame=1, step=2, use_mmap=True), video[1::2], np.memmap)


@pytest.mark.parametrize("shape", [(T, H, W, 1), (T, 1, H, W), (T, 1, H, W, 1)])
@pytest.mark.parametrize("use_mmap", [False, True])
def test_npy_single_channel_axis_is_squeezed(tmp_path, video, shape, use_mmap):
    np.save(tmp_path / "v.npy", video.reshape(shape))
    result = load_video(tmp_path / "v.npy", start_frame=1, frames=4, use_mmap=use_mmap)
    check(result, video[1:5], np.memmap if use_mmap else np.ndarray)


def test_npy_single_frame_video(tmp_path, video):
    np.save(tmp_path / "v.npy", video[:1])
    check(load_video(tmp_path / "v.npy"), video[:1])


@pytest.fixture(scope="module")
def small_npy(tmp_path_factory):
    data = np.arange(9 * 2 * 3, dtype=np.int16).reshape(9, 2, 3)
    path = tmp_path_factory.mktemp("npy") / "small.npy"
    np.save(path, data)
    return path, data


@settings(max_examples=150, deadline=None)
@given(
    start_frame=st.integers(0, 8),
    frames=st.none() | st.integers(1, 12),
    step=st.integers(1, 11),
    use_mmap=st.booleans(),
)
def test_frame_options_match_slicing(small_npy, start_frame, frames, step, use_mmap):
    path, data = small_npy
    result = load_video(path, start_frame, frames, step, use_mmap)
    want = expected(data, start_frame, frames, step)
    check(result, want, np.memmap if use_mmap else np.ndarray)
    assert len(result) == len(range(start_frame, 9 if frames is None else min(9, start_frame + frames * step), step))


def test_numpy_integers_are_accepted(tmp_path, video):
    np.save(tmp_path / "v.npy", video)
    result = load_video(tmp_path / "v.npy", np.int64(2), np.uint8(3), np.int32(2), np.bool_(True))
    check(result, video[2:8:2], np.memmap)


# --------------------------------------------------------------------------- TIFF


@pytest.mark.parametrize("selection", SELECTIONS)
def test_tiff_multipage(tmp_path, video, selection):
    tifffile.imwrite(tmp_path / "v.tif", video, photometric="minisblack")
    check(load_video(tmp_path / "v.tif", **selection), expected(video, **selection))


@pytest.mark.parametrize("selection", SELECTIONS)
def test_tiff_uncompressed_mmap(tmp_path, video, selection):
    tifffile.imwrite(tmp_path / "v.tiff", video, photometric="minisblack")
    result = load_video(tmp_path / "v.tiff", use_mmap=True, **selection)
    check(result, expected(video, **selection), np.memmap)
    assert not result.flags.writeable


def test_tiff_float32_and_uppercase_suffix(tmp_path, video):
    data = video.astype(np.float32) / 7
    tifffile.imwrite(tmp_path / "V.TIF", data, photometric="minisblack")
    check(load_video(tmp_path / "V.TIF", step=4), data[::4])


@pytest.mark.parametrize("use_mmap", [False, True])
def test_tiff_imagej_hyperstack_with_one_channel(tmp_path, video, use_mmap):
    path = tmp_path / "hyper.tif"
    tifffile.imwrite(path, video.reshape(T, 1, 1, H, W), imagej=True, metadata={"axes": "TZCYX"})
    with tifffile.TiffFile(path) as tif:
        assert tif.is_imagej
    result = load_video(path, start_frame=2, frames=5, use_mmap=use_mmap)
    check(result, video[2:7], np.memmap if use_mmap else np.ndarray)


def test_tiff_imagej_stack_without_axes(tmp_path, video):
    # tifffile labels a plain 3-D ImageJ stack as channels; its one long axis is time.
    tifffile.imwrite(tmp_path / "ij.tif", video, imagej=True)
    check(load_video(tmp_path / "ij.tif", step=3), video[::3])


def test_tiff_imagej_two_channels_is_rejected(tmp_path, video):
    path = tmp_path / "two.tif"
    tifffile.imwrite(path, video.reshape(T // 2, 2, H, W), imagej=True, metadata={"axes": "TCYX"})
    with pytest.raises(ValueError, match=r"more than one channel.*single-channel"):
        load_video(path)


@pytest.mark.parametrize("compression", ["zlib", "lzw"])
def test_tiff_compressed(tmp_path, video, compression):
    if compression == "lzw":
        pytest.importorskip("imagecodecs")  # tifffile writes LZW through imagecodecs
    path = tmp_path / "c.tif"
    tifffile.imwrite(path, video, photometric="minisblack", compression=compression)
    check(load_video(path, start_frame=1, frames=3, step=2), video[1:7:2])
    with pytest.raises(ValueError, match=r"compressed .*cannot be memory-mapped.*use_mmap=False"):
        load_video(path, use_mmap=True)


def test_tiff_tiled_cannot_be_memory_mapped(tmp_path):
    data = np.arange(3 * 32 * 32, dtype=np.uint8).reshape(3, 32, 32)
    path = tmp_path / "tiled.tif"
    tifffile.imwrite(path, data, photometric="minisblack", tile=(16, 16))
    check(load_video(path), data)
    with pytest.raises(ValueError, match="not stored contiguously.*cannot be memory-mapped"):
        load_video(path, use_mmap=True)


def test_tiff_volume_in_one_page(tmp_path):
    # An SGI volume: all frames are one tiled page, read whole and then sliced.
    data = np.arange(4 * 32 * 32, dtype=np.uint16).reshape(4, 32, 32)
    path = tmp_path / "volume.tif"
    tifffile.imwrite(path, data, photometric="minisblack", volumetric=True, tile=(16, 16))
    check(load_video(path, start_frame=1, step=2), data[1::2])
    with pytest.raises(ValueError, match="not stored contiguously"):
        load_video(path, use_mmap=True)


def test_tiff_reads_only_the_requested_pages(tmp_path, video):
    path = tmp_path / "damaged.tif"
    tifffile.imwrite(path, video, photometric="minisblack", compression="zlib")
    with tifffile.TiffFile(path) as tif:
        page = tif.pages[T - 1]
        offset, count = page.dataoffsets[0], page.databytecounts[0]
    raw = bytearray(path.read_bytes())
    raw[offset : offset + count] = b"\xff" * count  # destroy the last frame only
    path.write_bytes(bytes(raw))
    check(load_video(path, frames=T - 1), video[: T - 1])
    check(load_video(path, step=2), video[::2])  # frames 0, 2, ..., 10
    with pytest.raises(ValueError, match=r"cannot read .*damaged\.tif.*damaged or truncated"):
        load_video(path, start_frame=T - 1)


@pytest.mark.parametrize("metadata", [{}, None])
def test_tiff_pages_appended_one_by_one(tmp_path, video, metadata):
    # With shape metadata each page is a series of its own; without, one uniform series.
    path = tmp_path / "appended.tif"
    for frame in video:
        tifffile.imwrite(path, frame, append=True, photometric="minisblack", metadata=metadata)
    with tifffile.TiffFile(path) as tif:
        assert len(tif.series) == (T if metadata == {} else 1)
    check(load_video(path, start_frame=2, step=3), video[2::3])
    # The frames are evenly spaced between their page headers: a strided memory map.
    mapped = load_video(path, start_frame=2, step=3, use_mmap=True)
    check(mapped, video[2::3], np.memmap)
    assert not mapped.flags.writeable


def test_tiff_unevenly_spaced_pages_map_to_a_lazy_video(tmp_path, video):
    # Each page has a description of another length, so the frames are not evenly spaced:
    # memory-mapped as runs of evenly spaced pages, joined lazily.
    from optimap.video._concat import ConcatenatedVideo

    path = tmp_path / "uneven.tif"
    for i, frame in enumerate(video):
        tifffile.imwrite(
            path, frame, append=True, photometric="minisblack", metadata=None, description="x" * (1 + 8 * (i % 3))
        )
    result = load_video(path, use_mmap=True, start_frame=1)
    check(result, video[1:], ConcatenatedVideo)
    assert 1 < result.n_parts < T and result.files == (str(path),)
    check(load_video(path, use_mmap=True, start_frame=1, step=3), video[1::3], np.memmap)  # evenly spaced again
    check(load_video(path, start_frame=1), video[1:])
    del result


@pytest.mark.parametrize("use_mmap", [False, True])
def test_tiff_big_endian(tmp_path, video, use_mmap):
    tifffile.imwrite(tmp_path / "be_1.tif", video[:5], photometric="minisblack", byteorder=">")
    tifffile.imwrite(tmp_path / "be_2.tif", video[5:], photometric="minisblack", byteorder="<")
    result = load_video(tmp_path / "be_1.tif", use_mmap=use_mmap, step=2)
    np.testing.assert_array_equal(result, video[:5:2])
    assert result.dtype.newbyteorder("=") == np.dtype(np.uint16)
    both = load_video(tmp_path / "be_*.tif", use_mmap=use_mmap, start_frame=3)
    np.testing.assert_array_equal(np.asarray(both), video[3:])
    del result, both


def test_tiff_rgb_is_rejected(tmp_path):
    path = tmp_path / "rgb.tif"
    tifffile.imwrite(path, np.zeros((4, H, W, 3), np.uint8), photometric="rgb")
    with pytest.raises(ValueError, match=r"colour \(RGB\).*3 samples per pixel"):
        load_video(path)


def test_tiff_single_image_is_not_a_video(tmp_path, video):
    tifffile.imwrite(tmp_path / "one.tif", video[0], photometric="minisblack", metadata=None)
    with pytest.raises(ValueError, match=r"single 2-D image of shape \(6, 5\), not a video"):
        load_video(tmp_path / "one.tif")


def test_tiff_one_frame_video(tmp_path, video):
    tifffile.imwrite(tmp_path / "one.tif", video[:1], photometric="minisblack")
    check(load_video(tmp_path / "one.tif"), video[:1])


@pytest.mark.parametrize("content", [b"", b"II*\x00garbage", b"not a tiff at all" * 10])
def test_tiff_damaged(tmp_path, content):
    path = tmp_path / "bad.tif"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"cannot read .*bad\.tif.*not a valid TIFF file"):
        load_video(path)


# --------------------------------------------------------------------------- zarr


def write_zarr_array(path, data, **kwargs):
    array = zarr.create_array(str(path), shape=data.shape, dtype=data.dtype, chunks=(4, *data.shape[1:]), **kwargs)
    array[...] = data
    return array


@pytest.mark.parametrize("selection", SELECTIONS)
def test_zarr_array(tmp_path, video, selection):
    write_zarr_array(tmp_path / "v.zarr", video)
    check(load_video(tmp_path / "v.zarr", **selection), expected(video, **selection))


def test_zarr_mmap_returns_lazy_readonly_array(tmp_path, video):
    write_zarr_array(tmp_path / "v.zarr", video)
    result = load_video(tmp_path / "v.zarr", use_mmap=True)
    assert isinstance(result, zarr.Array)
    assert result.read_only
    assert result.shape == video.shape and result.dtype == video.dtype
    np.testing.assert_array_equal(result[3:9:2], video[3:9:2])
    # A selection of frames is read into memory.
    check(load_video(tmp_path / "v.zarr", start_frame=3, step=2, use_mmap=True), video[3::2])


def test_zarr_store_without_zarr_suffix(tmp_path, video):
    write_zarr_array(tmp_path / "recording", video)
    check(load_video(tmp_path / "recording", frames=2), video[:2])


def test_zarr_format_2(tmp_path, video):
    write_zarr_array(tmp_path / "v2.zarr", video, zarr_format=2)
    check(load_video(tmp_path / "v2.zarr", step=2), video[::2])


def test_zarr_group(tmp_path, video):
    group = zarr.open_group(str(tmp_path / "g.zarr"), mode="w")
    group.create_array("timestamps", data=np.arange(T, dtype=np.float64))
    group.create_group("raw").create_array("video", data=video)
    check(load_video(tmp_path / "g.zarr", start_frame=4), video[4:])
    group.create_array("other", data=video + 1)
    with pytest.raises(ValueError, match=r"holds 2 3-D datasets: .*'other'.*'raw/video'.*dataset="):
        load_video(tmp_path / "g.zarr")
    check(load_video(tmp_path / "g.zarr", dataset="raw/video"), video)
    check(load_video(tmp_path / "g.zarr", dataset="/other", frames=1), video[:1] + 1)
    with pytest.raises(ValueError, match=r"1-D array 'timestamps' of shape \(12,\), not a video"):
        load_video(tmp_path / "g.zarr", dataset="timestamps")
    with pytest.raises(ValueError, match=r"dataset='missing' is not a dataset in zarr store"):
        load_video(tmp_path / "g.zarr", dataset="missing")


def test_zarr_dataset_on_a_single_array(tmp_path, video):
    write_zarr_array(tmp_path / "v.zarr", video)
    with pytest.raises(ValueError, match="single zarr array, not a group"):
        load_video(tmp_path / "v.zarr", dataset="video")


def test_zarr_2d_and_4d_arrays(tmp_path, video):
    write_zarr_array(tmp_path / "image.zarr", video[0])
    with pytest.raises(ValueError, match=r"2-D zarr array of shape \(6, 5\), not a video"):
        load_video(tmp_path / "image.zarr")
    write_zarr_array(tmp_path / "one.zarr", video[..., None])
    check(load_video(tmp_path / "one.zarr", use_mmap=True), video)  # read into memory to squeeze
    write_zarr_array(tmp_path / "rgb.zarr", np.repeat(video[..., None], 3, axis=3))
    with pytest.raises(ValueError, match="more than one channel"):
        load_video(tmp_path / "rgb.zarr")


def test_zarr_folder_that_is_not_a_store(tmp_path):
    (tmp_path / "empty.zarr").mkdir()
    with pytest.raises(ValueError, match=r"cannot read .*empty\.zarr.*not a valid zarr store"):
        load_video(tmp_path / "empty.zarr")


# --------------------------------------------------------------------------- HDF5


@pytest.mark.parametrize("selection", SELECTIONS)
@pytest.mark.parametrize("use_mmap", [False, True])
def test_hdf5_one_video_dataset(tmp_path, video, selection, use_mmap):
    path = tmp_path / "v.h5"
    with h5py.File(path, "w") as file:
        file["meta/timestamps"] = np.arange(T, dtype=np.float64)
        file["meta/background"] = video[0]
        file["recording/video"] = video
    result = load_video(path, use_mmap=use_mmap, **selection)
    # A contiguous dataset is memory-mapped directly.
    check(result, expected(video, **selection), np.memmap if use_mmap else np.ndarray)
    if use_mmap:
        assert not result.flags.writeable


def test_hdf5_chunked_compressed(tmp_path, video):
    path = tmp_path / "v.hdf5"
    with h5py.File(path, "w") as file:
        file.create_dataset("video", data=video, chunks=(2, H, W), compression="gzip")
    check(load_video(path, start_frame=1, frames=4, step=2), video[1:9:2])
    lazy = load_video(path, use_mmap=True)
    assert isinstance(lazy, h5py.Dataset)
    assert lazy.file.mode == "r"
    np.testing.assert_array_equal(lazy[5:8], video[5:8])
    lazy.file.close()
    check(load_video(path, start_frame=5, use_mmap=True), video[5:])  # a selection: in memory


def test_hdf5_several_video_datasets(tmp_path, video):
    path = tmp_path / "two.h5"
    with h5py.File(path, "w") as file:
        file["a"] = video
        file["group/b"] = video[::-1]
        file["image"] = video[0]
    with pytest.raises(ValueError, match=r"holds 2 3-D datasets: 'a' \(12, 6, 5\), 'group/b' \(12, 6, 5\).*dataset="):
        load_video(path)
    check(load_video(path, dataset="group/b", step=4), video[::-1][::4])
    check(load_video(path, dataset="/a", frames=2, use_mmap=True), video[:2], np.memmap)
    with pytest.raises(ValueError, match=r"dataset 'image' of shape \(6, 5\), not a video"):
        load_video(path, dataset="image")
    with pytest.raises(ValueError, match=r"dataset='group' is not a dataset in HDF5 file .*'a'.*'group/b'"):
        load_video(path, dataset="group")


def test_hdf5_without_video_dataset(tmp_path):
    path = tmp_path / "none.h5"
    with h5py.File(path, "w") as file:
        file["image"] = np.zeros((H, W))
    with pytest.raises(ValueError, match=r"holds no 3-D dataset.*'image' \(6, 5\).*dataset="):
        load_video(path)
    with h5py.File(tmp_path / "empty.h5", "w"):
        pass
    with pytest.raises(ValueError, match="holds no datasets"):
        load_video(tmp_path / "empty.h5")


@pytest.mark.parametrize("use_mmap", [False, True])
def test_hdf5_single_channel_4d(tmp_path, video, use_mmap):
    path = tmp_path / "v.h5"
    with h5py.File(path, "w") as file:
        file["video"] = video.reshape(T, 1, H, W)
    # Only 3-D datasets are found by themselves; a 4-D one is named.
    check(
        load_video(path, dataset="video", step=3, use_mmap=use_mmap), video[::3], np.memmap if use_mmap else np.ndarray
    )


def test_hdf5_damaged(tmp_path, video):
    path = tmp_path / "v.h5"
    with h5py.File(path, "w") as file:
        file["video"] = video
    full = path.read_bytes()
    (tmp_path / "trunc.h5").write_bytes(full[: len(full) // 2])
    with pytest.raises(ValueError, match=r"cannot read .*trunc\.h5.*not a valid HDF5 file"):
        load_video(tmp_path / "trunc.h5")
    (tmp_path / "text.h5").write_text("hello")
    with pytest.raises(ValueError, match=r"cannot read .*text\.h5.*not a valid HDF5 file"):
        load_video(tmp_path / "text.h5")


# --------------------------------------------------------------------------- image folders


def shuffled_names(pattern, count):
    order = np.random.default_rng(3).permutation(count)
    return [(i, pattern.format(i)) for i in order]


@pytest.mark.parametrize("selection", SELECTIONS)
def test_png_folder_natural_order(tmp_path, video, selection):
    for i, name in shuffled_names("frame{}.png", T):  # frame2 must come before frame10
        PIL_Image.fromarray(video[i]).save(tmp_path / name)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / ".hidden.png").write_bytes(b"ignored")
    result = load_video(tmp_path, **selection)
    check(result, expected(video, **selection))


def test_png_folder_8bit(tmp_path, video):
    data = (video % 256).astype(np.uint8)
    for i, name in shuffled_names("img_{}_x.PNG", T):
        PIL_Image.fromarray(data[i]).save(tmp_path / name)
    check(load_video(tmp_path, step=2), data[::2])


@pytest.mark.parametrize("suffix", [".tif", ".tiff"])
def test_tiff_folder_natural_order(tmp_path, video, suffix):
    for i, name in shuffled_names("t{}" + suffix, T):
        tifffile.imwrite(tmp_path / name, video[i], photometric="minisblack")
    check(load_video(tmp_path), video)
    check(load_video(tmp_path, start_frame=9, frames=2), video[9:11])


def test_folder_reads_only_selected_images(tmp_path, video):
    for i in range(T):
        PIL_Image.fromarray(video[i]).save(tmp_path / f"f{i}.png")
    (tmp_path / f"f{T - 1}.png").write_bytes(b"\x89PNG broken")
    check(load_video(tmp_path, frames=T - 1), video[: T - 1])
    with pytest.raises(ValueError, match=r"cannot read .*f11\.png.*not a valid PNG image"):
        load_video(tmp_path)


def test_folder_errors(tmp_path, video):
    with pytest.raises(ValueError, match="holds no video: it contains no .tif, .tiff or .png images"):
        load_video(tmp_path)
    (tmp_path / "readme.txt").write_text("x")
    with pytest.raises(ValueError, match="holds no video"):
        load_video(tmp_path)
    PIL_Image.fromarray(video[0]).save(tmp_path / "f1.png")
    PIL_Image.fromarray(video[1, :4]).save(tmp_path / "f2.png")
    check(load_video(tmp_path, frames=1), video[:1])
    with pytest.raises(ValueError, match=r"differ: 'f1.png' is \(6, 5\) uint16 but 'f2.png' is \(4, 5\) uint16"):
        load_video(tmp_path)
    with pytest.raises(ValueError, match="folder of images .*cannot be memory-mapped"):
        load_video(tmp_path, use_mmap=True)


def test_folder_colour_images_are_rejected(tmp_path):
    PIL_Image.fromarray(np.zeros((H, W, 3), np.uint8)).save(tmp_path / "a1.png")
    with pytest.raises(ValueError, match=r"colour image \(PIL mode 'RGB'\)"):
        load_video(tmp_path)
    tifffile.imwrite(tmp_path / "b.tif", np.zeros((H, W, 3), np.uint8), photometric="rgb")
    with pytest.raises(ValueError, match=r"b\.tif' holds data of shape \(6, 5, 3\), not one grayscale image"):
        load_video(tmp_path, start_frame=1)


# --------------------------------------------------------------------------- errors of files and options


def test_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"path '.*nothing\.npy' does not exist"):
        load_video(tmp_path / "nothing.npy")


@pytest.mark.parametrize("name", ["video.avi", "video", "data.zarr"])
def test_unknown_format(tmp_path, name):
    (tmp_path / name).write_bytes(b"\x00" * 100)
    with pytest.raises(
        ValueError, match=r"unknown video format.*supported are \.npy, \.tif/\.tiff, \.h5/\.hdf5, a zarr store"
    ):
        load_video(tmp_path / name)


@pytest.mark.parametrize("use_mmap", [False, True])
@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda raw: raw[:-7], "damaged or truncated"),
        (lambda raw: raw[:30], "damaged or truncated"),
        (lambda raw: b"", "not a .npy file"),
        (lambda raw: b"hello world" * 20, "not a .npy file"),
    ],
)
def test_npy_damaged(tmp_path, video, damage, message, use_mmap):
    np.save(tmp_path / "v.npy", video)
    path = tmp_path / "v.npy"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ValueError, match=rf"cannot read '.*v\.npy': .*{message}"):
        load_video(path, use_mmap=use_mmap)


def test_npy_object_array(tmp_path):
    np.save(tmp_path / "o.npy", np.empty((2, 2, 2), dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match=r"o\.npy' holds Python objects \(dtype object\), not numbers"):
        load_video(tmp_path / "o.npy")


@pytest.mark.parametrize(
    "shape, message",
    [
        ((H, W), r"2-D array of shape \(6, 5\), not a video"),
        ((T,), r"1-D array of shape \(12,\), not a video"),
        ((), r"0-D array"),
        ((T, H, W, 3), r"4-D array of shape \(12, 6, 5, 3\), which has more than one channel"),
        ((T, 2, H, W), r"more than one channel"),
        ((0, H, W), r"video with no frames"),
    ],
)
def test_npy_not_a_video(tmp_path, shape, message):
    np.save(tmp_path / "v.npy", np.zeros(shape, np.float32))
    with pytest.raises(ValueError, match=message):
        load_video(tmp_path / "v.npy")


@pytest.fixture
def npy_path(tmp_path, video):
    np.save(tmp_path / "v.npy", video)
    return tmp_path / "v.npy"


@pytest.mark.parametrize(
    "options, error, message",
    [
        (dict(start_frame=-1), ValueError, r"start_frame must be 0 or more \(the first frame is 0\), got -1"),
        (
            dict(start_frame=T),
            ValueError,
            r"start_frame=12 is out of range: .* has 12 frames, so start_frame must be at most 11",
        ),
        (dict(start_frame=100, frames=1), ValueError, r"start_frame=100 is out of range"),
        (dict(frames=0), ValueError, r"frames must be 1 or more .*got 0"),
        (dict(frames=-3), ValueError, r"frames must be 1 or more .*got -3"),
        (dict(step=0), ValueError, r"step must be 1 or more .*got 0"),
        (dict(step=-1), ValueError, r"step must be 1 or more"),
        (dict(start_frame=1.0), TypeError, r"start_frame must be an integer, got 1.0 of type float"),
        (dict(frames=2.5), TypeError, r"frames must be an integer, got 2.5"),
        (dict(step="2"), TypeError, r"step must be an integer, got '2' of type str"),
        (dict(start_frame=True), TypeError, r"start_frame must be an integer, got True of type bool"),
        (dict(frames=False), TypeError, r"frames must be an integer, got False of type bool"),
        (dict(step=True), TypeError, r"step must be an integer, got True of type bool"),
        (dict(step=np.float64(2)), TypeError, r"step must be an integer"),
        (dict(use_mmap="yes"), TypeError, r"use_mmap must be True or False, got 'yes'"),
        (dict(use_mmap=1), TypeError, r"use_mmap must be True or False"),
        (dict(dataset=3), TypeError, r"dataset must be a str"),
        (dict(dataset="video"), ValueError, r"dataset applies only to HDF5 files and zarr stores"),
    ],
)
def test_invalid_options(npy_path, options, error, message):
    with pytest.raises(error, match=message):
        load_video(npy_path, **options)


def test_start_frame_range_is_checked_for_every_format(tmp_path, video):
    tifffile.imwrite(tmp_path / "v.tif", video, photometric="minisblack")
    write_zarr_array(tmp_path / "v.zarr", video)
    with h5py.File(tmp_path / "v.h5", "w") as file:
        file["video"] = video
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(3):
        PIL_Image.fromarray(video[i]).save(folder / f"{i}.png")
    for path, n in [("v.tif", T), ("v.zarr", T), ("v.h5", T), ("frames", 3)]:
        with pytest.raises(ValueError, match=rf"start_frame={n} is out of range: .* has {n} frames"):
            load_video(tmp_path / path, start_frame=n)


@pytest.mark.parametrize("path, error", [(3, TypeError), (None, TypeError), (b"v.npy", TypeError), ("", ValueError)])
def test_invalid_path(path, error):
    with pytest.raises(error, match="path"):
        load_video(path)


# --------------------------------------------------------------------------- optional dependencies


@pytest.mark.parametrize(
    "module, extra, filename",
    [
        ("tifffile", "tiff", "v.tif"),
        ("h5py", "hdf5", "v.h5"),
        ("zarr", "zarr", "v.zarr"),
        ("PIL.Image", "png", "frames"),
        ("tifffile", "tiff", "tiff_frames"),
    ],
)
def test_missing_optional_dependency_names_the_extra(tmp_path, video, monkeypatch, module, extra, filename):
    tifffile.imwrite(tmp_path / "v.tif", video, photometric="minisblack")
    with h5py.File(tmp_path / "v.h5", "w") as file:
        file["video"] = video
    write_zarr_array(tmp_path / "v.zarr", video)
    (tmp_path / "frames").mkdir()
    PIL_Image.fromarray(video[0]).save(tmp_path / "frames" / "0.png")
    (tmp_path / "tiff_frames").mkdir()
    tifffile.imwrite(tmp_path / "tiff_frames" / "0.tif", video[0], photometric="minisblack")
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail for real
    with pytest.raises(ImportError, match=rf'{module} is needed .* pip install "optimap-trace\[{extra}\]"'):
        load_video(tmp_path / filename)


# --------------------------------------------------------------------------- no side effects


def test_files_are_never_modified(tmp_path, video):
    tifffile.imwrite(tmp_path / "v.tif", video, photometric="minisblack")
    tifffile.imwrite(tmp_path / "c.tif", video, photometric="minisblack", compression="zlib")
    np.save(tmp_path / "v.npy", video)
    write_zarr_array(tmp_path / "v.zarr", video)
    with h5py.File(tmp_path / "v.h5", "w") as file:
        file["video"] = video
        file.create_dataset("chunked", data=video, chunks=(1, H, W))
    (tmp_path / "frames").mkdir()
    for i in range(T):
        PIL_Image.fromarray(video[i]).save(tmp_path / "frames" / f"{i}.png")
    paths = ["v.tif", "c.tif", "v.npy", "v.zarr", "v.h5", "frames"]
    before = {p: digest(tmp_path / p) for p in paths}
    for p in paths:
        for use_mmap in (False, True):
            for kwargs in ({}, {"start_frame": 1, "step": 2}):
                if p == "v.h5":
                    kwargs = {**kwargs, "dataset": "video"}
                try:
                    result = load_video(tmp_path / p, use_mmap=use_mmap, **kwargs)
                except ValueError:
                    assert use_mmap and p in ("c.tif", "frames")
                    continue
                np.asarray(result[:1])
                if isinstance(result, h5py.Dataset):
                    result.file.close()
                del result
    assert {p: digest(tmp_path / p) for p in paths} == before


def test_import_is_light():
    code = (
        "import sys, optimap.video as v; v.load_video; "
        "heavy = [m for m in ('matplotlib', 'scipy', 'tifffile', 'zarr', 'h5py', 'PIL', 'dask') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ})
    assert out.stdout.strip() == "[]"
