// Results with charts and the threshold tests; "check my receipt"; "recount this ballot in your
// browser" (downloads the published record and recomputes every hash and count).
import { api, el, fill, $, start, idFromPath, barChart, percent, showErrors, fieldError } from './common.js';
import { verifyRecord, VerifyError, normaliseReceipt, voterTag } from './recount.js';
import { e2eRecordSection } from './recount-e2e.js';

const ballotId = idFromPath('/ballots/');
let recordText = null;
const storeKey = `carried-checkpoints-${ballotId}`;

start(async () => {
  const ballot = await api('GET', `/ballots/${ballotId}`);
  document.title = `Results: ${ballot.title} – carried`;
  fill($('#page-title'), `Results: ${ballot.title}`);
  if (ballot.status === 'draft' || ballot.status === 'open') {
    const cp = ballot.status === 'open' ? await api('GET', `/ballots/${ballotId}/checkpoint`).catch(() => null) : null;
    if (cp) remember(`${cp.count}:${cp.head}`);
    fill($('#content'), el('div', { class: 'notice' },
      el('p', {}, ballot.status === 'open' ? 'Voting is open. Results are published when the ballot closes.' : 'This ballot has not opened yet.'),
      cp ? el('p', {}, 'Current checkpoint (save it: the published record must extend it): ', el('code', { id: 'checkpoint' }, `${cp.count}:${cp.head}`)) : null));
    return;
  }
  const r = await api('GET', `/ballots/${ballotId}/results`);
  if (ballot.verifiability === 'end_to_end') {
    // The record is Belenios's (record.bel): verified by recount-e2e.js instead of the tier 1 recount.
    fill($('#content'), summary(r), signoff(r.signoff), r.questions.map((q) => questionBlock(q, r)),
      thresholds(r.thresholds), breakdowns(r.breakdowns),
      e2eRecordSection(ballotId, r.questions.map((q) => q.options.map((o) => o.votes))));
    return;
  }
  fill($('#content'),
    summary(r),
    signoff(r.signoff),
    r.questions.map((q) => questionBlock(q, r)),
    thresholds(r.thresholds),
    breakdowns(r.breakdowns),
    receiptCheck(),
    recount(),
    el('p', {}, 'Download: ',
      el('a', { href: `/api/v1/ballots/${ballotId}/results?format=csv` }, 'results (CSV)'), ' · ',
      el('a', { href: `/api/v1/ballots/${ballotId}/record`, download: `ballot-${ballotId}-record.json` }, 'the signed record (JSON)')));
});

function summary(r) {
  return el('div', { class: 'card feature' },
    el('dl', { class: 'summary' },
      el('dt', {}, 'Eligible to vote'), el('dd', { id: 'eligible' }, r.eligible.toLocaleString('en-GB')),
      el('dt', {}, 'Votes cast'), el('dd', { id: 'votes-cast' }, r.votes_cast.toLocaleString('en-GB')),
      el('dt', {}, 'Turnout'), el('dd', { id: 'turnout' }, percent(r.turnout)),
      el('dt', {}, 'Status'), el('dd', {}, r.status === 'published' ? 'Published' : 'Closed')));
}

const n = (x) => Number(x).toLocaleString('en-GB');

function signoff(so) {
  if (!so) {
    return el('div', { class: 'notice', id: 'signoff' },
      el('p', {}, el('strong', {}, 'Not yet signed off by the scrutineer.'),
        ' These results are final as counted; the independent scrutineer has not yet attested them.'));
  }
  const name = so.by.replace(/\s*<[^>]*>\s*$/, '');
  const at = new Date(so.at).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'long', timeStyle: 'short' });
  return el('section', { class: 'notice success', id: 'signoff', 'aria-labelledby': 'signoff-title' },
    el('h2', { id: 'signoff-title' }, 'Signed off by the scrutineer'),
    el('p', {}, el('strong', { id: 'signoff-by' }, name), ', ', el('time', { datetime: so.at, id: 'signoff-at' }, at), ' (UK time):'),
    el('blockquote', { id: 'signoff-statement' }, so.statement),
    el('p', { class: 'hint' }, 'The sign-off is part of the signed record, with the SHA-256 of the results it attests: ',
      el('code', {}, so.results_sha256.slice(0, 16) + '…'), ' (the recount below checks it).'));
}

function questionBlock(q, r) {
  const word = (o) => (q.kind === 'yes_no' ? (o === 'yes' ? 'Yes' : 'No') : o);
  return el('section', { class: 'card', 'aria-labelledby': `rq-${q.number}` },
    el('h2', { id: `rq-${q.number}` }, `${q.number}. ${q.text}`),
    q.kind === 'many_of' ? el('p', { class: 'hint' }, 'Voters could choose several, so the shares add up to more than 100%.') : null,
    barChart(q.options.map((o) => ({
      label: word(o.option), share: o.share_of_cast, cls: q.kind === 'yes_no' ? (o.option === 'yes' ? 'for' : 'against') : '',
      text: `${o.votes.toLocaleString('en-GB')} (${percent(o.share_of_cast)})`,
    })), q.text),
    el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Table' }, el('table', {},
      el('caption', { class: 'visually-hidden' }, `Votes for question ${q.number}`),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Answer'), el('th', { scope: 'col', class: 'num' }, 'Votes'),
        el('th', { scope: 'col', class: 'num' }, 'Of votes cast'), el('th', { scope: 'col', class: 'num' }, `Of all ${n(r.eligible)} eligible`))),
      el('tbody', {}, q.options.map((o) => el('tr', {}, el('th', { scope: 'row' }, word(o.option)),
        el('td', { class: 'num' }, o.votes.toLocaleString('en-GB')), el('td', { class: 'num' }, percent(o.share_of_cast)),
        el('td', { class: 'num' }, percent(o.share_of_eligible))))))));
}

function thresholds(t) {
  // Information only: an indicative ballot is not an industrial action ballot. A test that is not met is
  // not a failure of this ballot, and an abolished test is labelled as such.
  const verdict = (test) => {
    if (test.in_force === false) {
      return el('span', { class: 'tag grey', 'data-test': 'abolished' },
        `Abolished ${new Date(test.abolished_on).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' })}`);
    }
    return el('span', { class: 'tag ' + (test.met ? 'green' : 'grey') }, test.met ? 'Met' : 'Not met');
  };
  const row = (name, test) => el('tr', { class: test.in_force === false ? 'abolished' : '' },
    el('th', { scope: 'row' }, name),
    el('td', { class: 'num' }, percent(test.required, 0)),
    el('td', { class: 'num' }, percent(test.actual)),
    el('td', {}, verdict(test), test.in_force === false ? el('span', { class: 'hint' }, test.met ? ' would have been met' : ' would not have been met') : null));
  return el('section', { 'aria-labelledby': 'thresholds-title', id: 'thresholds' },
    el('h2', { id: 'thresholds-title' }, 'For information: the statutory thresholds'),
    el('p', {}, 'This is an indicative ballot, not an industrial action ballot, so no threshold decides it. ',
      'The tests of the Trade Union Act 2016 are shown for comparison.'),
    el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Table' }, el('table', {},
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Test'), el('th', { scope: 'col', class: 'num' }, 'Needed'),
        el('th', { scope: 'col', class: 'num' }, 'This ballot'), el('th', { scope: 'col' }, 'Status'))),
      el('tbody', {}, row('Turnout of those entitled to vote', t.turnout),
        t.yes_of_eligible ? row(`“Yes” to question ${t.yes_of_eligible.question} of all those entitled to vote (important public services)`, t.yes_of_eligible) : null))),
    el('p', { class: 'hint' }, t.note),
    t.turnout.note ? el('p', { class: 'hint' }, t.turnout.note) : null,
    t.yes_of_eligible && t.yes_of_eligible.note ? el('p', { class: 'hint' }, t.yes_of_eligible.note) : null);
}

function breakdowns(rows) {
  if (!rows || !rows.length) return null;
  return el('section', { 'aria-labelledby': 'breakdown-title' },
    el('h2', { id: 'breakdown-title' }, 'Turnout by LMC area and role'),
    el('p', { class: 'hint' }, 'Groups with fewer than 10 voters are not shown, to keep votes secret.'),
    el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Table' }, el('table', {},
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Group'), el('th', { scope: 'col', class: 'num' }, 'Eligible'),
        el('th', { scope: 'col', class: 'num' }, 'Voted'), el('th', { scope: 'col', class: 'num' }, 'Turnout'))),
      el('tbody', {}, rows.map((g) => el('tr', {},
        el('th', { scope: 'row' }, `${g.dimension === 'lmc' ? 'LMC' : 'Role'}: ${g.group}`),
        el('td', { class: 'num' }, n(g.eligible)),
        el('td', { class: 'num' }, g.suppressed ? 'hidden' : g.voted == null ? '' : n(g.voted)),
        el('td', { class: 'num' }, g.suppressed ? (g.note || 'too few to show') : g.turnout != null ? percent(g.turnout) : '')))))));
}

async function fetchRecord() {
  if (recordText === null) {
    const res = await api('GET', `/ballots/${ballotId}/record`, undefined, { raw: true });
    if (!res.ok) throw new Error(`The record could not be downloaded (status ${res.status}).`);
    recordText = await res.text();
  }
  return recordText;
}

function receiptCheck() {
  const out = el('div', { id: 'receipt-result', 'aria-live': 'polite' });
  const form = el('form', { id: 'receipt-form', class: 'card', novalidate: true },
    el('h2', {}, 'Check my receipt'),
    el('div', { class: 'form-group' },
      el('label', { for: 'receipt' }, 'Your receipt'),
      el('span', { class: 'hint', id: 'receipt-hint' }, 'You were given it when you voted, for example 7K3Q-9XWD-2M4T-HC8R.'),
      el('input', { type: 'text', id: 'receipt', class: 'code', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'receipt-hint' })),
    el('button', { type: 'submit', class: 'secondary' }, 'Check my receipt'),
    out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const receipt = $('#receipt').value.trim();
    fieldError('receipt', null);
    if (!receipt) { fieldError('receipt', 'Enter your receipt'); return showErrors([{ field: 'receipt', message: 'Enter your receipt' }]); }
    showErrors([]);
    try {
      const record = JSON.parse(await fetchRecord());
      const key = normaliseReceipt(receipt);
      const entry = record.entries.find((e) => normaliseReceipt(String(e.receipt)) === key);
      fill(out, entry
        ? el('div', { class: 'notice success' }, el('p', {}, el('strong', {}, `Found: your ballot is entry ${entry.seq} of ${record.entries.length} in the record, and it was counted.`)),
          entry.answers ? el('p', {}, 'The answers recorded with it: ', entry.answers.map((a) => (Array.isArray(a) ? (a.length ? a.join(', ') : 'none') : a)).join('; ')) : null)
        : el('div', { class: 'notice fail' }, el('p', {}, el('strong', {}, `Receipt ${receipt} is not in the record.`)),
          el('p', {}, 'Capitals, spaces and dashes do not matter, and O and 0, I, L and 1 are read alike. Check the other characters; if they are right, tell the scrutineer.')));
    } catch (e) {
      fill(out, el('div', { class: 'notice fail' }, el('p', {}, e.message)));
    }
  });
  return form;
}

// Checkpoints this browser saw while the ballot was open, kept so the recount can check the published
// record extends them.
function remembered() {
  try { return JSON.parse(localStorage.getItem(storeKey) || '[]'); } catch (e) { return []; }
}
function remember(cp) {
  try {
    const all = remembered();
    if (!all.includes(cp)) localStorage.setItem(storeKey, JSON.stringify([...all, cp].slice(-100)));
  } catch (e) { /* storage may be unavailable: nothing to remember */ }
}

function recount() {
  const out = el('div', { id: 'recount-result', 'aria-live': 'polite' });
  const button = el('button', { type: 'button', id: 'recount', class: 'secondary' }, 'Recount this ballot in your browser');
  button.addEventListener('click', async () => {
    button.disabled = true;
    fill(out, el('p', {}, 'Downloading the record and recounting…'));
    try {
      const text = await fetchRecord();
      const published = await api('GET', '/keys/record-signing').catch(() => null);
      const pasted = $('#checkpoints').value.split(/[\n,]+/).map((l) => l.trim()).filter(Boolean);
      const checkpoints = [...new Set([...remembered(), ...pasted])];
      const report = await verifyRecord(text, { trustedKey: published && published.public_key, checkpoints });
      const code = $('#voting-code').value.trim();
      let codeSays = null;
      if (code && report.version === 2) {
        const tag = await voterTag(String(report.record.ballot.id), code);
        codeSays = !report.record.roll.includes(tag)
          ? 'Your voting code’s tag is not on the roll: check the code; if it is right, tell the scrutineer.'
          : report.record.voted.includes(tag)
            ? 'Your voting code’s has-voted tag is present: a ballot was counted with your code.'
            : 'Your voting code’s has-voted tag is absent: no ballot was counted with your code.';
      } else if (code) {
        codeSays = 'This ballot’s record is format v1, which has no has-voted tags to check a code against.';
      }
      fill(out, el('div', { class: 'notice success', id: 'recount-ok' },
        el('h3', {}, report.recounted
          ? `All ${report.entries} entries check out; recounted totals match the published results.`
          : `All ${report.entries} entries link up; the results are consistent (this record publishes receipts only, so it cannot be recounted).`),
        el('ul', {},
          el('li', {}, `Every hash from the ballot’s definition (with N = ${report.eligible}) to the last entry was recomputed with SHA-256.`),
          el('li', {}, report.signatureChecked ? 'The Ed25519 signature is valid' + (published ? ' and made with the key this service publishes.' : '.') : 'The signature was not checked: this browser cannot check Ed25519 signatures.'),
          codeSays ? el('li', { id: 'code-result' }, codeSays) : null,
          report.checkpointsConfirmed ? el('li', { id: 'checkpoints-confirmed' }, `${report.checkpointsConfirmed} saved checkpoint(s) confirmed: the record extends each of them.`) : null,
          el('li', {}, 'Final checkpoint: ', el('code', {}, report.head))),
        report.warnings.length ? [el('h4', {}, 'Warnings'), el('ul', {}, report.warnings.map((w) => el('li', {}, w)))] : null,
        el('h4', {}, 'What this could not check'),
        el('ul', {}, report.limitations.map((w) => el('li', {}, w)))));
    } catch (e) {
      fill(out, el('div', { class: 'notice fail', id: 'recount-failed' },
        el('h3', {}, e instanceof VerifyError ? 'The record does not check out' : 'The recount could not be run'),
        el('p', {}, e.message)));
    } finally {
      button.disabled = false;
    }
  });
  return el('section', { class: 'card', 'aria-labelledby': 'recount-title' },
    el('h2', { id: 'recount-title' }, 'Recount this ballot yourself'),
    el('p', {}, 'Your browser downloads the signed record of every ballot cast, recomputes every hash and recounts every vote. Nothing is sent back.'),
    el('label', { for: 'voting-code' }, 'Your voting code (optional: did a ballot count with it? Nothing is sent)'),
    el('input', { type: 'text', id: 'voting-code', class: 'code', autocomplete: 'off', spellcheck: 'false' }),
    el('label', { for: 'checkpoints' }, 'Checkpoints you saved while voting was open (optional, one per line, COUNT:HEAD)'),
    el('textarea', { id: 'checkpoints', rows: '2', spellcheck: 'false' }),
    remembered().length ? el('p', { class: 'hint' }, `This browser also remembers ${remembered().length} checkpoint(s) it saw while voting was open; they are checked too.`) : null,
    button, out);
}
