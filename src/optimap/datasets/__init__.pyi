"""The public names of optimap.datasets, each from its private module (read by _lazy.attach_stub)."""

from ._synthetic import synthetic_recording as synthetic_recording
