"""The user's files: outputs that are inputs, modes, links, FIFOs, devices and signals."""

import os
import signal
import stat
import subprocess
import sys
import threading

import numpy as np
import pytest

from optimap._files import check_output_path, check_outputs, output_file, write_outputs
from optimap.cli import main


@pytest.fixture
def video_file(tmp_path):
    video = np.random.default_rng(0).integers(0, 4096, (40, 12, 16), dtype=np.uint16)
    np.save(tmp_path / "rec.npy", video)
    return tmp_path / "rec.npy"


def run(argv, capsys):
    status = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def snapshot(folder):
    """Names, bytes and modes of everything in a folder."""
    return {p.name: (p.read_bytes() if p.is_file() else None, p.lstat().st_mode) for p in sorted(folder.iterdir())}


# --- an output that is an input, or two outputs that are one file ---------------------------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-o", "{rec}"], "is the video"),
        (["-o", "{dir}/./rec.npy"], "is the video"),
        (["-o", "{link}"], "is the video"),
        (["-o", "{dir}/x.csv", "--plot", "{dir}/csv-link.png"], "are the same file"),
        (["-o", "{dir}/x.csv", "--plot", "{dir}/sub/../x.csv"], "are the same file|unknown picture format"),
        (["--positions", "{dir}/pos.csv", "-o", "{dir}/pos.csv"], "is --positions"),
        (["--plot", "{dir}/pos.csv.png", "-o", "{dir}/pos.csv.png"], "unknown format|same file"),
    ],
)
def test_an_output_that_is_an_input_or_another_output_is_refused(tmp_path, video_file, capsys, extra, message):
    (tmp_path / "sub").mkdir()
    (tmp_path / "pos.csv").write_text("x,y\n1,1\n")
    os.symlink(video_file, tmp_path / "link.npy")
    os.symlink(tmp_path / "x.csv", tmp_path / "csv-link.png")
    before = snapshot(tmp_path)
    argv = ["extract", video_file, "--pos", "2,3"] + [
        a.format(rec=video_file, dir=tmp_path, link=tmp_path / "link.npy") for a in extra
    ]
    status, stdout, err = run(argv, capsys)
    assert status == 2 and stdout == ""
    assert len(err.strip().splitlines()) == 1
    import re

    assert re.search(message, err), err
    assert snapshot(tmp_path) == before


def test_outputs_inside_an_input_folder_are_refused(tmp_path):
    (tmp_path / "frames").mkdir()
    with pytest.raises(ValueError, match="inside the folder of images"):
        check_outputs(
            [("--plot frames/p.png", tmp_path / "frames" / "p.png")], [("the folder of images", tmp_path / "frames")]
        )


@pytest.mark.parametrize("path", ["newdir/", "newdir" + os.sep])
def test_a_trailing_slash_is_a_folder_not_a_file(tmp_path, video_file, capsys, path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, _, err = run(["extract", video_file, "--pos", "1,1", "-o", path], capsys)
    assert status == 2 and "name a file, not a folder" in err
    assert not (tmp_path / "newdir").exists()
    with pytest.raises(ValueError, match="not a folder"):
        check_output_path(path)


# --- modes ------------------------------------------------------------------------------------------------------


@pytest.fixture
def umask():
    def set_umask(value):
        os.umask(value)

    before = os.umask(0o022)
    os.umask(before)
    yield set_umask
    os.umask(before)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_new_files_get_the_mode_open_gives(tmp_path, video_file, capsys, umask, mask, mode):
    umask(mask)
    out, plot = tmp_path / "t.csv", tmp_path / "t.png"
    status, _, err = run(["extract", video_file, "--pos", "1,1", "-o", out, "--plot", plot, "--quiet"], capsys)
    assert status == 0, err
    assert stat.S_IMODE(out.stat().st_mode) == mode and stat.S_IMODE(plot.stat().st_mode) == mode


@pytest.mark.parametrize("suffix", [".csv", ".npy", ".mat", ".h5"])
def test_an_overwritten_file_keeps_its_mode(tmp_path, video_file, capsys, umask, suffix):
    umask(0o077)
    out = tmp_path / f"t{suffix}"
    out.write_text("old")
    os.chmod(out, 0o664)
    status, _, err = run(["extract", video_file, "--pos", "1,1", "-o", out, "--quiet"], capsys)
    assert status == 0, err
    assert stat.S_IMODE(out.stat().st_mode) == 0o664 and out.read_bytes() != b"old"


# --- links, FIFOs and devices -----------------------------------------------------------------------------------


def test_a_symbolic_link_is_written_through(tmp_path, video_file, capsys):
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "real.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    os.symlink(target, link)
    dangling = tmp_path / "new-link.csv"
    os.symlink(tmp_path / "data" / "new.csv", dangling)
    for path in (link, dangling):
        status, _, err = run(["extract", video_file, "--pos", "1,1", "-o", path, "--quiet"], capsys)
        assert status == 0, err
        assert path.is_symlink()
    assert target.read_text().startswith("frame,x1_y1\n")
    assert (tmp_path / "data" / "new.csv").read_text().startswith("frame,x1_y1\n")
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["new.csv", "real.csv"]


def test_a_fifo_is_written_straight_into(tmp_path, video_file, capsys):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    status, _, err = run(["extract", video_file, "--pos", "1,1", "-o", fifo, "--quiet"], capsys)
    reader.join(timeout=30)
    assert status == 0, err
    assert received[0].startswith(b"frame,x1_y1\n") and len(received[0].splitlines()) == 41
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.csv", "rec.npy"]  # no temporary beside it


def test_dev_null_stays_a_device(video_file, capsys):
    before = os.stat(os.devnull)
    status, _, err = run(["extract", video_file, "--pos", "1,1", "-o", os.devnull, "--quiet"], capsys)
    assert status == 0, err
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["-o", "/dev/full"], "-o /dev/full: cannot be written: No space left on device"),
        (["--plot", "/dev/full"], "--plot /dev/full: cannot be written: No space left on device"),
        (["-o", "/proc/traces.csv"], "-o /proc/traces.csv: cannot be written: No such file or directory"),
        (["-o", "{ok}", "--plot", "/proc/p.png"], "--plot /proc/p.png: cannot be written: No such file or directory"),
    ],
)
def test_a_failed_write_names_the_option_and_the_file_typed(tmp_path, video_file, capsys, options, message):
    """Not the hidden temporary file that stood in for it (a full disk, a folder that refuses new files);
    status 1, and the other output is not written either."""
    options = [option.format(ok=tmp_path / "ok.csv") for option in options]
    status, _, err = run(["extract", video_file, "--pos", "1,1", *options], capsys)
    assert (status, err) == (1, f"optimap-trace: error: {message}\n")
    assert not (tmp_path / "ok.csv").exists()


@pytest.mark.skipif(not os.path.exists("/proc/self"), reason="needs Linux's /proc")
def test_save_traces_names_the_file_it_could_not_write():
    from optimap.trace import save_traces

    with pytest.raises(FileNotFoundError) as caught:
        save_traces("/proc/traces.csv", np.ones((3, 2)))
    assert caught.value.filename == "/proc/traces.csv"


def test_write_outputs_is_all_or_none(tmp_path):
    first = tmp_path / "a.txt"
    first.write_text("old")

    def fail(path):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_outputs([(first, lambda path: path.write_text("new")), (tmp_path / "b.txt", fail)])
    assert first.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_output_file_removes_its_temporary_on_any_exception(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with output_file(tmp_path / "a.csv") as temporary:
            temporary.write_text("half")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


# --- signals ----------------------------------------------------------------------------------------------------


SLOW_WRITE = """
import sys, time
import numpy as np
from optimap.trace import _csv
original = _csv.write_csv
def slow(handle, *args):
    original(handle, *args)
    handle.flush()
    print("writing", flush=True)
    time.sleep(60)
_csv.write_csv = slow
import optimap.trace._export as export
export.write_csv = slow
from optimap.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_terminating_signal_removes_the_temporary_files(tmp_path, video_file, signum):
    """The signal arrives while the CSV is half written (the writer sleeps): nothing is left behind."""
    out = tmp_path / "t.csv"
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITE, "extract", str(video_file), "--pos", "1,1", "-o", str(out), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline() == "writing\n"
        assert any(p.name.startswith(".t-") for p in tmp_path.iterdir())  # the temporary exists now
        process.send_signal(signum)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 128 + signum
    assert err.strip().splitlines() == [
        f"optimap-trace: error: {'interrupted' if signum == signal.SIGINT else 'terminated by ' + signal.Signals(signum).name}"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec.npy"]
