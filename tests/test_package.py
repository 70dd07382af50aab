import inspect
import subprocess
import sys

import numpy as np
import pytest

import optimap
import optimap.trace

# optimap 0.3.1's signatures of optimap.trace: names, order and defaults.
SPEC = {
    "select_traces": "(video, size=5, ref_frame=0, x=None, fps=None)",
    "extract_traces": "(video, coords, size=5, show=False, window=None, **kwargs)",
    "select_positions": "(image, as_integers=True)",
    "compare_traces": "(videos, coords=None, labels=None, colors=None, size=5, ref_frame=0, fps=None, x=None)",
    "show_positions": "(positions, image=None, size=None, color=None, cmap='gray', vmin=None, vmax=None, ax=None, **kwargs)",
    "show_trace": "(*args, **kwargs)",
    "show_traces": "(traces, x=None, fps=None, colors=None, labels=None, ax=None, **kwargs)",
    "normalize": "(array, ymin=0, ymax=None, vmin=None, vmax=None, dtype=<class 'numpy.float32'>, clip=True)",
    "detrend_timeseries": "(data, kind='spline', period=None, ptimes=2, retain_baseline=True, return_trend_data=False)",
    "random_positions": "(shape_or_mask, N=1)",
    "positions_from_A_to_B": "(N, A, B)",
    "collage_positions": "(positions, image_shape, ncols=6)",
    "set_default_trace_window": "(window)",
    "get_default_trace_window": "()",
}


def run_python(code):
    """Run ``code`` in a fresh interpreter (nothing imported yet); its result, stdout as text."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)


def _without_keyword_only(function):
    """Parameters other than the extra keyword-only ones (which may come before ``**kwargs``)."""
    return [p for p in inspect.signature(function).parameters.values() if p.kind != inspect.Parameter.KEYWORD_ONLY]


@pytest.mark.parametrize("name", sorted(SPEC))
def test_spec_signatures(name):
    spec = inspect.signature(
        eval(f"lambda {SPEC[name][1:-1].replace('<class', '').replace('>', '')}: None", {"numpy": np})
    )
    spec_params = list(spec.parameters.values())
    function = getattr(optimap.trace, name)
    ours = _without_keyword_only(function)
    assert [p.name for p in ours] == [p.name for p in spec_params]
    assert [p.kind for p in ours] == [p.kind for p in spec_params]
    for mine, theirs in zip(ours, spec_params):
        if theirs.default is not inspect.Parameter.empty and name != "normalize":
            assert mine.default == theirs.default, (name, mine.name)
    assert function.__doc__ and "Examples" in function.__doc__


def test_normalize_default_dtype():
    assert inspect.signature(optimap.trace.normalize).parameters["dtype"].default is np.float32


def test_top_level_reexports_and_version():
    for name in ["extract_traces", "show_positions", "show_traces", "show_positions_and_traces"]:
        assert getattr(optimap, name) is getattr(optimap.trace, name)
    assert optimap.trace is sys.modules["optimap.trace"]
    assert isinstance(optimap.__version__, str) and optimap.__version__.count(".") == 2
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        getattr(optimap, "nope")  # noqa: B009  (the look-up itself is what is tested)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        getattr(optimap.trace, "nope")  # noqa: B009
    assert "extract_traces" in dir(optimap.trace)


def test_load_video_at_the_top_level(tmp_path):
    """optimap's tutorials call om.load_video(path)."""
    assert optimap.load_video is optimap.video.load_video
    assert "load_video" in dir(optimap)
    video = np.arange(24, dtype=np.uint16).reshape(2, 3, 4)
    np.save(tmp_path / "video.npy", video)
    np.testing.assert_array_equal(optimap.load_video(tmp_path / "video.npy"), video)


def test_import_is_lazy():
    code = (
        "import sys, optimap, optimap.trace; "
        "heavy = [m for m in ('matplotlib', 'scipy', 'optimap.trace._plot', 'optimap.video._load') "
        "if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = run_python(code)
    assert result.stdout.strip() == ""


def test_extract_does_not_import_matplotlib():
    code = (
        "import sys, numpy as np, optimap; "
        "optimap.extract_traces(np.zeros((2, 3, 3)), [(1, 1)]); "
        "print('matplotlib' in sys.modules)"
    )
    result = run_python(code)
    assert result.stdout.strip() == "False"


def test_positions_do_not_import_numpy_ma():
    """numpy imports numpy.ma lazily, and that costs a first call 20-50 ms: positions are looked at for
    masked entries without importing it (no masked array exists before it is imported)."""
    code = (
        "import sys, numpy as np, optimap; "
        "video = np.zeros((4, 30, 30), dtype=np.uint16); "
        "optimap.extract_traces(video, np.array([[1, 2], [3, 4], [5, 6]])); "
        "optimap.extract_traces(video, [(1.5, 2)] * 100); "
        "optimap.extract_traces(video, (7, 8)); "
        "print('numpy.ma' in sys.modules)"
    )
    result = run_python(code)
    assert result.stdout.strip() == "False"


def test_a_few_windows_saved_as_csv_do_not_load_numba(tmp_path):
    """Importing numba and loading its runtime cost a fresh process 1-2 s: a few windows' traces, written
    to CSV, need neither (numpy extracts them, Python spells them)."""
    code = (
        "import sys, numpy as np, optimap; "
        "video = np.arange(200 * 32 * 32, dtype=np.uint16).reshape(200, 32, 32); "
        "traces = optimap.extract_traces(video, [(4, 5), (20, 9)], size=5, window='disc'); "
        f"optimap.trace.save_traces({str(tmp_path / 't.csv')!r}, traces, [(4, 5), (20, 9)]); "
        "print('numba' in sys.modules)"
    )
    result = run_python(code)
    assert result.stdout.strip() == "False"
    assert (tmp_path / "t.csv").read_text().splitlines()[:2] == [
        "frame,x4_y5,x20_y9",
        "0,164.0,308.0",
    ]  # a symmetric window: the centre value


def test_numba_loads_once_the_stand_ins_have_cost_as_much(tmp_path):
    """Hundreds of windows and a CSV of 100k values: the numpy and Python stand-ins do them in a fraction of
    numba's load, so a fresh process does not load it; once their time would pass the load, it does, and
    the traces stay the same."""
    code = f"""
import sys, numpy as np, optimap
from optimap import _jit
video = np.random.default_rng(1).integers(0, 4096, (300, 64, 64), dtype=np.uint16)
positions = np.random.default_rng(2).integers(0, 64, (300, 2))
by_numpy = optimap.extract_traces(video, positions, size=5, window="disc")
optimap.trace.save_traces({str(tmp_path / "t.csv")!r}, by_numpy, positions)
print("numba" in sys.modules, 0 < _jit._stand_in_seconds < _jit.LOAD_SECONDS)
_jit.LOAD_SECONDS = _jit._stand_in_seconds
compiled = optimap.extract_traces(video, positions, size=5, window="disc")
print(_jit.numba_warm(), np.array_equal(by_numpy, compiled))
"""
    result = run_python(code)
    assert result.stdout.split() == ["False", "True", "True", "True"]
    assert len((tmp_path / "t.csv").read_text().splitlines()) == 301


@pytest.mark.parametrize("package", ["optimap", "optimap.trace", "optimap.video", "optimap.datasets"])
def test_the_stub_lists_exactly_the_lazy_names(package):
    """__init__.pyi is the one list of public names: the runtime serves exactly those, from the modules it says."""
    import importlib

    from optimap._lazy import stub_exports

    module = importlib.import_module(package)
    exports = stub_exports(module.__file__)
    assert sorted(module.__all__) == sorted(exports) == dir(module)
    for name, source in exports.items():
        value = getattr(module, name)
        if source and callable(value):
            assert (
                value.__module__ == f"{package}.{source}"
                or value.__module__.startswith(f"{package}.{source}.")
                or value is getattr(importlib.import_module(f"{package}.{source}"), name)
            )
        elif not source:
            assert value is importlib.import_module(f"{package}.{name}")


def test_type_checkers_see_the_lazy_names(tmp_path):
    """mypy reads the stubs: lazily loaded functions have their signatures, a misspelt name is an error."""
    pytest.importorskip("mypy", reason="mypy (in the test extra) checks the stubs")
    use = tmp_path / "use.py"
    use.write_text(
        "import optimap\nimport optimap.trace\n"
        "reveal_type(optimap.extract_traces)\nreveal_type(optimap.trace.delta_f_over_f)\n"
        "reveal_type(optimap.load_video)\noptimap.trace.extract_trace\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--no-incremental",
            "--follow-imports=silent",
            "--ignore-missing-imports",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(use),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    out = result.stdout
    assert 'Revealed type is "def (video: Any, coords: Any, size: Any =' in out, out
    assert 'Revealed type is "def (traces: Any, *, inverted: Any =' in out, out
    assert 'Revealed type is "def (path: Any, start_frame: Any =' in out, out
    assert 'Module has no attribute "extract_trace"' in out and out.count("error:") == 1, out
