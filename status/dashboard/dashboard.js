// The misync dashboard (SPEC §9 `GET /`): per school, when the provisioning client last ran,
// whether that succeeded, its flags in plain words and a chart of its recent runs. The page is
// static and holds no data: it asks for a bearer token, keeps it in sessionStorage only (never in
// the address, never in local storage or a cookie), and reads the API with it:
//   GET /api/v1/schools                     every school the token may see
//   GET /api/v1/schools/{D}/runs?limit=30   a school's recent runs, newest first
// Served with `Content-Security-Policy: default-src 'self'`: no inline script or style, nothing
// from another origin. Text from the API is only ever set as textContent.
'use strict';

(() => {
  const TOKEN_KEY = 'misync.token';
  const RUNS_LIMIT = 30;
  const REFRESH_MS = 60 * 1000;
  const CHART_HEIGHT = 170;
  const MAX_PARALLEL_RUN_LOADS = 4;
  const SERIES = [
    { key: 'create', label: 'Created', colour: '#0b5cad' },
    { key: 'deactivate', label: 'Deactivated', colour: '#a35200' },
    { key: 'rejected', label: 'Rejected', colour: '#a4177a' },
  ];
  // Runs that changed nothing, marked in the chart by a tinted column and a letter.
  const MARKS = [
    { outcome: 'held', letter: 'H', label: 'Held, not applied', words: 'held', colour: '#7a4700', tint: 'rgba(194, 124, 14, 0.18)' },
    { outcome: 'failed', letter: 'F', label: 'Failed', words: 'failed', colour: '#a1001d', tint: 'rgba(161, 0, 29, 0.12)' },
    { outcome: 'interrupted', letter: 'I', label: 'Interrupted', words: 'interrupted', colour: '#a1001d', tint: 'rgba(161, 0, 29, 0.12)' },
    { outcome: 'planned', letter: 'T', label: 'Trial run', words: 'trial runs', colour: '#3d4a5c', tint: 'rgba(61, 74, 92, 0.12)' },
  ];
  const byId = (id) => document.getElementById(id);

  // ---- small helpers -----------------------------------------------------------------------

  // el('p', {class: 'x', dataset: {school: '1'}}, 'text', child…): text children become text
  // nodes, so nothing from the API is ever parsed as HTML.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'dataset') Object.assign(node.dataset, value);
      else if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const plural = (n, one, many) => `${n} ${n === 1 ? one : many || one + 's'}`;

  const absoluteFormat = new Intl.DateTimeFormat('en-GB', {
    weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
    hour: '2-digit', minute: '2-digit',
  });
  const shortFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' });
  const timeOnly = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
  const relativeFormat = new Intl.RelativeTimeFormat('en-GB', { numeric: 'auto' });

  function parseTime(iso) {
    if (!iso) return null;
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? null : d;
  }

  // "2 hours ago", "in 5 hours", "yesterday".
  function relative(date, now) {
    const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
    const abs = Math.abs(seconds);
    if (abs < 45) return seconds <= 0 ? 'just now' : 'in a moment';
    const units = [
      ['minute', 60, 3600], ['hour', 3600, 86400], ['day', 86400, 86400 * 30],
      ['month', 86400 * 30, 86400 * 365], ['year', 86400 * 365, Infinity],
    ];
    for (const [unit, size, limit] of units) {
      if (abs < limit) return relativeFormat.format(Math.round(seconds / size), unit);
    }
    return absoluteFormat.format(date);
  }

  // <time datetime=ISO>2 hours ago</time> (Sat 28 Nov 2026, 06:30); refreshed every minute.
  function when(iso) {
    const date = parseTime(iso);
    if (!date) return el('span', { class: 'unknown' }, 'unknown');
    return el('span', { class: 'when' },
      el('time', { datetime: iso, title: date.toISOString(), dataset: { rel: iso } },
        relative(date, new Date())),
      ` (${absoluteFormat.format(date)})`);
  }

  function refreshRelativeTimes() {
    const now = new Date();
    for (const node of document.querySelectorAll('time[data-rel]')) {
      const date = parseTime(node.dataset.rel);
      if (date) node.textContent = relative(date, now);
    }
  }

  // ---- the API -------------------------------------------------------------------------------

  class Unauthorized extends Error {}
  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) throw new Unauthorized('no token');
    let response;
    try {
      response = await fetch(path, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch (e) {
      throw new ApiError(0, 'the status endpoint did not answer');
    }
    if (response.status === 401) throw new Unauthorized('token not accepted');
    if (!response.ok) throw new ApiError(response.status, `the status endpoint answered ${response.status}`);
    return response.json();
  }

  // ---- token prompt --------------------------------------------------------------------------

  function showLogin(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    stopRefresh();
    byId('dashboard').hidden = true;
    byId('toolbar').hidden = true;
    byId('schools').replaceChildren();
    runCache.clear();
    const error = byId('login-error');
    error.textContent = message || '';
    error.hidden = !message;
    byId('login').hidden = false;
    const input = byId('token');
    input.value = '';
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    input.focus();
  }

  function onLogin(event) {
    event.preventDefault();
    const input = byId('token');
    const token = input.value.trim();
    input.value = '';
    if (!token) {
      showLogin('Enter the access token first.');
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    load({ fromLogin: true });
  }

  // ---- what a school's state means -------------------------------------------------------------

  const OUTCOMES = {
    applied: { tone: 'ok', title: 'Succeeded', detail: 'changes were applied to Hwb accounts.' },
    no_change: { tone: 'ok', title: 'Succeeded', detail: 'nothing needed changing.' },
    planned: { tone: 'neutral', title: 'Trial run only', detail: 'a dry run: nothing was applied.' },
    held: { tone: 'warn', title: 'Held', detail: 'nothing was changed; it waits for approval.' },
    failed: { tone: 'bad', title: 'Failed', detail: 'nothing was changed.' },
    interrupted: { tone: 'bad', title: 'Interrupted', detail: 'its process ended before it finished; nothing was changed.' },
    running: { tone: 'neutral', title: 'Running', detail: 'a run is under way now.' },
  };

  function flagInfo(flag, school) {
    switch (flag) {
      case 'held':
        return {
          tone: 'warn', badge: 'Held',
          text: school.held_run !== null && school.held_run !== undefined
            ? `Waiting for an administrator to approve run ${school.held_run}.`
            : 'Waiting for an administrator to approve the held run.',
          help: 'The run would have deactivated an unusually large number of accounts (or '
            + 'the MIS data had far fewer people than Hwb), so misync stopped and changed nothing. '
            + 'Check that the MIS export is complete. If the changes are right, ask your local '
            + 'authority to approve the run; if not, correct the MIS and the next run is judged afresh.',
        };
      case 'stale':
        return {
          tone: 'warn', badge: 'Out of date',
          text: 'The MIS data is old, or there has been no successful run for a while.',
          help: 'Hwb may no longer match your MIS (e.g. SIMS). Check that the scheduled MIS export '
            + 'still runs and that its files reach the local authority.',
        };
      case 'failed': {
        const n = school.consecutive_failures || 1;
        return {
          tone: 'bad', badge: 'Failed',
          text: n > 1 ? `The last ${n} runs failed.` : 'The last run failed.',
          help: 'Accounts stay as they were after the last successful run: new learners get no '
            + 'account and leavers keep theirs until a run succeeds. Your local authority can see '
            + 'the reason in the run\u2019s errors.',
        };
      }
      case 'no_digital_champion':
        return {
          tone: 'warn', badge: 'No Digital Champion',
          text: 'Nobody at this school can manage staff accounts.',
          help: 'Promote a member of staff to Digital Champion (ask your local authority if there '
            + 'is nobody left who can).',
        };
      default:
        return { tone: 'neutral', badge: flag, text: '', help: '' };
    }
  }

  const SEVERITY = { held: 3, failed: 3, stale: 2, no_digital_champion: 1 };
  const severity = (school) => Math.max(0, ...(school.flags || []).map((f) => SEVERITY[f] || 1));

  // "3 created, 2 deactivated, 1 rejected": the counts that are not zero, in words.
  const COUNT_WORDS = [
    ['create', 'created'], ['update', 'updated'], ['rename', 'renamed'],
    ['transfer', 'transferred in'], ['deactivate', 'deactivated'], ['reactivate', 'reactivated'],
    ['purge', 'removed for good'], ['awaiting_transfer', 'waiting for another school'],
  ];
  function countsInWords(counts) {
    if (!counts) return '';
    const parts = COUNT_WORDS.filter(([k]) => counts[k] > 0).map(([k, w]) => `${counts[k]} ${w}`);
    let text = parts.length ? `Accounts: ${parts.join(', ')}.` : '';
    if (counts.rejected > 0) {
      text += `${text ? ' ' : ''}${plural(counts.rejected, 'MIS record')} rejected (not imported: check the MIS).`;
    }
    return text;
  }

  // Only these runs changed anything; a held, failed or trial run's counts are what it would
  // have done.
  const appliedOutcome = (outcome) => outcome === 'applied' || outcome === 'no_change';

  // ---- one school ------------------------------------------------------------------------------

  function schoolCard(school) {
    const dfes = String(school.school);
    const headingId = `school-${dfes}`;
    const last = school.last_run;
    const lastRunId = last ? (last.run_id !== undefined ? last.run_id : last.id) : undefined;
    const outcome = last ? (OUTCOMES[last.outcome] || { tone: 'neutral', title: last.outcome, detail: '' }) : null;

    const status = last
      ? el('p', { class: `status tone-${outcome.tone}`, dataset: { outcome: last.outcome } },
        el('span', { class: 'status-word' }, outcome.title), ` \u2013 ${outcome.detail}`)
      : el('p', { class: 'status tone-neutral', dataset: { outcome: 'none' } },
        el('span', { class: 'status-word' }, 'Not run yet'),
        ' \u2013 misync has not run for this school yet.');

    const facts = el('dl', { class: 'facts' });
    const fact = (term, ...value) => facts.append(el('dt', {}, term), el('dd', {}, ...value));
    if (last) {
      fact('Last ran', el('span', { class: 'last-ran' }, when(last.finished_at || last.started_at)),
        lastRunId !== undefined ? el('span', { class: 'run-id' }, ` \u00b7 run ${lastRunId}`) : null);
      const words = countsInWords(last.counts);
      if (words && appliedOutcome(last.outcome)) fact('What it did', words);
      else if (words && last.outcome !== 'failed' && last.outcome !== 'interrupted') fact('What it would have done', `${words} Not applied.`);
    }
    const lastRunSucceeded = last && (last.outcome === 'applied' || last.outcome === 'no_change');
    if (!lastRunSucceeded) {
      fact('Last successful run', school.last_success_at ? when(school.last_success_at) : 'never');
    }
    if (school.next_run_at) fact('Next run', when(school.next_run_at));
    if (school.digital_champions !== undefined && school.digital_champions !== null) {
      fact('Digital Champions', String(school.digital_champions));
    }

    const flags = (school.flags || []).map((flag) => {
      const info = flagInfo(flag, school);
      return el('li', { class: `flag tone-${info.tone}`, dataset: { flag } },
        el('span', { class: 'badge' }, info.badge),
        el('span', { class: 'flag-text' }, info.text),
        info.help ? el('span', { class: 'flag-help' }, info.help) : null);
    });

    const chart = el('figure', { class: 'chart', dataset: { state: 'waiting' } },
      el('figcaption', {}, 'Recent runs: accounts created and deactivated, MIS records rejected'),
      el('p', { class: 'chart-note hint' }, last ? 'Loading recent runs\u2026' : 'No runs yet.'));

    const border = severity(school) >= 3 ? 'bad' : severity(school) ? 'warn' : last ? 'ok' : 'neutral';
    return el('li', { class: `school tone-border-${border}` },
      el('article', { 'aria-labelledby': headingId, dataset: { school: dfes } },
        el('h2', { id: headingId },
          el('span', { class: 'school-name' }, school.name || `School ${dfes}`),
          ' ', el('span', { class: 'dfes' }, `DfES ${dfes}`)),
        status,
        flags.length ? el('ul', { class: 'flags', 'aria-label': 'Needs attention' }, flags) : null,
        facts,
        chart));
  }

  // ---- recent runs: chart and table --------------------------------------------------------------

  const runCache = new Map();  // dfes → { lastRunId, runs }
  const charts = new Set();    // uPlot instances, resized with the page
  let loadQueue = [];
  let loadsInFlight = 0;

  function queueRuns(card, school) {
    loadQueue.push({ card, school });
    pumpQueue();
  }

  function pumpQueue() {
    while (loadsInFlight < MAX_PARALLEL_RUN_LOADS && loadQueue.length) {
      const { card, school } = loadQueue.shift();
      if (!card.isConnected) continue;
      loadsInFlight += 1;
      loadRuns(card, school).finally(() => {
        loadsInFlight -= 1;
        pumpQueue();
      });
    }
  }

  async function loadRuns(card, school) {
    const dfes = String(school.school);
    const figure = card.querySelector('.chart');
    const lastRunId = school.last_run ? (school.last_run.run_id !== undefined ? school.last_run.run_id : school.last_run.id) : null;
    const cached = runCache.get(dfes);
    let runs;
    if (cached && cached.lastRunId === lastRunId) {
      runs = cached.runs;
    } else {
      try {
        const body = await api(`/api/v1/schools/${encodeURIComponent(dfes)}/runs?limit=${RUNS_LIMIT}`);
        runs = Array.isArray(body.runs) ? body.runs : [];
      } catch (e) {
        if (e instanceof Unauthorized) {
          showLogin('Your token is no longer accepted. Enter it again, or ask your local authority for a new one.');
          return;
        }
        figure.dataset.state = 'error';
        figure.querySelector('.chart-note').textContent = `Could not load the recent runs (${e.message}).`;
        return;
      }
      runCache.set(dfes, { lastRunId, runs });
    }
    if (!card.isConnected) return;
    drawRuns(figure, runs);
  }

  function drawRuns(figure, newestFirst) {
    const runs = newestFirst.slice().reverse();  // oldest on the left
    const note = figure.querySelector('.chart-note');
    if (!runs.length) {
      figure.dataset.state = 'empty';
      note.textContent = 'No runs yet.';
      return;
    }
    const count = (r, key) => (r.counts && r.counts[key]) || 0;
    const totals = SERIES.map((s) => runs.filter((r) => appliedOutcome(r.outcome))
      .reduce((sum, r) => sum + count(r, s.key), 0));
    const notApplied = MARKS.map((m) => ({ ...m, n: runs.filter((r) => r.outcome === m.outcome).length }))
      .filter((m) => m.n > 0);
    const summary = `${plural(runs.length, 'recent run')}: `
      + SERIES.map((s, i) => `${totals[i]} ${s.label.toLowerCase()}`).join(', ')
      + (notApplied.length
        ? `; ${notApplied.map((m) => `${m.n} ${m.words}`).join(', ')}, which changed nothing.`
        : '.');

    const plot = el('div', { class: 'plot', role: 'img', 'aria-label': `Bar chart. ${summary}` });
    const legend = el('ul', { class: 'legend', 'aria-hidden': 'true' },
      SERIES.map((s, i) => el('li', { class: `legend-${s.key}` },
        el('span', { class: 'swatch' }), `${s.label} (${totals[i]})`)),
      notApplied.map((m) => el('li', { class: `legend-mark legend-${m.outcome}` },
        el('span', { class: 'mark' }, m.letter), `${m.label} (${m.n})`)));
    const rows = newestFirst.map((r) => el('tr', { dataset: { run: r.run_id } },
      el('th', { scope: 'row' }, String(r.run_id)),
      el('td', {}, r.started_at ? el('time', { datetime: r.started_at },
        absoluteFormat.format(parseTime(r.started_at) || new Date(0))) : '\u2013'),
      el('td', { class: `tone-text-${(OUTCOMES[r.outcome] || {}).tone || 'neutral'}` }, outcomeWord(r.outcome)),
      SERIES.map((s) => el('td', { class: 'num' }, r.outcome === 'failed' ? '\u2013' : String(count(r, s.key))))));
    const table = el('details', { class: 'runs-table' },
      el('summary', {}, 'Show these runs as a table'),
      notApplied.length ? el('p', { class: 'hint' }, 'A held or trial run\u2019s numbers are what it would have done.') : null,
      el('table', {},
        el('caption', { class: 'visually-hidden' }, 'Recent runs, newest first'),
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col' }, 'Run'), el('th', { scope: 'col' }, 'Started'),
          el('th', { scope: 'col' }, 'Result'),
          SERIES.map((s) => el('th', { scope: 'col', class: 'num' }, s.label)))),
        el('tbody', {}, rows)));

    note.textContent = summary;
    figure.querySelectorAll('.plot, .legend, .runs-table').forEach((n) => n.remove());
    figure.append(plot, legend, table);
    figure.dataset.state = 'drawn';

    if (typeof uPlot !== 'function') {
      plot.append(el('p', { class: 'hint' }, 'The chart library did not load; the table below has the runs.'));
      return;
    }
    const labels = runs.map((r) => {
      const d = parseTime(r.started_at);
      return d ? shortFormat.format(d) : `run ${r.run_id}`;
    });
    const xs = runs.map((_, i) => i + 1);
    const width = 0.26;  // of one run's column, per series: three bars side by side
    const group = (k) => ({
      x0: { unit: 1, values: (u) => u.data[0].map((x) => x - 1.5 * width + k * width) },
      size: { unit: 1, values: () => [width] },
    });
    const opts = {
      width: Math.max(240, plot.clientWidth || figure.clientWidth || 480),
      height: CHART_HEIGHT,
      legend: { show: false },
      cursor: { show: true, points: { show: false }, drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: () => [0.5, runs.length + 0.5] },
        y: { range: (u, min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] },
      },
      axes: [
        {
          stroke: '#333', grid: { show: false }, ticks: { show: true, stroke: '#999' },
          incrs: [1, 2, 5, 10],
          values: (u, splits) => splits.map((s) => (Number.isInteger(s) && s >= 1 && s <= runs.length ? labels[s - 1] : '')),
        },
        { stroke: '#333', grid: { stroke: '#e3e3e3' }, ticks: { show: false }, size: 40,
          incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] },
      ],
      series: [{}].concat(SERIES.map((s, k) => ({
        label: s.label, stroke: s.colour, fill: s.colour, width: 0,
        points: { show: false },
        paths: uPlot.paths.bars({ disp: group(k) }),
      }))),
    };
    // Runs that changed nothing get no bars: a tinted column with a letter instead.
    const data = [xs].concat(SERIES.map((s) => runs.map((r) => (appliedOutcome(r.outcome) ? count(r, s.key) : null))));
    opts.hooks = {
      draw: [(u) => {
        const { ctx } = u;
        const ratio = window.devicePixelRatio || 1;
        const column = runs.length > 1 ? Math.abs(u.valToPos(2, 'x', true) - u.valToPos(1, 'x', true)) : u.bbox.width;
        ctx.save();
        ctx.textAlign = 'center';
        ctx.textBaseline = 'top';
        ctx.font = `bold ${Math.round(12 * ratio)}px system-ui, sans-serif`;
        runs.forEach((r, i) => {
          const mark = MARKS.find((m) => m.outcome === r.outcome);
          if (!mark) return;
          const x = u.valToPos(i + 1, 'x', true);
          ctx.fillStyle = mark.tint;
          ctx.fillRect(x - column * 0.45, u.bbox.top, column * 0.9, u.bbox.height);
          ctx.fillStyle = mark.colour;
          ctx.fillText(mark.letter, x, u.bbox.top + 2 * ratio);
        });
        ctx.restore();
      }],
    };
    const chart = new uPlot(opts, data, plot);
    chart.root.setAttribute('aria-hidden', 'true');
    charts.add(chart);
  }

  function outcomeWord(outcome) {
    switch (outcome) {
      case 'applied': return 'Applied';
      case 'no_change': return 'No change';
      case 'planned': return 'Trial run';
      case 'held': return 'Held';
      case 'failed': return 'Failed';
      default: return outcome || '\u2013';
    }
  }

  // Charts are loaded when their card comes into view: an authority with hundreds of schools
  // does not ask for hundreds of histories at once.
  const observer = 'IntersectionObserver' in window
    ? new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        const pending = entry.target.misyncSchool;
        if (pending) queueRuns(entry.target, pending);
      }
    }, { rootMargin: '200px' })
    : null;

  function resizeCharts() {
    for (const chart of charts) {
      if (!chart.root.isConnected) {
        charts.delete(chart);
        continue;
      }
      const width = chart.root.parentElement.clientWidth;
      if (width > 0 && Math.abs(width - chart.width) > 2) chart.setSize({ width, height: CHART_HEIGHT });
    }
  }

  // ---- the whole page --------------------------------------------------------------------------

  let schools = [];
  let lastBody = '';

  function render() {
    const list = byId('schools');
    const openTables = new Set([...list.querySelectorAll('details[open]')]
      .map((d) => d.closest('[data-school]').dataset.school));
    const focusedSchool = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest('[data-school]') : null;

    for (const chart of charts) chart.destroy();
    charts.clear();
    loadQueue = [];
    if (observer) observer.disconnect();

    const sorted = schools.map((s, i) => ({ s, i }))
      .sort((a, b) => severity(b.s) - severity(a.s) || a.i - b.i)
      .map(({ s }) => s);
    const cards = sorted.map((school) => {
      const card = schoolCard(school);
      card.misyncSchool = school;
      return card;
    });
    list.replaceChildren(...cards);
    for (const card of cards) {
      const school = card.misyncSchool;
      if (!school.last_run) continue;
      const article = card.querySelector('article');
      article.misyncSchool = school;
      if (observer) observer.observe(article);
      else queueRuns(article, school);
      if (openTables.has(String(school.school))) {
        // reopened once the table is drawn again
        article.dataset.reopen = '1';
      }
    }
    if (focusedSchool) {
      const again = list.querySelector(`[data-school="${CSS.escape(focusedSchool.dataset.school)}"] h2`);
      if (again) {
        again.setAttribute('tabindex', '-1');
        again.focus({ preventScroll: true });
      }
    }

    const attention = schools.filter((s) => (s.flags || []).length).length;
    byId('summary').textContent = schools.length === 0
      ? 'This token sees no school.'
      : schools.length === 1
        ? (attention ? 'This school needs attention.' : 'All is well.')
        : `${plural(schools.length, 'school')}. ${attention === 0 ? 'All is well.' : `${plural(attention, 'school needs', 'schools need')} attention.`}`;
    byId('filters').hidden = schools.length < 2;
    applyFilter();
  }

  function applyFilter() {
    const query = byId('search').value.trim().toLowerCase();
    const onlyAttention = byId('attention-only').checked;
    let shown = 0;
    for (const card of byId('schools').children) {
      const school = card.misyncSchool;
      const text = `${school.name || ''} ${school.school}`.toLowerCase();
      const visible = (!query || text.includes(query)) && (!onlyAttention || (school.flags || []).length > 0);
      card.hidden = !visible;
      if (visible) shown += 1;
    }
    byId('no-match').hidden = shown > 0 || schools.length === 0;
  }

  async function load({ fromLogin = false } = {}) {
    const error = byId('load-error');
    let body;
    try {
      body = await api('/api/v1/schools');
    } catch (e) {
      if (e instanceof Unauthorized) {
        showLogin(fromLogin || e.message === 'token not accepted'
          ? 'That token was not accepted. Check it and enter it again, or ask your local authority for a new one.'
          : '');
        return;
      }
      if (fromLogin || byId('dashboard').hidden) {
        // Nothing to show yet: keep the prompt, with the reason.
        byId('login').hidden = false;
        byId('login-error').textContent = `Could not read the status: ${e.message}. Try again in a moment.`;
        byId('login-error').hidden = false;
        return;
      }
      error.textContent = `Could not refresh the status: ${e.message}. What you see may be out of date; it is tried again every minute.`;
      error.hidden = false;
      return;
    }
    error.hidden = true;
    const list = Array.isArray(body) ? body : (body.schools || []);
    byId('login').hidden = true;
    byId('login-error').hidden = true;
    byId('dashboard').hidden = false;
    byId('toolbar').hidden = false;
    byId('updated').textContent = `Updated ${timeOnly.format(new Date())}`;
    const text = JSON.stringify(list);
    if (text !== lastBody || fromLogin) {
      lastBody = text;
      schools = list;
      render();
    } else {
      refreshRelativeTimes();
    }
    if (fromLogin) byId('main').focus({ preventScroll: true });
    startRefresh();
  }

  let timer = null;
  function startRefresh() {
    if (timer === null) timer = setInterval(() => { if (!document.hidden) load(); }, REFRESH_MS);
  }
  function stopRefresh() {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  function init() {
    byId('login-form').addEventListener('submit', onLogin);
    byId('refresh').addEventListener('click', () => load());
    byId('forget').addEventListener('click', () => {
      lastBody = '';
      showLogin('');
    });
    byId('search').addEventListener('input', applyFilter);
    byId('attention-only').addEventListener('change', applyFilter);
    window.addEventListener('resize', resizeCharts);
    // Reopen a table that was open before a refresh redrew its card.
    new MutationObserver(() => {
      for (const article of document.querySelectorAll('article[data-reopen]')) {
        const details = article.querySelector('details');
        if (details) {
          details.open = true;
          delete article.dataset.reopen;
        }
      }
    }).observe(byId('schools'), { childList: true, subtree: true });

    if (sessionStorage.getItem(TOKEN_KEY)) load();
    else showLogin('');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
