# Fails at import inside the stdlib (json), so the traceback names files under the Python home
# (lifecycle TestErrorTextKeepsNonUTF8Home).
import json

json.loads("{")
