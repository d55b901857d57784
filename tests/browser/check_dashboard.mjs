#!/usr/bin/env node
// Checks the dashboard (SPEC §9 `GET /`) in a real browser: Debian's Chromium, headless, driven
// over the DevTools protocol by playwright-core, against a running status endpoint (the daemon,
// or for development tests/browser/dev_server.mjs). Run it through run_check.sh, which installs
// playwright-core first when needed. Arguments (or the environment variable beside each):
//
//   --base-url URL         MISYNC_BASE_URL         e.g. http://127.0.0.1:8750 (required)
//   --admin-token T        MISYNC_ADMIN_TOKEN      a token of scope admin (required)
//   --school-token D:T     MISYNC_SCHOOL_TOKEN     a token of scope school:D, with its school (required)
//   --wrong-token T        MISYNC_WRONG_TOKEN      a token the endpoint refuses (default: a random one)
//   --out DIR              MISYNC_SCREENSHOT_DIR   where the screenshots go (default: the working folder)
//   --timeout SECONDS      MISYNC_BROWSER_TIMEOUT  the whole check's limit (default 120)
//   --chromium PATH        CHROMIUM                the browser (default /usr/bin/chromium)
//
// What it checks, with the API's own answers (read here with the same tokens) as the truth:
//   wrong token  the prompt comes back with an error, and the token is not kept;
//   admin        one card per school of GET /api/v1/schools, each with the flags the API reports
//                (held: "approve run N"), the outcome of its last run, when it last ran, and a
//                chart and table of GET /api/v1/schools/{D}/runs?limit=30; the token is in
//                sessionStorage only (not the address, not localStorage, not a cookie); a reload
//                keeps the session, "Forget token" ends it;
//   school:D     only school D, and no other school's name or number anywhere on the page;
//   always       no request to another origin, no console error, no CSP violation, every form
//                control labelled, the token field reachable from the keyboard.
// Screenshots: dashboard-wrong-token.png, dashboard-admin.png, dashboard-school.png in --out.
// Prints "ok: …"/"FAIL: …" per check and a closing "N passed, N failed".
// Exit status: 0 every check passed, 1 a check failed, 2 usage, 3 timeout or the browser could
// not be started.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

const USAGE = 'usage: check_dashboard.mjs --base-url URL --admin-token T --school-token D:T '
  + '[--wrong-token T] [--out DIR] [--timeout SECONDS] [--chromium PATH]';

// ---- arguments ----------------------------------------------------------------------------------

function parseArgs(argv) {
  const env = process.env;
  const opts = {
    baseUrl: env.MISYNC_BASE_URL, adminToken: env.MISYNC_ADMIN_TOKEN, schoolToken: env.MISYNC_SCHOOL_TOKEN,
    wrongToken: env.MISYNC_WRONG_TOKEN, out: env.MISYNC_SCREENSHOT_DIR || '.',
    timeout: env.MISYNC_BROWSER_TIMEOUT || '120', chromium: env.CHROMIUM || '/usr/bin/chromium',
  };
  const names = { '--base-url': 'baseUrl', '--admin-token': 'adminToken', '--school-token': 'schoolToken',
    '--wrong-token': 'wrongToken', '--out': 'out', '--timeout': 'timeout', '--chromium': 'chromium' };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const key = names[flag];
    if (!key) usage(`unknown argument ${argv[i]}`);
    const value = inline !== undefined ? inline : argv[++i];
    if (value === undefined) usage(`${flag} needs a value`);
    opts[key] = value;
  }
  if (!opts.baseUrl) usage('--base-url (or MISYNC_BASE_URL) is required');
  if (!opts.adminToken) usage('--admin-token (or MISYNC_ADMIN_TOKEN) is required');
  if (!opts.schoolToken) usage('--school-token (or MISYNC_SCHOOL_TOKEN) is required');
  const m = /^(\d{7}):(.+)$/s.exec(opts.schoolToken);
  if (!m) usage('--school-token must be DFES:TOKEN, e.g. 6612345:abc…');
  opts.school = m[1];
  opts.schoolToken = m[2];
  opts.wrongToken = opts.wrongToken || `wrong-${randomBytes(16).toString('hex')}`;
  opts.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  opts.origin = new URL(opts.baseUrl).origin;
  opts.timeout = Number(opts.timeout);
  if (!(opts.timeout > 0)) usage('--timeout must be a number of seconds');
  opts.out = resolve(opts.out);
  return opts;
}

function usage(message) {
  console.error(`check_dashboard: ${message}\n${USAGE}`);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));

// ---- reporting ----------------------------------------------------------------------------------

let passed = 0;
let failed = 0;
function check(ok, what, detail) {
  if (ok) {
    passed += 1;
    console.log(`ok: ${what}`);
  } else {
    failed += 1;
    console.log(`FAIL: ${what}${detail !== undefined ? `: ${detail}` : ''}`);
  }
  return ok;
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const sortedSet = (xs) => [...new Set(xs)].sort();

let browser = null;
const deadline = setTimeout(async () => {
  console.log(`FAIL: the check did not finish within ${opts.timeout} s`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  try { if (browser) await browser.close(); } catch { /* ending anyway */ }
  process.exit(3);
}, opts.timeout * 1000);

// ---- the API's own answers ----------------------------------------------------------------------

async function apiGet(path, token) {
  const response = await fetch(`${opts.baseUrl}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  let body = null;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: response.status, body, headers: response.headers };
}
const schoolsOf = (body) => (Array.isArray(body) ? body : (body && body.schools) || []);

// ---- the browser --------------------------------------------------------------------------------

async function launch() {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    console.log(`FAIL: playwright-core is not installed (npm ci --prefix tests/browser): ${e.message}`);
    process.exit(3);
  }
  if (!existsSync(opts.chromium)) {
    console.log(`FAIL: no browser at ${opts.chromium} (Debian package chromium; scripts/deps.sh installs it)`);
    process.exit(3);
  }
  try {
    // The flags of the machine notes: no sandbox (root), no GPU, and none of Chromium's own
    // background connections, which the closed network refuses.
    return await chromium.launch({
      executablePath: opts.chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (e) {
    console.log(`FAIL: could not start ${opts.chromium}: ${e.message}`);
    process.exit(3);
  }
}

// A fresh browser context (its own empty storage) watching what the page does.
async function openPage(label) {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 }, locale: 'en-GB', timezoneId: 'Europe/London',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`script error: ${err.message}`));
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(`${opts.origin}/`) && url !== opts.origin) problems.push(`request to another origin: ${url}`);
  });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { context, page, problems, label };
}

async function closePage({ context, page, problems, label }, allowed = []) {
  const csp = await page.evaluate(() => window.__cspViolations).catch(() => []);
  const all = problems.concat(csp.map((v) => `CSP violation: ${v}`))
    .filter((p) => !allowed.some((re) => re.test(p)));
  check(all.length === 0, `${label}: no console errors, CSP violations or requests elsewhere`, all.join('; '));
  await context.close();
}

const tokenStorage = (page) => page.evaluate(() => ({
  session: sessionStorage.getItem('misync.token'),
  local: Object.keys(localStorage).length,
  cookie: document.cookie,
}));

async function login(page, token) {
  await page.getByLabel('Access token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Show status' }).click();
}

const cards = (page) => page.locator('article[data-school]');

// Labels and keyboard: every visible form control has a label, and Tab reaches the token field.
async function accessibility(page, label) {
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
    .filter((n) => n.offsetParent !== null)
    .filter((n) => {
      if (n.tagName === 'BUTTON') return !n.textContent.trim() && !n.getAttribute('aria-label');
      return !(n.labels && n.labels.length) && !n.getAttribute('aria-label') && !n.getAttribute('aria-labelledby');
    })
    .map((n) => n.id || n.outerHTML.slice(0, 60)));
  check(unlabelled.length === 0, `${label}: every form control has a label`, unlabelled.join(', '));
  const charts = await page.evaluate(() => [...document.querySelectorAll('.plot')]
    .filter((n) => !n.getAttribute('aria-label')).length);
  check(charts === 0, `${label}: every chart has a text alternative`, `${charts} without`);
}

// ---- the checks ---------------------------------------------------------------------------------

async function checkWrongToken() {
  const api = await apiGet('/api/v1/schools', opts.wrongToken);
  check(api.status === 401, 'the API refuses the wrong token with 401', `got ${api.status}`);

  const p = await openPage('wrong token');
  const { page } = p;
  const response = await page.goto(`${opts.baseUrl}/`);
  check(response && response.status() === 200, 'GET / serves the page', response && response.status());
  const csp = response ? response.headers()['content-security-policy'] || '' : '';
  check(/default-src 'self'/.test(csp), "the page is served with Content-Security-Policy: default-src 'self'", csp || 'none');
  await page.getByLabel('Access token', { exact: true }).waitFor({ state: 'visible' });
  check(true, 'the page asks for a token');

  // From the keyboard: the first Tabs reach the token field.
  let reached = false;
  for (let i = 0; i < 6 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement && document.activeElement.id === 'token');
  }
  check(reached, 'Tab reaches the token field');
  await page.keyboard.type(opts.wrongToken);
  await page.keyboard.press('Enter');
  const error = page.locator('#login-error');
  await error.waitFor({ state: 'visible' }).catch(() => {});
  const errorText = (await error.isVisible()) ? await error.textContent() : '';
  check(/not accepted/i.test(errorText), 'a wrong token brings the prompt back with an error', errorText || 'no error shown');
  check(await page.getByLabel('Access token', { exact: true }).isVisible(), 'the token field is shown again');
  check(!(await page.locator('#dashboard').isVisible()), 'no school is shown for a wrong token');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  check(focused === 'token', 'the token field has the focus after the error', focused);
  const stored = await tokenStorage(page);
  check(stored.session === null && stored.local === 0, 'a refused token is not kept', JSON.stringify(stored));
  check(!page.url().includes(opts.wrongToken), 'the token is not in the address', page.url());
  await accessibility(page, 'token prompt');
  await page.screenshot({ path: `${opts.out}/dashboard-wrong-token.png`, fullPage: true });
  // The browser logs the refused request (401) itself; that is the expected answer here.
  await closePage(p, [/status of 401/]);
}

async function checkSchoolCard(page, school, token) {
  const d = String(school.school);
  const card = page.locator(`article[data-school="${d}"]`);
  const where = `admin: school ${d}`;
  if (!check((await card.count()) === 1, `${where} has a card`)) return;
  await card.scrollIntoViewIfNeeded();
  const heading = await card.locator('h2').textContent();
  check(heading.includes(d) && (!school.name || heading.includes(school.name)), `${where}: heading names it`, heading);

  const flags = await card.locator('[data-flag]').evaluateAll((ns) => ns.map((n) => n.dataset.flag));
  check(same(sortedSet(flags), sortedSet(school.flags || [])), `${where}: flags ${JSON.stringify(school.flags || [])} as the API reports`,
    JSON.stringify(flags));
  const cardText = (await card.textContent()).replace(/\s+/g, ' ');
  if ((school.flags || []).includes('held')) {
    check(cardText.includes(`approve run ${school.held_run}`), `${where}: says it waits for approval of run ${school.held_run}`);
  }
  if ((school.flags || []).includes('failed') && school.consecutive_failures > 1) {
    check(cardText.includes(`last ${school.consecutive_failures} runs failed`), `${where}: says how many runs failed`);
  }
  for (const flag of school.flags || []) {
    const help = await card.locator(`[data-flag="${flag}"] .flag-help`).count();
    check(help === 1 || !['held', 'stale', 'failed', 'no_digital_champion'].includes(flag),
      `${where}: flag ${flag} is explained`);
  }

  const outcome = await card.locator('.status').getAttribute('data-outcome');
  const last = school.last_run;
  check(outcome === (last ? last.outcome : 'none'), `${where}: shows the last run's outcome (${last ? last.outcome : 'not run yet'})`, outcome);
  if (last) {
    const datetime = await card.locator('.last-ran time').getAttribute('datetime').catch(() => null);
    check(datetime === (last.finished_at || last.started_at), `${where}: shows when it last ran`, datetime);
    const relative = await card.locator('.last-ran time').textContent().catch(() => '');
    check(/ago|just now|yesterday|today|in /.test(relative), `${where}: says how long ago`, relative);

    const runs = await apiGet(`/api/v1/schools/${d}/runs?limit=30`, token);
    check(runs.status === 200 && Array.isArray(runs.body && runs.body.runs), `${where}: the API lists its runs`, runs.status);
    const apiRuns = (runs.body && runs.body.runs) || [];
    const figure = card.locator('figure.chart');
    await page.waitForFunction((el) => el.dataset.state !== 'waiting', await figure.elementHandle(), { timeout: 15000 })
      .catch(() => {});
    const state = await figure.getAttribute('data-state');
    if (apiRuns.length) {
      check(state === 'drawn', `${where}: the chart of recent runs is drawn`, state);
      check((await figure.locator('canvas').count()) >= 1, `${where}: the chart is on a canvas`);
      const rows = await figure.locator('tbody tr').evaluateAll((ns) => ns.map((n) => Number(n.dataset.run)));
      check(same(rows, apiRuns.map((r) => r.run_id)), `${where}: the table lists the ${apiRuns.length} runs the API gives`,
        JSON.stringify(rows));
      const label = await figure.locator('.plot').getAttribute('aria-label');
      // Only applied runs changed anything; a held run's counts are what it would have done.
      const created = apiRuns.filter((r) => r.outcome === 'applied' || r.outcome === 'no_change')
        .reduce((n, r) => n + (r.counts.create || 0), 0);
      check(label && label.includes(`${created} created`), `${where}: the chart's text says ${created} created (applied runs)`, label);
      const held = apiRuns.filter((r) => r.outcome === 'held').length;
      if (held) check(label.includes(`${held} held`), `${where}: the chart's text counts ${held} held run(s)`, label);
    } else {
      check(state === 'empty', `${where}: says there are no runs`, state);
    }
  } else {
    check(/not run yet/i.test(cardText), `${where}: says it has not run yet`);
  }
}

async function checkAdmin() {
  const api = await apiGet('/api/v1/schools', opts.adminToken);
  if (!check(api.status === 200, 'the API answers the admin token', `got ${api.status}`)) return [];
  const schools = schoolsOf(api.body);
  check(schools.length > 0, 'the admin token sees schools', schools.length);

  const p = await openPage('admin');
  const { page } = p;
  await page.goto(`${opts.baseUrl}/`);
  await login(page, opts.adminToken);
  await page.locator('#dashboard').waitFor({ state: 'visible' });
  await page.waitForFunction((n) => document.querySelectorAll('article[data-school]').length === n, schools.length)
    .catch(() => {});
  const shown = await cards(page).evaluateAll((ns) => ns.map((n) => n.dataset.school));
  check(same(sortedSet(shown), sortedSet(schools.map((s) => String(s.school)))), `admin: shows every school (${schools.length})`,
    JSON.stringify(shown));
  for (const school of schools) await checkSchoolCard(page, school, opts.adminToken);

  const stored = await tokenStorage(page);
  check(stored.session === opts.adminToken, 'admin: the token is kept in sessionStorage');
  check(stored.local === 0 && !stored.cookie.includes(opts.adminToken), 'admin: and not in localStorage or a cookie', JSON.stringify(stored));
  check(!page.url().includes(opts.adminToken), 'admin: the token is not in the address', page.url());
  await accessibility(page, 'admin');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${opts.out}/dashboard-admin.png`, fullPage: true });

  // A reload keeps the session; "Forget token" ends it.
  await page.reload();
  await page.locator('#dashboard').waitFor({ state: 'visible' }).catch(() => {});
  check(await page.locator('#dashboard').isVisible(), 'admin: a reload shows the schools without asking again');
  await page.getByRole('button', { name: 'Forget token' }).click();
  await page.getByLabel('Access token', { exact: true }).waitFor({ state: 'visible' }).catch(() => {});
  check(await page.getByLabel('Access token', { exact: true }).isVisible(), 'admin: "Forget token" asks for a token again');
  check((await tokenStorage(page)).session === null, 'admin: "Forget token" removes it from the tab');
  await closePage(p);
  return schools;
}

async function checkSchoolToken(allSchools) {
  const api = await apiGet('/api/v1/schools', opts.schoolToken);
  if (!check(api.status === 200, `the API answers the school:${opts.school} token`, `got ${api.status}`)) return;
  const visible = schoolsOf(api.body).map((s) => String(s.school));
  check(same(visible, [opts.school]), `the API shows the school:${opts.school} token only its school`, JSON.stringify(visible));

  const p = await openPage(`school:${opts.school}`);
  const { page } = p;
  await page.goto(`${opts.baseUrl}/`);
  await login(page, opts.schoolToken);
  await page.locator('#dashboard').waitFor({ state: 'visible' });
  await page.locator('article[data-school]').first().waitFor().catch(() => {});
  const shown = await cards(page).evaluateAll((ns) => ns.map((n) => n.dataset.school));
  check(same(shown, [opts.school]), `school:${opts.school}: shows only its school`, JSON.stringify(shown));
  const mine = schoolsOf(api.body).find((s) => String(s.school) === opts.school);
  if (mine && mine.last_run) {
    const figure = page.locator('figure.chart');
    await page.waitForFunction((el) => el.dataset.state !== 'waiting', await figure.elementHandle(), { timeout: 15000 })
      .catch(() => {});
    check((await figure.getAttribute('data-state')) === 'drawn', `school:${opts.school}: its chart is drawn`);
  }
  const text = await page.locator('body').textContent();
  const leaks = allSchools.filter((s) => String(s.school) !== opts.school)
    .filter((s) => text.includes(String(s.school)) || (s.name && text.includes(s.name)))
    .map((s) => s.school);
  check(leaks.length === 0, `school:${opts.school}: no other school's name or number on the page`, JSON.stringify(leaks));
  check(!(await page.locator('#filters').isVisible()), `school:${opts.school}: no school search for one school`);
  await accessibility(page, `school:${opts.school}`);
  await page.screenshot({ path: `${opts.out}/dashboard-school.png`, fullPage: true });
  await closePage(p);
}

async function main() {
  mkdirSync(opts.out, { recursive: true });
  const health = await apiGet('/healthz').catch((e) => ({ status: 0, error: e }));
  if (health.status !== 200) {
    console.log(`FAIL: ${opts.baseUrl}/healthz does not answer: ${health.error ? health.error.message : health.status}`);
    console.log(`${passed} passed, ${failed + 1} failed`);
    process.exit(3);
  }
  browser = await launch();
  try {
    await checkWrongToken();
    const schools = await checkAdmin();
    await checkSchoolToken(schools);
  } catch (e) {
    check(false, 'the checks ran to the end', e.stack || e.message);
  } finally {
    await browser.close().catch(() => {});
  }
  clearTimeout(deadline);
  console.log(`screenshots in ${opts.out}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
