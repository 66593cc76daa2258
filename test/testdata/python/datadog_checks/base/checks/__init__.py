# Minimal AgentCheck stub used by rtloader's tests (BUILTINS.md section 11).


class AgentCheck(object):
    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs

    @staticmethod
    def load_config(yaml_str):
        # Returns None for "" and {} for anything else, as API.md section 7.2 relies on.
        if yaml_str == "":
            return None
        return {}

    def run(self):
        return ""

    def cancel(self):
        pass

    def get_warnings(self):
        return []

    def get_diagnoses(self):
        return "[]"
