# set_module_attr_string fixture: a module whose attributes cannot be set.
import sys
import types


class _ReadOnlyModule(types.ModuleType):
    def __setattr__(self, name, value):
        raise AttributeError("module is read-only")


sys.modules[__name__].__class__ = _ReadOnlyModule
