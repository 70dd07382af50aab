"""The public names of optimap: its subpackages and the functions optimap's tutorials call at the
top level (read by _lazy.attach_stub)."""

from . import datasets as datasets
from . import trace as trace
from . import video as video
from ._version import __version__ as __version__
from .trace import compare_traces as compare_traces
from .trace import extract_traces as extract_traces
from .trace import select_positions as select_positions
from .trace import select_traces as select_traces
from .trace import show_positions as show_positions
from .trace import show_positions_and_traces as show_positions_and_traces
from .trace import show_traces as show_traces
from .video import load_video as load_video
