# Benchmark stub of datadog_checks.base.
