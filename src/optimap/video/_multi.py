"""Videos in pieces: the selected frames of pieces taken one after another.

A *piece* is one file opened as a video, such as :class:`~optimap.video._tiff.TiffVideo`.
It has ``path``, ``files`` (every file its frames come from, resolved),
``n_frames``, ``frame_shape``, ``dtype``, ``is_image``, ``read_into(frames, out)``,
``mapped(frames)`` and ``close()``, where ``frames`` is a ``range`` of the piece's
own frame indices.
"""

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
    with library_errors(path, ".npy file"):
        return np.load(path, mmap_mode="r", allow_pickle=False)


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
