"""load_video on recordings split over several files: lists, glob patterns, folders of
stacks and multi-file OME-TIFF series, in memory and memory-mapped."""

import gc
import hashlib
import os
import pathlib
import uuid

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimap.video import load_video
from optimap.video._concat import ConcatenatedVideo

tifffile = pytest.importorskip("tifffile")
PIL_Image = pytest.importorskip("PIL.Image")

H, W = 6, 5
LENGTHS = (10, 1, 7, 5)  # one piece of a single frame: the rest of a split recording
NAMES = ("rec_1.tif", "rec_2.tif", "rec_3.tif", "rec_10.tif")  # rec_10 comes last
T = sum(LENGTHS)


def make_video(n=T, dtype=np.uint16, seed=11):
    return np.random.default_rng(seed).integers(0, 4000, size=(n, H, W)).astype(dtype)


def split(video, lengths=LENGTHS):
    bounds = np.cumsum((0, *lengths))
    return [video[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def write_pieces(folder, video, names=NAMES, lengths=LENGTHS, **kwargs):
    kwargs.setdefault("photometric", "minisblack")
    paths = []
    for name, piece in zip(names, split(video, lengths)):
        tifffile.imwrite(folder / name, piece, **kwargs)
        paths.append(folder / name)
    return paths


def expected(video, start_frame=0, frames=None, step=1):
    stop = None if frames is None else start_frame + frames * step
    return video[start_frame:stop:step]


def check(result, want, kind=np.ndarray):
    assert isinstance(result, kind), type(result)
    assert result.shape == want.shape and result.dtype == want.dtype
    np.testing.assert_array_equal(np.asarray(result), want)


def digest(folder):
    sha = hashlib.sha256()
    for file in sorted(p for p in pathlib.Path(folder).rglob("*") if p.is_file()):
        sha.update(file.name.encode() + file.read_bytes() + str(file.stat().st_mtime_ns).encode())
    return sha.hexdigest()


@pytest.fixture
def video():
    return make_video()


@pytest.fixture
def pieces(tmp_path, video):
    return write_pieces(tmp_path, video)


def forms(folder, paths):
    """Every way of naming the pieces, each giving the pieces in order."""
    return {
        "pattern": str(folder / "rec_*.tif"),
        "pattern-path": folder / "rec_*.tif",
        "list": [str(p) for p in paths],
        "tuple": tuple(paths),
        "folder": folder,
    }


# --------------------------------------------------------------------------- the forms


@pytest.mark.parametrize("form", ["pattern", "pattern-path", "list", "tuple", "folder"])
@pytest.mark.parametrize("use_mmap", [False, True])
def test_every_form_reads_the_pieces_in_order(tmp_path, video, pieces, form, use_mmap):
    path = forms(tmp_path, pieces)[form]
    result = load_video(path, use_mmap=use_mmap)
    check(result, video, ConcatenatedVideo if use_mmap else np.ndarray)
    if use_mmap:
        assert result.n_parts == len(pieces)
        assert [pathlib.Path(f).name for f in result.files] == list(NAMES)
        del result
    else:
        assert result.flags.c_contiguous and result.flags.writeable and result.flags.owndata


def test_a_list_is_read_in_the_order_given(tmp_path, video, pieces):
    order = [3, 0, 2]
    result = load_video([pieces[i] for i in order], start_frame=2, step=2)
    check(result, np.concatenate([split(video)[i] for i in order])[2::2])


def test_natural_order_of_a_pattern(tmp_path):
    data = make_video(6)
    for i, name in enumerate(
        ["rec.ome.tif", "rec_1.ome.tif", "rec_2.ome.tif", "rec_10.ome.tif", "rec_9.ome.tif", "rec_11.ome.tif"]
    ):
        tifffile.imwrite(tmp_path / name, data[i : i + 1], photometric="minisblack")  # plain TIFFs
    want = data[[0, 1, 2, 4, 3, 5]]  # rec, rec_1, rec_2, rec_9, rec_10, rec_11
    check(load_video(tmp_path / "rec*.ome.tif"), want)
    check(load_video(tmp_path), want)


SELECTIONS = [
    dict(start_frame=8, frames=4),  # crosses the boundaries around the 1-frame piece
    dict(start_frame=10, frames=1),  # only the 1-frame piece
    dict(start_frame=9, step=3),
    dict(step=7),
    dict(start_frame=T - 1),
    dict(start_frame=12, frames=2),  # inside one piece
    dict(start_frame=5, frames=100, step=4),
]


@pytest.mark.parametrize("selection", SELECTIONS)
@pytest.mark.parametrize("use_mmap", [False, True])
def test_selections_across_boundaries(tmp_path, video, pieces, selection, use_mmap):
    want = expected(video, **selection)
    result = load_video(tmp_path / "rec_*.tif", use_mmap=use_mmap, **selection)
    np.testing.assert_array_equal(np.asarray(result), want)
    assert result.shape == want.shape and result.dtype == want.dtype
    if use_mmap:
        frames = expected(np.arange(T), **selection)
        chosen = set(np.searchsorted(np.cumsum(LENGTHS), frames, side="right"))  # pieces with selected frames
        if len(chosen) == 1:
            assert isinstance(result, np.memmap) and not result.flags.writeable
        else:
            assert isinstance(result, ConcatenatedVideo) and result.n_parts == len(chosen)
            assert [pathlib.Path(f).name for f in result.files] == [NAMES[i] for i in sorted(chosen)]


@pytest.fixture(scope="module")
def split_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("split")
    data = make_video(seed=3)
    write_pieces(folder, data)
    return folder, data


@settings(max_examples=120, deadline=None)
@given(
    start_frame=st.integers(0, T - 1),
    frames=st.none() | st.integers(1, T + 3),
    step=st.integers(1, T + 1),
    use_mmap=st.booleans(),
)
def test_any_selection_matches_slicing(split_files, start_frame, frames, step, use_mmap):
    folder, data = split_files
    result = load_video(folder / "rec_*.tif", start_frame, frames, step, use_mmap)
    want = expected(data, start_frame, frames, step)
    assert result.shape == want.shape and result.dtype == want.dtype
    np.testing.assert_array_equal(np.asarray(result), want)
    if use_mmap and isinstance(result, ConcatenatedVideo):
        np.testing.assert_array_equal(result[::-2], want[::-2])
        np.testing.assert_array_equal(result[-1, 2:, ::2], want[-1, 2:, ::2])


def test_compressed_pieces_are_read_page_by_page(tmp_path, video):
    paths = write_pieces(tmp_path, video)
    tifffile.imwrite(paths[2], split(video)[2], photometric="minisblack", compression="zlib")
    check(load_video(tmp_path / "rec_*.tif", start_frame=3, step=2), video[3::2])
    # Memory-mapping needs every piece with selected frames uncompressed.
    check(load_video(tmp_path / "rec_*.tif", frames=11, use_mmap=True), video[:11], ConcatenatedVideo)
    with pytest.raises(
        ValueError, match=r"'.*rec_3\.tif' is compressed \(ADOBE_DEFLATE\) and cannot be memory-mapped.*use_mmap=False"
    ):
        load_video(tmp_path / "rec_*.tif", use_mmap=True)


def test_only_the_needed_files_and_pages_are_read(tmp_path, video):
    paths = write_pieces(tmp_path, video, compression="zlib")
    paths[3].write_bytes(b"garbage, not a TIFF file")  # the last piece, frames 18 to 22
    with tifffile.TiffFile(paths[0]) as tif:  # destroy frame 5 of the first piece
        offset, count = tif.pages[5].dataoffsets[0], tif.pages[5].databytecounts[0]
    raw = bytearray(paths[0].read_bytes())
    raw[offset : offset + count] = b"\xff" * count
    paths[0].write_bytes(bytes(raw))
    check(load_video(tmp_path / "rec_*.tif", start_frame=6, frames=12), video[6:18])
    check(load_video(tmp_path / "rec_*.tif", start_frame=0, frames=5, step=2), video[0:10:2])
    with pytest.raises(ValueError, match=r"cannot read '.*rec_10\.tif': it is not a valid TIFF file"):
        load_video(tmp_path / "rec_*.tif", start_frame=6)
    with pytest.raises(ValueError, match=r"cannot read '.*rec_1\.tif'.*damaged or truncated"):
        load_video(tmp_path / "rec_*.tif", start_frame=5, frames=1)


def test_pieces_must_share_frame_shape_and_dtype(tmp_path, video):
    paths = write_pieces(tmp_path, video)
    tifffile.imwrite(paths[2], video[:3, :4], photometric="minisblack")
    with pytest.raises(
        ValueError,
        match=r"differ: '.*rec_1\.tif' has frames of shape \(6, 5\) and dtype uint16, but '.*rec_3\.tif' has frames of shape \(4, 5\)",
    ):
        load_video(tmp_path / "rec_*.tif")
    tifffile.imwrite(paths[2], video[:3].astype(np.float32), photometric="minisblack")
    with pytest.raises(
        ValueError, match=r"rec_3\.tif' has frames of shape \(6, 5\) and dtype float32; all files of one video"
    ):
        load_video(tmp_path / "rec_*.tif", use_mmap=True)
    # Files after the selected frames are not opened, so they are not compared either.
    check(load_video(tmp_path / "rec_*.tif", frames=11), video[:11])


def test_start_frame_beyond_all_files(tmp_path, pieces):
    with pytest.raises(
        ValueError,
        match=rf"start_frame={T} is out of range: the video in the 4 files matching '.*rec_\*\.tif' has {T} frames, so start_frame must be at most {T - 1}",
    ):
        load_video(tmp_path / "rec_*.tif", start_frame=T)
    with pytest.raises(
        ValueError, match=rf"the video in the 4 files given \('rec_1\.tif' to 'rec_10\.tif'\) has {T} frames"
    ):
        load_video(pieces, start_frame=T + 5)
    with pytest.raises(ValueError, match=rf"the video in the 4 TIFF stacks in folder '.*' has {T} frames"):
        load_video(tmp_path, start_frame=T, frames=1)


def test_single_images_count_as_one_frame_in_lists_and_patterns(tmp_path, video):
    for i in range(4):
        tifffile.imwrite(tmp_path / f"frame_{i}.tif", video[i], photometric="minisblack", metadata=None)
    tifffile.imwrite(tmp_path / "frame_4.tif", video[4:9], photometric="minisblack")
    for mm in (False, True):
        result = load_video(tmp_path / "frame_*.tif", use_mmap=mm)
        check(result, video[:9], ConcatenatedVideo if mm else np.ndarray)
        del result
    check(load_video([tmp_path / "frame_4.tif", tmp_path / "frame_0.tif"]), video[[4, 5, 6, 7, 8, 0]])
    # Given alone, a 2-D image is not a video.
    with pytest.raises(ValueError, match="single 2-D image"):
        load_video(tmp_path / "frame_0.tif")
    # One file in a list or pattern is simply that file.
    check(load_video([tmp_path / "frame_4.tif"], use_mmap=True), video[4:9], np.memmap)
    check(load_video(tmp_path / "frame_4*.tif"), video[4:9])


# --------------------------------------------------------------------------- folders


def test_folder_of_stacks_is_one_recording(tmp_path, video, pieces):
    (tmp_path / "notes.txt").write_text("not an image")
    check(load_video(tmp_path, start_frame=9, frames=3), video[9:12])
    check(load_video(tmp_path, start_frame=9, frames=3, use_mmap=True), video[9:12], ConcatenatedVideo)


def test_folder_mixing_stacks_and_images_is_an_error(tmp_path, video, pieces):
    tifffile.imwrite(tmp_path / "rec_5.tif", video[0], photometric="minisblack", metadata=None)
    with pytest.raises(
        ValueError,
        match=r"folder '.*' mixes TIFF stacks \('rec_1\.tif' holds 10 frames\) with single images \('rec_5\.tif'\).*list or a glob pattern",
    ):
        load_video(tmp_path)
    os.remove(tmp_path / "rec_5.tif")
    PIL_Image.fromarray(video[0]).save(tmp_path / "z.png")
    with pytest.raises(
        ValueError,
        match=r"mixes single images \('z\.png'\) with multi-page TIFF stacks \('rec_1\.tif' holds 10 frames\)",
    ):
        load_video(tmp_path)


def test_folder_of_images_with_a_stack_is_an_error(tmp_path, video):
    for i in range(3):
        tifffile.imwrite(tmp_path / f"f{i}.tif", video[i], photometric="minisblack")
    tifffile.imwrite(tmp_path / "f3.tif", video[3:6], photometric="minisblack")
    check(load_video(tmp_path, frames=3), video[:3])
    with pytest.raises(
        ValueError, match=r"mixes single images \('f0\.tif'\) with multi-page TIFF stacks \('f3\.tif' holds 3 frames\)"
    ):
        load_video(tmp_path)
    with pytest.raises(ValueError, match="folder of images .* cannot be memory-mapped"):
        load_video(tmp_path, use_mmap=True)


# --------------------------------------------------------------------------- .npy pieces


@pytest.mark.parametrize("use_mmap", [False, True])
def test_npy_pieces(tmp_path, video, use_mmap):
    for name, piece in zip(("a_1.npy", "a_2.npy", "a_3.npy", "a_10.npy"), split(video)):
        np.save(tmp_path / name, piece)
    np.save(tmp_path / "a_11.npy", video[0])  # a 2-D array: one frame
    want = np.concatenate([video, video[:1]])
    result = load_video(tmp_path / "a_*.npy", start_frame=8, step=2, use_mmap=use_mmap)
    check(result, want[8::2], ConcatenatedVideo if use_mmap else np.ndarray)
    del result


# --------------------------------------------------------------------------- errors


def test_list_and_pattern_errors(tmp_path, video, pieces):
    np.save(tmp_path / "v.npy", video)
    (tmp_path / "sub").mkdir()
    (tmp_path / "v.h5").write_bytes(b"\x00" * 10)
    cases = [
        ([], ValueError, r"path is an empty list"),
        ((), ValueError, r"path is an empty tuple"),
        ([pieces[0], 3], TypeError, r"path\[1\] must be a str or os.PathLike, got 3 of type int"),
        ([pieces[0], ""], ValueError, r"path\[1\] is empty"),
        ([pieces[0], tmp_path / "missing.tif"], FileNotFoundError, r"path\[1\] '.*missing\.tif' does not exist"),
        (
            [pieces[0], tmp_path / "sub"],
            ValueError,
            r"path\[1\] '.*sub' is a folder, but a list of paths may name only TIFF and \.npy files",
        ),
        (
            [pieces[0], pieces[1], str(pieces[0])],
            ValueError,
            r"path\[0\] '.*rec_1\.tif' and path\[2\] '.*rec_1\.tif' are the same file",
        ),
        (
            [pieces[0], tmp_path / "v.h5"],
            ValueError,
            r"cannot load '.*v\.h5', one of the 2 files given.*format '\.h5'.*only TIFF \(\.tif, \.tiff\) and \.npy",
        ),
        (
            [pieces[0], tmp_path / "v.npy"],
            ValueError,
            r"mix formats: '.*rec_1\.tif' is a TIFF file and '.*v\.npy' a \.npy file",
        ),
        (str(tmp_path / "nothing_*.tif"), FileNotFoundError, r"no file matches the pattern path='.*nothing_\*\.tif'"),
        (str(tmp_path / "su[b]"), FileNotFoundError, r"only 1 folder; a pattern selects files"),
        (str(tmp_path / "missing.tif"), FileNotFoundError, r"path '.*missing\.tif' does not exist"),
        (iter(pieces), TypeError, r"path must be a str or os.PathLike, or a list of them"),
    ]
    for path, error, message in cases:
        with pytest.raises(error, match=message):
            load_video(path)


def test_options_that_do_not_apply_to_lists(tmp_path, video, pieces):
    with pytest.raises(
        ValueError, match=r"dataset applies only to HDF5 files and zarr stores, and the 4 files given .* are TIFF files"
    ):
        load_video(pieces, dataset="video")
    np.save(tmp_path / "a.npy", video)
    np.save(tmp_path / "b.npy", video)
    with pytest.raises(
        ValueError, match=r"channel applies only to TIFF files .* and the 2 files matching '.*\.npy' are \.npy files"
    ):
        load_video(tmp_path / "*.npy", channel=0)


def test_symlinked_duplicate_in_a_pattern(tmp_path, video, pieces):
    try:
        os.symlink(pieces[0], tmp_path / "rec_9.tif")
    except (OSError, NotImplementedError):
        pytest.skip("no symbolic links here")
    with pytest.raises(ValueError, match=r"'.*rec_9\.tif' and '.*rec_1\.tif' are the same file"):
        load_video(tmp_path / "rec_*.tif")


def test_an_existing_path_with_glob_characters_is_a_path(tmp_path, video):
    tifffile.imwrite(tmp_path / "rec[1].tif", video, photometric="minisblack")
    tifffile.imwrite(tmp_path / "rec1.tif", video[:2], photometric="minisblack")
    check(load_video(tmp_path / "rec[1].tif"), video)


# --------------------------------------------------------------------------- multi-file OME-TIFF


def write_ome_series(folder, data, lengths, names, *, channels=1, binary_only=False):
    """A multi-file OME-TIFF series as Micro-Manager and Bio-Formats write it: planes in
    XYCZT order spread over ``names``; every file holds the OME-XML listing all files (or,
    with ``binary_only``, the files after the first point to the first one)."""
    planes = data.reshape(-1, *data.shape[-2:])
    uuids = [f"urn:uuid:{uuid.uuid4()}" for _ in names]
    tiffdata, first = [], 0
    for name, u, n in zip(names, uuids, lengths):
        tiffdata.append(
            f'<TiffData FirstC="{first % channels}" FirstT="{first // channels}" IFD="0" PlaneCount="{n}">'
            f'<UUID FileName="{name}">{u}</UUID></TiffData>'
        )
        first += n
    channel_xml = "".join(f'<Channel ID="Channel:0:{c}" SamplesPerPixel="1"/>' for c in range(channels))
    dtype = {np.dtype(np.uint16): "uint16", np.dtype(np.uint8): "uint8"}[planes.dtype]
    bounds = np.cumsum((0, *lengths))
    for i, (name, u) in enumerate(zip(names, uuids)):
        head = f'<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" UUID="{u}">'
        if binary_only and i > 0:
            xml = head + f'<BinaryOnly MetadataFile="{names[0]}" UUID="{uuids[0]}"/></OME>'
        else:
            xml = head + (
                f'<Image ID="Image:0"><Pixels ID="Pixels:0" DimensionOrder="XYCZT" Type="{dtype}" '
                f'SizeX="{planes.shape[2]}" SizeY="{planes.shape[1]}" SizeC="{channels}" SizeZ="1" '
                f'SizeT="{len(planes) // channels}">{channel_xml}{"".join(tiffdata)}</Pixels></Image></OME>'
            )
        tifffile.imwrite(
            folder / name, planes[bounds[i] : bounds[i + 1]], description=xml, metadata=None, photometric="minisblack"
        )
    return [folder / name for name in names]


OME_NAMES = ("rec_MMStack.ome.tif", "rec_MMStack_1.ome.tif", "rec_MMStack_2.ome.tif")


@pytest.fixture
def ome_series(tmp_path):
    data = make_video(15)
    paths = write_ome_series(tmp_path, data, (6, 6, 3), OME_NAMES)
    with tifffile.TiffFile(paths[1]) as tif:  # what tifffile does by itself
        assert tif.is_ome and tif.series[0].is_multifile and tif.series[0].shape == (15, H, W)
    return paths, data


@pytest.mark.parametrize("use_mmap", [False, True])
def test_multifile_ome_is_read_once_whatever_names_it(tmp_path, ome_series, use_mmap):
    paths, data = ome_series
    for form in (
        paths[0],
        paths[1],
        paths[2],
        tmp_path / "*.ome.tif",
        tmp_path,
        paths,
        paths[::-1],
        [paths[0], paths[2]],
    ):
        result = load_video(form, start_frame=2, step=3, use_mmap=use_mmap)
        check(result, data[2::3], ConcatenatedVideo if use_mmap else np.ndarray)
        if use_mmap:
            assert result.n_parts == 3
        del result


def test_multifile_ome_with_a_missing_file(tmp_path, ome_series):
    paths, _ = ome_series
    os.remove(paths[1])
    with pytest.raises(
        ValueError,
        match=r"the OME-TIFF series of '.*rec_MMStack\.ome\.tif' is incomplete: 6 of its 15 images are missing.*does not fill missing frames with zeros",
    ):
        load_video(paths[0])


def test_multifile_ome_whose_other_files_point_to_the_first(tmp_path):
    data = make_video(12)
    paths = write_ome_series(tmp_path, data, (5, 7), OME_NAMES[:2], binary_only=True)
    check(load_video(paths[0]), data)
    check(load_video(tmp_path / "*.ome.tif", use_mmap=True), data, ConcatenatedVideo)
    check(load_video(paths[1]), data[5:])  # on its own, the second file is a plain stack
    with pytest.raises(
        ValueError,
        match=r"series of '.*rec_MMStack\.ome\.tif' spans several files, and one of them, '.*rec_MMStack_1\.ome\.tif', comes before it",
    ):
        load_video([paths[1], paths[0]])


@pytest.mark.parametrize("use_mmap", [False, True])
def test_multifile_ome_with_channels(tmp_path, use_mmap):
    data = make_video(2 * 9).reshape(9, 2, H, W)  # (T, C, H, W); files split inside a time point
    paths = write_ome_series(tmp_path, data, (7, 7, 4), OME_NAMES, channels=2)
    for channel in (0, 1):
        result = load_video(paths[0], channel=channel, start_frame=1, use_mmap=use_mmap)
        check(result, data[1:, channel], ConcatenatedVideo if use_mmap else np.ndarray)
        del result
    with pytest.raises(
        ValueError, match=r"more than one channel: 2 channels \(TIFF axes TCYX, shape \(9, 2, 6, 5\)\).*pass channel="
    ):
        load_video(paths[0])


# --------------------------------------------------------------------------- the lazy video


def test_extract_traces_on_the_lazy_concatenation(tmp_path):
    from optimap.trace import extract_traces

    data = make_video(40).astype(np.float32) / 3
    write_pieces(tmp_path, data, lengths=(13, 1, 20, 6))
    lazy = load_video(tmp_path / "rec_*.tif", use_mmap=True, start_frame=2, step=2)
    loaded = load_video(tmp_path / "rec_*.tif", start_frame=2, step=2)
    assert isinstance(lazy, ConcatenatedVideo)
    positions = [(0, 0), (4, 5), (2, 3)]
    for window, size in (("rect", 3), ("disc", 4), ("pixel", 1)):
        np.testing.assert_array_equal(
            extract_traces(lazy, positions, size=size, window=window),
            extract_traces(loaded, positions, size=size, window=window),
        )
    del lazy


def test_the_lazy_video_holds_only_memory_maps_of_needed_files(tmp_path, video, pieces):
    lazy = load_video(tmp_path / "rec_*.tif", start_frame=8, frames=4, use_mmap=True)
    assert isinstance(lazy, ConcatenatedVideo)
    assert [pathlib.Path(f).name for f in lazy.files] == ["rec_1.tif", "rec_2.tif", "rec_3.tif"]
    parts = lazy._parts
    assert all(isinstance(part, np.memmap) and not part.flags.owndata and not part.flags.writeable for part in parts)
    assert sum(len(part) for part in parts) == 4
    gc.collect()
    open_tiffs = [  # type(), not isinstance(): the latter dereferences weak proxies, which may be dead
        obj
        for obj in gc.get_objects()
        if type(obj) is tifffile.TiffFile and not obj.filehandle.closed and str(tmp_path) in obj.filehandle.path
    ]
    assert open_tiffs == []  # no TIFF file is held open
    del lazy, parts


def test_files_are_never_modified(tmp_path, video, pieces):
    np.save(tmp_path / "a_1.npy", video[:5])
    np.save(tmp_path / "a_2.npy", video[5:])
    ome = tmp_path / "ome"
    ome.mkdir()
    write_ome_series(ome, video[:15], (6, 6, 3), OME_NAMES)
    before = digest(tmp_path)
    for path in (tmp_path / "rec_*.tif", tmp_path / "a_*.npy", pieces, ome, ome / OME_NAMES[0]):
        for use_mmap in (False, True):
            result = load_video(path, use_mmap=use_mmap, start_frame=1, step=2)
            np.asarray(result[:3])
            if use_mmap:
                with pytest.raises(ValueError, match="read-only"):
                    result[0][0, 0] = 1
            del result
    gc.collect()
    assert digest(tmp_path) == before
