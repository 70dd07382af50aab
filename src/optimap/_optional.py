"""Import optional dependencies lazily, with an error that names the extra to install."""

import importlib


def import_optional(module_name, extra, purpose=None):
    """Import and return ``module_name``, or raise an ImportError naming the extra.

    Parameters
    ----------
    module_name : str
        The module to import, e.g. ``"tifffile"`` or ``"dask.array"``.
    extra : str
        The optional extra of optimap-trace that installs it, e.g. ``"tiff"``.
    purpose : str, optional
        What the module is needed for, used in the message.

    Examples
    --------
    >>> np = import_optional("numpy", "all")
    >>> np.__name__
    'numpy'
    """
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        need = f" to {purpose}" if purpose else ""
        raise ImportError(
            f'{module_name} is needed{need} but is not installed; install it with: pip install "optimap-trace[{extra}]"'
        ) from exc
