"""AgentCheck: the common API of datadog_checks_base's AgentCheck, on the standard library only.

Everything a check submits goes through rtloader's built-in modules `aggregator` and
`datadog_agent`, with the same arguments the real base class passes, so a host sees the same
calls whichever base is in use.
"""
import copy
import json
import logging
import re
import traceback
from collections import deque

try:
    import aggregator
    import datadog_agent
except ImportError:  # pragma: no cover - outside rtloader
    aggregator = None
    datadog_agent = None

from ..utils.common import ensure_unicode, is_affirmative, to_native_string

# datadog_agent.log levels (rtloader's log_level_t); TRACE sits below DEBUG.
TRACE_LEVEL = 7
logging.addLevelName(TRACE_LEVEL, 'TRACE')


class AgentLogHandler(logging.Handler):
    """Send Python log records to the host through datadog_agent.log(message, level)."""

    def emit(self, record):
        try:
            msg = self.format(record)
            if datadog_agent is not None:
                datadog_agent.log(msg, record.levelno)
        except Exception:  # never let logging break a check
            pass


def _init_logging():
    root = logging.getLogger()
    if any(isinstance(h, AgentLogHandler) for h in root.handlers):
        return
    handler = AgentLogHandler()
    handler.setFormatter(logging.Formatter('%(name)s | (%(filename)s:%(lineno)d) | %(message)s'))
    root.addHandler(handler)
    level = None
    if datadog_agent is not None:
        try:
            level = datadog_agent.get_config('log_level')
        except Exception:
            level = None
    levels = {'trace': TRACE_LEVEL, 'debug': logging.DEBUG, 'info': logging.INFO, 'warn': logging.WARNING,
              'warning': logging.WARNING, 'error': logging.ERROR, 'critical': logging.CRITICAL,
              'off': logging.CRITICAL + 10}
    root.setLevel(levels.get(str(level).lower(), logging.INFO) if level else logging.INFO)


_init_logging()


class CheckLoggingAdapter(logging.LoggerAdapter):
    def __init__(self, logger, check):
        super().__init__(logger, {})
        self.check = check

    def process(self, msg, kwargs):
        check_id = getattr(self.check, 'check_id', '') or self.check.name
        return '[{}] {}'.format(check_id, msg), kwargs

    def trace(self, msg, *args, **kwargs):
        self.log(TRACE_LEVEL, msg, *args, **kwargs)


class AgentCheck(object):
    """The base class of Agent checks (subset of datadog_checks_base's, same signatures)."""

    OK, WARNING, CRITICAL, UNKNOWN = (0, 1, 2, 3)
    __NAMESPACE__ = ''
    HA_SUPPORTED = False
    DEFAULT_METRIC_LIMIT = 0

    def __init__(self, *args, **kwargs):
        self.check_id = ''
        self.provider = ''
        self.name = kwargs.get('name', '')
        self.init_config = kwargs.get('init_config', {})
        self.agentConfig = kwargs.get('agentConfig', {})
        self.instances = kwargs.get('instances', [])
        # positional forms: (name, init_config, instances) or (name, init_config, agentConfig, instances)
        if len(args) > 0:
            self.name = args[0]
        if len(args) > 1:
            self.init_config = args[1]
        if len(args) > 2:
            if len(args) > 3 or 'instances' in kwargs:
                self.agentConfig = args[2]
                if len(args) > 3:
                    self.instances = args[3]
            else:
                self.instances = args[2]
        if self.init_config is None:
            self.init_config = {}
        self.instances = list(self.instances or [])
        self.instance = self.instances[0] if self.instances else None
        self.hostname = datadog_agent.get_hostname() if datadog_agent is not None else ''
        self.log = CheckLoggingAdapter(logging.getLogger('{}.{}'.format(__name__, self.name)), self)
        self.warnings = []
        self.check_initializations = deque()
        self._cancelled = False

    # ---- configuration -------------------------------------------------------------------
    @staticmethod
    def load_config(yaml_str):
        """Parse a configuration string. rtloader-check hands JSON text; YAML when PyYAML exists."""
        if yaml_str is None or not yaml_str.strip():
            return None
        try:
            return json.loads(yaml_str)
        except ValueError:
            try:
                import yaml
            except ImportError:
                raise ValueError('configuration is not JSON and PyYAML is not installed: {!r}'.format(yaml_str[:80]))
            return yaml.safe_load(yaml_str)

    # ---- metrics ---------------------------------------------------------------------------
    def _format_namespace(self, name, raw=False):
        if raw or not self.__NAMESPACE__:
            return name
        return '{}.{}'.format(self.__NAMESPACE__, name)

    def _normalize_tags(self, tags, device_name=None):
        out = []
        for tag in tags or []:
            if tag is None:
                continue
            if isinstance(tag, bytes):
                tag = tag.decode('utf-8', 'replace')
            elif not isinstance(tag, str):
                tag = str(tag)
            out.append(tag)
        if device_name:
            out.append('device:{}'.format(ensure_unicode(device_name)))
        return out

    def _submit_metric(self, mtype, name, value, tags=None, hostname=None, device_name=None, raw=False,
                       flush_first_value=False):
        if value is None:
            return
        try:
            value = float(value)
        except (ValueError, TypeError):
            self.warning('Metric: %s has non float value: %r. Only float values can be submitted as metrics.',
                         name, value)
            return
        if hostname is None:
            hostname = ''
        aggregator.submit_metric(self, self.check_id, mtype, ensure_unicode(self._format_namespace(name, raw)), value,
                                 self._normalize_tags(tags, device_name), hostname, flush_first_value)

    def gauge(self, name, value, tags=None, hostname=None, device_name=None, raw=False):
        self._submit_metric(aggregator.GAUGE, name, value, tags, hostname, device_name, raw)

    def count(self, name, value, tags=None, hostname=None, device_name=None, raw=False):
        self._submit_metric(aggregator.COUNT, name, value, tags, hostname, device_name, raw)

    def monotonic_count(self, name, value, tags=None, hostname=None, device_name=None, raw=False,
                        flush_first_value=False):
        self._submit_metric(aggregator.MONOTONIC_COUNT, name, value, tags, hostname, device_name, raw,
                            flush_first_value)

    def rate(self, name, value, tags=None, hostname=None, device_name=None, raw=False):
        self._submit_metric(aggregator.RATE, name, value, tags, hostname, device_name, raw)

    def histogram(self, name, value, tags=None, hostname=None, device_name=None, raw=False):
        self._submit_metric(aggregator.HISTOGRAM, name, value, tags, hostname, device_name, raw)

    def historate(self, name, value, tags=None, hostname=None, device_name=None, raw=False):
        self._submit_metric(aggregator.HISTORATE, name, value, tags, hostname, device_name, raw)

    def increment(self, name, value=1, tags=None, hostname=None, device_name=None, raw=False):
        self._submit_metric(aggregator.COUNTER, name, value, tags, hostname, device_name, raw)

    def decrement(self, name, value=-1, tags=None, hostname=None, device_name=None, raw=False):
        self._submit_metric(aggregator.COUNTER, name, value, tags, hostname, device_name, raw)

    def submit_histogram_bucket(self, name, value, lower_bound, upper_bound, monotonic, hostname, tags, raw=False,
                                flush_first_value=False):
        if value is None:
            return
        if hostname is None:
            hostname = ''
        aggregator.submit_histogram_bucket(self, self.check_id, self._format_namespace(name, raw), int(value),
                                           float(lower_bound), float(upper_bound), int(monotonic), hostname,
                                           self._normalize_tags(tags), flush_first_value)

    # ---- service checks, events -----------------------------------------------------------
    def service_check(self, name, status, tags=None, hostname=None, message=None, raw=False):
        if hostname is None:
            hostname = ''
        if message is None:
            message = ''
        aggregator.submit_service_check(self, self.check_id, self._format_namespace(name, raw), int(status),
                                        self._normalize_tags(tags), hostname, ensure_unicode(message))

    def event(self, event):
        event = dict(event)
        for key in ('msg_title', 'msg_text', 'aggregation_key', 'alert_type', 'source_type_name', 'host',
                    'priority', 'event_type'):
            if key in event and isinstance(event[key], bytes):
                event[key] = event[key].decode('utf-8', 'replace')
        if 'tags' in event:
            event['tags'] = self._normalize_tags(event['tags'])
        if 'timestamp' in event:
            event['timestamp'] = int(event['timestamp'])
        aggregator.submit_event(self, self.check_id, event)

    # ---- event platform, logs, metadata, external tags -------------------------------------
    def event_platform_event(self, raw_event, event_track_type):
        aggregator.submit_event_platform_event(self, self.check_id, to_native_string(raw_event), event_track_type)

    def database_monitoring_query_sample(self, raw_event):
        if raw_event is not None:
            self.event_platform_event(raw_event, 'dbm-samples')

    def database_monitoring_query_metrics(self, raw_event):
        if raw_event is not None:
            self.event_platform_event(raw_event, 'dbm-metrics')

    def database_monitoring_query_activity(self, raw_event):
        if raw_event is not None:
            self.event_platform_event(raw_event, 'dbm-activity')

    def database_monitoring_metadata(self, raw_event):
        if raw_event is not None:
            self.event_platform_event(raw_event, 'dbm-metadata')

    def send_log(self, data, cursor=None, stream='default'):
        attributes = dict(data)
        if 'timestamp' in attributes:
            import datetime
            attributes['timestamp'] = datetime.datetime.fromtimestamp(
                attributes['timestamp'], datetime.timezone.utc).isoformat()
        datadog_agent.send_log(json.dumps(attributes), self.check_id)
        if cursor is not None:
            self.write_persistent_cache('log_cursor_{}'.format(stream), json.dumps(cursor))

    def get_log_cursor(self, stream='default'):
        cursor = self.read_persistent_cache('log_cursor_{}'.format(stream))
        return json.loads(cursor) if cursor else None

    def set_metadata(self, name, value, **options):
        datadog_agent.set_check_metadata(self.check_id, ensure_unicode(name), ensure_unicode(str(value)))

    def is_metadata_collection_enabled(self):
        return is_affirmative(datadog_agent.get_config('enable_metadata_collection'))

    def set_external_tags(self, external_tags):
        new_tags = []
        for hostname, source_map in external_tags:
            new_tags.append((to_native_string(hostname), {
                to_native_string(src): [to_native_string(t) for t in tags] for src, tags in source_map.items()}))
        datadog_agent.set_external_tags(new_tags)

    # ---- persistent cache -------------------------------------------------------------------
    def _persistent_cache_id(self, key):
        return '{}_{}'.format(self.check_id, key)

    def read_persistent_cache(self, key):
        return datadog_agent.read_persistent_cache(self._persistent_cache_id(key))

    def write_persistent_cache(self, key, value):
        datadog_agent.write_persistent_cache(self._persistent_cache_id(key), value)

    # ---- warnings, diagnoses, helpers ---------------------------------------------------------
    def warning(self, warning_message, *args, **kwargs):
        warning_message = to_native_string(warning_message)
        if args:
            warning_message = warning_message % args
        self.log.warning('%s', warning_message)
        self.warnings.append(warning_message)

    def get_warnings(self):
        warnings, self.warnings = self.warnings, []
        return warnings

    def get_diagnoses(self):
        return json.dumps([])

    def normalize(self, metric, prefix=None, fix_case=False):
        if isinstance(metric, bytes):
            metric = metric.decode('utf-8')
        if fix_case:
            metric = re.sub(r'([a-z0-9])([A-Z])', r'\1_\2', metric).lower()
        name = re.sub(r'[,+*\-/()\[\]{}\s]', '_', metric)
        name = re.sub(r'__+', '_', name)
        name = re.sub(r'_*\._*', '.', name).strip('_')
        if prefix is not None:
            return '{}.{}'.format(prefix, name)
        return name

    def cancel(self):
        """Called (through rtloader's cancel_check) when the host gives up on a run."""
        self._cancelled = True

    def check(self, instance):
        raise NotImplementedError

    def run(self):
        try:
            while self.check_initializations:
                initialization = self.check_initializations.popleft()
                try:
                    initialization()
                except Exception:
                    self.check_initializations.appendleft(initialization)
                    raise
            instance = copy.deepcopy(self.instances[0]) if self.instances else None
            self.check(instance)
            result = ''
        except Exception as e:
            result = json.dumps([{'message': str(e), 'traceback': traceback.format_exc()}])
        return result
