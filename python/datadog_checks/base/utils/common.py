def ensure_bytes(s):
    if isinstance(s, str):
        s = s.encode('utf-8')
    return s


def ensure_unicode(s):
    if isinstance(s, bytes):
        s = s.decode('utf-8')
    return s


to_native_string = ensure_unicode


def is_affirmative(value):
    """True for True, 1, '1', 'yes', 'true', 'on' (any case), as in the real base."""
    if isinstance(value, str):
        return value.strip().lower() in ('yes', 'true', '1', 'on')
    return bool(value)
