# Fixture for get_integration_list (API.md section 7.9).


def get_datadog_wheels():
    return ["foo", "bar", "baz"]
