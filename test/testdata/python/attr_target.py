# set_module_attr_string fixture.
PROCFS_PATH = "/proc"
