"""go_agent: asks the host everything a check can ask and reports the answers as warnings."""
import json

import _util
import containers
import datadog_agent
import kubeutil
import tagger

from datadog_checks.base import AgentCheck


def _try(f, *args):
    try:
        return repr(f(*args))
    except Exception as e:
        return '{}: {}'.format(type(e).__name__, e)


class GoAgentCheck(AgentCheck):
    def check(self, instance):
        answers = [
            ('version', _try(datadog_agent.get_version)),
            ('hostname', _try(datadog_agent.get_hostname)),
            ('clustername', _try(datadog_agent.get_clustername)),
            ('host_tags', _try(datadog_agent.get_host_tags)),
            ('config', _try(datadog_agent.get_config, 'dd_url')),
            ('config_unset', _try(datadog_agent.get_config, 'nope')),
            ('tracemalloc', _try(datadog_agent.tracemalloc_enabled)),
            ('start_time', _try(datadog_agent.get_process_start_time)),
            ('sql', _try(datadog_agent.obfuscate_sql, 'SELECT 1', '{"a": 1}')),
            ('sql_err', _try(datadog_agent.obfuscate_sql, 'bad')),
            ('mongo', _try(datadog_agent.obfuscate_mongodb_string, '{"find": 1}')),
            ('cache', _try(lambda: (datadog_agent.write_persistent_cache('k', 'v'),
                                    datadog_agent.read_persistent_cache('k'))[1])),
            ('tags', _try(tagger.tag, 'container_id://abc', tagger.HIGH)),
            ('subprocess', _try(_util.subprocess_output, ['echo', 'hi'], False)),
            ('subprocess_err', _try(_util.subprocess_output, ['false'], False)),
            ('excluded', _try(containers.is_excluded, 'name', 'image', 'ns')),
            ('k8s', _try(kubeutil.get_connection_info)),
            ('issue', _try(datadog_agent.report_issue, 'go_agent', json.dumps({'id': 1}))),
        ]
        for key, value in answers:
            self.warning('%s=%s', key, value)
