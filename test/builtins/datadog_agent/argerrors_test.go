package datadog_agent

import (
	"testing"

	"rtloader/test/builtins/builtintest"
)

// datadog_agent's argument errors (BUILTINS.md §1.4, §3): CPython's own parsers give the texts
// (PyArg_ParseTuple, PyArg_ParseTupleAndKeywords, METH_NOARGS); set_external_tags checks its
// structure itself (§3.8). headers and tracemalloc_enabled accept any arguments.
var argErrors = []builtintest.ArgError{
	builtintest.Row("get_version", "an argument", `datadog_agent.get_version(1)`,
		builtintest.NoArguments("datadog_agent", "get_version", 1)...),
	builtintest.Row("get_hostname", "an argument", `datadog_agent.get_hostname('h')`,
		builtintest.NoArguments("datadog_agent", "get_hostname", 1)...),
	builtintest.Row("get_clustername", "two arguments", `datadog_agent.get_clustername(1, 2)`,
		builtintest.NoArguments("datadog_agent", "get_clustername", 2)...),
	builtintest.Row("get_host_tags", "an argument", `datadog_agent.get_host_tags(None)`,
		builtintest.NoArguments("datadog_agent", "get_host_tags", 1)...),
	builtintest.Row("get_process_start_time", "an argument", `datadog_agent.get_process_start_time(0)`,
		builtintest.NoArguments("datadog_agent", "get_process_start_time", 1)...),

	builtintest.Row("get_config", "key not str", `datadog_agent.get_config(1)`,
		"TypeError: argument 1 must be str, not int"),
	builtintest.Row("get_config", "NUL in key", `datadog_agent.get_config('a\0b')`,
		"ValueError: embedded null character"),
	builtintest.Row("get_config", "no argument", `datadog_agent.get_config()`,
		"TypeError: function takes exactly 1 argument (0 given)"),
	builtintest.Row("get_config", "keyword argument", `datadog_agent.get_config(key='k')`,
		builtintest.NoKeywords("datadog_agent", "get_config")...),

	builtintest.Row("log", "message not str", `datadog_agent.log(1, 10)`,
		"TypeError: argument 1 must be str, not int"),
	builtintest.Row("log", "level not int", `datadog_agent.log('m', 'x')`,
		"TypeError: an integer is required (got type str)", "TypeError: 'str' object cannot be interpreted as an integer"),
	builtintest.Row("log", "no level", `datadog_agent.log('m')`,
		"TypeError: function takes exactly 2 arguments (1 given)"),
	builtintest.Row("log", "keyword argument", `datadog_agent.log('m', level=10)`,
		builtintest.NoKeywords("datadog_agent", "log")...),

	builtintest.Row("send_log", "check_id not str", `datadog_agent.send_log('line', 1)`,
		"TypeError: argument 2 must be str, not int"),
	builtintest.Row("send_log", "no check_id", `datadog_agent.send_log('line')`,
		"TypeError: function takes exactly 2 arguments (1 given)"),

	builtintest.Row("set_check_metadata", "value None", `datadog_agent.set_check_metadata('id', 'name', None)`,
		"TypeError: argument 3 must be str, not None"),
	builtintest.Row("set_check_metadata", "no value", `datadog_agent.set_check_metadata('id', 'name')`,
		"TypeError: function takes exactly 3 arguments (2 given)"),

	builtintest.Row("set_external_tags", "tuple, not a list", `datadog_agent.set_external_tags(('h', {'s': []}))`,
		"TypeError: tags must be a list"),
	builtintest.Row("set_external_tags", "None", `datadog_agent.set_external_tags(None)`,
		"TypeError: tags must be a list"),
	builtintest.Row("set_external_tags", "entry a list", `datadog_agent.set_external_tags([['h', {'s': []}]])`,
		"TypeError: external host tags list must contain only tuples"),
	builtintest.Row("set_external_tags", "entry of one element", `datadog_agent.set_external_tags([('h',)])`,
		"TypeError: external host tags tuple must have at least 2 elements"),
	builtintest.Row("set_external_tags", "entry empty", `datadog_agent.set_external_tags([()])`,
		"TypeError: external host tags tuple must have at least 2 elements"),
	builtintest.Row("set_external_tags", "hostname int", `datadog_agent.set_external_tags([(1, {'s': []})])`,
		"TypeError: hostname is not a valid string"),
	builtintest.Row("set_external_tags", "second element a list", `datadog_agent.set_external_tags([('h', ['s'])])`,
		"TypeError: second elem of the host tags tuple must be a dict"),
	builtintest.Row("set_external_tags", "source_type int", `datadog_agent.set_external_tags([('h', {1: []})])`,
		"TypeError: source_type is not a valid string"),
	builtintest.Row("set_external_tags", "tags a tuple", `datadog_agent.set_external_tags([('h', {'s': ('t',)})])`,
		"TypeError: dict value must be a list of tags"),
	builtintest.Row("set_external_tags", "no argument", `datadog_agent.set_external_tags()`,
		"TypeError: function takes exactly 1 argument (0 given)"),

	builtintest.Row("write_persistent_cache", "value None", `datadog_agent.write_persistent_cache('k', None)`,
		"TypeError: argument 2 must be str, not None"),
	builtintest.Row("write_persistent_cache", "no value", `datadog_agent.write_persistent_cache('k')`,
		"TypeError: function takes exactly 2 arguments (1 given)"),
	builtintest.Row("read_persistent_cache", "key bytes", `datadog_agent.read_persistent_cache(b'k')`,
		"TypeError: argument 1 must be str, not bytes"),
	builtintest.Row("read_persistent_cache", "no argument", `datadog_agent.read_persistent_cache()`,
		"TypeError: function takes exactly 1 argument (0 given)"),

	builtintest.Row("obfuscate_sql", "query dict", `datadog_agent.obfuscate_sql({1:2})`,
		"TypeError: argument 1 must be str, not dict"),
	builtintest.Row("obfuscate_sql", "query None", `datadog_agent.obfuscate_sql(None)`,
		"TypeError: argument 1 must be str, not None"),
	builtintest.Row("obfuscate_sql", "options None", `datadog_agent.obfuscate_sql('q', None)`,
		"TypeError: argument 2 must be str, not None"),
	builtintest.Row("obfuscate_sql", "options=None", `datadog_agent.obfuscate_sql('q', options=None)`,
		"TypeError: argument 2 must be str, not None"),
	builtintest.Row("obfuscate_sql", "no query", `datadog_agent.obfuscate_sql()`,
		"TypeError: function missing required argument 'query' (pos 1)"),
	builtintest.Row("obfuscate_sql", "three arguments", `datadog_agent.obfuscate_sql('q', '{}', 3)`,
		"TypeError: function takes at most 2 arguments (3 given)"),
	builtintest.Row("obfuscate_sql", "query by name and position", `datadog_agent.obfuscate_sql('q', query='q')`,
		"TypeError: argument for function given by name ('query') and position (1)"),
	builtintest.Row("obfuscate_sql", "unknown keyword", `datadog_agent.obfuscate_sql('q', bad=1)`,
		"TypeError: 'bad' is an invalid keyword argument for this function",
		"TypeError: this function got an unexpected keyword argument 'bad'"),

	builtintest.Row("obfuscate_sql_exec_plan", "plan int", `datadog_agent.obfuscate_sql_exec_plan(1)`,
		"TypeError: argument 1 must be str, not int"),
	// plan is positional-only.
	builtintest.Row("obfuscate_sql_exec_plan", "plan by name", `datadog_agent.obfuscate_sql_exec_plan(plan='{}')`,
		"TypeError: 'plan' is an invalid keyword argument for this function",
		"TypeError: this function got an unexpected keyword argument 'plan'",
		"TypeError: function takes at least 1 positional argument (0 given)"),
	builtintest.Row("obfuscate_sql_exec_plan", "no argument", `datadog_agent.obfuscate_sql_exec_plan()`,
		"TypeError: function takes at least 1 positional argument (0 given)"),

	// Keywords are ignored (§3.14): command= leaves the one positional argument missing.
	builtintest.Row("obfuscate_mongodb_string", "command by name", `datadog_agent.obfuscate_mongodb_string(command='{}')`,
		"TypeError: function takes exactly 1 argument (0 given)"),
	builtintest.Row("obfuscate_mongodb_string", "command int", `datadog_agent.obfuscate_mongodb_string(1)`,
		"TypeError: argument 1 must be str, not int"),
	builtintest.Row("obfuscate_mongodb_string", "NUL in command", `datadog_agent.obfuscate_mongodb_string('{}\0')`,
		"ValueError: embedded null character"),

	builtintest.Row("emit_agent_telemetry", "metric_value str", `datadog_agent.emit_agent_telemetry('c', 'm', 'x', 'gauge')`,
		"TypeError: must be real number, not str"),
	builtintest.Row("emit_agent_telemetry", "no metric_type", `datadog_agent.emit_agent_telemetry('c', 'm', 1)`,
		"TypeError: function missing required argument 'metric_type' (pos 4)"),
	builtintest.Row("emit_agent_telemetry", "check_name int", `datadog_agent.emit_agent_telemetry(1)`,
		"TypeError: argument 1 must be str, not int"),
	builtintest.Row("emit_agent_telemetry", "six arguments", `datadog_agent.emit_agent_telemetry('c', 'm', 1, 'gauge', None, 6)`,
		"TypeError: function takes at most 5 arguments (6 given)"),

	builtintest.Row("report_issue", "report_json int", `datadog_agent.report_issue('c6', 1)`,
		"TypeError: argument 2 must be str or None, not int"),
	builtintest.Row("report_issue", "no check_name", `datadog_agent.report_issue()`,
		"TypeError: function missing required argument 'check_name' (pos 1)"),

	builtintest.Row("resolve_issue", "no issue_id", `datadog_agent.resolve_issue()`,
		"TypeError: function missing required argument 'issue_id' (pos 1)"),
	builtintest.Row("resolve_issue", "issue_id int", `datadog_agent.resolve_issue(1)`,
		"TypeError: argument 1 must be str, not int"),
}

func TestArgumentErrors(t *testing.T) {
	builtintest.ExpectArgErrors(t, "import datadog_agent", argErrors)
}

func TestEveryFunctionHasArgumentErrorRows(t *testing.T) {
	builtintest.ExpectRowsForEveryFunction(t, "datadog_agent", argErrors, "headers", "tracemalloc_enabled")
}
