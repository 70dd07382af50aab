"""Writing the user's files without putting them at risk.

Every output of the package goes through :func:`output_file`:

* it is written to a hidden temporary file beside its target and renamed into
  place only when complete, so a failure, Ctrl-C or a terminating signal leaves
  the old file (or nothing) and never half a file;
* a symbolic link is written through, to its target; a FIFO, a device or
  anything else that is not a regular file is written straight into (no
  temporary file, no rename);
* a new file gets the mode ``open()`` would give it (0666 less the umask); an
  overwritten file keeps its mode.

:func:`check_outputs` rejects, before anything is written, an output that is
also an input, two outputs that are one file, and paths that cannot be files.
"""

import contextlib
import os
import secrets
import stat
from pathlib import Path


def _as_path(path, name):
    if isinstance(path, (str, os.PathLike)):
        text = os.fspath(path)
        if isinstance(text, str) and text:
            return text
    raise TypeError(f"{name} must be a file path (str or os.PathLike), got {path!r}")


def check_output_path(path, name="path"):
    """Check that ``path`` can be written as a file and return it as a :class:`~pathlib.Path`.

    Raises
    ------
    ValueError
        If the path ends with a path separator (a folder), is an existing
        folder, or its folder does not exist.

    Examples
    --------
    >>> check_output_path("traces.csv").name
    'traces.csv'
    >>> check_output_path("results/")
    Traceback (most recent call last):
    ...
    ValueError: path 'results/' ends with '/': name a file, not a folder
    """
    text = _as_path(path, name)
    if text.endswith(("/", os.sep)) or (os.altsep and text.endswith(os.altsep)):
        raise ValueError(f"{name} {text!r} ends with {text[-1]!r}: name a file, not a folder")
    target = Path(os.path.realpath(text))  # where the bytes will go, through symbolic links
    if target.is_dir():
        raise ValueError(f"{name} {text!r} is a folder, not a file")
    if not target.parent.is_dir():
        folder = Path(text).parent
        if os.path.islink(text):  # a link to a place that does not exist (yet)
            raise ValueError(f"{name} {text!r} is a link to {str(target)!r}, whose folder does not exist")
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"{name} {text!r}: {str(folder)!r} is a file, not a folder")
        raise ValueError(f"{name} {text!r}: the folder {str(folder)!r} does not exist")
    return Path(text)


def same_file(first, second):
    """Whether two paths name one file (after resolving links), whether or not it exists yet."""
    first, second = os.path.realpath(first), os.path.realpath(second)
    if first == second:
        return True
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist yet
        return False


def _inside(path, folder):
    """Whether ``path`` lies inside the existing folder ``folder`` (after resolving links)."""
    if not os.path.isdir(folder):
        return False
    folder = os.path.realpath(folder)
    return os.path.commonpath([os.path.realpath(path), folder]) == folder


def check_outputs(outputs, inputs=()):
    """Reject outputs that are inputs, lie inside an input folder, or name one file twice.

    Parameters
    ----------
    outputs : sequence of (str, path)
        ``(what, path)`` pairs, e.g. ``("-o traces.csv", "traces.csv")``; the
        first item names the output in messages.
    inputs : sequence of (str, path)
        The same for the files and folders that are read.

    Raises
    ------
    ValueError
        Naming both offenders, before anything is written.

    Examples
    --------
    >>> check_outputs([("-o rec.npy", "rec.npy")], [("the video rec.npy", "rec.npy")])
    Traceback (most recent call last):
    ...
    ValueError: -o rec.npy is the video rec.npy: writing it would destroy an input
    """
    for i, (what, path) in enumerate(outputs):
        for input_what, input_path in inputs:
            if same_file(path, input_path):
                raise ValueError(f"{what} is {input_what}: writing it would destroy an input")
            if _inside(path, input_path):
                raise ValueError(f"{what} lies inside {input_what}: writing it would change an input")
        for other_what, other_path in outputs[:i]:
            if same_file(path, other_path):
                raise ValueError(f"{what} and {other_what} are the same file: give each output its own name")


def _new_file_mode():
    """The mode ``open()`` gives a new file: 0666 less the process's umask."""
    umask = os.umask(0o022)  # reading the umask means setting it; put it back at once
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def output_file(path):
    """Yield the path to write ``path``'s new content to; put it in place on success.

    For a regular file (or a new one) the yielded path is a hidden temporary
    file in the target's folder, with the target's extension, renamed over the
    target when the block ends without an exception and removed otherwise
    (also on ``KeyboardInterrupt`` and any other ``BaseException``). A symbolic
    link is followed: its target is replaced, the link stays. Anything that
    exists and is not a regular file (a FIFO, ``/dev/null``, a terminal) is
    yielded itself and written in place.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> target = os.path.join(folder, "out.txt")
    >>> with output_file(target) as temporary:
    ...     with open(temporary, "w") as handle:
    ...         _ = handle.write("done")
    ...     os.path.exists(target)
    False
    >>> with open(target) as handle:
    ...     handle.read(), os.listdir(folder)
    ('done', ['out.txt'])
    """
    target = Path(os.path.realpath(_as_path(path, "path")))
    try:
        status = os.stat(target)
    except FileNotFoundError:
        status = None
    if status is not None and not stat.S_ISREG(status.st_mode):
        yield target  # a FIFO or a device: no temporary file can stand in for it
        return
    mode = stat.S_IMODE(status.st_mode) if status is not None else _new_file_mode()
    temporary = target.with_name(f".{target.stem}-{secrets.token_hex(4)}{target.suffix}")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise _naming_the_output(exc, path) from None
    try:
        os.close(descriptor)
        yield temporary
        os.chmod(temporary, mode)
        if status is not None and os.geteuid() == 0:  # root keeps the file's owner
            with contextlib.suppress(OSError):
                os.chown(temporary, status.st_uid, status.st_gid)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _naming_the_output(error, path):
    """The OSError of a write (no permission, a full disk) with the file asked for as its filename, not
    the temporary file that stood in for it (which the user never named, and which is gone)."""
    if error.errno is None:
        return error
    return type(error)(error.errno, os.strerror(error.errno), os.fspath(path))


def write_outputs(writers):
    """Write several files all or none: each ``(path, write)`` pair through :func:`output_file`.

    ``write(temporary_path)`` writes one file. Every file is written under its
    temporary name first; only when all writes succeeded are they renamed into
    place, so one failing write leaves none of the outputs changed (outputs that
    are FIFOs or devices are written directly and cannot be taken back).

    An OSError of one output (no permission, a full disk) has that output's
    ``path`` as its filename, not the temporary file that stood in for it.

    Returns
    -------
    list
        The paths written, in the order given.
    """
    with contextlib.ExitStack() as stack:
        for path, write in writers:
            try:
                write(stack.enter_context(output_file(path)))
            except OSError as exc:
                raise _naming_the_output(exc, path) from None
    return [path for path, _ in writers]
