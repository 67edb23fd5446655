// Recount a published ballot record in the browser, following docs/audit.md section 10 in order:
// canonical JSON (RFC 8785 as restricted there), SHA-256 with WebCrypto, Ed25519 where the browser has it.

const FORMAT = 'carried/ballot-record/v1';
const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;

export class VerifyError extends Error {}

/** Codes and receipts as people type them (docs/audit.md, "Typed codes and receipts"; the same rule as
 * src/audit/typed.rs): upper case; no spaces or dashes; O read as 0, I and L as 1. */
export function normaliseTyped(s) {
  return String(s).replace(/[\s\-\u2010-\u2015\u2212]/gu, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
}
const fail = (msg) => { throw new VerifyError(msg); };

/** Canonical JSON text of a value (section 2). */
export function canonical(v) {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean': return v ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(v)) fail('floats are not allowed in canonical records');
      return String(v);
    case 'string': return JSON.stringify(v);
    case 'object':
      if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
      // The default sort compares UTF-16 code units, as JCS requires.
      return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
    default: return fail(`a value of type ${typeof v} cannot be in a record`);
  }
}

const utf8 = (s) => new TextEncoder().encode(s);
export const toHex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
export function fromHex(h) {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}
export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}
function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
/** hash = SHA-256(prev raw bytes ‖ canonical(content)), as hex. */
export async function chainHash(prevHex, content) {
  return toHex(await sha256(concat(fromHex(prevHex), utf8(canonical(content)))));
}

/** Refuse numbers written with a fraction or exponent anywhere in the JSON text (JSON.parse would hide them). */
export function checkNoFloats(text) {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      let j = i;
      while (j < text.length && /[-+0-9.eE]/.test(text[j])) j++;
      if (/[.eE]/.test(text.slice(i, j))) fail('floats are not allowed in canonical records');
      i = j - 1;
    }
  }
}

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v) => Number.isSafeInteger(v) && v >= 0;

function shape(obj, where, required, optional = []) {
  if (!isObj(obj)) fail(`${where} is malformed: not an object`);
  for (const k of Object.keys(obj)) {
    if (!required.includes(k) && !optional.includes(k)) fail(`${where} is malformed: unknown field \`${k}\``);
  }
  for (const k of required) if (!(k in obj)) fail(`${where} is malformed: missing field \`${k}\``);
}

function checkQuestions(questions) {
  const bad = (m) => fail(`the ballot definition cannot be read: ${m}`);
  if (!Array.isArray(questions)) bad('questions is not a list');
  questions.forEach((q, i) => {
    const n = i + 1;
    if (!isObj(q) || typeof q.text !== 'string') bad(`question ${n} has no text`);
    if (!['yes_no', 'one_of', 'many_of'].includes(q.kind)) bad(`question ${n} has an unknown kind`);
    const opts = q.options === undefined ? [] : q.options;
    if (!Array.isArray(opts) || opts.some((o) => typeof o !== 'string')) bad(`question ${n}: options is not a list of strings`);
    if (q.kind === 'yes_no') {
      if (opts.length) bad(`question ${n} is yes/no but has options`);
      if (q.max !== undefined) bad(`question ${n} is yes/no but has a max`);
    } else {
      if (!opts.length) bad(`question ${n} has no options`);
      if (new Set(opts).size !== opts.length) bad(`question ${n} has two equal options`);
      if (q.kind === 'many_of') {
        if (!isInt(q.max) || q.max < 1) bad(`question ${n} needs a max of at least 1`);
      } else if (q.max !== undefined) bad(`question ${n}: only many_of questions have a max`);
    }
  });
  return questions.map((q) => ({ kind: q.kind, options: q.kind === 'yes_no' ? ['yes', 'no'] : q.options, max: q.max }));
}

function checkAnswer(q, a, qn, en) {
  const where = `answer to question ${qn} in entry ${en}`;
  if (q.kind === 'yes_no') {
    if (a !== 'yes' && a !== 'no') fail(`${where} is not "yes" or "no"`);
  } else if (q.kind === 'one_of') {
    if (typeof a !== 'string' || !q.options.includes(a)) fail(`${where} is not one of its options`);
  } else {
    if (!Array.isArray(a)) fail(`${where} is not a list of options`);
    let last = -1;
    const seen = new Set();
    for (const o of a) {
      const idx = typeof o === 'string' ? q.options.indexOf(o) : -1;
      if (idx < 0) fail(`${where} includes something that is not one of its options`);
      if (seen.has(o)) fail(`${where} lists an option twice`);
      if (idx < last) fail(`${where} lists its options out of definition order`);
      seen.add(o);
      last = idx;
    }
    if (a.length > q.max) fail(`${where} chooses ${a.length} options but at most ${q.max} are allowed`);
  }
}

async function verifySignature(record) {
  const sig = record.signature;
  if (!HEX64.test(sig.public_key) || !HEX128.test(sig.value)) return { checked: true, ok: false };
  const { signature, ...rest } = record;
  const data = utf8(canonical(rest));
  let key;
  try {
    key = await crypto.subtle.importKey('raw', fromHex(sig.public_key), { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    if (e && e.name === 'NotSupportedError') return { checked: false };
    return { checked: true, ok: false };
  }
  const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, fromHex(sig.value), data);
  return { checked: true, ok };
}

/**
 * Verify a record given as JSON text. Resolves to a report; rejects with VerifyError naming the first
 * thing wrong. `trustedKey` (hex) is compared with the record's key when given.
 */
export async function verifyRecord(text, { trustedKey, receipts = [] } = {}) {
  // 1. Format and shape.
  let record;
  try { record = JSON.parse(text); } catch (e) { fail(`the record is not JSON: ${e.message}`); }
  checkNoFloats(text);
  if (!isObj(record)) fail('the record is malformed: not an object');
  if (!('format' in record)) fail(`format is missing, expected "${FORMAT}"`);
  if (record.format !== FORMAT) fail(`format is "${record.format}", expected "${FORMAT}"`);
  shape(record, 'the record', ['format', 'ballot', 'eligible', 'markers', 'publication', 'genesis', 'entries', 'count', 'head', 'results', 'scrutineer_signoff', 'published_at', 'signature']);
  if (!isObj(record.ballot)) fail('the record is malformed: ballot is not an object');
  for (const k of ['eligible', 'markers', 'count']) if (!isInt(record[k])) fail(`the record is malformed: ${k} is not a whole number`);
  if (!['full', 'receipts_only'].includes(record.publication)) fail('the record is malformed: publication is not full or receipts_only');
  if (!HEX64.test(record.genesis)) fail('the record is malformed: genesis is not 64 lowercase hex digits');
  if (!HEX64.test(record.head)) fail('the record is malformed: head is not 64 lowercase hex digits');
  if (!Array.isArray(record.entries)) fail('the record is malformed: entries is not a list');
  shape(record.results, 'the record', ['votes_cast', 'questions']);
  if (!isInt(record.results.votes_cast) || !Array.isArray(record.results.questions)) fail('the record is malformed: results');
  record.results.questions.forEach((q) => {
    shape(q, 'the record', ['counts']);
    if (!isObj(q.counts) || Object.values(q.counts).some((n) => !isInt(n))) fail('the record is malformed: counts');
  });
  if (record.scrutineer_signoff !== null) shape(record.scrutineer_signoff, 'the record', ['by', 'at', 'statement', 'results_sha256']);
  if (record.signature !== null && record.signature !== undefined) shape(record.signature, 'the record', ['algorithm', 'public_key', 'value']);
  const full = record.publication === 'full';
  record.entries.forEach((e, i) => {
    shape(e, `entry ${i + 1}`, ['seq', 'receipt', 'prev', 'hash'], ['answers', 'nonce']);
    if (!Number.isSafeInteger(e.seq)) fail(`entry ${i + 1} is malformed: seq is not a whole number`);
    if (typeof e.receipt !== 'string' || typeof e.prev !== 'string' || typeof e.hash !== 'string') fail(`entry ${i + 1} is malformed`);
  });

  // 2. Genesis.
  const genesis = toHex(await sha256(utf8(canonical({ domain: FORMAT, ballot: record.ballot, eligible: record.eligible }))));
  if (genesis !== record.genesis) {
    fail(`genesis does not commit to this ballot definition and eligible = ${record.eligible} (computed ${genesis}, recorded ${record.genesis})`);
  }
  if (typeof record.ballot.publication === 'string' && record.ballot.publication !== record.publication) {
    fail(`publication is ${record.publication} but the ballot definition committed to ${record.ballot.publication}`);
  }

  // 3. Entries.
  let prev = genesis;
  const receiptsSeen = new Map();
  for (let i = 0; i < record.entries.length; i++) {
    const e = record.entries[i];
    const n = i + 1;
    const at = `entry ${n} (seq ${e.seq})`;
    if (e.seq !== n) fail(`entry ${n}: seq is ${e.seq}, expected ${n} (an entry was dropped or reordered)`);
    if (e.prev !== prev) fail(n === 1 ? 'entry 1: prev does not equal the genesis hash' : `entry ${n}: prev does not equal the hash of entry ${n - 1}`);
    for (const k of ['answers', 'nonce']) {
      if (full && !(k in e)) fail(`${at}: ${k} is missing, but the publication is full`);
      if (!full && k in e) fail(`${at}: ${k} is present, but the publication is receipts_only`);
    }
    if (full && !HEX64.test(e.nonce)) fail(`${at}: nonce is not 64 lowercase hex digits`);
    const r = normaliseTyped(e.receipt);
    if (!r) fail(`${at}: receipt is empty`);
    if (receiptsSeen.has(r)) fail(`${at}: receipt ${e.receipt} is also the receipt of entry ${receiptsSeen.get(r)}`);
    receiptsSeen.set(r, n);
    if (!HEX64.test(e.hash)) fail(`${at}: hash is not 64 lowercase hex digits`);
    if (full) {
      const computed = await chainHash(prev, { answers: e.answers, nonce: e.nonce, receipt: e.receipt, seq: e.seq });
      if (computed !== e.hash) fail(`${at}: hash does not match its contents (computed ${computed}, recorded ${e.hash})`);
    }
    prev = e.hash;
  }

  // 4. Head and count.
  if (record.head !== prev) fail(`head ${record.head} is not the hash of the last entry (${prev})`);
  if (record.count !== record.entries.length) fail(`count ${record.count} does not match ${record.entries.length} entries`);

  // 5. Markers.
  const warnings = [];
  const n = record.entries.length;
  if (n > record.markers) fail(`entries (${n}) exceed has-voted markers (${record.markers})`);
  if (record.markers > record.eligible) fail(`markers (${record.markers}) exceed eligible (${record.eligible})`);
  if (record.markers > n) warnings.push(`${record.markers - n} voter(s) are recorded as having voted without a ballot in the record.`);

  // 6. Answers.
  const questions = checkQuestions(record.ballot.questions);
  if (full) {
    record.entries.forEach((e, i) => {
      if (!Array.isArray(e.answers) || e.answers.length !== questions.length) {
        fail(`entry ${i + 1} (seq ${e.seq}): ${Array.isArray(e.answers) ? e.answers.length : 0} answers for ${questions.length} questions`);
      }
      e.answers.forEach((a, qi) => checkAnswer(questions[qi], a, qi + 1, i + 1));
    });
  }

  // 7. Results.
  const res = record.results;
  if (res.questions.length !== questions.length) fail(`results do not fit the ballot's questions: ${res.questions.length} results for ${questions.length} questions`);
  questions.forEach((q, qi) => {
    const keys = Object.keys(res.questions[qi].counts);
    for (const k of keys) if (!q.options.includes(k)) fail(`results do not fit the ballot's questions: question ${qi + 1} has a count for "${k}", which is not one of its options`);
    for (const o of q.options) if (!keys.includes(o)) fail(`results do not fit the ballot's questions: question ${qi + 1} has no count for "${o}"`);
  });
  let recounted = false;
  if (full) {
    if (res.votes_cast !== n) fail(`results do not match a recount: votes_cast recorded ${res.votes_cast}, recounted ${n}`);
    const tally = questions.map((q) => Object.fromEntries(q.options.map((o) => [o, 0])));
    for (const e of record.entries) {
      e.answers.forEach((a, qi) => {
        for (const o of Array.isArray(a) ? a : [a]) tally[qi][o] += 1;
      });
    }
    questions.forEach((q, qi) => {
      for (const o of q.options) {
        const rec = res.questions[qi].counts[o];
        if (rec !== tally[qi][o]) fail(`results do not match a recount: question ${qi + 1} option "${o}": recorded ${rec}, recounted ${tally[qi][o]}`);
      }
    });
    recounted = true;
  } else {
    if (res.votes_cast !== n) fail(`results are inconsistent: votes_cast is ${res.votes_cast} but there are ${n} entries`);
    questions.forEach((q, qi) => {
      const counts = Object.values(res.questions[qi].counts);
      const sum = counts.reduce((a, b) => a + b, 0);
      if (q.kind !== 'many_of' && sum !== n) fail(`results are inconsistent: the counts of question ${qi + 1} add up to ${sum}, not ${n}`);
      if (q.kind === 'many_of' && (counts.some((c) => c > n) || sum > n * q.max)) fail(`results are inconsistent: question ${qi + 1}`);
    });
  }

  // 8. Sign-off.
  const resultsHash = toHex(await sha256(utf8(canonical(res))));
  if (record.scrutineer_signoff) {
    if (record.scrutineer_signoff.results_sha256 !== resultsHash) {
      fail(`scrutineer sign-off does not match the results (signed off ${record.scrutineer_signoff.results_sha256}, the results hash to ${resultsHash})`);
    }
  } else {
    warnings.push('No scrutineer has signed off these results.');
  }

  // 9. Signature.
  const limitations = [];
  if (!record.signature) fail('the record is not signed');
  if (record.signature.algorithm !== 'ed25519') fail(`the record is signed with ${record.signature.algorithm}, not ed25519`);
  const sig = await verifySignature(record);
  if (sig.checked && !sig.ok) fail(`signature does not verify with public key ${record.signature.public_key}`);
  if (!sig.checked) limitations.push('This browser cannot check Ed25519 signatures, so the signature was not checked.');
  if (trustedKey) {
    if (record.signature.public_key.toLowerCase() !== trustedKey.toLowerCase()) fail(`public key ${record.signature.public_key} is not the trusted key ${trustedKey}`);
  } else {
    limitations.push('The signing key was not compared with a key you trust.');
  }
  if (!full) limitations.push('Receipts-only publication: entry hashes could not be recomputed and the votes could not be recounted; only the links between entries were checked.');
  limitations.push(`N (${record.eligible}) and M (${record.markers}) are as stated by the service.`);

  // 11. Receipts.
  const found = receipts.map((r) => {
    const seq = receiptsSeen.get(normaliseTyped(r));
    if (!seq) fail(`receipt ${r.trim()} is not in the record`);
    return { receipt: r.trim(), seq };
  });

  return {
    entries: n, eligible: record.eligible, markers: record.markers, head: `${n}:${record.head}`,
    recounted, signatureChecked: sig.checked, publicKey: record.signature.public_key, resultsHash,
    found, warnings, limitations, record,
  };
}

/** Verify the service's audit log chain (docs/audit.md section 12) from its first entry. */
export async function verifyLog(entries) {
  let prev = toHex(await sha256(utf8('carried/audit-log/v1')));
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const n = i + 1;
    if (e.seq !== n) fail(`audit log entry ${n}: seq is ${e.seq}, expected ${n} (an entry was dropped or reordered)`);
    if (e.prev !== prev) fail(`audit log entry ${n}: prev does not equal the hash of entry ${n - 1}`);
    const computed = await chainHash(prev, { action: e.action, actor: e.actor, at: e.at, details: e.details, seq: e.seq, subject: e.subject });
    if (computed !== e.hash) fail(`audit log entry ${n}: hash does not match its contents (computed ${computed}, recorded ${e.hash})`);
    prev = e.hash;
  }
  return entries.length;
}
