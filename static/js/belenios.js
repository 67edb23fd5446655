// Belenios 2.0 (protocol version 1, group BELENIOS-2048) in the browser: a voter's ballot, a trustee's key
// pair with its proof of knowledge, and a trustee's partial decryption with its proofs. The same formulas and
// the same JSON, byte for byte, as crates/carried-e2e (see ../shared/notes/belenios-2.0.md §5–6, docs/e2e.md).
//
// Plain ES module, no dependency: native BigInt for the arithmetic, WebCrypto for SHA-256 and PBKDF2 and
// crypto.getRandomValues for randomness. Names follow the Belenios notes: g, p, q, the election key y, a
// ciphertext (α, β), proofs {challenge, response}, the fingerprint φ, the statement prefixes S0 and S.
//
// Timing: BigInt arithmetic is not constant time, so unlike the Rust crate (GMP's mpz_powm_sec) the running
// time of an exponentiation here depends on its secret exponent. That is observable only to someone timing
// the voter's or trustee's own browser closely; docs/e2e.md says so.

// ---- the group ---------------------------------------------------------------------------------------

export const GROUP_NAME = 'BELENIOS-2048';
export const p = 20694785691422546401013643657505008064922989295751104097100884787057374219242717401922237254497684338129066633138078958404960054389636289796393038773905722803605973749427671376777618898589872735865049081167099310535867780980030790491654063777173764198678527273474476341835600035698305193144284561701911000786737307333564123971732897913240474578834468260652327974647951137672658693582180046317922073668860052627186363386088796882120769432366149491002923444346373222145884100586421050242120365433561201320481118852408731077014151666200162313177169372189248078507711827842317498073276598828825169183103125680162072880719n;
export const q = 78571733251071885079927659812671450121821421258408794611510081919805623223441n;
export const g = 2402352677501852209227687703532399932712287657378364916510075318787663274146353219320285676155269678799694668298749389095083896573425601900601068477164491735474137283104610458681314511781646755400527402889846139864532661215055797097162016168270312886432456663834863635782106154918419982534315189740658186868651151358576410138882215396016043228843603930989333662772848406593138406010231675095763777982665103606822406635076697764025346253773085133173495194248967754052573659049492477631475991575198775177711481490920456600205478127054728238140972518639858334115700568353695553423781475582491896050296680037745308460627n;

export class BeleniosError extends Error {}
const fail = (msg) => { throw new BeleniosError(msg); };

const mul = (a, b) => (a * b) % p;
/** x mod q in [0, q). */
const modQ = (x) => ((x % q) + q) % q;

/** base^e mod m by left-to-right sliding windows (odd powers precomputed). e ≥ 0. */
export function modPow(base, e, m = p) {
  if (e < 0n) fail('negative exponent');
  if (e === 0n) return 1n % m;
  base %= m;
  const bits = e.toString(2);
  const n = bits.length;
  const k = n > 512 ? 6 : n > 160 ? 5 : n > 48 ? 4 : n > 12 ? 3 : 1;
  // odd[i] = base^(2i+1)
  const odd = [base];
  if (k > 1) {
    const base2 = (base * base) % m;
    for (let i = 1; i < 1 << (k - 1); i++) odd.push((odd[i - 1] * base2) % m);
  }
  let r = 1n;
  let started = false;
  let i = 0;
  while (i < n) {
    if (bits[i] === '0') {
      if (started) r = (r * r) % m;
      i++;
      continue;
    }
    // The longest window of at most k bits starting here and ending in a 1.
    let j = Math.min(i + k, n) - 1;
    while (bits[j] === '0') j--;
    const window = parseInt(bits.slice(i, j + 1), 2);
    if (started) {
      for (let t = i; t <= j; t++) r = (r * r) % m;
      r = (r * odd[(window - 1) >> 1]) % m;
    } else {
      r = odd[(window - 1) >> 1];
      started = true;
    }
    i = j + 1;
  }
  return r;
}

/** A fixed-base table: base^(d·16^k) for each hex digit d and position k < 64, so that base^e for e < 2^256
 * costs one multiplication per nonzero hex digit of e and no squaring. Built once per base (g, y). */
export class FixedBase {
  constructor(base) {
    this.base = base;
    this.rows = [];
    let b = base % p;
    for (let k = 0; k < 64; k++) {
      const row = [1n];
      for (let d = 1; d < 16; d++) row.push(mul(row[d - 1], b));
      this.rows.push(row);
      b = mul(row[15], b); // b^16: the next position's base
    }
  }

  pow(e) {
    if (e < 0n || e >= 1n << 256n) return modPow(this.base, modQ(e));
    const hex = e.toString(16);
    const n = hex.length;
    let r = null;
    for (let i = 0; i < n; i++) {
      const d = parseInt(hex[n - 1 - i], 16);
      if (d === 0) continue;
      const t = this.rows[i][d];
      r = r === null ? t : mul(r, t);
    }
    return r === null ? 1n : r;
  }
}

let gTable = null;
/** g^e. */
export function gPow(e) {
  gTable ??= new FixedBase(g);
  return gTable.pow(e);
}

/** x is in the order-q subgroup: 0 < x < p and x^q = 1. */
export function isElement(x) {
  return typeof x === 'bigint' && x > 0n && x < p && modPow(x, q) === 1n;
}

// ---- bytes, hashes, randomness -----------------------------------------------------------------------

const utf8 = (s) => new TextEncoder().encode(s);
const hexOf = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', typeof bytes === 'string' ? utf8(bytes) : bytes));
}

/** Base64 of SHA-256 without padding: fingerprints, signature hashes, trackers. */
export async function sha256B64(bytes) {
  const h = await sha256(bytes);
  return btoa(String.fromCharCode(...h)).replace(/=+$/, '');
}

/** The protocol's hash onto Z_q: int_be(SHA-256(prefix ‖ e1 "," e2 "," … en)) mod q, elements in base 10. */
export async function hash(prefix, elements) {
  const h = await sha256(prefix + elements.map((e) => e.toString(10)).join(','));
  return BigInt('0x' + hexOf(h)) % q;
}

/** A uniform random scalar in [0, q) (64 random bytes reduced: bias below 2^-256). */
export function randomScalar() {
  const bytes = crypto.getRandomValues(new Uint8Array(64));
  return BigInt('0x' + hexOf(bytes)) % q;
}

function randomNonzeroScalar() {
  for (;;) {
    const x = randomScalar();
    if (x !== 0n) return x;
  }
}

/** Parses a base-10 number as Belenios writes it (digits only, in a JSON string). */
function decimal(s, what) {
  if (typeof s !== 'string' || !/^[0-9]{1,1000}$/.test(s)) fail(`${what} is not a decimal number in a string`);
  return BigInt(s);
}

/** Lets the page repaint (a progress bar) between long steps. A message, not a timer: timers are slowed to
 * once a second in a background tab. */
function nextTask() {
  return new Promise((resolve) => {
    const c = new MessageChannel();
    c.port1.onmessage = () => { c.port1.close(); resolve(); };
    c.port2.postMessage(null);
  });
}

// ---- credentials (Belenios 2.0–2.3) -------------------------------------------------------------------

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** A credential is 14 base58 digits and a check digit (53 − n mod 53), dashed in groups of three or not. */
export function isValidCredential(credential) {
  const raw = typeof credential === 'string' && /^[^-]{3}(-[^-]{3}){4}$/.test(credential)
    ? credential.replace(/-/g, '') : credential;
  if (typeof raw !== 'string' || raw.length !== 15) return false;
  const values = Array.from(raw, (c) => BASE58.indexOf(c));
  if (values.some((v) => v < 0)) return false;
  const n = values.slice(0, 14).reduce((acc, v) => (acc * 58 + v) % 53, 0);
  return (n + values[14]) % 53 === 0;
}

/** The credential's secret s = int_be(PBKDF2-HMAC-SHA256(credential, uuid, 1000 iterations, 32 bytes)) mod q. */
export async function credentialSecret(uuid, credential) {
  const key = await crypto.subtle.importKey('raw', utf8(credential), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: utf8(uuid), iterations: 1000 }, key, 256);
  return BigInt('0x' + hexOf(bits)) % q;
}

// ---- the election ---------------------------------------------------------------------------------------

/** An election as published: `raw` is its exact JSON text (the fingerprint φ is over these bytes). Checks
 * that it is an election this code can run: version 1, BELENIOS-2048, homomorphic questions without blank. */
export async function parseElection(raw) {
  let election;
  try { election = JSON.parse(raw); } catch { fail('the election is not JSON'); }
  if (election.version !== 1) fail(`election version ${election.version} is not 1`);
  if (election.group !== GROUP_NAME) fail(`the election's group is ${election.group}, not ${GROUP_NAME}`);
  if (typeof election.uuid !== 'string' || !Array.isArray(election.questions) || election.questions.length === 0) {
    fail('the election has no uuid or no question');
  }
  election.questions.forEach((qn, i) => {
    if (qn.blank) fail(`question ${i + 1}: blank votes are not supported`);
    if (!Array.isArray(qn.answers) || !Number.isInteger(qn.min) || !Number.isInteger(qn.max)
      || qn.min < 0 || qn.min > qn.max || qn.max > qn.answers.length) {
      fail(`question ${i + 1}: min/max do not fit its answers`);
    }
  });
  const y = decimal(election.public_key, 'the election public key');
  if (!isElement(y)) fail('the election public key is not in the group');
  return { raw, election, fingerprint: await sha256B64(raw), y, yTable: new FixedBase(y) };
}

/** Tier 1's answers (`"yes"`/`"no"`, an option's text, an array of option texts) as 0/1 per Belenios
 * answer, as choices_from_answers in crates/carried-e2e. */
export function choicesFromAnswers(election, answers) {
  const lower = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (answers.length !== election.questions.length) fail(`${answers.length} answers given for ${election.questions.length} questions`);
  return election.questions.map((qn, i) => {
    const pick = (text) => {
      const k = qn.answers.findIndex((o) => lower(o) === lower(String(text)));
      if (k < 0) fail(`question ${i + 1}: ${JSON.stringify(text)} is not one of its answers`);
      return k;
    };
    const m = qn.answers.map(() => 0);
    const a = answers[i];
    if (Array.isArray(a)) {
      for (const item of a) {
        const k = pick(item);
        if (m[k]) fail(`question ${i + 1}: ${JSON.stringify(item)} is chosen twice`);
        m[k] = 1;
      }
    } else if (typeof a === 'boolean') m[pick(a ? 'yes' : 'no')] = 1;
    else m[pick(a)] = 1;
    return m;
  });
}

// ---- ElGamal and the disjunctive proofs ------------------------------------------------------------------

/** (g^r, y^r·g^m). */
function encrypt(ctx, m, r) {
  return { alpha: gPow(r), beta: mul(ctx.yTable.pow(r), gPow(BigInt(m))) };
}

/** β/g^m = β·g^(q−m). */
const betaOver = (beta, m) => (m === 0 ? beta : mul(beta, gPow(modQ(-BigInt(m)))));

const ciphertextJson = (ct) => ({ alpha: ct.alpha.toString(), beta: ct.beta.toString() });
const proofJson = (c, r) => ({ challenge: c.toString(), response: r.toString() });

/** Proves that ct encrypts ms[trueIndex], knowing its randomness r (iprove in the notes §6.3). */
async function proveDisjunction(ctx, s, ct, r, trueIndex, ms) {
  const commitments = [];
  const proofs = [];
  let fakeSum = 0n;
  let w = 0n;
  ms.forEach((m, j) => {
    if (j === trueIndex) {
      w = randomNonzeroScalar();
      commitments.push(gPow(w), ctx.yTable.pow(w));
      proofs.push(null);
      return;
    }
    // A simulated branch: random challenge and response, commitments computed from them.
    const c = randomScalar();
    const resp = randomScalar();
    commitments.push(mul(gPow(resp), modPow(ct.alpha, c)), mul(ctx.yTable.pow(resp), modPow(betaOver(ct.beta, m), c)));
    fakeSum += c;
    proofs.push([c, resp]);
  });
  const h = await hash(`prove|${s}|${ct.alpha},${ct.beta}|`, commitments);
  const c = modQ(h - fakeSum);
  proofs[trueIndex] = [c, modQ(w - r * c)];
  return proofs.map(([pc, pr]) => proofJson(pc, pr));
}

/** S0|α1,β1,…,αn,βn. */
const overallPrefix = (s0, cts) => `${s0}|${cts.map((ct) => `${ct.alpha},${ct.beta}`).join(',')}`;

/** How many steps encryptBallot reports progress in, for a given election. */
export function ballotSteps(election) {
  return election.questions.reduce((n, qn) => n + qn.answers.length + (qn.max - qn.min + 1), 0) + 1;
}

/** Encrypts a voter's choices (per question, one 0/1 per answer) into a signed Belenios 2.0 ballot.
 * Returns { json: the ballot's compact JSON (what is posted and hashed), tracker: its smart ballot tracker }.
 * onProgress(done, total) is called as it goes, with a repaint between steps. */
export async function encryptBallot(ctx, credential, choices, onProgress = () => {}) {
  const { election } = ctx;
  if (!Array.isArray(choices) || choices.length !== election.questions.length) {
    fail(`${choices?.length} answers given for ${election.questions.length} questions`);
  }
  election.questions.forEach((qn, i) => {
    const m = choices[i];
    if (!Array.isArray(m) || m.length !== qn.answers.length || m.some((x) => x !== 0 && x !== 1)) {
      fail(`question ${i + 1}: one 0 or 1 per answer is needed`);
    }
    const sum = m.reduce((a, b) => a + b, 0);
    if (sum < qn.min || sum > qn.max) fail(`question ${i + 1}: ${sum} answers chosen, between ${qn.min} and ${qn.max} allowed`);
  });
  if (!isValidCredential(credential)) fail('the voting code is not a valid credential');
  const total = ballotSteps(election);
  let done = 0;
  const step = async (n = 1) => { done += n; onProgress(done, total); await nextTask(); };
  onProgress(0, total);
  await nextTask();

  const secret = await credentialSecret(election.uuid, credential);
  const credentialPublic = gPow(secret);
  const s0 = `${ctx.fingerprint}|${credentialPublic}`;
  const answers = [];
  for (const [i, qn] of election.questions.entries()) {
    const m = choices[i];
    const rs = [];
    const cts = [];
    const individualProofs = [];
    for (const mi of m) {
      const r = randomNonzeroScalar();
      const ct = encrypt(ctx, mi, r);
      rs.push(r);
      cts.push(ct);
      individualProofs.push(await proveDisjunction(ctx, s0, ct, r, mi, [0, 1]));
      await step();
    }
    const sumCt = cts.reduce((a, ct) => ({ alpha: mul(a.alpha, ct.alpha), beta: mul(a.beta, ct.beta) }), { alpha: 1n, beta: 1n });
    const sumR = modQ(rs.reduce((a, b) => a + b, 0n));
    const chosen = m.reduce((a, b) => a + b, 0);
    const ms = [];
    for (let k = qn.min; k <= qn.max; k++) ms.push(k);
    const overallProof = await proveDisjunction(ctx, overallPrefix(s0, cts), sumCt, sumR, chosen - qn.min, ms);
    await step(ms.length);
    answers.push({ choices: cts.map(ciphertextJson), individual_proofs: individualProofs, overall_proof: overallProof });
  }
  const ballot = {
    election_uuid: election.uuid,
    election_hash: ctx.fingerprint,
    credential: credentialPublic.toString(),
    answers,
  };
  // The signature: a Schnorr proof of knowledge of the credential's secret over the hash of the rest.
  const signedHash = await sha256B64(JSON.stringify(ballot));
  const w = randomNonzeroScalar();
  const c = await hash(`sig|${signedHash}|`, [gPow(w)]);
  ballot.signature = { hash: signedHash, proof: proofJson(c, modQ(w - secret * c)) };
  const json = JSON.stringify(ballot);
  await step();
  return { json, tracker: await sha256B64(json) };
}

// ---- trustees -------------------------------------------------------------------------------------------

/** A trustee's key pair: the private key file's text (a JSON string of x in base 10, the form belenios-tool
 * and `carried trustee keygen` write) and the trustee_public_key JSON {pok, public_key}. */
export async function trusteeKeygen() {
  const x = randomNonzeroScalar();
  const publicKey = gPow(x);
  const w = randomNonzeroScalar();
  const c = await hash(`pok|${GROUP_NAME}|${publicKey}|`, [gPow(w)]);
  const trusteePublicKey = { pok: proofJson(c, modQ(w - x * c)), public_key: publicKey.toString() };
  return { privateKeyFile: `"${x}"\n`, publicKeyJson: JSON.stringify(trusteePublicKey), publicKey };
}

/** Reads a private key file: a JSON string holding x, 0 < x < q. */
export function parsePrivateKey(text) {
  let s;
  try { s = JSON.parse(String(text).trim()); } catch { fail('the key file is not a JSON string holding the private key'); }
  const x = decimal(s, 'the private key');
  if (x <= 0n || x >= q) fail('the private key is out of range');
  return x;
}

/** The public key of a private key: g^x (to show the trustee which key a file holds). */
export const publicKeyOf = (x) => gPow(x);

/** A trustee's partial decryption of the encrypted tally (JSON text: Belenios's encrypted_tally, or the
 * service's {"election_hash", "encrypted_tally", …}): α^x per ciphertext, each with a proof that it used the x
 * of the public key g^x. Every α and β must be in the group (an α outside it could make the factor leak bits
 * of x). Returns the compact JSON {decryption_factors, decryption_proofs}. */
export async function partialDecrypt(ctx, x, tallyText, onProgress = () => {}) {
  let tally;
  try { tally = JSON.parse(tallyText); } catch { fail('the encrypted tally is not JSON'); }
  if (tally && !Array.isArray(tally) && typeof tally === 'object') {
    if ('election_hash' in tally && tally.election_hash !== ctx.fingerprint) fail('the encrypted tally is for another election');
    tally = tally.encrypted_tally;
  }
  const qs = ctx.election.questions;
  if (!Array.isArray(tally) || tally.length !== qs.length
    || tally.some((row, i) => !Array.isArray(row) || row.length !== qs[i].answers.length)) {
    fail('this encrypted tally does not match the election\'s questions');
  }
  const cts = tally.map((row, i) => row.map((ct, j) => {
    const at = `question ${i + 1}, answer ${j + 1}`;
    return { alpha: decimal(ct?.alpha, `${at}: alpha`), beta: decimal(ct?.beta, `${at}: beta`) };
  }));
  const total = cts.reduce((n, row) => n + row.length, 0);
  let done = 0;
  onProgress(0, total);
  await nextTask();
  const publicKey = gPow(x);
  const prefix = `decrypt|${ctx.fingerprint}|${publicKey}|`;
  const factors = [];
  const proofs = [];
  for (const [i, row] of cts.entries()) {
    const fr = [];
    const pr = [];
    for (const [j, ct] of row.entries()) {
      if (!isElement(ct.alpha) || !isElement(ct.beta)) fail(`question ${i + 1}, answer ${j + 1}: a ciphertext of the tally is not in the group`);
      fr.push(modPow(ct.alpha, x).toString());
      const w = randomNonzeroScalar();
      const c = await hash(prefix, [gPow(w), modPow(ct.alpha, w)]);
      pr.push(proofJson(c, modQ(w - x * c)));
      done++;
      onProgress(done, total);
      await nextTask();
    }
    factors.push(fr);
    proofs.push(pr);
  }
  return JSON.stringify({ decryption_factors: factors, decryption_proofs: proofs });
}
