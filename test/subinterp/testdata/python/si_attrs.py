# A module whose VALUE set_module_attr_string changes (test/subinterp: re-applied in every new
# sub-interpreter).
VALUE = "unset"
