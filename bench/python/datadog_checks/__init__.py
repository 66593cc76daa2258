# The benchmark's own check base (bench/README.md, "Fixtures"): rtloader's init imports
# datadog_checks.checks.AgentCheck, and the benchmark needs one that does no work of its own.
