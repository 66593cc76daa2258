"""dir_size: file count and size of a folder (walked in Python), and its disk usage from `du`
(run through the host's get_subprocess_output)."""
import os

from datadog_checks.base import AgentCheck

try:
    from datadog_checks.base.utils.subprocess_output import get_subprocess_output
except ImportError:  # the bundled base: use rtloader's built-in module directly
    from _util import get_subprocess_output

__version__ = '1.0.0'


class DirSizeCheck(AgentCheck):
    __NAMESPACE__ = 'dir_size'

    def check(self, instance):
        path = instance.get('path')
        if not path:
            raise ValueError('dir_size: the instance needs a `path`')
        recursive = instance.get('recursive', True)
        tags = ['path:{}'.format(path)] + list(instance.get('tags', []))
        if not os.path.isdir(path):
            self.service_check('can_access', self.CRITICAL, tags=tags, message='{} is not a folder'.format(path))
            raise ValueError('{} is not a folder'.format(path))

        files = dirs = size = 0
        biggest = 0
        for root, subdirs, names in os.walk(path, onerror=lambda e: self.warning('cannot read %s', e.filename)):
            dirs += len(subdirs)
            for name in names:
                try:
                    st = os.lstat(os.path.join(root, name))
                except OSError:
                    continue
                files += 1
                size += st.st_size
                biggest = max(biggest, st.st_size)
            if not recursive:
                break
        self.gauge('files', files, tags=tags)
        self.gauge('folders', dirs, tags=tags)
        self.gauge('bytes', size, tags=tags)
        self.gauge('biggest_file_bytes', biggest, tags=tags)

        # `du` counts allocated blocks, which the walk above cannot see
        out, err, code = get_subprocess_output(['du', '-s', '-k', path], raise_on_empty=False)
        if out and out.split():
            self.gauge('disk_usage_bytes', int(out.split()[0]) * 1024, tags=tags)
        if code != 0:
            self.warning('du exited with %s: %s', code, (err or '').strip().splitlines()[-1:] or '')
        self.service_check('can_access', self.OK, tags=tags)
