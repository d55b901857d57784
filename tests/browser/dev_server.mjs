#!/usr/bin/env node
// DEVELOPMENT AID ONLY — not part of misync and not the status API.
//
// A stand-in for the daemon's status endpoint (SPEC §9) while the real one is being built: it
// serves the dashboard's files straight from status/dashboard/ (edit and reload) and fixed JSON
// in the shapes of GET /api/v1/schools and GET /api/v1/schools/{D}/runs, with made-up schools
// whose times are relative to when the server started. It also answers like the real endpoint is
// specified to: 401 without a known bearer token, 403 for another school's runs, the page under
// Content-Security-Policy: default-src 'self'.
//
//   node tests/browser/dev_server.mjs [--host 127.0.0.1] [--port 8751]
//
// Tokens: "dev-admin" (scope admin) and "dev-school-6612345" (scope school:6612345); anything
// else is refused. --port 0 picks a free port. The first line on stdout is
// "listening on http://HOST:PORT", for scripts that start it (tests/browser/run_check.sh).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dashboardDir = join(here, '..', '..', 'status', 'dashboard');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const host = option('--host', '127.0.0.1');
const port = Number(option('--port', '8751'));

const TOKENS = {
  'dev-admin': 'admin',
  'dev-school-6612345': 'school:6612345',
};

// ---- fixed data ---------------------------------------------------------------------------------

const start = Date.now();
const HOUR = 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const day = (ms) => iso(ms).slice(0, 10);

const COUNT_KEYS = ['create', 'update', 'rename', 'transfer', 'deactivate', 'reactivate', 'purge',
  'awaiting_transfer', 'rejected', 'group_create', 'group_update', 'group_archive',
  'membership_add', 'membership_remove'];
const counts = (given) => Object.fromEntries(COUNT_KEYS.map((k) => [k, given[k] || 0]));

let nextRunId = 1;
// A school's runs, oldest first, one a day at 06:30 ending `lastAgo` hours before start.
function history(school, n, lastAgoHours, shape) {
  const runs = [];
  for (let i = 0; i < n; i += 1) {
    const startedMs = start - lastAgoHours * HOUR - (n - 1 - i) * 24 * HOUR;
    const { outcome, c, errors = [], warnings = [] } = shape(i, n);
    runs.push({
      run_id: nextRunId++,
      school,
      outcome,
      trigger: i % 5 === 0 ? 'file' : 'schedule',
      as_of: day(startedMs),
      started_at: iso(startedMs),
      finished_at: iso(startedMs + 42 * 1000),
      source: { connector: 'sims-xml', files: [{ name: 'students.xml', sha256: 'f'.repeat(64), records: 812 }] },
      counts: counts(c),
      warnings,
      errors,
    });
  }
  return runs;
}

const SCHOOLS = [
  { school: '6612345', name: 'Ysgol Enghraifft', digital_champions: 2, flags: [],
    runs: history('6612345', 24, 2, (i) => ({
      outcome: i % 4 === 3 ? 'no_change' : 'applied',
      c: i % 4 === 3 ? {} : { create: (i * 7) % 9, deactivate: (i * 3) % 4, rejected: i % 6 === 0 ? 1 : 0, update: 4 },
    })) },
  { school: '6615678', name: "St Mary's RC Primary", digital_champions: 1, flags: ['held'],
    runs: history('6615678', 12, 5, (i, n) => (i === n - 1
      ? { outcome: 'held', c: { deactivate: 131, create: 2 } }
      : { outcome: 'applied', c: { create: i % 3, deactivate: i % 2 } })) },
  { school: '6620001', name: 'Ysgol y Graig', digital_champions: 1, flags: ['stale', 'failed'],
    runs: history('6620001', 9, 3, (i, n) => (i >= n - 3
      ? { outcome: 'failed', c: {}, errors: [{ code: 'wrong_school', file: 'school.ctf', record: 0, message: 'the file is for another school' }] }
      : { outcome: 'applied', c: { create: 1, rejected: 2 } })) },
  { school: '6630002', name: 'Cwm Primary', digital_champions: 0, flags: ['no_digital_champion'],
    runs: history('6630002', 5, 26, () => ({ outcome: 'no_change', c: {} })) },
  { school: '6640003', name: 'Ysgol Newydd', digital_champions: 0, flags: [], runs: [] },
];
// The held school's run is what held_run names; the failing school has its failures counted.
for (const s of SCHOOLS) {
  const newest = s.runs[s.runs.length - 1];
  const successes = s.runs.filter((r) => r.outcome === 'applied' || r.outcome === 'no_change');
  s.held_run = newest && newest.outcome === 'held' ? newest.run_id : null;
  s.last_success_at = successes.length ? successes[successes.length - 1].finished_at : null;
  let failures = 0;
  for (let i = s.runs.length - 1; i >= 0 && s.runs[i].outcome === 'failed'; i -= 1) failures += 1;
  s.consecutive_failures = failures;
  s.stale = s.flags.includes('stale');
  s.next_run_at = s.school === '6640003' ? null : iso(start + 20 * HOUR);
}

function schoolView(s) {
  const newest = s.runs[s.runs.length - 1];
  return {
    school: s.school,
    name: s.name,
    last_run: newest ? {
      run_id: newest.run_id, outcome: newest.outcome, as_of: newest.as_of,
      started_at: newest.started_at, finished_at: newest.finished_at, counts: newest.counts,
    } : null,
    last_success_at: s.last_success_at,
    consecutive_failures: s.consecutive_failures,
    held_run: s.held_run,
    stale: s.stale,
    digital_champions: s.digital_champions,
    next_run_at: s.next_run_at,
    flags: s.flags,
  };
}

// ---- HTTP ---------------------------------------------------------------------------------------

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8' };

function send(res, status, type, body) {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}
const json = (res, status, value) => send(res, status, 'application/json', JSON.stringify(value));

function scopeOf(req) {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization || '');
  return m ? TOKENS[m[1]] : undefined;
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const path = url.pathname;
  if (req.method !== 'GET') return json(res, 405, { error: 'method not allowed' });
  if (path === '/healthz') return json(res, 200, { status: 'ok' });

  if (path.startsWith('/api/')) {
    const scope = scopeOf(req);
    if (!scope) return json(res, 401, { error: 'unauthorized' });
    const visible = SCHOOLS.filter((s) => scope === 'admin' || scope === `school:${s.school}`);
    if (path === '/api/v1/schools') return json(res, 200, { schools: visible.map(schoolView) });
    const m = /^\/api\/v1\/schools\/(\d{7})\/runs$/.exec(path);
    if (m) {
      const s = visible.find((x) => x.school === m[1]);
      if (!s) return json(res, 403, { error: 'forbidden' });
      const limit = Math.min(Number(url.searchParams.get('limit') || 20), 100);
      const before = Number(url.searchParams.get('before') || Infinity);
      const runs = s.runs.filter((r) => r.run_id < before).slice().reverse().slice(0, limit);
      return json(res, 200, { runs });
    }
    return json(res, 404, { error: 'not found' });
  }

  const name = path === '/' ? 'index.html' : path.slice(1);
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return send(res, 404, 'text/plain', 'not found');
  try {
    const body = await readFile(join(dashboardDir, name));
    const ext = name.slice(name.lastIndexOf('.'));
    return send(res, 200, TYPES[ext] || 'application/octet-stream', body);
  } catch {
    return send(res, 404, 'text/plain', 'not found');
  }
});

server.listen(port, host, () => {
  const address = server.address();
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  console.log(`listening on http://${shownHost}:${address.port}`);
  console.log('DEVELOPMENT AID ONLY: fixed data; tokens dev-admin, dev-school-6612345');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
