"""TraceSelector in a real browser: JupyterLab 4 with ipympl, in headless Chromium driven by Playwright.

The test starts a JupyterLab server on 127.0.0.1 with a token and its own
configuration, runtime and settings folders, opens a notebook in Debian's
Chromium (Playwright never downloads a browser here), runs ``%matplotlib
widget`` and a ``TraceSelector`` on the demo recording, and then acts as a
person does: clicks, double-clicks, right-clicks, zooms with the keyboard and
clicks again. After each action it waits until the kernel has received the
event (a log of the canvas' events, read through the kernel), never for a
fixed time. Page coordinates come from the canvas' bounding box and the
Axes' transform after ``fig.draw_without_rendering()``.

Run with ``pytest -m browser``. The test skips, saying why, when Chromium is
not installed (``apt-get install chromium``) or when jupyterlab, ipympl or
playwright are missing; with ``OPTIMAP_BROWSER_TEST=required`` (set by
``.ci/run`` once it has installed them) it fails instead. With
``OPTIMAP_UPDATE_SCREENSHOTS=1`` it refreshes
``docs/images/select_traces_jupyterlab.png``.
"""

import collections
import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

import optimap
from optimap.datasets import synthetic_recording
from optimap.trace import extract_traces

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "docs" / "images" / "select_traces_jupyterlab.png"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT = 90  # seconds, for any one wait: a loaded machine, not the usual case (a few seconds)

VIDEO = {"shape": (100, 100), "frames": 400, "fps": 500, "seed": 0}
SIZE = 5
POSITIONS = [(35, 30), (55, 52), (68, 74)]  # base, middle and apex of the synthetic heart
CORNERS = [(0, 0), (99, 0)]  # under ipympl's toolbar at its default place; removed with right clicks
DOUBLE = (28, 55)  # double-clicked: added once
ZOOMED = (45, 40)  # clicked in the zoomed view

NOTEBOOK_CELLS = [
    # What a user types; the test reads the kernel's state through its own requests.
    "%matplotlib widget\n"
    "from optimap.datasets import synthetic_recording\n"
    "from optimap.trace import TraceSelector\n"
    "video, info = synthetic_recording(shape=(100, 100), frames=400, fps=500, seed=0)\n"
    "selector = TraceSelector(video, size=5, fps=500)",
    "selector.positions",
]

WARM_UP = "import ipympl.backend_nbagg, matplotlib.pyplot, optimap.datasets, optimap.trace\n"

EVENT_COUNTS = {
    "release": "_count('button_release_event')",
    "double": "_count('button_press_event', True)",
    "key": "_count('key_release_event')",
}

# The test's view of the kernel: a log of the canvas' events and the geometry of the frame.
INSTRUMENT = """
import json as _json
_events = []
for _name in ("button_press_event", "button_release_event", "key_press_event", "key_release_event"):
    selector.figure.canvas.mpl_connect(
        _name, lambda event, name=_name: _events.append([name, getattr(event, "dblclick", False)])
    )

def _count(name, dblclick=None):
    return sum(1 for n, d in _events if n == name and (dblclick is None or d == dblclick))

def _colours_agree():
    from matplotlib.colors import to_rgba_array
    import numpy as np

    colours = to_rgba_array(selector.colors)
    lines = to_rgba_array([line.get_color() for line in selector.trace_ax.lines])
    return bool(np.array_equal(selector.selector.scatter.get_facecolors(), colours) and np.array_equal(lines, colours))

def _geometry(points):
    fig, ax = selector.figure, selector.image_ax
    fig.draw_without_rendering()
    display = ax.transData.transform(points)
    print(_json.dumps({"size": [fig.bbox.width, fig.bbox.height], "points": display.tolist()}))
"""

KERNEL_JS = """() => {
    window.optimapTest = {
        panel: () => window.jupyterapp.shell.currentWidget,
        kernel: () => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel,
        run: async (code) => {
            const future = window.optimapTest.kernel().requestExecute({code, store_history: false});
            let out = '';
            future.onIOPub = (msg) => {
                if (msg.header.msg_type === 'stream') out += msg.content.text;
                if (msg.header.msg_type === 'error')
                    out += '\\nKERNEL ERROR ' + msg.content.ename + ': ' + msg.content.evalue;
            };
            await future.done;
            return out;
        },
    };
}"""


# --------------------------------------------------------------------------- what the test needs


def _chromium():
    path = os.environ.get("OPTIMAP_CHROMIUM")
    if path:
        return path if os.access(path, os.X_OK) else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(reason):
    if os.environ.get("OPTIMAP_BROWSER_TEST") == "required":
        pytest.fail(f"OPTIMAP_BROWSER_TEST=required, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    path = _chromium()
    if path is None:
        _unavailable("Chromium is not installed (Debian: apt-get install chromium; or set OPTIMAP_CHROMIUM)")
    missing = [name for name in ("jupyterlab", "ipympl", "playwright") if importlib.util.find_spec(name) is None]
    if missing:
        _unavailable(f"missing Python packages: {', '.join(missing)} (pip install jupyterlab ipympl playwright)")
    return path


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class JupyterLab:
    """A JupyterLab server on 127.0.0.1 with a token, and nothing of the user's configuration.

    It starts at once and boots while the caller does other things; :meth:`wait` waits for it.
    """

    def __init__(self, root):
        names = ("config", "data", "runtime", "ipython", "notebooks", "settings", "ws")
        folders = {name: root / name for name in names}
        for folder in folders.values():
            folder.mkdir()
        (folders["config"] / "labconfig").mkdir()
        # No "news" notification over the page.
        (folders["config"] / "labconfig" / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
        )
        # The kernel, started while the page loads, imports what the notebook needs meanwhile.
        startup = folders["ipython"] / "profile_default" / "startup"
        startup.mkdir(parents=True)
        (startup / "00-warm.py").write_text(WARM_UP)
        self.notebooks = folders["notebooks"]
        self.log_path = root / "jupyterlab.log"
        port, self.token = _free_port(), secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{port}"
        python_path = [str(Path(optimap.__file__).parents[1]), os.environ.get("PYTHONPATH")]  # this checkout's optimap
        env = dict(
            os.environ,
            JUPYTER_CONFIG_DIR=str(folders["config"]),
            JUPYTER_DATA_DIR=str(folders["data"]),
            JUPYTER_RUNTIME_DIR=str(folders["runtime"]),
            JUPYTER_PLATFORM_DIRS="1",
            IPYTHONDIR=str(folders["ipython"]),
            PYTHONPATH=os.pathsep.join(filter(None, python_path)),
        )
        env.pop("MPLBACKEND", None)  # the test session's Agg must not reach the kernel
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",  # CI runs as root
            "--ip=127.0.0.1",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.notebooks}",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: run cells, reach the kernel
            f"--LabApp.user_settings_dir={folders['settings']}",
            f"--LabApp.workspaces_dir={folders['ws']}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ]
        self.kernel_pids = []
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # one process group with its kernels, ended together
        )

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def wait(self):
        deadline = time.monotonic() + TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode}:\n{self.log()}")
            try:
                return self.request("GET", "/api/status")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"JupyterLab did not answer:\n{self.log()}") from None
                time.sleep(0.1)  # polling the server until it answers

    def start_kernel(self, notebook):
        """Start the notebook's kernel now, while the page loads; JupyterLab joins this session."""
        body = {"path": notebook, "name": notebook, "type": "notebook", "kernel": {"name": "python3"}}
        return self.request("POST", "/api/sessions", body)

    def log(self, lines=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        """End the server and its kernel: ask it to shut down, then signal it, then kill what is left.

        Kernels run in process groups of their own, so the kernel's pid (if the test learnt it) is
        ended on its own as a last resort.
        """
        try:
            if self.process.poll() is None:
                with contextlib.suppress(OSError, ValueError):
                    self.request("POST", "/api/shutdown")
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=10)
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if self.process.poll() is not None:
                    break
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=10)
            for pid in self.kernel_pids:
                with contextlib.suppress(OSError):  # gone already
                    if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes():  # still our kernel
                        os.kill(pid, signal.SIGKILL)
        finally:
            self._log.close()


@pytest.fixture
def jupyterlab(chromium, tmp_path):
    server = JupyterLab(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def write_notebook(path, cells):
    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source}
            for source in cells
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook))


# --------------------------------------------------------------------------- driving the page


class Lab:
    """The notebook page: run cells, ask the kernel, click on the figure and wait for the kernel to see it."""

    def __init__(self, page):
        self.page = page
        page.evaluate(KERNEL_JS)
        self.canvas = page.locator(".jupyter-matplotlib-canvas-div canvas").last
        self.expected = collections.Counter()

    def kernel(self, code):
        out = self.page.evaluate("(code) => window.optimapTest.run(code)", code)
        if "KERNEL ERROR" in out:
            raise AssertionError(f"the kernel failed on:\n{code}\n{out}")
        return out

    def value(self, expression):
        return json.loads(self.kernel(f"print(_json.dumps({expression}))"))

    def until(self, expression, what):
        """Ask the kernel until ``expression`` is true: an explicit wait on the kernel's state."""
        deadline = time.monotonic() + TIMEOUT
        while not self.value(f"bool({expression})"):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what} ({expression})")

    def run_cell(self, index):
        self.page.evaluate(
            """(index) => {
                const panel = window.optimapTest.panel();
                panel.content.activeCellIndex = index;
                return window.jupyterapp.commands.execute('notebook:run-cell');
            }""",
            index,
        )

    def page_points(self, points):
        """Page coordinates (CSS pixels) of data points of the frame, from the kernel's layout."""
        self.canvas.scroll_into_view_if_needed()
        box = self.canvas.bounding_box()
        geometry = json.loads(self.kernel(f"_geometry({[list(p) for p in points]})"))
        width, height = geometry["size"]
        return [
            (box["x"] + px / width * box["width"], box["y"] + (1 - py / height) * box["height"])
            for px, py in geometry["points"]
        ]

    def act(self, action, **more):
        """Do ``action``, then wait until the kernel has received ``more`` events of each kind.

        Kinds: ``release`` (mouse button releases), ``double`` (double clicks), ``key`` (key releases).
        """
        for kind, count in more.items():
            self.expected[kind] += count
        action()
        self.until(
            " and ".join(f"{EVENT_COUNTS[kind]} >= {self.expected[kind]}" for kind in more),
            ", ".join(f"{count} more {kind} event(s)" for kind, count in more.items()),
        )

    def click(self, point, button="left"):
        self.act(lambda: self.page.mouse.click(*point, button=button), release=1)

    def double_click(self, point):
        self.act(lambda: self.page.mouse.dblclick(*point), release=2, double=1)

    def key(self, key):
        self.act(lambda: self.page.keyboard.press(key), key=1)

    def positions(self):
        return [tuple(p) for p in self.value("selector.positions")]


# --------------------------------------------------------------------------- the test


def test_trace_selector_in_jupyterlab(chromium, jupyterlab, tmp_path):
    from playwright.sync_api import sync_playwright

    write_notebook(jupyterlab.notebooks / "select.ipynb", NOTEBOOK_CELLS)
    screenshot = tmp_path / "select_traces_jupyterlab.png"
    with sync_playwright() as playwright:
        # Chromium starts, and the expected traces are computed, while JupyterLab boots.
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium"),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport=VIEWPORT,
        )
        try:
            video, _ = synthetic_recording(
                shape=VIDEO["shape"], frames=VIDEO["frames"], fps=VIDEO["fps"], seed=VIDEO["seed"]
            )
            jupyterlab.wait()
            jupyterlab.start_kernel("select.ipynb")
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(TIMEOUT * 1000)
            page.goto(f"{jupyterlab.base}/lab/tree/select.ipynb?token={jupyterlab.token}")
            page.wait_for_function(
                """() => { const k = window.jupyterapp && window.jupyterapp.shell.currentWidget
                               && window.jupyterapp.shell.currentWidget.sessionContext
                               && window.jupyterapp.shell.currentWidget.sessionContext.session
                               && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
                           return k && k.connectionStatus === 'connected' && k.status === 'idle'; }"""
            )
            lab = Lab(page)
            jupyterlab.kernel_pids.append(int(lab.kernel("import os; print(os.getpid())")))
            lab.run_cell(0)
            lab.canvas.wait_for(state="visible")
            lab.kernel(INSTRUMENT)
            # ipympl's front end has started (it stops sending the figure as a data URL) ...
            lab.until("not selector.figure.canvas.syncing_data_url", "the figure's front end")
            # ... and has drawn the frame.
            page.wait_for_function(
                """() => { const canvas = document.querySelector('.jupyter-matplotlib-canvas-div canvas');
                           const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                           for (let i = 3; i < data.length; i += 4 * 97) if (data[i] !== 0) return true;
                           return false; }"""
            )
            check_the_figure_fits_and_nothing_covers_the_frame(lab)

            # Clicks: three positions and two corners of the frame, each at its pixel. The page points
            # are taken once: the frame must not move while the first traces widen the tick labels.
            targets = POSITIONS + CORNERS + [DOUBLE, (1, 1), (98, 1)]
            points = dict(zip(targets, lab.page_points(targets)))
            for position in POSITIONS + CORNERS:
                lab.click(points[position])
            assert lab.positions() == POSITIONS + CORNERS
            np.testing.assert_allclose(lab.page_points(targets), list(points.values()), atol=0.05)

            # A double click acts as one click.
            lab.double_click(points[DOUBLE])
            assert lab.positions() == POSITIONS + CORNERS + [DOUBLE]
            # A right click removes the nearest position: one pixel inside from each corner, off the marker.
            lab.click(points[(1, 1)], button="right")
            lab.click(points[(98, 1)], button="right")
            assert lab.positions() == POSITIONS + [DOUBLE]

            # Keyboard: "o" turns the zoom tool on; a drag zooms, a click adds nothing; "o" again turns it off.
            lab.key("o")
            assert lab.value("selector.figure.canvas.toolbar.mode.name") == "ZOOM"
            (x0, y0), (x1, y1) = lab.page_points([(30, 25), (70, 65)])

            def drag():
                page.mouse.move(x0, y0)
                page.mouse.down()
                page.mouse.move(x1, y1, steps=4)
                page.mouse.up()

            lab.act(drag, release=1)
            assert lab.value("list(selector.image_ax.get_xlim())") == pytest.approx([30, 70], abs=0.5)
            (zoomed,) = lab.page_points([ZOOMED])
            lab.click(zoomed)
            assert lab.positions() == POSITIONS + [DOUBLE]
            lab.key("o")
            assert lab.value("selector.figure.canvas.toolbar.mode.name") == "NONE"
            lab.click(zoomed)  # the same place, now a click: the pixel under it in the zoomed view
            lab.key("h")  # home view
            assert lab.value("list(selector.image_ax.get_xlim())") == [-0.5, 99.5]
            expected_positions = POSITIONS + [DOUBLE, ZOOMED]
            assert lab.positions() == expected_positions

            # The traces in the kernel, and the lines drawn, are extract_traces of the positions.
            traces = np.array(lab.value("selector.traces.tolist()"))
            expected = extract_traces(video, expected_positions, SIZE)
            np.testing.assert_array_equal(traces, expected)
            lines = lab.value("[line.get_ydata().tolist() for line in selector.trace_ax.lines]")
            np.testing.assert_array_equal(np.array(lines).T, expected)
            assert lab.value("_colours_agree()")

            # The blocking functions name the selector to use instead.
            message = lab.kernel(
                "from optimap.trace import select_traces\n"
                "try:\n    select_traces(video)\nexcept RuntimeError as error:\n    print(error)"
            )
            assert "cannot block" in message and "TraceSelector(video)" in message

            lab.run_cell(1)
            page.locator(".jp-OutputArea-output", has_text="(55, 52)").wait_for()
            page.mouse.move(1, 1)  # the toolbar fades out
            page.wait_for_function(
                "() => getComputedStyle(document.querySelector('.jupyter-matplotlib-toolbar')).opacity === '0'"
            )
            page.screenshot(path=str(screenshot))
        except BaseException:
            print(f"JupyterLab's log:\n{jupyterlab.log()}", file=sys.stderr)
            raise
        finally:
            context.close()

    assert screenshot.stat().st_size > 20_000
    if os.environ.get("OPTIMAP_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(screenshot.read_bytes())


def check_the_figure_fits_and_nothing_covers_the_frame(lab):
    """The figure fits the output area (no horizontal scroll); with the toolbar shown, every corner is the canvas's."""
    page = lab.page
    fits = page.evaluate(
        """() => { const area = document.querySelector('.jp-OutputArea-output');
                   return [area.scrollWidth, area.clientWidth]; }"""
    )
    assert fits[0] <= fits[1], f"the figure overflows the output area: {fits}"
    box = lab.canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the toolbar fades in
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.jupyter-matplotlib-toolbar')).opacity === '1'"
    )
    corners = [(0, 0), (99, 0), (0, 99), (99, 99)]
    for (x, y), (px, py) in zip(corners, lab.page_points(corners)):
        on_top = page.evaluate(
            """([x, y]) => { const el = document.elementFromPoint(x, y);
                             return el === document.querySelectorAll('.jupyter-matplotlib-canvas-div canvas')[1]; }""",
            [px, py],
        )
        assert on_top, f"pixel ({x}, {y}) of the frame is covered (at page {px:.0f}, {py:.0f})"
