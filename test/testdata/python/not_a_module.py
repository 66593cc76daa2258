# get_class fixture: importing this yields an object that is not a module.
import sys


class _Thing(object):
    pass


sys.modules[__name__] = _Thing()
