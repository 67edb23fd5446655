// Verify an end-to-end ballot's Belenios 2.0 record (record.bel) in the browser, as `carried verify
// RECORD.bel` does (docs/e2e.md): the archive's hashes and event chain, the trustees' proofs and the election
// key, the public credentials, every ballot (canonical, credential on the list, signature, every proof), the
// published encrypted tally against the product of the counted ballots, every partial decryption's proofs,
// and the result. Nothing is sent anywhere. Single trustees only (carried makes no threshold sets yet).
import { el, fill } from './common.js';
import * as B from './belenios.js';
import { progressBar } from './vote-e2e.js';

export class RecordError extends Error {}
const fail = (msg) => { throw new RecordError(msg); };

const hexOf = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
const sha256Hex = async (bytes) => hexOf(await crypto.subtle.digest('SHA-256', bytes));
const text = (bytes) => new TextDecoder('utf-8', { fatal: true }).decode(bytes);
const big = (s, what) => {
  if (typeof s !== 'string' || !/^[0-9]{1,1000}$/.test(s)) fail(`${what} is not a decimal number`);
  return BigInt(s);
};

/** The entries of an old-style tar, as Belenios writes it: [{name, body}], no end-of-archive blocks. */
export function readTar(bytes) {
  const entries = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 512 > bytes.length) fail('the archive ends inside a header');
    const header = bytes.subarray(at, at + 512);
    const nul = header.indexOf(0);
    const name = text(header.subarray(0, nul < 0 || nul > 100 ? 100 : nul));
    const size = parseInt(text(header.subarray(124, 135)), 8);
    if (!name || !Number.isSafeInteger(size)) fail(`entry ${entries.length + 1}: a bad tar header`);
    const start = at + 512;
    if (start + size > bytes.length) fail(`${name}: the archive ends inside it`);
    entries.push({ name, body: bytes.subarray(start, start + size) });
    at = start + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/** A ballot rebuilt in Belenios's field order: the canonical text the record must hold. */
function canonicalBallot(b) {
  const proof = (p) => ({ challenge: p.challenge, response: p.response });
  return JSON.stringify({
    election_uuid: b.election_uuid,
    election_hash: b.election_hash,
    credential: b.credential,
    answers: b.answers.map((a) => ({
      choices: a.choices.map((c) => ({ alpha: c.alpha, beta: c.beta })),
      individual_proofs: a.individual_proofs.map((ps) => ps.map(proof)),
      overall_proof: a.overall_proof.map(proof),
    })),
    signature: { hash: b.signature.hash, proof: proof(b.signature.proof) },
  });
}

/** Commitments g^r·α^c and y^r·(β/g^m)^c of one branch of a disjunctive proof. */
function branch(ctx, alpha, beta, m, c, r) {
  const betaM = m === 0 ? beta : (beta * B.gPow(B.q - BigInt(m))) % B.p;
  return [(B.gPow(r) * B.modPow(alpha, c)) % B.p, (ctx.yTable.pow(r) * B.modPow(betaM, c)) % B.p];
}

async function verifyDisjunction(ctx, s, alpha, beta, ms, proofs) {
  if (!Array.isArray(proofs) || proofs.length !== ms.length) return false;
  const commitments = [];
  let sum = 0n;
  for (const [j, m] of ms.entries()) {
    const c = big(proofs[j].challenge, 'a challenge');
    const r = big(proofs[j].response, 'a response');
    if (c >= B.q || r >= B.q) return false;
    commitments.push(...branch(ctx, alpha, beta, m, c, r));
    sum += c;
  }
  return (await B.hash(`prove|${s}|${alpha},${beta}|`, commitments)) === sum % B.q;
}

/** Checks one ballot (everything but the credential list); returns its ciphertexts as BigInts. */
async function checkBallot(ctx, b) {
  if (b.election_uuid !== ctx.election.uuid || b.election_hash !== ctx.fingerprint) fail('it is for another election');
  const credential = big(b.credential, 'the credential');
  if (!B.isElement(credential)) fail('its credential is not in the group');
  const { signature, ...unsigned } = b;
  if (!signature || signature.hash !== await B.sha256B64(JSON.stringify(unsigned))) fail('the signature\'s hash is not the ballot\'s');
  const c = big(signature.proof.challenge, 'the signature');
  const r = big(signature.proof.response, 'the signature');
  if (c >= B.q || r >= B.q) fail('the signature is out of range');
  const a = (B.gPow(r) * B.modPow(credential, c)) % B.p;
  if (await B.hash(`sig|${signature.hash}|`, [a]) !== c) fail('the credential\'s signature does not verify');
  const qs = ctx.election.questions;
  if (!Array.isArray(b.answers) || b.answers.length !== qs.length) fail('it does not answer every question');
  const s0 = `${ctx.fingerprint}|${credential}`;
  const out = [];
  for (const [i, q] of qs.entries()) {
    const ans = b.answers[i];
    if (ans.choices.length !== q.answers.length || ans.individual_proofs.length !== q.answers.length) fail(`question ${i + 1}: wrong number of ciphertexts`);
    const cts = ans.choices.map((ct) => ({ alpha: big(ct.alpha, 'alpha'), beta: big(ct.beta, 'beta') }));
    for (const [j, ct] of cts.entries()) {
      if (!B.isElement(ct.alpha) || !B.isElement(ct.beta)) fail(`question ${i + 1}, answer ${j + 1}: a ciphertext is not in the group`);
      if (!await verifyDisjunction(ctx, s0, ct.alpha, ct.beta, [0, 1], ans.individual_proofs[j])) fail(`question ${i + 1}, answer ${j + 1}: the individual proof does not verify`);
    }
    const s = `${s0}|${cts.map((ct) => `${ct.alpha},${ct.beta}`).join(',')}`;
    const sum = cts.reduce((acc, ct) => ({ alpha: (acc.alpha * ct.alpha) % B.p, beta: (acc.beta * ct.beta) % B.p }), { alpha: 1n, beta: 1n });
    const ms = [];
    for (let k = q.min; k <= q.max; k++) ms.push(k);
    if (!await verifyDisjunction(ctx, s, sum.alpha, sum.beta, ms, ans.overall_proof)) fail(`question ${i + 1}: the overall proof does not verify`);
    out.push(cts);
  }
  return out;
}

/** Verifies a record.bel (bytes). onProgress(done, total). Returns {ballots, counted, trackers, result}. */
export async function verifyBel(bytes, onProgress = () => {}) {
  const entries = readTar(bytes);
  if (entries.length === 0 || entries[0].name !== 'BELENIOS') fail('this is not a Belenios archive (no BELENIOS entry first)');
  const data = new Map();
  const events = [];
  for (const e of entries.slice(1)) {
    const m = /^([0-9a-f]{64})\.(data|event)\.json$/.exec(e.name);
    if (!m) fail(`${e.name}: an unexpected entry`);
    if (await sha256Hex(e.body) !== m[1]) fail(`${e.name}: its content does not hash to its name`);
    if (m[2] === 'data') data.set(m[1], e.body);
    else events.push({ hash: m[1], event: JSON.parse(text(e.body)) });
  }
  const get = (hash, what) => {
    const body = data.get(hash);
    if (!body) fail(`${what} (${hash}) is missing from the archive`);
    return body;
  };
  events.forEach(({ event }, i) => {
    if (event.height !== i) fail(`event ${i}: height ${event.height}`);
    if (i === 0 ? 'parent' in event : event.parent !== events[i - 1].hash) fail(`event ${i}: not chained to the one before`);
  });
  if (events[0]?.event.type !== 'Setup') fail('the record does not start with its setup');
  const setup = JSON.parse(text(get(events[0].event.payload, 'the setup data')));
  const ctx = await B.parseElection(text(get(setup.election, 'the election')));
  const trustees = JSON.parse(text(get(setup.trustees, 'the trustees')));
  const keys = [];
  for (const [i, t] of trustees.entries()) {
    if (t[0] !== 'Single') fail(`trustee ${i + 1}: threshold trustees are not checked in the browser (use carried verify)`);
    const y = big(t[1].public_key, 'a trustee key');
    const c = big(t[1].pok.challenge, 'a proof');
    const r = big(t[1].pok.response, 'a proof');
    const a = (B.gPow(r) * B.modPow(y, c)) % B.p;
    if (!B.isElement(y) || c >= B.q || r >= B.q || await B.hash(`pok|${B.GROUP_NAME}|${y}|`, [a]) !== c) fail(`trustee ${i + 1}: the proof of knowledge of its key does not verify`);
    keys.push(y);
  }
  if (keys.reduce((acc, y) => (acc * y) % B.p, 1n) !== ctx.y) fail('the election key is not the product of the trustees\' keys');
  const credentials = new Set();
  for (const c of JSON.parse(text(get(setup.credentials, 'the public credentials')))) {
    const [value, weight] = c.split(',');
    if (weight && weight !== '1') fail('weighted credentials are not checked in the browser (use carried verify)');
    if (credentials.has(value) || !B.isElement(big(value, 'a public credential'))) fail(`public credential ${value.slice(0, 12)}…: not in the group, or listed twice`);
    credentials.add(value);
  }
  const ballotEvents = events.filter(({ event }) => event.type === 'Ballot');
  const total = ballotEvents.length + 2;
  let done = 0;
  onProgress(done, total);
  const last = new Map(); // credential → its last ballot's ciphertexts
  const trackers = new Set();
  for (const { event } of ballotEvents) {
    const body = get(event.payload, 'a ballot');
    const tracker = await B.sha256B64(body);
    const raw = text(body);
    const b = JSON.parse(raw);
    try {
      if (canonicalBallot(b) !== raw) fail('it is not in canonical form');
      if (!credentials.has(b.credential)) fail('its credential is not on the list');
      last.set(b.credential, await checkBallot(ctx, b));
    } catch (e) {
      if (e instanceof RecordError) fail(`ballot ${tracker}: ${e.message}`);
      throw e;
    }
    trackers.add(tracker);
    onProgress(++done, total);
  }
  // The encrypted tally must be the product of the counted ballots (belenios-tool 2.0 does not check this).
  const qs = ctx.election.questions;
  const tally = qs.map((q) => q.answers.map(() => ({ alpha: 1n, beta: 1n })));
  for (const cts of last.values()) {
    cts.forEach((row, i) => row.forEach((ct, j) => {
      tally[i][j] = { alpha: (tally[i][j].alpha * ct.alpha) % B.p, beta: (tally[i][j].beta * ct.beta) % B.p };
    }));
  }
  const tallyEvent = events.find(({ event }) => event.type === 'EncryptedTally');
  let result = null;
  if (tallyEvent) {
    const sized = JSON.parse(text(get(tallyEvent.event.payload, 'the sized encrypted tally')));
    const published = JSON.parse(text(get(sized.encrypted_tally, 'the encrypted tally')));
    if (sized.num_tallied !== last.size) fail(`the encrypted tally counts ${sized.num_tallied} ballots, the record has ${last.size}`);
    tally.forEach((row, i) => row.forEach((ct, j) => {
      const p = published[i]?.[j];
      if (!p || big(p.alpha, 'alpha') !== ct.alpha || big(p.beta, 'beta') !== ct.beta) fail(`the published encrypted tally is not the product of the counted ballots (question ${i + 1}, answer ${j + 1})`);
    }));
    onProgress(++done, total);
    const factors = tally.map((row) => row.map(() => 1n));
    const owners = new Set();
    for (const { event } of events.filter((x) => x.event.type === 'PartialDecryption')) {
      const owned = JSON.parse(text(get(event.payload, 'an owned partial decryption')));
      const key = keys[owned.owner - 1];
      if (!key || owners.has(owned.owner)) fail(`partial decryption of trustee ${owned.owner}: no such trustee, or a second one`);
      owners.add(owned.owner);
      const pd = JSON.parse(text(get(owned.payload, 'a partial decryption')));
      const prefix = `decrypt|${ctx.fingerprint}|${key}|`;
      for (const [i, row] of tally.entries()) {
        for (const [j, ct] of row.entries()) {
          const f = big(pd.decryption_factors?.[i]?.[j], 'a decryption factor');
          const c = big(pd.decryption_proofs[i][j].challenge, 'a proof');
          const r = big(pd.decryption_proofs[i][j].response, 'a proof');
          const a = (B.gPow(r) * B.modPow(key, c)) % B.p;
          const b = (B.modPow(ct.alpha, r) * B.modPow(f, c)) % B.p;
          if (!B.isElement(f) || c >= B.q || r >= B.q || await B.hash(prefix, [a, b]) !== c) fail(`trustee ${owned.owner}, question ${i + 1}, answer ${j + 1}: the decryption proof does not verify`);
          factors[i][j] = (factors[i][j] * f) % B.p;
        }
      }
    }
    const resultEvent = events.find(({ event }) => event.type === 'Result');
    if (resultEvent) {
      if (owners.size !== keys.length) fail(`${keys.length - owners.size} trustees have not decrypted, but a result is published`);
      result = JSON.parse(text(get(resultEvent.event.payload, 'the result'))).result;
      tally.forEach((row, i) => row.forEach((ct, j) => {
        const n = result?.[i]?.[j];
        if (!Number.isInteger(n) || n < 0 || B.gPow(BigInt(n)) !== (ct.beta * B.modPow(factors[i][j], B.q - 1n)) % B.p) {
          fail(`the published result is not what the trustees decrypted (question ${i + 1}, answer ${j + 1})`);
        }
      }));
    }
  }
  onProgress(total, total);
  return { ballots: ballotEvents.length, counted: last.size, trackers, result, fingerprint: ctx.fingerprint };
}

/** The results page's section for an end-to-end ballot: check a tracker, verify the whole record here. */
export function e2eRecordSection(ballotId, published) {
  let report = null;
  const tracker = el('input', { type: 'text', id: 'tracker', class: 'tracker', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'tracker-hint' });
  const out = el('div', { id: 'recount-result', 'aria-live': 'polite' });
  const button = el('button', { type: 'button', id: 'recount', class: 'secondary' }, 'Verify the record and check my tracker');
  button.addEventListener('click', async () => {
    button.disabled = true;
    const progress = progressBar('recount-progress', 'Verifying every ballot, proof and decryption in this browser');
    fill(out, progress.node);
    try {
      progress.set(0, 1, 'Downloading the record…');
      const res = await fetch(`/api/v1/ballots/${ballotId}/record.bel`);
      if (!res.ok) throw new Error(`The record could not be downloaded (status ${res.status}).`);
      report = await verifyBel(new Uint8Array(await res.arrayBuffer()), (d, t) => progress.set(d, t));
      const same = JSON.stringify(report.result) === JSON.stringify(published);
      const mine = tracker.value.trim();
      fill(out, el('div', { class: same ? 'notice success' : 'notice fail', id: same ? 'recount-ok' : 'recount-failed' },
        el('h3', {}, same
          ? `All ${report.ballots} ballots check out; the trustees' decryption gives the published results.`
          : 'The record checks out, but its result is not the one published on this page.'),
        el('p', {}, `Election fingerprint ${report.fingerprint}; ${report.counted} ballots counted.`),
        mine ? el('p', { id: 'tracker-found' }, report.trackers.has(mine)
          ? `Your tracker ${mine} is in the record: your ballot was counted.`
          : `Your tracker ${mine} is NOT in the record. Check that you typed it exactly (it is case-sensitive), then tell the returning officer.`) : null));
    } catch (e) {
      fill(out, el('div', { class: 'notice fail', id: 'recount-failed' },
        el('h3', {}, e instanceof RecordError ? 'The record does not check out' : 'The verification could not be run'),
        el('p', {}, e.message)));
    } finally {
      button.disabled = false;
    }
  });
  return el('section', { class: 'card', 'aria-labelledby': 'recount-title' },
    el('h2', { id: 'recount-title' }, 'Verify this ballot yourself'),
    el('p', {}, 'Your browser downloads the Belenios record of this end-to-end ballot and checks every ballot’s proofs, ',
      'that the encrypted total is the product of the ballots, and every trustee’s decryption. Nothing is sent back. ',
      'Belenios’s own belenios-tool and carried verify check the same file.'),
    el('div', { class: 'form-group' },
      el('label', { for: 'tracker' }, 'Your tracker (optional)'),
      el('span', { class: 'hint', id: 'tracker-hint' }, 'The 43 characters shown when you voted.'),
      tracker),
    button, out,
    el('p', {}, el('a', { href: `/api/v1/ballots/${ballotId}/record.bel`, download: `ballot-${ballotId}.bel` }, 'Download the record (record.bel)')));
}
