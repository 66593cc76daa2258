"""get_datadog_wheels(): the installed datadog-* integrations (rtloader's get_integration_list)."""

DATADOG_CHECK_PREFIX = 'datadog-'


def get_datadog_wheels():
    try:
        from importlib import metadata
    except ImportError:  # pragma: no cover - Python < 3.8
        return []
    names = set()
    for dist in metadata.distributions():
        name = (dist.metadata.get('Name') or '').lower().replace('_', '-')
        if name.startswith(DATADOG_CHECK_PREFIX) and name != 'datadog-checks-dev':
            names.add(name[len(DATADOG_CHECK_PREFIX):].replace('-', '_'))
    return sorted(names)
