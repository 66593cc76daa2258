"""sql_demo: what a database-monitoring check does with the host's SQL obfuscator.

For each configured statement it asks datadog_agent.obfuscate_sql for the obfuscated text and its
metadata, with the options the postgres integration passes, derives a query signature from the
obfuscated text (so statements differing only in their literals share one), and submits a query
sample event and a gauge per statement. An EXPLAIN plan, when configured, goes through
obfuscate_sql_exec_plan. Standard library only.
"""
import hashlib
import json

import datadog_agent

from datadog_checks.base import AgentCheck

__version__ = '1.0.0'

# postgres's defaults (datadog_checks.postgres.config: obfuscator_options)
OBFUSCATOR_OPTIONS = json.dumps({
    'dbms': 'postgresql',
    'obfuscation_mode': 'obfuscate_and_normalize',
    'replace_digits': False,
    'keep_sql_alias': True,
    'return_json_metadata': True,
    'table_names': True,
    'collect_commands': True,
    'collect_comments': True,
    'collect_procedures': True,
    'dollar_quoted_func': True,
})


def query_signature(obfuscated):
    # The Agent's integrations use a 64-bit murmur3 hash; a truncated SHA-1 keeps this example
    # standard-library only. Either way: same obfuscated text, same signature.
    return hashlib.sha1(obfuscated.encode('utf-8')).hexdigest()[:16]


class SqlDemoCheck(AgentCheck):
    __NAMESPACE__ = 'sql_demo'

    def check(self, instance):
        tags = list(instance.get('tags', []))
        signatures = set()
        for statement in instance.get('statements', []):
            result = json.loads(datadog_agent.obfuscate_sql(statement, OBFUSCATOR_OPTIONS))
            query, metadata = result['query'], result['metadata']
            signature = query_signature(query)
            signatures.add(signature)
            tables = [t for t in metadata['tables_csv'].split(',') if t]
            self.gauge('statement.tables', len(tables), tags=tags + ['query_signature:' + signature])
            self.database_monitoring_query_sample(json.dumps({
                'ddsource': 'sql_demo',
                'db': {
                    'statement': query,
                    'query_signature': signature,
                    'metadata': {
                        'tables': tables,
                        'commands': metadata['commands'],
                        'comments': metadata['comments'],
                    },
                },
            }))
        self.gauge('signatures', len(signatures), tags=tags)

        plan = instance.get('plan')
        if plan:
            self.database_monitoring_query_sample(json.dumps({
                'ddsource': 'sql_demo',
                'db': {'plan': {'definition': datadog_agent.obfuscate_sql_exec_plan(json.dumps(plan))}},
            }))
