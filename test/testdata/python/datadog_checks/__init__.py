# Test stub of the datadog_checks namespace package (standard library only).
