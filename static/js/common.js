// Shared by every page: calling the API, who is signed in, building DOM safely (text only, never
// innerHTML with data), error summaries, and live events.

/** An error from the API, carrying its problem document. */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `The service answered ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.code = this.problem.code || '';
  }
}

/** Call the JSON API. The session cookie goes with it (same origin). When the session has ended, the
 * page says so, offers to sign in again in place, and then sends the request again once. */
export async function api(method, path, body, options = {}) {
  try {
    return await callApi(method, path, body, options);
  } catch (e) {
    if (!sessionEnded(e) || ['/auth/login', '/auth/logout', '/auth/set-password'].includes(path)) throw e;
    await signInAgain(e);
    return callApi(method, path, body, options);
  }
}

async function callApi(method, path, body, { raw = false, contentType } = {}) {
  const opts = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    if (contentType) {
      opts.headers['Content-Type'] = contentType;
      opts.body = body;
    } else {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
  }
  let res;
  try {
    res = await fetch('/api/v1' + path, opts);
  } catch (e) {
    throw new ApiError(0, { detail: 'The service could not be reached. Check your connection and try again.' });
  }
  if (raw) {
    if (res.status === 401 && sessionUser) {
      let problem = null;
      try { problem = await res.clone().json(); } catch { /* not a problem document */ }
      throw new ApiError(401, problem);
    }
    return res;
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { detail: text }; }
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** Build an element: el('p', {class: 'hint'}, 'text', child, ...). Strings become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replace an element's content. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

export const $ = (sel, root = document) => root.querySelector(sel);

// ---- the session: renewed while the page is in use; when it ends, the page says so -----------------

let sessionUser = null;
let renewTimer = null;
let reauth = null;

function sessionEnded(e) {
  return !!sessionUser && e instanceof ApiError && e.status === 401 &&
    ['token_expired', 'invalid_token', 'unauthenticated'].includes(e.code);
}

function scheduleRenew(expiresAt) {
  clearTimeout(renewTimer);
  const left = new Date(expiresAt).getTime() - Date.now();
  renewTimer = setTimeout(renewSession, Math.max(5000, left / 2));
}

/** Renew the session now (while the page is shown; a hidden page renews when it is shown again). */
async function renewSession() {
  if (!sessionUser) return;
  if (document.hidden) {
    document.addEventListener('visibilitychange', renewSession, { once: true });
    return;
  }
  try {
    const r = await callApi('POST', '/auth/renew');
    scheduleRenew(r.expires_at);
  } catch (e) {
    if (sessionEnded(e)) signInAgain(e).catch(() => {});
    else renewTimer = setTimeout(renewSession, 30000);
  }
}

/** Say the session has ended, in plain words, and sign in again in place (the page keeps its state). A
 * modal dialog: nothing behind it can be pressed until the user is signed in again. */
function signInAgain(e) {
  if (reauth) return reauth;
  clearTimeout(renewTimer);
  reauth = new Promise((resolve) => {
    const capped = e && e.code === 'token_expired' && /limit/.test(e.message);
    const error = el('p', { class: 'error-message', role: 'alert' });
    const email = el('input', { id: 'session-email', type: 'email', autocomplete: 'username', required: true, value: sessionUser ? sessionUser.email : '' });
    const password = el('input', { id: 'session-password', type: 'password', autocomplete: 'current-password', required: true });
    const form = el(
      'form',
      { method: 'dialog' },
      el('h2', { id: 'session-title' }, 'You have been signed out'),
      el('p', {}, capped
        ? 'Your sign-in reached its time limit for the day. Sign in again to carry on: this page stays as it is.'
        : 'Your sign-in has ended (it expired, or you signed out elsewhere). Nothing you do on this page can be recorded until you sign in again. This page stays as it is.'),
      error,
      el('div', { class: 'form-group' }, el('label', { for: 'session-email' }, 'Email address'), email),
      el('div', { class: 'form-group' }, el('label', { for: 'session-password' }, 'Password'), password),
      el('button', { type: 'submit', class: 'button' }, 'Sign in again'),
      ' ',
      el('a', { href: '/' }, 'Go to the home page'),
    );
    const dialog = el('dialog', { id: 'session-ended', 'aria-labelledby': 'session-title' }, form);
    dialog.addEventListener('cancel', (ev) => ev.preventDefault());
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      fill(error);
      try {
        const r = await callApi('POST', '/auth/login', { email: email.value, password: password.value });
        if (sessionUser && r.user.id !== sessionUser.id) { location.reload(); return; }
        sessionUser = r.user;
        scheduleRenew(r.expires_at);
        dialog.close();
        dialog.remove();
        reauth = null;
        resolve();
      } catch (err) {
        fill(error, err.message);
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    password.focus();
  });
  return reauth;
}

/** The signed-in user, or null. A signed-in page keeps its session renewed while it is in use. */
export async function currentUser() {
  try {
    const user = await callApi('GET', '/auth/me');
    sessionUser = user;
    renewSession();
    return user;
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
}

export function hasRole(user, ...roles) {
  return !!user && roles.some((r) => user.roles.includes(r));
}

/** Fill the header's navigation with who is signed in and a sign-out button. */
export function renderHeader(user) {
  const nav = $('#site-nav');
  if (!nav) return;
  const items = [el('a', { href: '/' }, 'Home')];
  if (user) {
    items.push(el('span', { class: 'who' }, `Signed in as ${user.name}`));
    items.push(el('button', { type: 'button', class: 'link', id: 'sign-out', onclick: signOut }, 'Sign out'));
  } else {
    items.push(el('a', { href: '/#sign-in' }, 'Sign in'));
  }
  fill(nav, items);
}

export async function signOut() {
  sessionUser = null;
  clearTimeout(renewTimer);
  try { await api('POST', '/auth/logout'); } catch { /* signed out either way */ }
  location.assign('/');
}

/** Show an error summary at the top of `main`, linking each message to its field. */
export function showErrors(errors, container = $('#error-summary')) {
  if (!container) return;
  if (!errors || errors.length === 0) {
    container.classList.add('hidden');
    container.replaceChildren();
    return;
  }
  fill(
    container,
    el('h2', { id: 'error-summary-title' }, 'There is a problem'),
    el('ul', {}, errors.map((e) => el('li', {}, e.field ? el('a', { href: '#' + e.field }, e.message) : e.message))),
  );
  container.classList.remove('hidden');
  container.setAttribute('role', 'alert');
  container.setAttribute('tabindex', '-1');
  container.setAttribute('aria-labelledby', 'error-summary-title');
  container.focus();
}

/** Mark one field as in error (or clear it). */
export function fieldError(id, message) {
  const input = document.getElementById(id);
  if (!input) return;
  const group = input.closest('.form-group');
  const old = group && group.querySelector('.error-message');
  if (old) old.remove();
  if (message) {
    input.setAttribute('aria-invalid', 'true');
    const msg = el('span', { class: 'error-message', id: id + '-error' }, el('span', { class: 'visually-hidden' }, 'Error: '), message);
    if (group) {
      group.classList.add('error');
      input.before(msg);
    }
    input.setAttribute('aria-describedby', id + '-error');
  } else {
    input.removeAttribute('aria-invalid');
    if (group) group.classList.remove('error');
  }
}

/** A message that a screen reader announces. */
export function announce(node, ...children) {
  node.setAttribute('aria-live', 'polite');
  fill(node, ...children);
}

/**
 * Subscribe to a conference's live events. `handlers` maps event names to functions of the parsed data;
 * `onState` hears 'live' or 'offline'. The connection looks after itself through the hall's wifi and
 * sleeping phones: the server pings every 5 s, so a connection silent for longer than STALE_MS is taken
 * as dead and replaced; the browser going offline shows at once, and coming back online, or the page
 * becoming visible again, reconnects straight away. Every new connection starts with a `ready` event:
 * pages fetch a fresh snapshot then, which is how they catch up with whatever they missed.
 */
export function liveEvents(conferenceId, handlers, onState) {
  const STALE_MS = 12000;
  let source = null;
  let lastHeard = 0;
  let retryTimer = null;
  let state = null;
  const setState = (s) => {
    if (s === state) return;
    state = s;
    if (onState) onState(s);
  };
  const connect = () => {
    clearTimeout(retryTimer);
    if (source) source.close();
    lastHeard = Date.now();
    const es = new EventSource(`/api/v1/conferences/${conferenceId}/events`);
    source = es;
    const heard = () => { if (source === es) lastHeard = Date.now(); };
    es.addEventListener('ping', heard);
    es.addEventListener('ready', () => { heard(); setState('live'); });
    for (const [name, fn] of Object.entries(handlers)) {
      es.addEventListener(name, (ev) => {
        if (source !== es) return;
        heard();
        let data = {};
        try { data = JSON.parse(ev.data); } catch { /* keep {} */ }
        fn(data);
      });
    }
    es.addEventListener('error', () => {
      if (source !== es) return;
      setState('offline');
      // The browser retries by itself unless it gave up; then so do we, every second.
      if (es.readyState === EventSource.CLOSED) retryTimer = setTimeout(connect, 1000);
    });
  };
  const reconnectIfStale = (ms) => { if (Date.now() - lastHeard > ms) { setState('offline'); connect(); } };
  setInterval(() => reconnectIfStale(STALE_MS), 1000);
  window.addEventListener('online', () => connect());
  window.addEventListener('offline', () => setState('offline'));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') reconnectIfStale(6000);
  });
  connect();
  return { reconnect: connect, get state() { return state; } };
}

/** The words a page shows for the connection's state. */
export function liveWords(state) {
  return state === 'live' ? 'Live: this page updates by itself.' : 'Offline, reconnecting…';
}

/** The result of a closed poll in the words of the resolutions: "CARRIED UNANIMOUSLY", "LOST". */
export function resultWords(p) {
  return p.result_text || String(p.result || '').toUpperCase();
}

/** "for 212 (84.1%), against 40 (15.9%), abstain 9": percentages of those voting for or against. */
export function countsWords(p) {
  const c = p.counts;
  if (!c) return p.method === 'show_of_hands' ? 'Declared on a show of hands.' : '';
  const pc = p.percentages;
  const share = (k) => (pc ? ` (${pc[k]}%)` : '');
  return `For ${c.for}${share('for')}, against ${c.against}${share('against')}, abstain ${c.abstain}`;
}

/** The exact words put to the vote (a poll's `wording`), as a block of text with labels. */
export function wordingView(w, { id } = {}) {
  const passage = (p, cls) => el('p', { class: cls }, p.label ? [el('span', { class: 'label' }, p.label), ' '] : null, p.text);
  return el('div', { class: 'wording', id },
    w.proposer ? el('p', { class: 'proposer' }, `Proposed by ${w.proposer}`) : null,
    w.words.map((p) => passage(p, 'words')),
    w.motions && w.motions.length
      ? el('ul', { class: 'a-motions' }, w.motions.map((m) => el('li', {},
          el('strong', {}, `Motion ${m.item ?? m.number}`), m.proposer ? ` (${m.proposer})` : '', ': ', m.first_line)))
      : null,
    w.context && w.context.length
      ? el('div', { class: 'context' },
          w.context_heading ? el('p', { class: 'context-heading' }, w.context_heading + ':') : null,
          w.context.map((p) => passage(p, 'context-words')))
      : null);
}

/** The numeric id in the path after `prefix`, e.g. idFromPath('/conference/') on /conference/3/chair → 3. */
export function idFromPath(prefix) {
  const rest = location.pathname.slice(prefix.length);
  const n = parseInt(rest, 10);
  return Number.isFinite(n) ? n : null;
}

export const CHOICE_WORDS = { for: 'For', against: 'Against', abstain: 'Abstain' };

export function percent(x, digits = 1) {
  return `${(x * 100).toFixed(digits)}%`;
}

/** A labelled horizontal bar chart: rows of {label, value, share (0..1), cls}. */
export function barChart(rows, caption) {
  return el(
    'ul',
    { class: 'bars', 'aria-label': caption },
    rows.map((r) => {
      const fillBar = el('div', { class: 'fill ' + (r.cls || '') });
      // Width is set through the CSSOM, which the style-src 'self' policy allows (no inline style attribute).
      fillBar.style.width = `${Math.max(0, Math.min(1, r.share)) * 100}%`;
      return el(
        'li',
        {},
        el('div', { class: 'bar-label' }, el('span', {}, r.label), el('span', {}, r.text)),
        el('div', { class: 'track', 'aria-hidden': 'true' }, fillBar),
      );
    }),
  );
}

/** Text of a motion as printed: proposer line, stem, parts with labels. */
export function motionText(m, { outcomes = true } = {}) {
  const proposer = m.proposer
    ? m.agenda_committee
      ? `AGENDA COMMITTEE TO BE PROPOSED BY ${m.proposer.toUpperCase()}:`
      : `${m.proposer.toUpperCase()}:`
    : null;
  return el(
    'div',
    { class: 'motion-text' },
    el('p', {}, proposer ? el('span', { class: 'proposer' }, proposer + ' ') : null, m.stem),
    m.parts && m.parts.length
      ? el(
          'ol',
          { class: 'parts' },
          m.parts.map((p) =>
            el(
              'li',
              {},
              el('span', { class: 'label' }, p.label),
              el('span', {}, p.text, outcomes && p.outcome ? [' ', el('span', { class: 'tag ' + (p.outcome === 'carried' ? 'green' : p.outcome === 'lost' ? 'red' : 'grey') }, outcomeWord(p.outcome))] : null),
            ),
          ),
        )
      : null,
  );
}

export function outcomeWord(o) {
  return String(o || '').replace(/_/g, ' ').toUpperCase();
}

export const MARK_WORDS = {
  starred: 'Starred (to be debated)',
  chosen: 'Chosen (to be debated)',
  a: 'A (voted without debate)',
  ar: 'AR (reaffirmed without debate)',
  grey: 'Grey (unlikely to be reached)',
  composite: 'Composite',
  incompetent: 'Ruled incompetent',
};

/** Start a page: header, then `main(user)`; a failure is shown rather than swallowed. */
export async function start(main) {
  let user = null;
  try {
    user = await currentUser();
  } catch { /* shown as signed out */ }
  renderHeader(user);
  try {
    await main(user);
  } catch (e) {
    const box = $('#error-summary');
    showErrors([{ message: e.message || String(e) }], box);
  }
}
