"""Where a blocking selection window can run, and switching backends for it.

The blocking ``select_*`` functions wait in ``plt.show()`` until their window
is closed. That works with a GUI backend (a script, IPython with ``%matplotlib
qt``) and returns at once under a non-interactive backend such as Agg. Two
backends need care:

* ``inline`` (Jupyter, IPython with ``%matplotlib inline``) draws static
  pictures: for the duration of the call we switch to a GUI backend and switch
  back afterwards, saying so in one printed line;
* ``ipympl`` / ``widget`` / ``nbagg`` live in the notebook's own event loop, so
  a blocking call would freeze the kernel; we refuse with a RuntimeError that
  points to the non-blocking selector objects.
"""

import contextlib
import sys

import matplotlib

# GUI backends tried, in order, when the inline backend is active.
GUI_BACKENDS = ("QtAgg", "macosx", "TkAgg") if sys.platform == "darwin" else ("QtAgg", "TkAgg")

_NOTEBOOK_WIDGET_MARKERS = ("ipympl", "widget", "nbagg")


def current_backend():
    """Name of the active matplotlib backend (resolving the automatic choice)."""
    return matplotlib.get_backend()


def is_notebook_widget_backend(name):
    """True for backends that run in a notebook's event loop (ipympl, widget, nbAgg)."""
    lowered = name.lower()
    return any(marker in lowered for marker in _NOTEBOOK_WIDGET_MARKERS)


def is_inline_backend(name):
    """True for the static inline backend of Jupyter and IPython."""
    return "inline" in name.lower()


def _switch(name):
    import matplotlib.pyplot as plt

    plt.switch_backend(name)


def _ipython():
    """The running IPython shell, or None (IPython need not be installed)."""
    module = sys.modules.get("IPython")
    if module is None:
        return None
    try:
        return module.get_ipython()
    except Exception:  # pragma: no cover - a broken IPython must not break selection
        return None


def _restore(name):
    """Switch back to backend ``name``; re-run ``%matplotlib inline`` in IPython for inline."""
    shell = _ipython()
    if shell is not None and is_inline_backend(name):
        shell.run_line_magic("matplotlib", "inline")
    else:
        _switch(name)


class NoWindowWarning(UserWarning):
    """A blocking selection could not open an interactive window, so nothing was selected.

    Issued by ``select_positions``, ``select_traces`` and the interactive
    ``compare_traces`` under a non-interactive matplotlib backend (e.g. Agg,
    the default without a display); they then return their empty result.

    Examples
    --------
    >>> import warnings
    >>> from optimap.trace import NoWindowWarning
    >>> issubclass(NoWindowWarning, UserWarning)
    True
    >>> warnings.filterwarnings("ignore", category=NoWindowWarning)  # e.g. in a batch script
    """


def can_show(figure):
    """True when ``plt.show()`` opens an interactive window for ``figure``.

    Non-interactive backends (Agg, PDF, SVG, ...) keep matplotlib's base figure
    manager, whose ``show`` opens nothing; every interactive backend (Qt, Tk,
    GTK, wx, macOS, WebAgg) overrides it.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> can_show(Figure())  # no pyplot manager at all
    False
    """
    from matplotlib.backend_bases import FigureManagerBase

    manager = getattr(figure.canvas, "manager", None)
    return manager is not None and type(manager).show is not FigureManagerBase.show


def no_window_message(func_name, empty, instead):
    """The text of the :class:`NoWindowWarning` of ``func_name``, which returns ``empty``.

    ``instead`` names what to use instead of a GUI backend (a selector class, ...).
    """
    return (
        f"{func_name}(): no interactive window could be opened (matplotlib backend {current_backend()!r} is "
        f"non-interactive); nothing was selected and {empty} is returned. Use a GUI backend (e.g. "
        f"matplotlib.use('QtAgg') before the call, or %matplotlib qt in IPython), or {instead}"
    )


def unavailable_message(func_name, alternative, reason):
    return f"{func_name}() needs a blocking window, but {reason}. {alternative}"


@contextlib.contextmanager
def blocking_backend(func_name, alternative):
    """Make sure a blocking window can be opened for ``func_name``, switching backends if needed.

    Parameters
    ----------
    func_name : str
        The public function, for messages.
    alternative : str
        What to use instead when no window can be opened (one sentence).

    Raises
    ------
    RuntimeError
        With a notebook widget backend (ipympl), or when the inline backend is
        active and no GUI backend can be started.
    """
    name = current_backend()
    if is_notebook_widget_backend(name):
        raise RuntimeError(
            unavailable_message(
                func_name,
                alternative,
                f"the matplotlib backend {name!r} runs inside the notebook and cannot block",
            )
        )
    if not is_inline_backend(name):
        yield
        return
    errors = []
    for candidate in GUI_BACKENDS:
        try:
            _switch(candidate)
        except (ImportError, RuntimeError) as exc:
            errors.append(f"{candidate}: {exc}")
            continue
        break
    else:
        raise RuntimeError(
            unavailable_message(
                func_name,
                alternative,
                f"no GUI backend could be started to replace the inline backend ({'; '.join(errors)})",
            )
        )
    print(
        f"optimap: switching the matplotlib backend from {name} to {candidate} for this window; "
        "it is switched back afterwards."
    )
    try:
        yield
    finally:
        _restore(name)


def open_figure(make, func_name, alternative):
    """Call ``make()`` (which builds a pyplot figure); turn a backend that cannot start into a RuntimeError."""
    try:
        return make()
    except ImportError as exc:
        raise RuntimeError(
            unavailable_message(
                func_name, alternative, f"the matplotlib backend {current_backend()!r} could not open a window ({exc})"
            )
        ) from exc
