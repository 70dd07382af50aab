"""Helpers shared by the readers: frame selection, video shapes, error wrapping."""

import contextlib
import re


class OptionError(ValueError):
    """An option of ``load_video`` that does not fit the file, e.g. ``start_frame`` past its end.

    Attributes
    ----------
    option : str
        The parameter: ``"start_frame"``, ``"dataset"`` or ``"channel"``.
    value
        The value it was given (None when it was not given but is needed).

    The message is kept as a template with ``<given>`` where the option and its
    value go (``start_frame=60``), ``<name>`` where the option is named
    (``start_frame``) and ``<option>`` where it is named for a value to follow
    (``dataset=``), so that a command line can render it with its own option
    names (:meth:`render`).
    """

    def __init__(self, option, value, template):
        self.option, self.value, self.template = option, value, template
        super().__init__(self.render(f"{option}={value!r}", option, f"{option}="))

    def render(self, given, name, option):
        """The message with ``given``, ``name`` and ``option`` in place of the placeholders."""
        return self.template.replace("<given>", given).replace("<name>", name).replace("<option>", option)


class NotMappableError(ValueError):
    """``use_mmap=True`` was asked for data that cannot be memory-mapped (compressed, scattered, images)."""


class FrameSelection:
    """The frames asked for: ``start``, at most ``frames`` of them, every ``step``-th.

    The options are already checked; only the range against the video's length
    is checked here, once the reader knows that length.
    """

    __slots__ = ("start", "frames", "step")

    def __init__(self, start, frames, step):
        self.start = start
        self.frames = frames
        self.step = step

    def slice_for(self, n_frames, source):
        """Return the slice of the time axis for a video of ``n_frames`` frames.

        ``source`` names what holds the video in messages, e.g. ``"'rec.tif'"``.
        """
        if n_frames == 0:
            raise ValueError(f"{source} holds a video with no frames")
        if self.start >= n_frames:
            raise OptionError(
                "start_frame",
                self.start,
                f"<given> is out of range: {source} has {n_frames} frame{'s' if n_frames != 1 else ''}, "
                f"so <name> must be at most {n_frames - 1}",
            )
        stop = n_frames
        if self.frames is not None:
            stop = min(n_frames, self.start + self.frames * self.step)
        return slice(self.start, stop, self.step)


def is_whole(slc, n_frames):
    """Whether ``slc`` selects every frame of a video of ``n_frames`` frames."""
    return slc.start == 0 and slc.step == 1 and slc.stop == n_frames


def video_shape(shape, path, what="array"):
    """Return ``(T, H, W)`` for data of ``shape``, or raise a ValueError.

    A 3-D shape is the video itself. A shape with more axes is accepted when
    every axis beyond the first (time) and the two image axes has length 1, i.e.
    a single channel stored last ``(T, H, W, 1)`` or before the image
    ``(T, 1, H, W)``; the data then reshape to ``(T, H, W)`` without a copy.
    """
    shape = tuple(int(n) for n in shape)
    if len(shape) < 3:
        raise ValueError(
            f"'{path}' holds a {len(shape)}-D {what} of shape {shape}, not a video: "
            "load_video needs 3-D data shaped (T, H, W) (frames, rows, columns)"
        )
    dims = list(shape[1:])
    while len(dims) > 2:
        if dims[-1] == 1:
            dims.pop()
        elif dims[0] == 1:
            dims.pop(0)
        else:
            raise ValueError(
                f"'{path}' holds a {len(shape)}-D {what} of shape {shape}, which has more "
                "than one channel (or plane) per frame: load_video needs a single-channel "
                "video shaped (T, H, W), (T, H, W, 1) or (T, 1, H, W)"
            )
    return shape[0], dims[0], dims[1]


@contextlib.contextmanager
def library_errors(path, kind):
    """Turn an exception of a reading library into a ValueError that names the file.

    Out-of-memory and permission errors pass through unchanged: they are not
    about the file's content.
    """
    try:
        yield
    except (MemoryError, PermissionError):
        raise
    except Exception as exc:
        raise ValueError(
            f"cannot read '{path}': it is not a valid {kind}, or it is damaged or "
            f"truncated ({type(exc).__name__}: {exc})"
        ) from exc


_DIGITS = re.compile(r"(\d+)")


def natural_key(name):
    """Sort key that orders the numbers inside names by value: frame2 < frame10."""
    parts = _DIGITS.split(name.lower())
    # split() alternates text and digits, starting with text, so the types of
    # two keys line up position by position and always compare.
    return [int(part) if i % 2 else part for i, part in enumerate(parts)], name
