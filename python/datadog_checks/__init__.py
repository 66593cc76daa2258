# rtloader's bundled check base (a namespace package, like the real one): when the real
# datadog_checks_base is installed earlier on sys.path, its modules win.
__path__ = __import__('pkgutil').extend_path(__path__, __name__)  # noqa: F821
