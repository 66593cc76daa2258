"""A small pure-Python stand-in for datadog_checks_base, shipped with rtloader.

rtloader-check appends it to sys.path last, so it is used only when the real
datadog_checks_base package is not installed. It keeps the common API of the
real base class (AgentCheck) on the standard library of Python 3.8+.
"""
from .checks import AgentCheck
from .utils.common import ensure_bytes, ensure_unicode, is_affirmative, to_native_string

__version__ = '0.1.0-rtloader'
BUNDLED = True

__all__ = ['AgentCheck', 'ensure_bytes', 'ensure_unicode', 'is_affirmative', 'to_native_string', '__version__']
