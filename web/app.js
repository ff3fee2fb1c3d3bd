// @ts-check
/**
 * The status page: the login form, then the dashboard, from the JSON endpoints under /ui/api/
 * (authorized by the session cookie; every POST sends the session's CSRF token). It polls the
 * overview, the commits and the charts; it never writes data it got into the page as HTML.
 */
import { Charts } from './charts.js';

const OVERVIEW_MS = 5000;
const COMMITS_MS = 10000;
const CHARTS_MS = 30000;

/** @param {string} id @returns {HTMLElement} */
function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`no element #${id}`);
  return el;
}

const state = {
  csrf: '',
  range: '1h',
  iface: '',
  canAcknowledge: false,
  /** @type {number[]} */
  timers: [],
  /** @type {Charts | null} */
  charts: null,
  ready: { overview: false, commits: false, charts: false },
};

class HttpError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Set while the page refreshes by itself: such requests do not keep the session from going idle. */
let refreshing = false;

/**
 * @param {string} path
 * @param {unknown} [body] a POST's JSON body
 * @returns {Promise<any>}
 */
async function api(path, body) {
  /** @type {RequestInit} */
  const init = body === undefined ? { credentials: 'same-origin', headers: refreshing ? { 'x-refresh': '1' } : {} } : {
    method: 'POST', credentials: 'same-origin', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', 'x-csrf-token': state.csrf },
  };
  const r = await fetch(path, init);
  const value = await r.json().catch(() => ({}));
  if (!r.ok) throw new HttpError(r.status, value?.error?.code ?? 'error', value?.error?.message ?? r.statusText);
  return value;
}

/** @param {Element} parent @param {string} tag @param {string} [text] @param {string} [cls] */
function add(parent, tag, text, cls) {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = text;
  if (cls) el.className = cls;
  parent.appendChild(el);
  return el;
}

/** @param {number} s */
function duration(s) {
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return m > 0 ? `${m} min ${Math.floor(s % 60)} s` : `${Math.floor(s)} s`;
}

/** @param {string} iso */
const when = (iso) => new Date(iso).toLocaleString();

/** @param {unknown} e */
function failed(e) {
  if (e instanceof HttpError && e.status === 401) { showLogin("Your session has ended; log in again.").catch(() => undefined); return; }
  const p = $('problem');
  p.textContent = e instanceof Error ? e.message : String(e);
  p.hidden = false;
}

function stopPolling() {
  for (const t of state.timers) clearInterval(t);
  state.timers = [];
}

/** @param {string} [message] */
async function showLogin(message = '') {
  stopPolling();
  document.body.dataset.state = 'login';
  delete document.body.dataset.ready;
  $('dashboard').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  const s = await api('/ui/api/session');
  state.csrf = s.csrf;
  /** @type {HTMLInputElement} */ ($('password')).value = '';
  $('user').focus();
}

/** @param {SubmitEvent} ev */
async function login(ev) {
  ev.preventDefault();
  const user = /** @type {HTMLInputElement} */ ($('user')).value;
  const password = /** @type {HTMLInputElement} */ ($('password')).value;
  const button = /** @type {HTMLButtonElement} */ ($('login-button'));
  button.disabled = true;
  try {
    await api('/ui/login', { user, password });
    await start();
  } catch (e) {
    const message = e instanceof HttpError && e.status === 401 ? 'Wrong user name or password.'
      : e instanceof HttpError && e.status === 429 ? 'Too many failed logins; wait and try again.'
        : e instanceof Error ? e.message : String(e);
    await showLogin(message).catch(() => undefined);
  } finally {
    button.disabled = false;
  }
}

async function logout() {
  try { await api('/ui/logout', {}); } catch { /* the session is gone either way */ }
  await showLogin('You are logged out.');
}

/** @param {any} sw */
function renderSoftware(sw) {
  const slots = $('slots');
  slots.replaceChildren();
  const job = $('job');
  job.textContent = '';
  if (!sw.available) { add(slots, 'p', sw.reason ?? 'not available', 'muted'); return; }
  const st = sw.state;
  for (const name of ['a', 'b']) {
    const s = st.slots[name];
    const row = add(slots, 'div', undefined, 'slot');
    row.dataset.slot = name;
    add(row, 'b', name);
    add(row, 'span', s.version ? `${s.version} (schema ${s.schemaVersion})` : '—');
    add(row, 'span', s.status, `tag ${s.status === 'good' ? 'good' : s.status === 'bad' ? 'bad' : ''}`);
    if (sw.booted === name) add(row, 'span', 'running', 'tag good');
    if (st.primary === name) add(row, 'span', 'primary', 'tag');
    if (st.trial?.slot === name) add(row, 'span', `trial, ${st.trial.attemptsLeft} boots left`, 'tag trial');
  }
  const j = sw.job;
  if (j) {
    const parts = [`last job: ${j.kind} ${j.toVersion ?? ''} ${j.status}`];
    if (j.status === 'running') parts.push(`(${j.step})`);
    if (j.confirmDeadline && j.status === 'running') parts.push(`— confirm before ${when(j.confirmDeadline)}`);
    if (j.watch === 'watching' && j.watchUntil) parts.push(`— on watch until ${when(j.watchUntil)}`);
    else if (j.watch) parts.push(`— watch ${j.watch}`);
    job.textContent = parts.join(' ');
  }
}

/** @param {any[]} alarms */
function renderAlarms(alarms) {
  const body = /** @type {HTMLTableElement} */ ($('alarms')).tBodies[0];
  if (!body) return;
  body.replaceChildren();
  $('no-alarms').hidden = alarms.length > 0;
  $('alarm-count').textContent = alarms.length > 0 ? `(${alarms.length})` : '';
  for (const a of alarms) {
    const tr = add(body, 'tr');
    tr.dataset.alarm = a.id;
    add(add(tr, 'td'), 'span', a.severity, `sev sev-${a.severity}`);
    add(tr, 'td', a.text);
    add(tr, 'td', a.resource || '—', 'hide-narrow');
    add(tr, 'td', when(a.raised), 'hide-narrow');
    add(tr, 'td', a.acknowledged ? `acknowledged by ${a.acknowledged.user}` : a.shelved ? 'shelved' : 'new');
    const cell = add(tr, 'td');
    if (!a.acknowledged && state.canAcknowledge) {
      const b = /** @type {HTMLButtonElement} */ (add(cell, 'button', 'Acknowledge'));
      b.type = 'button';
      b.addEventListener('click', () => {
        b.disabled = true;
        api('/ui/api/alarms/acknowledge', { ids: [a.id] }).then(refreshOverview, failed);
      });
    }
  }
}

/** @param {any[]} sessions */
function renderSessions(sessions) {
  const body = /** @type {HTMLTableElement} */ ($('sessions')).tBodies[0];
  if (!body) return;
  body.replaceChildren();
  for (const s of sessions) {
    const tr = add(body, 'tr');
    add(tr, 'td', `${s.session}${s.self ? ' (this page)' : ''}`);
    add(tr, 'td', s.user);
    add(tr, 'td', s.source);
    add(tr, 'td', s.address, 'hide-narrow');
    add(tr, 'td', when(s.since));
  }
}

async function refreshOverview() {
  const o = await api('/ui/api/overview');
  $('hostname').textContent = o.hostname || '(no host name)';
  document.title = `${o.hostname} — appliance status`;
  $('version').textContent = o.version.software;
  $('schema').textContent = `schema version ${o.version.schema}`;
  $('uptime').textContent = duration(o.uptimeSeconds);
  $('host-uptime').textContent = `host up ${duration(o.hostUptimeSeconds)}`;
  state.canAcknowledge = o.canAcknowledge;
  renderSoftware(o.software);
  renderAlarms(o.alarms);
  renderSessions(o.sessions);
  const select = /** @type {HTMLSelectElement} */ ($('interface'));
  const names = /** @type {string[]} */ (o.interfaces);
  if (select.options.length !== names.length || names.some((n, i) => select.options[i]?.value !== n)) {
    select.replaceChildren(...names.map((n) => new Option(n, n)));
    if (!names.includes(state.iface)) state.iface = names.find((n) => n !== 'lo') ?? names[0] ?? '';
    select.value = state.iface;
  }
  $('problem').hidden = true;
  markReady('overview');
}

async function refreshCommits() {
  const commits = await api('/ui/api/commits?limit=20');
  const body = /** @type {HTMLTableElement} */ ($('commits')).tBodies[0];
  if (!body) return;
  body.replaceChildren();
  for (const c of commits) {
    const tr = add(body, 'tr');
    tr.dataset.txid = String(c.txid);
    tr.tabIndex = 0;
    add(tr, 'td', String(c.txid));
    add(tr, 'td', when(c.time));
    add(tr, 'td', c.user);
    add(tr, 'td', c.source, 'hide-narrow');
    add(tr, 'td', c.comment || '—');
    const open = () => { showDiff(c).catch(failed); };
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
  }
  markReady('commits');
}

/** @param {unknown} v */
const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

/** @param {any} c */
async function showDiff(c) {
  const changes = await api(`/ui/api/commit-diff?txid=${encodeURIComponent(c.txid)}`);
  $('diff-title').textContent = `Commit ${c.txid} by ${c.user}, ${when(c.time)}${c.comment ? `: ${c.comment}` : ''}`;
  const pre = $('diff-body');
  pre.replaceChildren();
  for (const ch of changes) {
    if (ch.op === 'create') add(pre, 'div', `+ ${ch.path} ${show(ch.new)}`, 'add');
    else if (ch.op === 'delete') add(pre, 'div', `- ${ch.path} ${show(ch.old)}`, 'del');
    else { add(pre, 'div', `- ${ch.path} ${show(ch.old)}`, 'del'); add(pre, 'div', `+ ${ch.path} ${show(ch.new)}`, 'add'); }
  }
  if (changes.length === 0) add(pre, 'div', '(no change you may read)');
  for (const tr of document.querySelectorAll('#commits tr.selected')) tr.classList.remove('selected');
  document.querySelector(`#commits tr[data-txid="${Number(c.txid)}"]`)?.classList.add('selected');
  $('diff').hidden = false;
}

async function refreshCharts() {
  const data = await api(`/ui/api/charts?range=${state.range}&interface=${encodeURIComponent(state.iface)}`);
  state.charts ??= new Charts();
  state.charts.update(data);
  markReady('charts');
}

/** @param {'overview' | 'commits' | 'charts'} part */
function markReady(part) {
  state.ready[part] = true;
  if (state.ready.overview && state.ready.commits && state.ready.charts) document.body.dataset.ready = 'true';
}

async function start() {
  const s = await api('/ui/api/session');
  if (!s.loggedIn) { await showLogin(); return; }
  state.csrf = s.csrf;
  state.canAcknowledge = s.canAcknowledge;
  state.ready = { overview: false, commits: false, charts: false };
  $('who').textContent = `${s.user} (${s.role ?? 'no role'})`;
  $('login').hidden = true;
  $('dashboard').hidden = false;
  document.body.dataset.state = 'dashboard';
  await refreshOverview();
  await Promise.all([refreshCommits(), refreshCharts()]);
  stopPolling();
  /** @param {() => Promise<void>} fn */
  const background = (fn) => () => {
    refreshing = true;
    const p = fn();
    refreshing = false;
    p.catch(failed);
  };
  state.timers.push(
    window.setInterval(background(refreshOverview), OVERVIEW_MS),
    window.setInterval(background(refreshCommits), COMMITS_MS),
    window.setInterval(background(refreshCharts), CHARTS_MS),
  );
}

$('login-form').addEventListener('submit', (e) => { void login(/** @type {SubmitEvent} */ (e)); });
$('logout').addEventListener('click', () => { void logout(); });
$('diff-close').addEventListener('click', () => { $('diff').hidden = true; });
for (const b of document.querySelectorAll('#ranges button')) {
  b.addEventListener('click', () => {
    state.range = /** @type {HTMLElement} */ (b).dataset.range ?? '1h';
    for (const x of document.querySelectorAll('#ranges button')) x.setAttribute('aria-pressed', String(x === b));
    refreshCharts().catch(failed);
  });
}
$('interface').addEventListener('change', (e) => {
  state.iface = /** @type {HTMLSelectElement} */ (e.target).value;
  refreshCharts().catch(failed);
});
start().catch(failed);
