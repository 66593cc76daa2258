# Fixture for get_interpreter_memory_usage (API.md section 7.10).


def get_mem_stats():
    return {"rss": 1024, "objects": {"dict": 3, "list": 2}}
