"""The public names of optimap.video, each from its private module (read by _lazy.attach_stub)."""

from ._common import NotMappableError as NotMappableError
from ._common import OptionError as OptionError
from ._load import load_video as load_video
