#!/usr/bin/python3
"""Differential test of rtlc-yaml2json against Debian's PyYAML (python3-yaml).

usage: yamldiff.py RTLC_YAML2JSON CORPUS_DIR

  exact/*.yaml       the JSON text must give exactly yaml.safe_load(file) through BOTH
                     json.loads and yaml.safe_load (types compared strictly: True is not 1,
                     1.0 is not 1, floats bit for bit)
  documented/*.yaml  JSON cannot carry these (timestamps, non-string keys): the result must
                     equal the sidecar NAME.expected.json, through both parsers again
  stricter/*.yaml    libyaml follows the YAML spec where PyYAML is lenient (a multi-line
                     implicit key): the converter must refuse with "file:line:column:"
  error/*.yaml       the converter must refuse with exit status 1 and a "file:line:column:"
                     message (never crash); PyYAML must refuse too, or build something JSON
                     cannot hold (NaN, bytes, sets, recursion, custom tags)
Prints one line per file and "N passed, M failed"; exits 1 on any failure.
"""
import json
import math
import os
import re
import struct
import subprocess
import sys

import yaml


def same(a, b, path='$'):
    """Strict structural equality; returns None or a description of the first difference."""
    if type(a) is not type(b):
        return '{}: type {} != {} ({!r} vs {!r})'.format(path, type(a).__name__, type(b).__name__, a, b)
    if isinstance(a, float):
        if struct.pack('<d', a) != struct.pack('<d', b) and not (math.isnan(a) and math.isnan(b)):
            return '{}: {!r} != {!r}'.format(path, a, b)
        return None
    if isinstance(a, dict):
        if set(a) != set(b):
            return '{}: keys {} != {}'.format(path, sorted(map(repr, a)), sorted(map(repr, b)))
        for k in a:
            d = same(a[k], b[k], '{}[{!r}]'.format(path, k))
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return '{}: length {} != {}'.format(path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = same(x, y, '{}[{}]'.format(path, i))
            if d:
                return d
        return None
    return None if a == b else '{}: {!r} != {!r}'.format(path, a, b)


def convert(tool, path):
    p = subprocess.run([tool, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout.decode('utf-8'), p.stderr.decode('utf-8', 'replace')


def check_both(text, expected):
    d = same(expected, json.loads(text))
    if d:
        return 'json.loads: ' + d
    d = same(expected, yaml.safe_load(text))
    if d:
        return 'yaml.safe_load: ' + d
    return None


def main():
    tool, corpus = sys.argv[1], sys.argv[2]
    passed = failed = 0

    def report(name, problem):
        nonlocal passed, failed
        if problem:
            failed += 1
            print('FAIL {}: {}'.format(name, problem))
        else:
            passed += 1
            print('ok   {}'.format(name))

    for sub in ('exact', 'documented', 'error', 'stricter'):
        d = os.path.join(corpus, sub)
        for name in sorted(os.listdir(d)):
            if not name.endswith('.yaml'):
                continue
            path = os.path.join(d, name)
            label = sub + '/' + name
            rc, out, err = convert(tool, path)
            if sub in ('error', 'stricter'):
                if rc != 1 or not re.search(re.escape(path) + r':\d+:\d+: ', err):
                    report(label, 'want exit 1 and "file:line:col:", got {} {!r}'.format(rc, err))
                    continue
                if sub == 'stricter':
                    report(label, None)
                    continue
                try:
                    with open(path, 'rb') as f:
                        obj = yaml.safe_load(f)
                    representable = same(obj, json.loads(json.dumps(obj, allow_nan=False))) is None
                except Exception:
                    representable = False
                report(label, 'PyYAML loads it into plain JSON data' if representable else None)
                continue
            if rc != 0:
                report(label, 'converter failed: ' + err.strip())
                continue
            if sub == 'exact':
                try:
                    with open(path, 'rb') as f:
                        expected = yaml.safe_load(f)
                except yaml.YAMLError as e:
                    report(label, 'corpus file is not valid for PyYAML: {}'.format(e))
                    continue
            else:
                with open(path[:-len('.yaml')] + '.expected.json') as f:
                    expected = json.load(f)
            try:
                report(label, check_both(out, expected))
            except Exception as e:  # the JSON text did not even parse
                report(label, '{}: {} in {!r}'.format(type(e).__name__, e, out[:200]))
    print('{} passed, {} failed'.format(passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
