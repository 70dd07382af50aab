"""numba kernels compiled (or loaded from numba's disk cache) on first use.

Importing numba costs a fresh process about half a second, and the first
compiled call about a second more (numba then loads its runtime, before the
kernel's own machine code comes from the disk cache in a few milliseconds). So
no module imports numba at import time: a module lists its kernels in a
:class:`LazyKernels` and numba is imported when one of them is first asked
for. Work that a numpy or Python stand-in does quickly need not pay that
second: :func:`compiled_pays` decides, for all callers, when loading numba is
worth it, and :func:`standing_in` counts the stand-ins' time toward it.
:func:`warm_up` pays the load ahead (a viewer does, when it opens).

A module with kernels ``_scan`` and ``_write`` that call a helper ``_digit``::

    COMPILED = LazyKernels(globals(), ("_scan", "_write"), helpers=("_digit",))

    def write(...):
        COMPILED["_write"](...)

The kernels call their helpers by their plain names. Until the first use those
names are the Python functions (which a debugger can step through); on first
use each helper's name in the module is rebound to its compiled version, which
numba then finds when it compiles the kernels.
"""

import threading
import time
from contextlib import contextmanager

# Compiled code is cached on disk, runs without the GIL (so threads run kernels in parallel),
# and divides by zero as numpy does instead of raising.
OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy"}

# What importing numba and loading its runtime costs a process where no compiled code has run, in
# seconds (1.0-1.6 s measured on this project's 2-core machine, about a quarter of it numba
# importing scipy.linalg to look for BLAS).
LOAD_SECONDS = 1.0

_LOCK = threading.Lock()
_WARM = threading.Event()  # set once compiled code has been called in this process
_STAND_IN_LOCK = threading.Lock()
_stand_in_seconds = 0.0  # how long numpy and Python stand-ins have run in this process


def numba_warm():
    """Whether compiled code has been called in this process: numba's runtime is loaded, and a kernel
    not used before costs only its read from numba's disk cache."""
    return _WARM.is_set()


def compiled_pays(estimate):
    """Whether work that a numpy or Python stand-in would do in about ``estimate`` seconds should
    run compiled instead.

    Yes once compiled code has run in the process (:func:`numba_warm`), or when the stand-ins' time
    so far (see :func:`standing_in`) and ``estimate`` add up to more than :data:`LOAD_SECONDS`.
    This is the rule of renting skis until the rent paid would reach their price: whatever work
    follows, a process spends at most about twice what the better choice, made knowing all its work
    in advance, would have cost it. A script or command-line run whose work the stand-ins are
    estimated to do in under a second never loads numba; a long session loads it once they have
    cost that much.
    """
    return _WARM.is_set() or _stand_in_seconds + estimate > LOAD_SECONDS


@contextmanager
def standing_in():
    """Count the time spent in the ``with`` block, a stand-in for compiled code at work, toward
    :data:`LOAD_SECONDS`."""
    global _stand_in_seconds
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        with _STAND_IN_LOCK:
            _stand_in_seconds += elapsed


def warm_up():
    """Import numba and load its runtime now (about 1.5 s in a fresh process; nothing afterwards), by
    calling a one-line cached function."""
    if not _WARM.is_set():
        import numba

        numba.njit(**OPTIONS)(_identity)(0)
        _WARM.set()


def _identity(value):
    return value


class LazyKernels:
    """The kernels of one module, compiled with numba the first time one is asked for.

    Parameters
    ----------
    namespace : dict
        The module's ``globals()``: where the Python functions are; each
        helper's name is rebound there to its compiled version.
    kernels : sequence of str
        Names of the functions called from Python.
    helpers : sequence of str
        Names of functions the kernels call; compiled first.
    inline_helpers : bool
        Inline the helpers into their callers (numba's ``inline="always"``).
    functions : sequence of str
        Names of functions the kernels call, compiled after
        the helpers (so they may call them), not inlined and without numba's
        reference counting: they must not allocate. This is where hot loops go.
        numba counts references to every array view a function takes or hands
        to an inlined helper, with atomic operations that, once per row of a
        frame and from two threads on the same arrays, cost more than the row's
        arithmetic; a function compiled without reference counting takes views
        for free.
    **options
        numba options replacing :data:`OPTIONS`.
    """

    def __init__(self, namespace, kernels, helpers=(), *, inline_helpers=True, functions=(), **options):
        self._namespace = namespace
        self._kernels = tuple(kernels)
        self._helpers = tuple(helpers)
        self._functions = tuple(functions)
        self._inline = bool(inline_helpers)
        self._options = {**OPTIONS, **options}
        self._compiled = None

    def __getitem__(self, name):
        """The compiled kernel ``name``, for the caller to call at once (which loads numba's runtime,
        if no compiled code ran before: see :func:`numba_warm`)."""
        compiled = self._compiled
        if compiled is None:
            compiled = self._compile()
        if not _WARM.is_set():
            _WARM.set()
        return compiled[name]

    def _compile(self):
        with _LOCK:  # engine threads may ask at once; compile once
            if self._compiled is None:
                import numba

                helper_options = {**self._options, "inline": "always"} if self._inline else self._options
                for helper in self._helpers:
                    self._namespace[helper] = numba.njit(**helper_options)(self._namespace[helper])
                for function in self._functions:  # _nrt=False: no reference counting (and no allocation)
                    self._namespace[function] = numba.njit(_nrt=False, **self._options)(self._namespace[function])
                self._compiled = {name: numba.njit(**self._options)(self._namespace[name]) for name in self._kernels}
        return self._compiled
