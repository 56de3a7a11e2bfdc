"""Cut a `jfr print --events jdk.ExecutionSample` dump by the benchmark's wrk windows.

usage: jfrcut.py DUMP BENCHLOG SCENARIO [pattern...]
Prints the event-loop sample count in SCENARIO's measured (10 s) windows and the inclusive
share of frames matching each pattern (or the top frames when none given).
"""
import re, sys, collections, datetime, os
DAY = os.environ.get('DAY', '2026-12-04')
dump, log, scenario, *patterns = sys.argv[1:]
windows = []
for line in open(log):
    m = re.match(r'wrk: (.*) from (\S+)Z for (\d+) s', line)
    if m and m.group(1) == scenario and m.group(3) == '10':
        start = datetime.datetime.fromisoformat(m.group(2)[:26])
        windows.append((start, start + datetime.timedelta(seconds=int(m.group(3)))))
windows = windows[:-1] if len(windows) > 2 else windows  # paced run reuses the name
samples = []
cur = None
for line in open(dump):
    if line.startswith('jdk.ExecutionSample'):
        cur = {'frames': []}
    elif cur is not None:
        s = line.strip()
        if s.startswith('startTime'):
            m = re.search(r'(\d\d:\d\d:\d\d\.\d+)', s)
            cur['t'] = datetime.datetime.fromisoformat(DAY + 'T' + m.group(1))
        elif s.startswith('sampledThread'):
            cur['thread'] = s
        elif s.startswith('line:') or re.match(r'^[\w$.<>]+\(.*\)', s):
            cur['frames'].append(s)
        elif s == '}':
            samples.append(cur); cur = None
sel = [x for x in samples if 'vert.x-eventloop' in x.get('thread', '') and any(a <= x['t'] < b for a, b in windows)]
print(scenario, 'windows', len(windows), 'event-loop samples', len(sel))
if patterns:
    for p in patterns:
        n = sum(1 for x in sel if any(p in f for f in x['frames']))
        print(f'{100*n/max(1,len(sel)):5.1f}%  {p}')
else:
    top = collections.Counter(x['frames'][0].split('line:')[0].strip() for x in sel if x['frames'])
    for f, n in top.most_common(25):
        print(f'{100*n/len(sel):5.1f}%  {f}')
    incl = collections.Counter()
    for x in sel:
        for f in set(fr.split('line:')[0].strip().split('(')[0] for fr in x['frames']):
            incl[f] += 1
    print('--- inclusive, com.cartgateway')
    for f, n in incl.most_common(400):
        if 'cartgateway' in f:
            print(f'{100*n/len(sel):5.1f}%  {f}')
if os.environ.get('CALLERS'):
    target = os.environ['CALLERS']
    callers = collections.Counter()
    for x in sel:
        fr = [f.split('line:')[0].strip() for f in x['frames']]
        for i, f in enumerate(fr):
            if target in f:
                callers[' <- '.join(fr[i + 1:i + 5])] += 1
                break
    print('--- callers of', target)
    for c, n in callers.most_common(12):
        print(f'{100*n/len(sel):5.1f}%  {c}')
