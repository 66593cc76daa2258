"""cpu_sampler: CPU usage sampled on the check's own thread, between runs too (as postgres DBM
collects activity on its own threads). The sampler submits each sample as it is taken; run()
reports how many samples were taken and the busiest one since the previous run."""
import threading
import time

from datadog_checks.base import AgentCheck

__version__ = '1.0.0'


def read_cpu_times(path):
    with open(path) as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields), idle


class CpuSamplerCheck(AgentCheck):
    __NAMESPACE__ = 'cpu_sampler'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._samples = []
        self._thread = None

    def _sample_forever(self, path, interval, tags):
        previous = read_cpu_times(path)
        while True:
            time.sleep(interval)
            current = read_cpu_times(path)
            total, idle = current[0] - previous[0], current[1] - previous[1]
            previous = current
            busy = 100.0 * (total - idle) / total if total else 0.0
            self.gauge('busy_pct', round(busy, 1), tags=tags + ['source:sampler_thread'])
            with self._lock:
                self._samples.append(busy)

    def check(self, instance):
        tags = list(instance.get('tags', []))
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._sample_forever,
                args=(instance.get('stat_path', '/proc/stat'), instance.get('interval_ms', 200) / 1000.0, tags),
                name='cpu_sampler',
                daemon=True,
            )
            self._thread.start()
        with self._lock:
            samples, self._samples = self._samples, []
        self.gauge('samples', len(samples), tags=tags)
        if samples:
            self.gauge('busiest_pct', round(max(samples), 1), tags=tags)
        self.service_check('sampler_running', self.OK if self._thread.is_alive() else self.CRITICAL, tags=tags)
