// Recount a published ballot record in the browser, following docs/audit.md section 10 in order:
// canonical JSON (RFC 8785 as restricted there), SHA-256 with WebCrypto, Ed25519 where the browser has it.

const FORMAT = 'carried/ballot-record/v1';
const FORMAT_V2 = 'carried/ballot-record/v2';
const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;

export class VerifyError extends Error {}

/** Codes and receipts as people type them (docs/audit.md, "Typed codes and receipts"; the same rule as
 * crates/carried-audit/src/typed.rs): upper case; no spaces or dashes; O read as 0, I and L as 1. */
export function normaliseTyped(s) {
  // Exactly the characters crates/carried-audit/src/typed.rs drops, and ASCII letters only upper-cased ("ſ" stays "ſ").
  return asciiUpper(String(s).replace(/[ \t\n\r\f\u00a0\-\u2010-\u2015\u2212]/g, ''))
    .replace(/O/g, '0').replace(/[IL]/g, '1');
}
const fail = (msg) => { throw new VerifyError(msg); };

/** What v1 and v2 entries share (sections 3 and 18.4): the sequence, the link to the previous entry, which
 * members the publication mode allows, and a receipt unique in the record. */
function checkEntryLink(e, n, at, prev, full, receiptsSeen) {
    if (e.seq !== n) fail(`entry ${n}: seq is ${e.seq}, expected ${n} (an entry was dropped or reordered)`);
    if (e.prev !== prev) fail(n === 1 ? 'entry 1: prev does not equal the genesis hash' : `entry ${n}: prev does not equal the hash of entry ${n - 1}`);
    for (const k of ['answers', 'nonce']) {
      if (full && !(k in e)) fail(`${at}: ${k} is missing, but the publication is full`);
      if (!full && k in e) fail(`${at}: ${k} is present, but the publication is receipts_only`);
    }
    if (full && !HEX64.test(e.nonce)) fail(`${at}: nonce is not 64 lowercase hex digits`);
    const r = normaliseReceipt(e.receipt);
    if (!r) fail(`${at}: receipt is empty`);
    if (receiptsSeen.has(r)) fail(`${at}: receipt ${e.receipt} is also the receipt of entry ${receiptsSeen.get(r)}`);
    receiptsSeen.set(r, n);
}

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

const MAX_INTEGER = Number.MAX_SAFE_INTEGER; // 2^53 − 1
const MAX_DEPTH = 64;

/**
 * Read a record's text strictly (docs/audit.md section 2.1), as crates/carried-audit/src/strict.rs does: a key twice in
 * one object, `-0`, leading zeros, fractions or exponents, integers of 2^53 or more, lone surrogates,
 * control characters in strings, a byte-order mark, trailing text or nesting deeper than 64 are refused.
 * Objects are built with defineProperty, so a key such as "__proto__" is an ordinary member.
 */
export function parseStrict(text) {
  let i = 0;
  let depth = 0;
  const bad = (problem) => fail(`the record cannot be read: ${problem}`);
  const describe = (wanted) => (i >= text.length
    ? `the text ends where ${wanted} was expected`
    : `unexpected character 0x${text.charCodeAt(i).toString(16).padStart(2, '0')} where ${wanted} was expected`);
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const peek = () => { ws(); return text[i]; };
  const expect = (c) => { if (peek() !== c) bad(describe(`'${c}'`)); i++; };
  const hex4 = () => {
    const h = text.slice(i, i + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) bad('an invalid \\u escape');
    i += 4;
    return parseInt(h, 16);
  };
  function string() {
    expect('"');
    let out = '';
    for (;;) {
      if (i >= text.length) bad('a string is not closed');
      const c = text.charCodeAt(i);
      if (c === 0x22) { i++; return out; }
      if (c < 0x20) bad('a control character inside a string');
      if (c >= 0xd800 && c < 0xdc00) {
        const d = text.charCodeAt(i + 1);
        if (!(d >= 0xdc00 && d < 0xe000)) bad('a string is not valid UTF-8');
        out += text[i] + text[i + 1];
        i += 2;
      } else if (c >= 0xdc00 && c < 0xe000) {
        bad('a string is not valid UTF-8');
      } else if (c === 0x5c) {
        const e = text[i + 1];
        i += 2;
        const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) out += simple[e];
        else if (e === 'u') {
          const hi = hex4();
          if (hi >= 0xd800 && hi < 0xdc00) {
            if (text[i] !== '\\' || text[i + 1] !== 'u') bad('a lone surrogate in a string');
            i += 2;
            const lo = hex4();
            if (!(lo >= 0xdc00 && lo < 0xe000)) bad('a lone surrogate in a string');
            out += String.fromCharCode(hi, lo);
          } else if (hi >= 0xdc00 && hi < 0xe000) {
            bad('a lone surrogate in a string');
          } else out += String.fromCharCode(hi);
        } else bad('an invalid escape in a string');
      } else {
        out += text[i];
        i++;
      }
    }
  }
  function number() {
    ws();
    const start = i;
    if (text[i] === '-') i++;
    const d0 = i;
    while (i < text.length && text[i] >= '0' && text[i] <= '9') i++;
    const digits = text.slice(d0, i);
    const whole = text.slice(start, i);
    if ('.eE'.includes(text[i] || 'x')) fail('floats are not allowed in canonical records');
    if (!digits) bad('a number has no digits');
    if (digits.length > 1 && digits[0] === '0') bad(`non-canonical number ${whole}`);
    if (whole === '-0') bad('non-canonical number -0');
    if (digits.length > 16 || Number(digits) > MAX_INTEGER) bad(`integer ${whole} is out of range (a record's integers are below 2^53)`);
    return Number(whole);
  }
  function literal(word, v) {
    if (text.slice(i, i + word.length) !== word) bad(describe('a value'));
    i += word.length;
    return v;
  }
  function value() {
    const c = peek();
    if (c === '{' || c === '[') {
      i++;
      if (++depth > MAX_DEPTH) bad(`nesting deeper than ${MAX_DEPTH}`);
      let out;
      if (c === '{') {
        out = {};
        if (peek() === '}') i++;
        else {
          for (;;) {
            const key = string();
            expect(':');
            const v = value();
            if (Object.prototype.hasOwnProperty.call(out, key)) bad(`duplicate key ${JSON.stringify(key)}`);
            Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
            const n = peek();
            i++;
            if (n === '}') break;
            if (n !== ',') { i--; bad(describe("',' or '}'")); }
          }
        }
      } else {
        out = [];
        if (peek() === ']') i++;
        else {
          for (;;) {
            out.push(value());
            const n = peek();
            i++;
            if (n === ']') break;
            if (n !== ',') { i--; bad(describe("',' or ']'")); }
          }
        }
      }
      depth--;
      return out;
    }
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    return bad(describe('a value'));
  }
  const v = value();
  ws();
  if (i !== text.length) bad('text after the end of the record');
  return v;
}

/** ASCII white space only (not U+FEFF or U+00A0), as in crates/carried-audit/src/checks.rs trim_ascii_ws. */
export const asciiTrim = (s) => s.replace(/^[ \t\n\r\f]+|[ \t\n\r\f]+$/g, '');
/** ASCII letters only ("ſ" stays "ſ"), as Rust's to_ascii_uppercase. */
export const asciiUpper = (s) => s.replace(/[a-z]+/g, (m) => m.toUpperCase());
export const normaliseReceipt = (r) => normaliseTyped(r);

/** COUNT:HEAD, as audit::Checkpoint's FromStr: ASCII spaces trimmed, HEAD in either ASCII case. */
export function parseCheckpoint(s) {
  const m = /^([0-9]+):([0-9a-fA-F]{64})$/.exec(asciiTrim(String(s)).replace(/[ \t\n\r\f]*:[ \t\n\r\f]*/, ':'));
  if (!m || (m[1].length > 1 && m[1][0] === '0') || m[1].length > 16 || Number(m[1]) > MAX_INTEGER) {
    fail(`checkpoint ${JSON.stringify(String(s))} is not COUNT:HEAD with HEAD 64 hex digits`);
  }
  return { count: Number(m[1]), head: m[2].toLowerCase() };
}

// Ed25519 as ed25519-dalek's verify_strict, which WebCrypto is not: refuse public keys and R values
// that are not canonically encoded (y ≥ p) or are of small order, and S ≥ L.
const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
/** Encodings of the 8 points of small order (and the two "x = −0" variants of order 1 and 2). */
export const SMALL_ORDER = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000080',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
];
const littleEndian = (bytes) => bytes.reduceRight((n, b) => (n << 8n) | BigInt(b), 0n);
/** True when 32 bytes encode a point canonically and it is not of small order. */
export function strictPoint(bytes) {
  const y = littleEndian(bytes) & ((1n << 255n) - 1n);
  return y < P && !SMALL_ORDER.includes(toHex(bytes));
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

// The same checks, in the same order, as audit::parse_questions (a member written as null is present).
function checkQuestions(def) {
  const bad = (m) => fail(`the ballot definition cannot be read: ${m}`);
  if (!('questions' in def)) bad('the ballot definition has no "questions"');
  const questions = def.questions;
  const malformed = (m) => bad(`the ballot definition's questions are malformed: ${m}`);
  if (!Array.isArray(questions)) malformed('questions is not a list');
  questions.forEach((q, i) => {
    const n = i + 1;
    if (!isObj(q) || typeof q.text !== 'string') malformed(`question ${n} has no text`);
    if (!['yes_no', 'one_of', 'many_of'].includes(q.kind)) malformed(`question ${n} has an unknown kind`);
    if ('options' in q && (!Array.isArray(q.options) || q.options.some((o) => typeof o !== 'string'))) malformed(`question ${n}: options is not a list of strings`);
    if ('max' in q && q.max !== null && !(isInt(q.max) && q.max <= 4294967295)) malformed(`question ${n}: max is not a whole number`);
  });
  questions.forEach((q, i) => {
    const n = i + 1;
    const opts = q.options || [];
    if (q.kind === 'yes_no' && opts.length) bad(`question ${n} (${q.kind}) must not list options`);
    if (q.kind !== 'yes_no' && !opts.length) bad(`question ${n} (${q.kind}) has no options`);
    if (q.kind === 'many_of' && !(q.max >= 1)) bad(`question ${n} (${q.kind}) needs a max of at least 1`);
    if (q.kind !== 'many_of' && 'max' in q) bad(`question ${n} (${q.kind}) must not have a max`);
    const seen = new Set();
    for (const o of opts) {
      if (seen.has(o)) bad(`question ${n} (${q.kind}) lists option ${JSON.stringify(o)} twice`);
      seen.add(o);
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

const WEAK_KEY = (pk) => `public key ${pk} is not acceptable: it is of small order or not canonically encoded`;

/** Strict Ed25519 over `data` (bytes); resolves to { checked, ok, problem }. */
export async function verifyEd25519(publicKeyHex, signatureHex, data) {
  if (!HEX64.test(publicKeyHex)) return { checked: true, ok: false, problem: `public key ${publicKeyHex} is not 64 lowercase hex digits` };
  if (!HEX128.test(signatureHex)) return { checked: true, ok: false, problem: 'signature is not 128 lowercase hex digits' };
  const pk = fromHex(publicKeyHex);
  const sig = fromHex(signatureHex);
  if (!strictPoint(pk)) return { checked: true, ok: false, problem: WEAK_KEY(publicKeyHex) };
  const mismatch = { checked: true, ok: false, problem: `signature does not verify with public key ${publicKeyHex}` };
  if (!strictPoint(sig.slice(0, 32)) || littleEndian(sig.slice(32)) >= L) return mismatch;
  let key;
  try {
    key = await crypto.subtle.importKey('raw', pk, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    if (e && e.name === 'NotSupportedError') return { checked: false };
    return mismatch;
  }
  const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, data);
  return ok ? { checked: true, ok: true } : mismatch;
}

async function verifySignature(record) {
  const { signature, ...rest } = record;
  return verifyEd25519(signature.public_key, signature.value, utf8(canonical(rest)));
}

/**
 * Verify a record given as JSON text. Resolves to a report; rejects with VerifyError naming the first
 * thing wrong. `trustedKey` (hex) is compared with the record's key when given.
 */
export async function verifyRecord(text, { trustedKey, receipts = [], checkpoints = [], codes = [] } = {}) {
  // 1. Format and shape.
  const record = parseStrict(text);
  if (!isObj(record)) fail('the record is not a JSON object');
  const expected = 'expected "carried/ballot-record/v1" or "carried/ballot-record/v2"';
  if (!('format' in record)) fail(`format is missing, ${expected}`);
  if (record.format === FORMAT_V2) return verifyV2(record, { trustedKey, receipts, checkpoints, codes });
  if (record.format !== FORMAT) fail(`format is ${JSON.stringify(record.format)}, ${expected}`);
  if (codes.length) fail('the record is malformed: voting codes can only be checked against a v2 record');
  const saved = checkpoints.map((c) => (typeof c === 'string' ? parseCheckpoint(c) : parseCheckpoint(`${c.count}:${c.head}`)));
  shape(record, 'the record', ['format', 'ballot', 'eligible', 'markers', 'publication', 'genesis', 'entries', 'count', 'head', 'results', 'scrutineer_signoff', 'published_at'], ['signature']);
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
    checkEntryLink(e, n, at, prev, full, receiptsSeen);
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
  const questions = checkQuestions(record.ballot);
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
  if (sig.checked && !sig.ok) fail(sig.problem);
  if (!sig.checked) limitations.push('This browser cannot check Ed25519 signatures, so the signature was not checked.');
  if (trustedKey) {
    const trusted = asciiTrim(trustedKey).toLowerCase();
    if (record.signature.public_key !== trusted) fail(`public key ${record.signature.public_key} is not the trusted key ${trusted}`);
  } else {
    limitations.push('The signing key was not compared with a key you trust.');
  }
  if (!full) limitations.push('Receipts-only publication: entry hashes could not be recomputed and the votes could not be recounted; only the links between entries were checked.');
  limitations.push(`N (${record.eligible}) and M (${record.markers}) are as stated by the service.`);

  // 10. Checkpoints.
  for (const cp of saved) {
    const shown = `${cp.count}:${cp.head}`;
    if (cp.count === 0) {
      if (cp.head !== record.genesis) fail(`checkpoint ${shown} is not a prefix of this record: its genesis is ${record.genesis}`);
    } else if (cp.count > n) {
      fail(`checkpoint ${shown} claims ${cp.count} entries but the record has ${n} (history was truncated after a checkpoint)`);
    } else if (record.entries[cp.count - 1].hash !== cp.head) {
      fail(`checkpoint ${shown} is not a prefix of this record: entry ${cp.count} has hash ${record.entries[cp.count - 1].hash}`);
    }
  }
  if (!saved.length) limitations.push('No checkpoints were given: a history rewritten before publication would not be detected. Paste the checkpoints you saved while the ballot was open.');

  // 11. Receipts.
  const found = receipts.map((r) => {
    const seq = receiptsSeen.get(normaliseReceipt(r));
    if (!seq) fail(`receipt ${asciiTrim(r)} is not in the record`);
    return { receipt: asciiTrim(r), seq };
  });

  return {
    entries: n, eligible: record.eligible, markers: record.markers, head: `${n}:${record.head}`,
    recounted, signatureChecked: sig.checked, publicKey: record.signature.public_key, resultsHash,
    found, warnings, limitations, record, checkpointsConfirmed: saved.length, version: 1, codes: [],
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

// ---- record format v2 (docs/audit.md part II) ---------------------------------------------------------

const MEMBERS_V2 = ['format', 'ballot', 'eligible', 'roll_root', 'publication', 'genesis', 'entries', 'count', 'head',
  'roll', 'voted', 'voted_root', 'results', 'scrutineer_signoff', 'supersedes', 'published_at', 'signature'];
const ENTRY_V2 = ['seq', 'receipt', 'commitment', 'answers', 'nonce', 'prev', 'hash'];

/** The normal form of a voting code (section 18.1). */
export const normaliseCode = (c) => asciiUpper(String(c)).replace(/[ \t\n\r\f-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
/** A voter's has-voted tag, hex. */
export async function voterTag(ballotId, code) {
  return toHex(await sha256(utf8(canonical({ ballot: ballotId, code: normaliseCode(code), domain: 'carried/has-voted/v2' }))));
}

async function sha(parts) {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(len);
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return sha256(all);
}
/** RFC 6962 Merkle tree hash of hex tags, hex. */
export async function merkleRoot(tags) {
  const mth = async (xs) => {
    if (xs.length === 0) return sha256(new Uint8Array(0));
    if (xs.length === 1) return sha([Uint8Array.of(0), xs[0]]);
    let k = 1;
    while (k * 2 < xs.length) k *= 2;
    return sha([Uint8Array.of(1), await mth(xs.slice(0, k)), await mth(xs.slice(k))]);
  };
  return toHex(await mth(tags.map(fromHex)));
}

async function verifyV2(record, { trustedKey, receipts, checkpoints, codes }) {
  const bad = (m) => fail(`the record is malformed: ${m}`);
  // 1. No member unknown or missing (in any order).
  const unknownMember = Object.keys(record).find((k) => !MEMBERS_V2.includes(k));
  if (unknownMember) bad(`unknown field \`${unknownMember}\``);
  const missing = MEMBERS_V2.find((m) => m !== 'signature' && !(m in record));
  if (missing) bad(`missing field \`${missing}\``);
  if (!Array.isArray(record.entries)) bad('`entries` is not a list');
  record.entries.forEach((e, i) => {
    const where = `entry ${i + 1} is malformed`;
    if (!isObj(e)) fail(`${where}: not an object`);
    const unknown = Object.keys(e).find((k) => !ENTRY_V2.includes(k));
    if (unknown) fail(`${where}: unknown field \`${unknown}\``);
    if ('seq' in e && !isInt(e.seq)) fail(`${where}: \`seq\` is not a whole number`);
    for (const k of ['receipt', 'commitment', 'nonce', 'prev', 'hash']) if (k in e && typeof e[k] !== 'string') fail(`${where}: \`${k}\` is not a string`);
    for (const k of ['seq', 'receipt', 'commitment', 'prev', 'hash']) if (!(k in e)) fail(`${where}: missing field \`${k}\``);
  });
  for (const list of ['roll', 'voted']) {
    if (!Array.isArray(record[list])) bad(`\`${list}\` is not a list`);
    record[list].forEach((t, i) => { if (typeof t !== 'string' || !HEX64.test(t)) bad(`\`${list}\` item ${i + 1} is not 64 lowercase hex digits`); });
  }
  if (!isObj(record.ballot)) bad('`ballot` is not an object');
  for (const k of ['eligible', 'count']) if (!isInt(record[k])) bad(`\`${k}\` is not a whole number`);
  for (const k of ['roll_root', 'genesis', 'head', 'voted_root']) if (!HEX64.test(record[k])) bad(`\`${k}\` is not 64 lowercase hex digits`);
  const full = record.publication === 'full';
  if (!full && record.publication !== 'receipts_only') bad('`publication` is not "full" or "receipts_only"');
  shape(record.results, 'the record', ['votes_cast', 'questions']);
  if (!isInt(record.results.votes_cast) || !Array.isArray(record.results.questions)) bad('`results`');
  record.results.questions.forEach((q) => {
    shape(q, 'the record', ['counts']);
    if (!isObj(q.counts) || Object.values(q.counts).some((n) => !isInt(n))) bad('`results`');
  });
  if (record.scrutineer_signoff !== null) shape(record.scrutineer_signoff, 'the record', ['by', 'at', 'statement', 'results_sha256']);
  if (record.supersedes !== null && !HEX64.test(record.supersedes)) bad('`supersedes` is not 64 lowercase hex digits');
  if (typeof record.published_at !== 'string') bad('`published_at` is not a string');
  if (record.signature !== null && record.signature !== undefined) shape(record.signature, 'the record', ['algorithm', 'public_key', 'value']);
  const saved = checkpoints.map((c) => (typeof c === 'string' ? parseCheckpoint(c) : parseCheckpoint(`${c.count}:${c.head}`)));

  // 2. Genesis.
  const genesis = toHex(await sha256(utf8(canonical({ ballot: record.ballot, domain: FORMAT_V2, eligible: record.eligible, roll_root: record.roll_root }))));
  if (genesis !== record.genesis) fail(`genesis does not commit to this ballot definition and eligible = ${record.eligible} (computed ${genesis}, recorded ${record.genesis})`);
  if (typeof record.ballot.publication === 'string' && record.ballot.publication !== record.publication) {
    fail(`publication is ${record.publication} but the ballot definition committed to ${record.ballot.publication}`);
  }

  // 3. Entries: every link recomputed in both modes.
  let prev = record.genesis;
  const receiptsSeen = new Map();
  for (let i = 0; i < record.entries.length; i++) {
    const e = record.entries[i];
    const n = i + 1;
    const at = `entry ${n} (seq ${n})`;
    checkEntryLink(e, n, at, prev, full, receiptsSeen);
    if (!HEX64.test(e.commitment)) fail(`${at}: commitment is not 64 lowercase hex digits`);
    if (full) {
      const c = toHex(await sha256(utf8(canonical({ answers: e.answers, nonce: e.nonce }))));
      if (c !== e.commitment) fail(`${at}: commitment does not match its answers and nonce (computed ${c}, recorded ${e.commitment})`);
    }
    if (!HEX64.test(e.hash)) fail(`${at}: hash is not 64 lowercase hex digits`);
    const computed = await chainHash(prev, { commitment: e.commitment, receipt: e.receipt, seq: e.seq });
    if (computed !== e.hash) fail(`${at}: hash does not match its contents (computed ${computed}, recorded ${e.hash})`);
    prev = e.hash;
  }
  // 4. Head and count.
  const n = record.entries.length;
  if (record.head !== prev) fail(n ? `head ${record.head} is not the hash of the last entry (${prev})` : `head ${record.head} is not the genesis hash (${prev}), and the record has no entries`);
  if (record.count !== n) fail(`count ${record.count} does not match ${n} entries`);
  // 5. Roll and has-voted tags.
  for (const list of ['roll', 'voted']) {
    record[list].forEach((t, i) => { if (i > 0 && record[list][i - 1] >= t) fail(`${list} is not in strictly increasing order at position ${i + 1} (a tag is repeated or out of order)`); });
  }
  if (record.roll.length !== record.eligible) fail(`the roll has ${record.roll.length} tags but eligible is ${record.eligible}`);
  const rollRoot = await merkleRoot(record.roll);
  if (rollRoot !== record.roll_root) fail(`roll_root ${record.roll_root} is not the Merkle root of the roll (${rollRoot})`);
  if (record.voted.length !== n) fail(`${record.voted.length} has-voted tags for ${n} entries (there must be one per counted ballot)`);
  const onRoll = new Set(record.roll);
  record.voted.forEach((t, i) => { if (!onRoll.has(t)) fail(`has-voted tag ${i + 1} is not on the roll`); });
  const votedRoot = await merkleRoot(record.voted);
  if (votedRoot !== record.voted_root) fail(`voted_root ${record.voted_root} is not the Merkle root of the has-voted tags (${votedRoot})`);

  // 6.–8. Answers, results and sign-off, as in v1.
  const questions = checkQuestions(record.ballot);
  const warnings = [];
  if (full) {
    record.entries.forEach((e, i) => {
      if (!Array.isArray(e.answers)) fail(`entry ${i + 1} (seq ${i + 1}): answers is not a list of ${questions.length} answers (one per question)`);
      if (e.answers.length !== questions.length) fail(`entry ${i + 1} (seq ${i + 1}): ${e.answers.length} answers for ${questions.length} questions`);
      e.answers.forEach((a, qi) => checkAnswer(questions[qi], a, qi + 1, i + 1));
    });
  }
  const res = record.results;
  if (res.questions.length !== questions.length) fail(`results do not fit the ballot's questions: the results have ${res.questions.length} questions, the ballot has ${questions.length}`);
  questions.forEach((q, qi) => {
    const keys = Object.keys(res.questions[qi].counts);
    for (const o of q.options) if (!keys.includes(o)) fail(`results do not fit the ballot's questions: question ${qi + 1} has no count for option ${JSON.stringify(o)}`);
    for (const k of keys) if (!q.options.includes(k)) fail(`results do not fit the ballot's questions: question ${qi + 1} has a count for ${JSON.stringify(k)}, which is not one of its options`);
  });
  if (full) {
    if (res.votes_cast !== n) fail(`results do not match a recount: votes_cast recorded ${res.votes_cast}, recounted ${n}`);
    const tally = questions.map((q) => Object.fromEntries(q.options.map((o) => [o, 0])));
    for (const e of record.entries) e.answers.forEach((a, qi) => { for (const o of Array.isArray(a) ? a : [a]) tally[qi][o] += 1; });
    questions.forEach((q, qi) => {
      for (const o of q.options) {
        const rec = res.questions[qi].counts[o];
        if (rec !== tally[qi][o]) fail(`results do not match a recount: question ${qi + 1} option ${JSON.stringify(o)}: recorded ${rec}, recounted ${tally[qi][o]}`);
      }
    });
  } else {
    if (res.votes_cast !== n) fail(`results are inconsistent: votes_cast is ${res.votes_cast} but the record has ${n} entries`);
    questions.forEach((q, qi) => {
      const counts = Object.values(res.questions[qi].counts);
      const sum = counts.reduce((a, b) => a + b, 0);
      if (q.kind !== 'many_of' && sum !== n) fail(`results are inconsistent: question ${qi + 1} counts add up to ${sum}, but ${n} votes were cast and each answers it once`);
      if (q.kind === 'many_of' && (counts.some((c) => c > n) || sum > n * q.max)) fail(`results are inconsistent: question ${qi + 1}`);
    });
  }
  const resultsHash = toHex(await sha256(utf8(canonical(res))));
  if (record.scrutineer_signoff) {
    if (record.scrutineer_signoff.results_sha256 !== resultsHash) fail(`scrutineer sign-off does not match the results (signed off ${record.scrutineer_signoff.results_sha256}, the results hash to ${resultsHash})`);
  } else {
    warnings.push('No scrutineer has signed off these results.');
  }
  // 9. Signature over the digest.
  if (!record.signature) fail('the record is not signed');
  if (record.signature.algorithm !== 'ed25519') fail(`signature algorithm is ${JSON.stringify(record.signature.algorithm)}, expected "ed25519"`);
  const small = {};
  for (const k of Object.keys(record)) if (!['entries', 'roll', 'voted', 'signature'].includes(k)) small[k] = record[k];
  const digest = toHex(await sha256(utf8(canonical(small))));
  const sig = await verifyEd25519(record.signature.public_key, record.signature.value, utf8(canonical({ domain: 'carried/record-signature/v2', record: digest })));
  if (sig.checked && !sig.ok) fail(sig.problem);
  const limitations = [];
  if (!sig.checked) limitations.push('This browser cannot check Ed25519 signatures, so the signature was not checked.');
  if (trustedKey) {
    const trusted = asciiTrim(trustedKey).toLowerCase();
    if (record.signature.public_key !== trusted) fail(`public key ${record.signature.public_key} is not the trusted key ${trusted}`);
  } else {
    limitations.push('The signing key was not compared with a key you trust.');
  }
  if (!full) limitations.push('Receipts-only publication: every link and commitment was recomputed, but the answers are hidden, so the votes could not be recounted.');
  // 10. Checkpoints.
  for (const cp of saved) {
    const shown = `${cp.count}:${cp.head}`;
    if (cp.count === 0) {
      if (cp.head !== record.genesis) fail(`checkpoint ${shown} is not a prefix of this record: its genesis is ${record.genesis}`);
    } else if (cp.count > n) {
      fail(`checkpoint ${shown} claims ${cp.count} entries but the record has ${n} (history was truncated after a checkpoint)`);
    } else if (record.entries[cp.count - 1].hash !== cp.head) {
      fail(`checkpoint ${shown} is not a prefix of this record: entry ${cp.count} has hash ${record.entries[cp.count - 1].hash}`);
    }
  }
  if (!saved.length) limitations.push('No checkpoints were given: a history rewritten before publication would not be detected. Paste the checkpoints you saved while the ballot was open.');
  // 11. Receipts; 12. codes.
  const found = receipts.map((r) => {
    const seq = receiptsSeen.get(normaliseReceipt(r));
    if (!seq) fail(`receipt ${asciiTrim(r)} is not in the record`);
    return { receipt: asciiTrim(r), seq };
  });
  const voted = new Set(record.voted);
  const codeChecks = [];
  for (const code of codes) {
    const tag = await voterTag(String(record.ballot.id || ''), code);
    codeChecks.push({ code: asciiTrim(code), tag, onRoll: onRoll.has(tag), voted: voted.has(tag) });
  }
  return {
    entries: n, eligible: record.eligible, markers: record.voted.length, head: `${n}:${record.head}`,
    recounted: full, signatureChecked: sig.checked, publicKey: record.signature.public_key, resultsHash,
    found, warnings, limitations, record, checkpointsConfirmed: saved.length, version: 2, codes: codeChecks,
    recordId: digest, supersedes: record.supersedes,
  };
}
