# Check fixture whose behaviour is chosen by its instance/init_config strings (get_check and the
# check lifecycle tests of API.md section 7). load_config(s):
#   "" / "none" -> None, "raise" -> ValueError("load_config boom"), "list" -> [],
#   anything else -> {"raw": s}
# The instance's "mode" selects how run/cancel/get_warnings/get_diagnoses behave.
import json

from datadog_checks.checks import AgentCheck

CONSTRUCTOR_VALUE = "set by the constructor"
DIAG_MESSAGE = 'diag "quoted" back\\slash\b\f\n\r\t\x01\x1f\x7f \u00e9 end'


class BehaviourCheck(AgentCheck):
    cancelled = False

    def __init__(self, name, init_config, instances):
        super(BehaviourCheck, self).__init__(name, init_config, instances)
        self.received = json.dumps({"name": name, "init_config": init_config, "instances": list(instances)},
                                   sort_keys=True)
        self.mode = instances[0].get("raw", "")
        # get_check sets check_id and provider after the constructor, and only when they are
        # not empty: this value shows whether it did (TestGetCheckSetsCheckIDAndProvider).
        self.check_id = self.provider = CONSTRUCTOR_VALUE
        if self.mode == "ctor_raise":
            raise RuntimeError("constructor failed")

    @staticmethod
    def load_config(s):
        if s in ("", "none"):
            return None
        if s == "raise":
            raise ValueError("load_config boom")
        if s == "list":
            return []
        return {"raw": s}

    def run(self):
        if self.mode == "run_raise":
            raise RuntimeError("run failed")
        if self.mode == "run_int":
            return 42
        if self.mode == "run_surrogate":
            return "\udcff"
        if self.mode == "run_unicode":
            return "caf\u00e9 \u2603"
        return "ran " + self.mode

    def cancel(self):
        if self.mode == "cancel_raise":
            raise RuntimeError("cancel failed")
        BehaviourCheck.cancelled = True
        self.cancelled = True

    def get_warnings(self):
        if self.mode == "warn_raise":
            raise RuntimeError("warnings failed")
        if self.mode == "warn_int":
            return 5
        if self.mode == "warn_mixed":
            return ["first", 1, None, "second", b"bytes", "\udcff", "caf\u00e9"]
        if self.mode == "warn_empty":
            return []
        return ["w1", "w2"]

    def get_diagnoses(self):
        if self.mode == "diag_raise":
            raise RuntimeError(DIAG_MESSAGE)
        if self.mode == "diag_int":
            return 7
        if self.mode == "diag_surrogate":
            return "\udcff"
        return '[{"result": 0, "diagnosis": "all good", "name": "n", "category": "c"}]'

