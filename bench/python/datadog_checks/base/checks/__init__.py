# A minimal AgentCheck for rtloader's benchmarks: the shape of the real base class's entry points
# (load_config, run -> check(instance), the JSON error list) without its work (no aggregator
# bookkeeping, no yaml). load_config is json.loads: JSON is a subset of YAML, and the C parser
# keeps the benchmark about rtloader rather than about a pure-Python YAML parser.
import json


class AgentCheck(object):
    def __init__(self, name=None, init_config=None, instances=None, **kwargs):
        self.name = name
        self.init_config = init_config
        self.instances = instances or []
        self.instance = self.instances[0] if self.instances else None
        self.check_id = ""

    @staticmethod
    def load_config(text):
        if not text:
            return None
        return json.loads(text)

    def check(self, instance):
        raise NotImplementedError

    def run(self):
        try:
            self.check(self.instance)
        except Exception as e:
            return json.dumps([{"message": str(e)}])
        return ""

    def cancel(self):
        pass

    def get_warnings(self):
        return []

    def get_diagnoses(self):
        return "[]"
