"""Videos from several files: the pieces of a split recording, one after another.

A *piece* is one file opened as a video: :class:`~optimap.video._tiff.TiffVideo`
or :class:`NpyPiece`. Both have ``path``, ``files`` (every file its frames come
from, resolved), ``n_frames``, ``frame_shape``, ``dtype``, ``is_image``,
``read_into(frames, out)``, ``mapped(frames)`` and ``close()``, where ``frames`` is
a ``range`` of the piece's own frame indices.
"""

import contextlib

import numpy as np

from ._common import library_errors
from ._concat import concatenate_lazily, part_of_range, range_to_slice

NPY_MAGIC = b"\x93NUMPY"


def open_npy(path):
    """A read-only memory map of the array in the .npy file ``path``."""
    with open(path, "rb") as file:
        magic = file.read(len(NPY_MAGIC))
        if magic != NPY_MAGIC:
            raise ValueError(f"cannot read '{path}': it is not a .npy file (it does not start with the .npy signature)")
        file.seek(0)
        with library_errors(path, ".npy file"):
            version = np.lib.format.read_magic(file)
            read_header = (
                np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            )
            dtype = read_header(file)[2]
    if dtype.hasobject:
        raise ValueError(
            f"'{path}' holds Python objects (dtype {dtype}), not numbers: load_video reads numeric videos "
            "and never unpickles a file"
        )
    with library_errors(path, ".npy file"):
        return np.load(path, mmap_mode="r", allow_pickle=False)


class NpyPiece:
    """A .npy file as a piece of a video: a 3-D array, or a 2-D array as one frame."""

    multifile_kind = None

    def __init__(self, path):
        from ._common import video_shape

        self.path = path
        self.files = frozenset([path.resolve()])
        mapped = open_npy(path)
        self.is_image = mapped.ndim == 2
        if self.is_image:
            mapped = mapped[np.newaxis]
        n, h, w = video_shape(mapped.shape, path)
        if n == 0:
            raise ValueError(f"'{path}' holds a video with no frames")
        self._frames = mapped.reshape(n, h, w)
        self.n_frames, self.frame_shape, self.dtype = n, (h, w), mapped.dtype

    def mapped(self, frames):
        return self._frames[range_to_slice(frames)]

    def read_into(self, frames, out):
        with library_errors(self.path, ".npy file"):
            out[...] = self._frames[range_to_slice(frames)]

    def close(self):
        self._frames = None


def open_piece(path, channel, role="video"):
    if path.suffix.lower() == ".npy":
        return NpyPiece(path)
    from ._tiff import TiffVideo

    return TiffVideo(path, channel, role=role)


def _same_dtype(a, b):
    return a.newbyteorder("=") == b.newbyteorder("=")


def take_frames(pieces, selection, use_mmap, source):
    """The selected frames of the video made of ``pieces`` one after another.

    ``source`` describes the video in messages, e.g. ``"'rec.tif'"``. With
    ``use_mmap`` the result is a memory map or a lazy ``ConcatenatedVideo`` of
    memory maps; else one C-contiguous in-memory array.
    """
    total = sum(piece.n_frames for piece in pieces)
    wanted = range(total)[selection.slice_for(total, source)]
    chosen, offset = [], 0
    for piece in pieces:
        local = part_of_range(wanted, offset, offset + piece.n_frames)
        if len(local):
            chosen.append((piece, range(local.start - offset, local.stop - offset, local.step)))
        offset += piece.n_frames
    if use_mmap:
        return concatenate_lazily([piece.mapped(local) for piece, local in chosen])
    first = pieces[0]
    out = np.empty((len(wanted), *first.frame_shape), dtype=first.dtype)
    at = 0
    for piece, local in chosen:
        piece.read_into(local, out[at : at + len(local)])
        at += len(local)
    return out


def read_pieces(paths, selection, use_mmap, channel, source, *, folder=None):
    """The selected frames of the video held by the files ``paths``, in that order.

    Files are opened one by one, and only as long as frames are still needed.
    A file whose series spans several files (multi-file OME-TIFF,
    Micro-Manager) brings the whole series; its other files are then skipped
    when they come up. With ``folder`` (the folder the paths are from), a file
    holding a single 2-D image is an error: the folder mixes stacks and images.
    """
    needed = None if selection.frames is None else selection.start + (selection.frames - 1) * selection.step + 1
    pieces, covered, total = [], {}, 0
    with contextlib.ExitStack() as stack:
        for path in paths:
            resolved = path.resolve()
            if resolved in covered:
                owner = covered[resolved]
                if owner.multifile_kind is None:
                    raise ValueError(f"'{path}' and '{owner.path}' are the same file: name each file of a video once")
                continue  # read already, as part of the multi-file series of `owner`
            piece = open_piece(path, channel)
            stack.callback(piece.close)
            for file in sorted(piece.files):
                if file in covered:
                    raise ValueError(
                        f"the {piece.multifile_kind} series of '{path}' spans several files, and one of them, "
                        f"'{file}', comes before it as a video of its own: give the series by its first file "
                        "(it brings the others), or name its files in order starting with the first"
                    )
            if folder is not None and piece.is_image:
                first = pieces[0]
                raise ValueError(
                    f"folder '{folder}' mixes TIFF stacks ('{first.path.name}' holds {first.n_frames} frames) "
                    f"with single images ('{path.name}'): a folder is read either as one image per file or as "
                    "TIFF stacks one after another; to load some of its files, give them as a list or a glob "
                    "pattern"
                )
            if pieces:
                first = pieces[0]
                if piece.frame_shape != first.frame_shape or not _same_dtype(piece.dtype, first.dtype):
                    raise ValueError(
                        f"the files of the video differ: '{first.path}' has frames of shape {first.frame_shape} "
                        f"and dtype {first.dtype}, but '{path}' has frames of shape {piece.frame_shape} and dtype "
                        f"{piece.dtype}; all files of one video must have the same frame shape and dtype"
                    )
            for file in piece.files:
                covered[file] = piece
            pieces.append(piece)
            total += piece.n_frames
            if needed is not None and total >= needed:
                break  # later files hold no selected frame: they are not opened
        return take_frames(pieces, selection, use_mmap, source)
