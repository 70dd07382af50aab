"""save_traces: CSV at full precision, .npy, .mat and HDF5 with their metadata."""

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from optimap.trace import _csv, save_traces
from optimap.trace._export import column_names


def read_csv(path):
    lines = path.read_text().splitlines()
    return lines[0].split(","), [line.split(",") for line in lines[1:]]


# --- the text of every number -------------------------------------------------------------------------------------


SPELLERS = ["kernels", "python"]


def csv_values(traces, speller="kernels"):
    """The value cells of the CSV that save_traces writes for ``traces``, spelt by the compiled kernels
    or by Python (the path of a small table in a process where numba is not loaded)."""
    stream = io.BytesIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_csv, "compiled_pays", lambda estimate: speller == "kernels")
        save_traces(stream, traces)
    return [line.split(",")[1:] for line in stream.getvalue().decode().splitlines()[1:]]


def python_text(value):
    """What Python writes for one value: repr, or for float16/32 numpy's shortest digits in repr's layout."""
    if isinstance(value, np.floating) and value.dtype.itemsize < 8:
        return repr(float(str(value)))
    return repr(value.item())


float_arrays = st.sampled_from([np.float16, np.float32, np.float64]).flatmap(
    lambda dtype: hnp.arrays(
        dtype, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.floats(width=8 * np.dtype(dtype).itemsize)
    )
)


@pytest.mark.parametrize("speller", SPELLERS)
@settings(max_examples=400, deadline=None)  # the first call compiles the kernels
@given(traces=float_arrays)
def test_every_float_is_written_as_python_writes_it(traces, speller):
    cells = csv_values(traces, speller)
    expected = [[python_text(v) for v in row] for row in traces]
    assert cells == expected


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([np.float32, np.float64]).flatmap(
        lambda dtype: hnp.arrays(dtype, st.integers(1, 40), elements=hnp.from_dtype(np.dtype(dtype)))
    )
)
def test_bit_patterns_read_back(traces):
    """Any bit pattern, NaN and inf included: the text reads back as the same value."""
    for speller in SPELLERS:
        cells = np.array(csv_values(traces[:, None], speller), dtype=np.float64)[:, 0].astype(traces.dtype)
        assert np.array_equal(cells, traces, equal_nan=True)


@pytest.mark.parametrize("speller", SPELLERS)
def test_awkward_values(speller):
    values = np.array(
        [2422.4, 0.1, 1e-45, 3.4028235e38, -0.0, 1e16, 16777217, 1.17549435e-38, 2.0**-19, 0.5, 1e-5, 123456.7],
        dtype=np.float32,
    )
    cells = csv_values(values[:, None], speller)
    assert [c[0] for c in cells] == [python_text(v) for v in values]
    assert [c[0] for c in cells][:2] == ["2422.4", "0.1"] and cells[4] == ["-0.0"]
    doubles = np.array(
        [
            0.1 + 0.2,
            1 / 3,
            2.0**-19,
            2.0**56,
            1e17,
            9.999999999999999e16,
            5e-324,
            1e-7,
            1234.5,
            0.30000000000000004,
            1e23,
            2.0**-1074 * 3,
        ]
    )
    assert [c[0] for c in csv_values(doubles[:, None], speller)] == [repr(float(v)) for v in doubles]


@pytest.mark.parametrize("speller", SPELLERS)
def test_integer_traces(speller):
    traces = np.array([[0, -5], [2**62, -(2**63)]], dtype=np.int64)
    assert csv_values(traces, speller) == [["0", "-5"], [str(2**62), str(-(2**63))]]
    big = np.array([[2**64 - 1]], dtype=np.uint64)
    assert csv_values(big, speller) == [[str(2**64 - 1)]]


@pytest.mark.parametrize("block_values", [None, 7])
def test_both_spellers_write_the_same_bytes(block_values):
    """Times in seconds or frame numbers, every dtype, in one block or many: Python's text is the
    kernels' to the byte."""
    rng = np.random.default_rng(4)
    for dtype in (np.float64, np.float32, np.float16, np.int16, np.uint64):
        traces = (
            (rng.standard_normal((30, 4)) * 300).astype(dtype)
            if dtype != np.uint64
            else rng.integers(0, 2**63, (30, 4), dtype=np.uint64)
        )
        for fps in (None, 7.0):
            streams = {}
            for name in SPELLERS:
                with pytest.MonkeyPatch.context() as patch:
                    patch.setattr(_csv, "compiled_pays", lambda estimate, name=name: name == "kernels")
                    if block_values is not None:  # blocks of one row (4 traces and the time)
                        patch.setattr(_csv, "_BLOCK_VALUES", block_values)
                    streams[name] = io.BytesIO()
                    save_traces(streams[name], traces, fps=fps)
            assert streams["python"].getvalue() == streams["kernels"].getvalue()


# --- CSV --------------------------------------------------------------------------------------------------------


def test_csv_reads_back_exactly_in_every_dtype(tmp_path):
    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32, np.float16, np.uint16, np.int32):
        traces = (rng.standard_normal((40, 3)) * 1000).astype(dtype)
        path = tmp_path / f"t_{np.dtype(dtype).name}.csv"
        save_traces(path, traces, [(1, 2), (3, 4), (5, 6)])
        header, rows = read_csv(path)
        assert header == ["frame", "x1_y2", "x3_y4", "x5_y6"]
        values = np.array([[float(v) for v in row[1:]] for row in rows])
        assert np.array_equal(values.astype(dtype), traces)
        assert [int(row[0]) for row in rows] == list(range(40))


def test_csv_names_with_commas_quotes_and_line_breaks_are_quoted(tmp_path):
    """An ImageJ ROI's name may hold anything: the header stays one field per column, as the csv module
    and spreadsheets read it."""
    import csv

    names = ["LV, base", 'the "apex"', "two\nlines", "plain"]
    save_traces(tmp_path / "t.csv", np.arange(8.0).reshape(2, 4), names=names)
    with open(tmp_path / "t.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["frame", *names]
    assert rows[1:] == [["0", "0.0", "1.0", "2.0", "3.0"], ["1", "4.0", "5.0", "6.0", "7.0"]]


def test_csv_float32_is_short_and_special_values_are_named(tmp_path):
    traces = np.array([[2422.4, np.nan], [np.inf, -np.inf]], dtype=np.float32)
    save_traces(tmp_path / "t.csv", traces, fps=100, frames=np.array([10, 12]))
    assert (tmp_path / "t.csv").read_text() == "time_s,trace1,trace2\n0.1,2422.4,nan\n0.12,inf,-inf\n"


def test_csv_is_written_in_blocks_of_rows(tmp_path, monkeypatch):
    from optimap.trace import _csv

    monkeypatch.setattr(_csv, "_BLOCK_VALUES", 10)  # many blocks of 3 rows
    traces = np.arange(50 * 4, dtype=np.float64).reshape(50, 4) / 7
    save_traces(tmp_path / "t.csv", traces)
    _, rows = read_csv(tmp_path / "t.csv")
    assert np.array_equal(np.array([[float(v) for v in row[1:]] for row in rows]), traces)


def test_csv_to_a_binary_stream():
    stream = io.BytesIO()
    save_traces(stream, np.array([1.0, 2.5]), [(0, 0)])
    assert stream.getvalue() == b"frame,x0_y0\n0,1.0\n1,2.5\n"


def test_column_names_stay_distinct_when_positions_round_to_one_pixel():
    assert column_names([(5, 5), (5.2, 4.9), (5, 5), (6, 5)]) == ["x5_y5", "x5_y5_2", "x5_y5_3", "x6_y5"]


# --- binary formats ---------------------------------------------------------------------------------------------


@pytest.fixture
def table():
    rng = np.random.default_rng(1)
    return rng.random((30, 2)).astype(np.float32), [(3, 4), (10.5, 2)]


def test_npy_holds_the_traces(tmp_path, table):
    traces, positions = table
    save_traces(tmp_path / "t.npy", traces, positions)
    loaded = np.load(tmp_path / "t.npy")
    assert loaded.dtype == np.float32 and np.array_equal(loaded, traces)


def test_mat_holds_traces_positions_and_time(tmp_path, table):
    import scipy.io

    traces, positions = table
    save_traces(
        tmp_path / "t.mat", traces, positions, fps=250, frames=np.arange(5, 35), metadata={"window": "disc", "size": 5}
    )
    mat = scipy.io.loadmat(tmp_path / "t.mat")
    assert np.array_equal(mat["traces"], traces)
    assert np.array_equal(mat["positions"], [[3, 4], [10.5, 2]])
    assert np.array_equal(mat["frames"].ravel(), np.arange(5, 35))
    np.testing.assert_allclose(mat["time_s"].ravel(), np.arange(5, 35) / 250)
    assert mat["window"][0] == "disc" and int(mat["size"][0, 0]) == 5
    assert [str(name[0]) for name in mat["names"].ravel()] == ["x3_y4", "x11_y2"]


def test_hdf5_holds_traces_and_attributes(tmp_path, table):
    import h5py

    traces, positions = table
    save_traces(tmp_path / "t.h5", traces, positions, fps=250, metadata={"window": "rect", "source": "rec.npy"})
    with h5py.File(tmp_path / "t.h5", "r") as file:
        assert np.array_equal(file["traces"][()], traces)
        assert np.array_equal(file["positions"][()], [[3, 4], [10.5, 2]])
        assert np.array_equal(file["frames"][()], np.arange(30))
        attrs = file["traces"].attrs
        assert attrs["fps"] == 250 and attrs["window"] == "rect" and attrs["source"] == "rec.npy"
        assert list(attrs["names"]) == ["x3_y4", "x11_y2"]


@pytest.mark.parametrize("name", ["t.mat", "t.h5", "t.csv"])
@pytest.mark.parametrize(
    ("metadata", "error", "message"),
    [
        ({"traces": "oops"}, ValueError, r"^metadata key 'traces' would replace the traces saved"),
        ({"fps": 1}, ValueError, r"^metadata key 'fps' would replace the fps saved"),
        ({"names": "x"}, ValueError, r"^metadata key 'names' would replace"),
        ({"_hidden": 1}, ValueError, r"^metadata key '_hidden': give a name of letters"),
        ({"two words": 1}, ValueError, r"^metadata key 'two words': give a name"),
        ({1: 2}, TypeError, r"^metadata keys must be names \(str\), got 1"),
        ({"window": {"size": 5}}, TypeError, r"^metadata\['window'\] must be a string or a number, got dict"),
        ("window=rect", TypeError, r"^metadata must be a dict of names to strings or numbers, got str"),
    ],
)
def test_metadata_never_replaces_the_data(tmp_path, table, name, metadata, error, message):
    """Before: in .mat files a "traces" key replaced the traces, in HDF5 "names" the column names, silently."""
    traces, positions = table
    with pytest.raises(error, match=message):
        save_traces(tmp_path / name, traces, positions, fps=250, metadata=metadata)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda p: save_traces(p / "t.txt", np.zeros(3)), ValueError, r"extension '.txt'.*\.csv"),
        (lambda p: save_traces(p / "t", np.zeros(3)), ValueError, "no extension"),
        (lambda p: save_traces(p / "missing" / "t.csv", np.zeros(3)), ValueError, "does not exist"),
        (lambda p: save_traces(str(p) + "/", np.zeros(3)), ValueError, "not a folder"),
        (lambda p: save_traces(p / "t.csv", np.zeros((3, 2)), [(1, 1)]), ValueError, "positions has 1"),
        (lambda p: save_traces(p / "t.csv", np.zeros((3, 2)), names=["a"]), ValueError, "names has 1"),
        (lambda p: save_traces(p / "t.csv", np.zeros(3), fps=0), ValueError, "fps"),
        (lambda p: save_traces(p / "t.csv", np.zeros(3), frames=[0, 1]), ValueError, "frames"),
        (lambda p: save_traces(p / "t.csv", np.zeros((2, 2, 2))), ValueError, "1-D"),
        (lambda p: save_traces(p / "t.csv", "abc"), TypeError, "string"),
    ],
)
def test_bad_arguments_write_nothing(tmp_path, call, error, message):
    with pytest.raises(error, match=message):
        call(tmp_path)
    assert list(tmp_path.iterdir()) == []
