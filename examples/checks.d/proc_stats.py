"""proc_stats: load, memory, uptime and process counts read from /proc (any Linux box)."""
import os

from datadog_checks.base import AgentCheck

__version__ = '1.0.0'


class ProcStatsCheck(AgentCheck):
    __NAMESPACE__ = 'proc_stats'

    def check(self, instance):
        tags = list(instance.get('tags', []))
        proc = instance.get('proc_path', '/proc')
        try:
            with open(os.path.join(proc, 'loadavg')) as f:
                fields = f.read().split()
        except OSError as e:
            self.service_check('can_read_proc', self.CRITICAL, tags=tags, message=str(e))
            raise
        self.service_check('can_read_proc', self.OK, tags=tags)
        for i, minutes in enumerate((1, 5, 15)):
            self.gauge('load.{}'.format(minutes), float(fields[i]), tags=tags)
        running, total = fields[3].split('/')
        self.gauge('processes.running', int(running), tags=tags)
        self.gauge('processes.total', int(total), tags=tags)

        meminfo = {}
        with open(os.path.join(proc, 'meminfo')) as f:
            for line in f:
                key, _, rest = line.partition(':')
                parts = rest.split()
                if parts:
                    meminfo[key] = int(parts[0]) * 1024  # kB -> bytes
        for key, metric in (('MemTotal', 'mem.total'), ('MemAvailable', 'mem.available'), ('MemFree', 'mem.free'),
                            ('SwapTotal', 'swap.total'), ('SwapFree', 'swap.free')):
            if key in meminfo:
                self.gauge(metric, meminfo[key], tags=tags)
        if meminfo.get('MemTotal'):
            used = 1.0 - float(meminfo.get('MemAvailable', 0)) / meminfo['MemTotal']
            self.gauge('mem.pct_used', round(used * 100, 2), tags=tags)

        with open(os.path.join(proc, 'uptime')) as f:
            self.gauge('uptime', float(f.read().split()[0]), tags=tags)

        with open(os.path.join(proc, 'stat')) as f:
            for line in f:
                if line.startswith('ctxt '):
                    self.monotonic_count('context_switches', int(line.split()[1]), tags=tags)
                elif line.startswith('processes '):
                    self.monotonic_count('forks', int(line.split()[1]), tags=tags)

        self.set_metadata('kernel', os.uname().release)
