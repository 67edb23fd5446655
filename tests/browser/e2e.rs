//! End-to-end ballots in the browser (issue #17): `static/js/belenios.js`, run in headless Chromium, checked
//! by the Rust crate `carried-e2e`, which is written independently of it. A ballot the browser makes must
//! check with `ElectionCtx::check_ballot`, be byte for byte in canonical form, and decrypt to the choices it
//! was made from; a trustee key made in the browser must carry a proof of knowledge Rust accepts; a partial
//! decryption made in the browser must check and, combined with a Rust trustee's, give the counts.

use carried_e2e::formats::{
    to_json, Ballot, Big, Ciphertext, Election, PartialDecryption, Question, Trustee, TrusteePublicKey,
};
use carried_e2e::group::BELENIOS_2048;
use carried_e2e::rug::Integer;
use carried_e2e::{credential, trustee, ElectionCtx};

use super::*;

/// Runs `body` (an async function body with the module bound to `B`) in the page and returns what it
/// returns; a thrown error comes back as `{"error": message}`.
pub(super) async fn run_js(s: &Session, body: &str, args: Value) -> Value {
    let script = format!(
        "const done = arguments[arguments.length - 1]; const args = arguments[0];\
         import('/static/js/belenios.js').then(async (B) => {{ {body} }})\
         .then((v) => done(v === undefined ? null : v), (e) => done({{error: String(e && e.message || e)}}));"
    );
    s.exec_async(&script, json!([args])).await
}

fn js_ok(v: Value, what: &str) -> Value {
    assert!(v.get("error").is_none(), "{what}: the browser said {}", v["error"]);
    v
}

/// A yes/no question and a many-of question (min 0, max 3 of 5), under the given key.
pub(super) fn election_json(public_key: &Integer) -> String {
    let e = Election {
        version: 1,
        description: "A test ballot (with \"quotes\" and é)".into(),
        name: "Browser ballot".into(),
        group: "BELENIOS-2048".into(),
        public_key: Big(public_key.clone()),
        questions: vec![
            Question {
                answers: vec!["Yes".into(), "No".into()],
                blank: None,
                min: 1,
                max: 1,
                question: "Industrial action?".into(),
            },
            Question {
                answers: ["A", "B", "C", "D", "E"].map(String::from).to_vec(),
                blank: None,
                min: 0,
                max: 3,
                question: "Which?".into(),
            },
        ],
        uuid: credential::token(),
        administrator: None,
        credential_authority: None,
    };
    to_json(&e)
}

fn ballot_of(json: &str) -> Ballot {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("the browser's ballot does not parse: {e}\n{json}"))
}

/// β/α^x = g^m for each ciphertext: what the ballot encrypts.
fn decrypt_ballot(ctx: &ElectionCtx, x: &Integer, b: &Ballot) -> Vec<Vec<u64>> {
    let g = ctx.group;
    b.answers
        .iter()
        .map(|a| {
            a.choices
                .iter()
                .map(|ct| {
                    let gm = g.div(&ct.beta, &g.pow(&ct.alpha, x));
                    (0..=1u64).find(|m| g.g_small(*m) == gm).unwrap_or(99)
                })
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn belenios_js_ballots_keys_and_decryptions_check_in_rust() {
    let Some(driver_path) = browser_or_skip("belenios_js_ballots_keys_and_decryptions_check_in_rust") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let app = app().await;
    let driver = Driver::start(&driver_path).await;
    let s = driver.session().await;
    s.goto(&app.url("/")).await;
    let g = &*BELENIOS_2048;

    // The arithmetic and the hash agree with GMP and Rust on random inputs.
    let e = g.random_scalar();
    let a = g.g_pow(&g.random_scalar());
    let v = js_ok(
        run_js(
            &s,
            "const e = BigInt(args.e), a = BigInt(args.a);\
             return [B.modPow(B.g, e).toString(), B.gPow(e).toString(), B.modPow(a, e).toString(),\
                     (await B.hash('pre|', [12n, a])).toString(), (await B.credentialSecret(args.uuid, args.cred)).toString(),\
                     B.isElement(a), B.isElement(B.p - 1n), B.isValidCredential(args.cred), B.isValidCredential(args.bad)];",
            json!({"e": e.to_string(), "a": a.to_string(), "uuid": "tdwJ6XSbdskFGb",
                   "cred": "S3C-Chg-mVX-A2U-Zeg", "bad": "S3C-Chg-mVX-A2U-Zef"}),
        )
        .await,
        "arithmetic",
    );
    let ge = g.g_pow(&e).to_string();
    assert_eq!(v[0], json!(ge), "modPow(g, e)");
    assert_eq!(v[1], json!(ge), "gPow(e)");
    assert_eq!(v[2], json!(g.pow(&a, &e).to_string()), "modPow(a, e)");
    assert_eq!(v[3], json!(g.hash("pre|", &[&Integer::from(12), &a]).to_string()), "hash");
    assert_eq!(v[4], json!(credential::secret(g, "tdwJ6XSbdskFGb", "S3C-Chg-mVX-A2U-Zeg").to_string()), "credential");
    assert_eq!(v.as_array().map(|a| a[5..].to_vec()), Some(vec![json!(true), json!(false), json!(true), json!(false)]));

    // A trustee key made in the browser: Rust accepts its proof, and the file holds its private key.
    let k = js_ok(
        run_js(&s, "const k = await B.trusteeKeygen(); return [k.privateKeyFile, k.publicKeyJson];", json!(null)).await,
        "keygen",
    );
    let js_key: TrusteePublicKey = serde_json::from_str(k[1].as_str().expect("key json")).expect("key parses");
    assert_eq!(to_json(&js_key), k[1].as_str().unwrap_or_default(), "the key is in canonical form");
    assert!(trustee::check_public_key(g, &js_key), "Rust refuses the browser's proof of knowledge");
    let x_js = trustee::parse_private_key(g, k[0].as_str().unwrap_or_default()).expect("key file");
    assert_eq!(g.g_pow(&x_js), js_key.public_key.0, "the key file holds the private key of the public key");
    let mut changed = js_key.clone();
    changed.public_key = Big(g.mul(&js_key.public_key, &g.g));
    assert!(!trustee::check_public_key(g, &changed), "a changed key still checks");

    // The election: one Rust trustee and the browser's trustee.
    let (x_rust, rust_key) = trustee::keygen(g);
    let y = g.mul(&rust_key.public_key, &js_key.public_key);
    let raw = election_json(&y);
    let ctx = ElectionCtx::parse(&raw).expect("election");
    let x_sum = Integer::from(&x_rust + &x_js) % &g.q;

    // Ballots made in the browser check in Rust and decrypt to what was chosen.
    let cast: Vec<Vec<Vec<u64>>> = vec![
        vec![vec![1, 0], vec![1, 0, 1, 1, 0]],
        vec![vec![0, 1], vec![0, 0, 0, 0, 0]],
        vec![vec![1, 0], vec![0, 1, 1, 0, 0]],
    ];
    let mut ballots = Vec::new();
    for choices in &cast {
        let cred = credential::generate();
        let v = js_ok(
            run_js(
                &s,
                "const ctx = await B.parseElection(args.raw); const steps = [];\
                 const b = await B.encryptBallot(ctx, args.cred, args.choices, (d, t) => steps.push([d, t]));\
                 return [b.json, b.tracker, ctx.fingerprint, steps];",
                json!({"raw": raw, "cred": cred, "choices": choices}),
            )
            .await,
            "encrypt",
        );
        let text = v[0].as_str().expect("ballot text");
        let b = ballot_of(text);
        assert_eq!(to_json(&b), text, "the browser's ballot is not in canonical form");
        assert_eq!(ctx.check_ballot(&b), Ok(()), "Rust refuses the browser's ballot");
        assert_eq!(b.credential.0, credential::public(g, &ctx.election.uuid, &cred), "the public credential");
        assert_eq!(v[1], json!(carried_e2e::tracker(text)), "the tracker");
        assert_eq!(v[2], json!(ctx.fingerprint), "the fingerprint");
        assert_eq!(&decrypt_ballot(&ctx, &x_sum, &b), choices, "the ballot does not decrypt to the choices");
        let steps = v[3].as_array().expect("progress");
        let done: Vec<i64> = steps.iter().map(|x| x[0].as_i64().unwrap_or(-1)).collect();
        assert!(done.len() > 5 && done[0] == 0 && done.windows(2).all(|w| w[0] < w[1]), "progress {steps:?}");
        assert_eq!(steps.last().map(|x| x[0] == x[1]), Some(true), "progress ends at its total: {steps:?}");
        ballots.push((b, text.to_owned()));
    }

    // Corrupted browser ballots are refused: a ciphertext changed, a challenge changed, another election.
    let (b, text) = &ballots[0];
    let mut bad = b.clone();
    bad.answers[1].choices[2].beta = Big(g.mul(&b.answers[1].choices[2].beta, &g.g));
    let err = ctx.check_ballot(&bad).expect_err("a changed ciphertext is refused");
    assert!(err.contains("signature") || err.contains("proof"), "{err}");
    let c = b.answers[0].individual_proofs[0][1].challenge.to_string();
    let flipped = format!("{}{}", &c[..c.len() - 1], if c.ends_with('7') { '8' } else { '7' });
    let bad = ballot_of(&text.replacen(&format!("\"challenge\":\"{c}\""), &format!("\"challenge\":\"{flipped}\""), 1));
    assert!(ctx.check_ballot(&bad).is_err(), "a changed challenge is refused");
    let other = ElectionCtx::parse(&election_json(&y)).expect("another election");
    assert!(other.check_ballot(b).is_err(), "a ballot for another election is refused");
    // The browser refuses to make a ballot with too many choices or a mistyped code.
    let v = run_js(
        &s,
        "const ctx = await B.parseElection(args.raw); return (await B.encryptBallot(ctx, args.cred, args.choices)).json;",
        json!({"raw": raw, "cred": credential::generate(), "choices": [[1, 0], [1, 1, 1, 1, 0]]}),
    )
    .await;
    assert!(v["error"].as_str().unwrap_or("").contains("between 0 and 3"), "{v}");
    let v = run_js(
        &s,
        "const ctx = await B.parseElection(args.raw); return (await B.encryptBallot(ctx, args.cred, args.choices)).json;",
        json!({"raw": raw, "cred": "S3C-Chg-mVX-A2U-Zef", "choices": [[1, 0], [0, 0, 0, 0, 0]]}),
    )
    .await;
    assert!(v["error"].as_str().unwrap_or("").contains("not a valid credential"), "{v}");

    // The tally of the browser's ballots, decrypted by the Rust trustee and by the browser's key.
    let refs: Vec<(&Ballot, u64)> = ballots.iter().map(|(b, _)| (b, 1)).collect();
    let tally = carried_e2e::verify::compute_tally(&ctx, &refs);
    let tally_json = to_json(&tally);
    let v = js_ok(
        run_js(
            &s,
            "const ctx = await B.parseElection(args.raw); const x = B.parsePrivateKey(args.key); let last = null;\
             const pd = await B.partialDecrypt(ctx, x, args.tally, (d, t) => { last = [d, t]; });\
             return [pd, B.publicKeyOf(x).toString(), last];",
            json!({"raw": raw, "key": k[0], "tally": tally_json}),
        )
        .await,
        "partial decryption",
    );
    let pd_text = v[0].as_str().expect("pd text");
    let js_pd: PartialDecryption = serde_json::from_str(pd_text).expect("pd parses");
    assert_eq!(to_json(&js_pd), pd_text, "the partial decryption is in canonical form");
    assert_eq!(v[1], json!(js_key.public_key.to_string()));
    assert_eq!(v[2], json!([7, 7]), "progress over the seven ciphertexts");
    trustee::check_partial_decryption(&ctx, &js_key.public_key, &tally, &js_pd)
        .unwrap_or_else(|e| panic!("Rust refuses the browser's partial decryption: {e}"));
    // Not a decryption with another key, nor of another tally.
    assert!(trustee::check_partial_decryption(&ctx, &rust_key.public_key, &tally, &js_pd).is_err());
    let mut other_tally = tally.clone();
    other_tally[0].swap(0, 1);
    assert!(trustee::check_partial_decryption(&ctx, &js_key.public_key, &other_tally, &js_pd).is_err());
    let mut bad_pd = js_pd.clone();
    bad_pd.decryption_factors[1][0] = Big(g.mul(&js_pd.decryption_factors[1][0], &g.g));
    assert!(trustee::check_partial_decryption(&ctx, &js_key.public_key, &tally, &bad_pd).is_err());

    let rust_pd = trustee::partial_decrypt(&ctx, &x_rust, &tally);
    let trustees = vec![Trustee::Single(rust_key.clone()), Trustee::Single(js_key.clone())];
    let by_owner = std::collections::BTreeMap::from([(1, rust_pd), (2, js_pd)]);
    let factors = trustee::combine_factors(&ctx, &trustees, &tally, &by_owner).expect("combines");
    let counts = trustee::decrypt_counts(&ctx, &tally, &factors, 3).expect("counts");
    assert_eq!(counts, vec![vec![2, 1], vec![1, 1, 2, 1, 0]], "the browser's ballots counted");

    // The browser refuses a tally with an element outside the group (it could leak bits of the key).
    let mut evil = tally.clone();
    evil[1][3] = Ciphertext { alpha: Big(Integer::from(&g.p - 1u32)), beta: evil[1][3].beta.clone() };
    let v = run_js(
        &s,
        "const ctx = await B.parseElection(args.raw); return await B.partialDecrypt(ctx, B.parsePrivateKey(args.key), args.tally);",
        json!({"raw": raw, "key": k[0], "tally": to_json(&evil)}),
    )
    .await;
    assert!(
        v["error"]
            .as_str()
            .unwrap_or("")
            .contains("question 2, answer 4: a ciphertext of the tally is not in the group"),
        "{v}"
    );
    s.quit().await;
}

/// Where a browser session saves its downloads (DevTools' download behaviour, set per session).
async fn allow_downloads(s: &Session, dir: &Path) {
    let params = json!({"behavior": "allow", "downloadPath": dir.display().to_string()});
    if s.cdp("Browser.setDownloadBehavior", params.clone()).await.is_err() {
        s.cdp("Page.setDownloadBehavior", params).await.expect("downloads allowed");
    }
}

async fn wait_file(path: &Path) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(t) = std::fs::read_to_string(path) {
            if !t.is_empty() {
                return t;
            }
        }
        assert!(Instant::now() < deadline, "{} was not downloaded", path.display());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every file under `dir` (the app's data: its database, outbox and logs), as bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else if let Ok(b) = std::fs::read(&p) {
            out.push((p, b));
        }
    }
    out
}

/// Issue #17's browser journey: a trustee generates a key in Chromium (the private key file is downloaded,
/// never sent) beside a trustee using the CLI's crypto; a voter follows the invitation link, the ballot is
/// encrypted in the browser and the receipt is its tracker; after close the browser trustee loads the key
/// file and decrypts; the results and the Belenios record agree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn voter_casts_from_the_link_and_a_trustee_keys_and_decrypts_in_the_browser() {
    let Some(driver_path) = browser_or_skip("voter_casts_from_the_link_and_a_trustee_keys_and_decrypts_in_the_browser")
    else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    journey(&driver_path, app().await).await;
    // The same on PostgreSQL when CARRIED_TEST_POSTGRES_URL is set (CI).
    if let Some(app) = helpers::spawn_app(Backend::Postgres).await {
        journey(&driver_path, app).await;
    }
}

/// Records the values a progress bar takes (its value attribute), from now on.
async fn watch_progress(s: &Session, css: &str) {
    s.exec(
        "window.progressSeen = []; const css = arguments[0]; new MutationObserver(() => {\
           const p = document.querySelector(css); if (p) window.progressSeen.push(Number(p.getAttribute('value'))); })\
         .observe(document.body, {subtree: true, childList: true, attributes: true});",
        json!([css]),
    )
    .await;
}

/// The progress bar went through intermediate values on its way to 100.
async fn assert_progressed(s: &Session, what: &str) {
    let seen = s.exec("return window.progressSeen", json!([])).await;
    let seen: Vec<f64> = seen.as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default();
    assert!(seen.iter().any(|v| *v > 0.0 && *v < 100.0) && seen.contains(&100.0), "{what}: progress {seen:?}");
}

async fn journey(driver_path: &Path, app: TestApp) {
    let g = &*BELENIOS_2048;
    let (_, officer) = app.user_with("officer@example.org", &[Role::Officer]).await;
    let (t1, _) = app.user_with("trustee.one@example.org", &[Role::Trustee]).await;
    let (t2, t2_token) = app.user_with("trustee.two@example.org", &[Role::Trustee]).await;
    let options = ["Close lists", "Limit contacts", "Decline contracts", "Stop A&G", "Work to rule"];
    let driver = Driver::start(driver_path).await;

    // The officer defines the ballot in the console: end to end, with both trustees picked from the list.
    let console = driver.session().await;
    console.sign_in(&app, "officer@example.org", PASSWORD).await;
    console.goto(&app.url("/officer#new")).await;
    console.wait_for("#ballot-form").await;
    console.type_into("#title", "Collective action ballot").await;
    console.type_into("#q1-text", "Are you prepared to take collective action?").await;
    console.click("#add-question").await;
    console.type_into("#q2-text", "Which actions would you take?").await;
    console.choose("#q2-kind", "many_of").await;
    console.set_value("#q2-options", &options.join("\n")).await;
    console.set_value("#q2-max", "3").await;
    console.click("label[for=verifiability-e2e]").await;
    console.wait_for(&format!("#trustee-{t2}")).await;
    // End to end without a trustee is refused on the page.
    console.click("#create-ballot").await;
    console.wait_text("#error-summary", "Choose at least one trustee").await;
    console.click(&format!("label[for=trustee-{t1}]")).await;
    console.click(&format!("label[for=trustee-{t2}]")).await;
    console.check_page("e2e-officer-define").await;
    console.click("#create-ballot").await;
    console.wait_text("#trustees", "No key yet").await;
    let hash = console.exec("return location.hash", json!([])).await;
    let id: i64 =
        hash.as_str().and_then(|h| h.strip_prefix("#ballot-")).and_then(|n| n.parse().ok()).expect("ballot id");
    let b = app.get_ballot(id, Some(&officer)).await.expect(200);
    assert_eq!(b["verifiability"], "end_to_end", "{b}");
    assert_eq!(b["questions"][1]["max"], 3, "{b}");
    assert_eq!(b["questions"][1]["options"].as_array().map(Vec::len), Some(5), "{b}");
    let view = app.ballot_trustees(id, Some(&officer)).await.expect(200);
    let ids: Vec<i64> =
        view["trustees"].as_array().expect("trustees").iter().filter_map(|t| t["user_id"].as_i64()).collect();
    assert_eq!(ids, vec![t1, t2]);
    console
        .wait_text(
            "#missing-keys",
            "cannot open until every trustee has uploaded a key. Still waiting for: Test trustee.one",
        )
        .await;
    assert!(console.text("#trustee-link").await.expect("link").ends_with(&format!("/ballots/{id}/trustee")));
    console.exec("document.querySelector('#trustees').scrollIntoView(); return true", json!([])).await;
    console.check_page("e2e-officer-trustees").await;
    // Opening now is refused, and the console says why.
    console.exec("window.confirm = () => true; return true", json!([])).await;
    console.click("[data-action=open]").await;
    console.wait_text("#error-summary", "cannot open until every trustee has uploaded a key").await;

    // Both trustees find the draft on their home page, as a key to make.
    for email in ["trustee.one@example.org", "trustee.two@example.org"] {
        let home = driver.session().await;
        home.sign_in(&app, email, PASSWORD).await;
        home.goto(&app.url("/")).await;
        home.wait_text(&format!("[data-trustee-ballot=\"{id}\"]"), "Make your key for Collective action ballot").await;
        if email.starts_with("trustee.two") {
            home.check_page("e2e-trustee-home").await;
        }
        home.quit().await;
    }
    let roll = "membership_no,name,email,lmc,role\nM1,Dr One,voter.one@example.org,Devon,partner\n\
                M2,Dr Two,voter.two@example.org,Devon,salaried\n";
    app.import_roll(id, roll.as_bytes().to_vec(), Some(&officer)).await.expect(200);

    // Trustee one, in the browser: generate, save the file, upload the public key.
    let downloads = tempfile::tempdir().expect("downloads");
    let trustee = driver.session().await;
    allow_downloads(&trustee, downloads.path()).await;
    trustee.sign_in(&app, "trustee.one@example.org", PASSWORD).await;
    trustee.goto(&app.url("/")).await;
    trustee.click(&format!("[data-trustee-ballot=\"{id}\"]")).await;
    trustee.wait_text("#trustee-status", "Waiting for the keys of").await;
    trustee.wait_text("#page-title", "Trustee: Collective action ballot").await;
    trustee.click("#generate-key").await;
    trustee.wait_for("#save-key").await;
    let key_path = downloads.path().join(format!("carried-trustee-ballot-{id}.key.json"));
    let key_file = wait_file(&key_path).await;
    let x = trustee::parse_private_key(g, &key_file).expect("the downloaded key file");
    trustee.click("label[for=key-saved]").await;
    trustee.screenshot(&shots().join("e2e-trustee-key.png")).await;
    trustee.click("#upload-key").await;
    trustee.wait_text("#key-status", "Your public key is registered").await;
    trustee.wait_text("#trustee-status", "Waiting for the keys of: Test trustee.two@example.org").await;
    // Trustee two with the CLI's crypto (carried trustee keygen).
    let (x2, key2) = trustee::keygen(g);
    app.upload_trustee_key(id, serde_json::to_value(&key2).expect("json"), Some(&t2_token)).await.expect(201);
    let view = app.ballot_trustees(id, Some(&t2_token)).await.expect(200);
    assert_eq!(view["trustees"][0]["public_key"]["public_key"], json!(g.g_pow(&x).to_string()), "{view}");
    trustee.goto(&app.url(&format!("/ballots/{id}/trustee"))).await;
    trustee.wait_text("#trustee-status", "Every trustee has registered a key").await;
    trustee.check_page("e2e-trustee-registered").await;

    // Saving the draft again from the edit form keeps the trustees and their keys; then the officer sees
    // both keys in and opens the ballot from the console.
    console.goto(&app.url(&format!("/officer#edit-{id}"))).await;
    console.exec("location.reload(); return true", json!([])).await;
    console.wait_for(&format!("#trustee-{t2}:checked")).await;
    console.wait_for(&format!("#trustee-{t1}:checked")).await;
    console.click("#create-ballot").await;
    console.wait_text(&format!("[data-trustee-row=\"{t2}\"]"), "Key uploaded").await;
    assert!(console.text(&format!("[data-trustee-row=\"{t1}\"]")).await.expect("row").contains("Key uploaded"));
    assert!(console.find("#missing-keys").await.is_err(), "no key is missing");
    console.exec("window.confirm = () => true; return true", json!([])).await;
    console.click("[data-action=open]").await;
    console.wait_text("#ballot-status", "Open").await;
    console.quit().await;
    let raw = body_text(app.election(id, None).await, "the election");
    let ctx = ElectionCtx::parse(&raw).expect("the published election");
    assert_eq!(ctx.y, g.mul(&g.g_pow(&x), &key2.public_key), "the election key is the trustees' product");

    // The voter follows the invitation link; the ballot is encrypted in the browser.
    let link_for = |email: &'static str| super::invitation_link(&app, email, id);
    let link = link_for("voter.one@example.org").await;
    let code = link.split("?code=").nth(1).expect("code").to_owned();
    assert!(credential::is_valid(&code), "the link carries a credential: {link}");
    let voter = driver.session().await;
    voter.goto(&link).await;
    voter.wait_for("#code").await;
    voter.click("label[for=q1-1]").await;
    voter.click("label[for=q2-1]").await;
    voter.click("label[for=q2-3]").await;
    voter.click("#continue").await;
    voter.wait_text("#page-title", "Check your answers").await;
    watch_progress(&voter, "#encrypt-progress").await;
    voter.click("#cast").await;
    let receipt = voter.wait_text("#receipt", "").await.trim().to_owned();
    voter.wait_for("#fingerprint").await;
    assert_progressed(&voter, "encrypting").await;
    assert_eq!(receipt.len(), 43, "a tracker: {receipt}");
    assert_eq!(voter.text("#fingerprint").await.expect("fingerprint"), ctx.fingerprint);
    for button in ["#copy-receipt", "#print-receipt", "#save-receipt"] {
        voter.wait_for(button).await;
    }
    let save = voter.exec("return document.querySelector('#save-receipt').getAttribute('href')", json!([])).await;
    let save = save.as_str().unwrap_or("");
    assert!(
        save.contains(&receipt.replace('+', "%2B").replace('/', "%2F")),
        "the saved file holds the receipt: {save}"
    );
    voter.check_page("e2e-vote-receipt").await;
    voter.goto(&app.url(&format!("/vote/{id}"))).await;
    voter.wait_text("#page-title", "You have already voted").await;
    assert_eq!(voter.wait_text("#receipt", "").await.trim(), receipt, "the receipt survives a reload");
    assert_eq!(voter.text("#fingerprint").await.expect("fingerprint"), ctx.fingerprint);
    // The same credential again: 409, whatever the answers.
    let again = run_js(
        &voter,
        "const ctx = await B.parseElection(args.raw); const b = await B.encryptBallot(ctx, args.code, [[0, 1], [0, 0, 0, 0, 0]]);\
         const r = await fetch(`/api/v1/ballots/${args.id}/votes`, {method: 'POST', headers: {'Content-Type': 'application/json'},\
           body: `{\"ballot\":${b.json}}`}); return r.status;",
        json!({"raw": raw, "code": code, "id": id}),
    )
    .await;
    assert_eq!(again, json!(409), "a second ballot for one credential");

    // Voter two: a ballot made by belenios.js, corrupted, is refused by the service; the true one counts.
    let code2 = link_for("voter.two@example.org").await.split("?code=").nth(1).expect("code").to_owned();
    let v = js_ok(
        run_js(
            &voter,
            "const ctx = await B.parseElection(args.raw); const b = await B.encryptBallot(ctx, args.code, [[0, 1], [0, 1, 0, 0, 0]]);\
             return b.json;",
            json!({"raw": raw, "code": code2}),
        )
        .await,
        "voter two's ballot",
    );
    let good = v.as_str().expect("ballot").to_owned();
    let mut bad = ballot_of(&good);
    bad.answers[1].choices[1].beta = Big(g.mul(&bad.answers[1].choices[1].beta, &g.g));
    let refused = app.cast_ballot(id, json!({"ballot": serde_json::to_value(&bad).expect("json")}), None).await;
    assert!(refused.status.is_client_error(), "a corrupted ballot: {} {}", refused.status, refused.text);
    // Sent byte for byte as belenios.js wrote it, not re-serialised (so by hand, not with `cast_ballot`):
    // the receipt is the tracker, the hash of exactly those bytes.
    let ok = app
        .post_raw(
            &format!("/api/v1/ballots/{id}/votes"),
            "application/json",
            format!("{{\"ballot\":{good}}}").into_bytes(),
            None,
        )
        .await
        .expect(201);
    assert_eq!(ok["receipt"], json!(carried_e2e::tracker(&good)));
    voter.quit().await;

    app.close_ballot(id, Some(&officer)).await.expect(200);
    // Trustee one finds the ballot on their home page and decrypts in the browser with the downloaded file.
    trustee.goto(&app.url("/")).await;
    trustee.click(&format!("a[href=\"/ballots/{id}/trustee\"]")).await;
    trustee.wait_text("#trustee-status", "Waiting for the partial decryptions of").await;
    let input = trustee.find("#key-file").await.expect("file input");
    trustee
        .post(&format!("/element/{input}/value"), json!({"text": key_path.display().to_string()}))
        .await
        .expect("choose the key file");
    watch_progress(&trustee, "#decrypt-progress").await;
    trustee.click("#decrypt").await;
    trustee.wait_text("#decrypt-status", "Your partial decryption is uploaded").await;
    assert_progressed(&trustee, "decrypting").await;
    trustee.exec("document.querySelector('#decrypt-section').scrollIntoView()", json!([])).await;
    trustee.screenshot(&shots().join("e2e-trustee-decrypted.png")).await;
    // Trustee two with the CLI's crypto.
    let tally_doc: Value = app.encrypted_tally(id, None).await.expect(200);
    let tally: carried_e2e::formats::EncryptedTally =
        serde_json::from_value(tally_doc["encrypted_tally"].clone()).expect("tally");
    let pd2 = trustee::partial_decrypt(&ctx, &x2, &tally);
    app.upload_partial_decryption(id, serde_json::to_value(&pd2).expect("json"), Some(&t2_token)).await.expect(201);
    trustee.goto(&app.url(&format!("/ballots/{id}/trustee"))).await;
    trustee.wait_text("#trustee-status", "result is published").await;
    trustee.check_page("e2e-trustee-done").await;
    trustee.quit().await;

    let results = app.ballot_results(id, None).await.expect(200);
    let votes: Vec<Vec<(String, i64)>> = results["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|q| {
            let options = q["options"].as_array().expect("options").iter();
            options
                .map(|o| (o["option"].as_str().unwrap_or("").to_owned(), o["votes"].as_i64().unwrap_or(-1)))
                .collect()
        })
        .collect();
    let want = |pairs: &[(&str, i64)]| pairs.iter().map(|(o, n)| (o.to_string(), *n)).collect::<Vec<_>>();
    assert_eq!(votes[0], want(&[("yes", 1), ("no", 1)]), "{results}");
    assert_eq!(
        votes[1],
        want(&[
            ("Close lists", 1),
            ("Limit contacts", 1),
            ("Decline contracts", 1),
            ("Stop A&G", 0),
            ("Work to rule", 0)
        ]),
        "{results}"
    );
    let bel = body_text(app.record_bel(id, None).await, "the record").into_bytes();
    let report = carried_e2e::verify_bel(&bel).expect("the record verifies");
    assert_eq!(report.result, Some(vec![vec![1, 1], vec![1, 1, 1, 0, 0]]));
    use base64::Engine;
    let hex = hex_of(&base64::engine::general_purpose::STANDARD_NO_PAD.decode(&receipt).expect("base64 tracker"));
    assert!(bel.windows(hex.len()).any(|w| w == hex.as_bytes()), "the voter's tracker {receipt} is in the record");

    // The results page verifies the record in the browser and finds the voter's tracker; tampered copies fail.
    let member = driver.session().await;
    member.goto(&app.url(&format!("/ballots/{id}/results"))).await;
    member.type_into("#tracker", &receipt).await;
    watch_progress(&member, "#recount-progress").await;
    member.click("#recount").await;
    member.wait_text("#recount-ok", "All 2 ballots check out").await;
    member.wait_text("#tracker-found", "is in the record").await;
    assert_progressed(&member, "verifying").await;
    member.exec("document.querySelector('#recount-title').scrollIntoView()", json!([])).await;
    member.check_page("e2e-results-verified").await;
    browser_refuses_tampered_records(&member, &ctx, &bel).await;
    member.quit().await;

    // The private key was never sent: it is nowhere in the service's data (database, logs, outbox).
    let secret = x.to_string();
    for (path, bytes) in files_under(&app.data_path()) {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the private key is in {}",
            path.display()
        );
    }
}

/// The text of a successful answer that is not JSON to the harness (the election, the Belenios record).
fn body_text(r: helpers::Reply, what: &str) -> String {
    assert!(r.status.is_success(), "{what}: {} {}", r.status, r.text);
    r.text
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// recount-e2e.js on copies of the record, each changed and re-chained so only the change is wrong.
async fn browser_refuses_tampered_records(s: &Session, ctx: &ElectionCtx, bel: &[u8]) {
    use base64::Engine;
    use carried_e2e::EventData;
    let verify = |bytes: Vec<u8>| async move {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        s.exec_async(
            "const done = arguments[arguments.length - 1];\
             import('/static/js/recount-e2e.js').then(async (R) => {\
               const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));\
               try { const r = await R.verifyBel(bytes); done({ok: r.ballots}); } catch (e) { done({error: e.message}); } });",
            json!([b64]),
        )
        .await
    };
    let g = ctx.group;
    let change = |f: &dyn Fn(&mut Vec<EventData>)| {
        let mut r = carried_e2e::Record::from_bytes(bel).expect("the record reads");
        f(&mut r.events);
        r.to_bytes()
    };
    assert_eq!(verify(bel.to_vec()).await, json!({"ok": 2}), "the true record");
    let mut flipped = bel.to_vec();
    let at = flipped.windows(9).position(|w| w == b"\"alpha\":\"").expect("a ciphertext") + 9;
    flipped[at] = if flipped[at] == b'1' { b'2' } else { b'1' };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("a digit flipped", flipped, "does not hash to its name"),
        (
            "a wrong result",
            change(&|ev| {
                for e in ev.iter_mut() {
                    if let EventData::Result { result } = e {
                        *result = r#"{"result":[[2,0],[1,1,1,0,0]]}"#.into();
                    }
                }
            }),
            "the published result is not what the trustees decrypted",
        ),
        (
            "a changed ciphertext",
            change(&|ev| {
                for e in ev.iter_mut() {
                    if let EventData::Ballot { ballot } = e {
                        let mut b: Ballot = serde_json::from_str(ballot).expect("ballot");
                        b.answers[0].choices[0].beta = Big(g.mul(&b.answers[0].choices[0].beta, &g.g));
                        *ballot = to_json(&b);
                        break;
                    }
                }
            }),
            "the signature's hash is not the ballot's",
        ),
        (
            "a ballot from a credential not on the list",
            change(&|ev| {
                let b =
                    ctx.encrypt_ballot(&credential::generate(), &[vec![1, 0], vec![0, 0, 0, 0, 0]]).expect("encrypts");
                let at = ev.iter().position(|e| matches!(e, EventData::EndBallots)).expect("end of ballots");
                ev.insert(at, EventData::Ballot { ballot: to_json(&b) });
            }),
            "its credential is not on the list",
        ),
        (
            "a proof that does not verify, in a ballot signed by its credential's owner",
            change(&|ev| {
                let cred = credential::generate();
                let secret = credential::secret(g, &ctx.election.uuid, &cred);
                let mut b = ctx.encrypt_ballot(&cred, &[vec![1, 0], vec![0, 0, 0, 0, 0]]).expect("encrypts");
                let p = &mut b.answers[1].individual_proofs[0][0];
                p.response = Big(Integer::from(&p.response.0 + 1u32) % &g.q);
                b.signature = None;
                let hash = carried_e2e::election::sha256_b64(to_json(&b).as_bytes());
                let w = g.random_nonzero_scalar();
                let c = g.hash(&format!("sig|{hash}|"), &[&g.g_pow_secret(&w)]);
                let r = g.response(&w, &secret, &c);
                let proof = carried_e2e::formats::Proof { challenge: Big(c), response: Big(r) };
                b.signature = Some(carried_e2e::formats::Signature { hash, proof });
                for e in ev.iter_mut() {
                    if let EventData::Setup { credentials, .. } = e {
                        let mut list: Vec<String> = serde_json::from_str(credentials).expect("credentials");
                        list.push(b.credential.to_string());
                        *credentials = to_json(&list);
                    }
                }
                let at = ev.iter().position(|e| matches!(e, EventData::EndBallots)).expect("end of ballots");
                ev.insert(at, EventData::Ballot { ballot: to_json(&b) });
            }),
            "question 2, answer 1: the individual proof does not verify",
        ),
        (
            "an encrypted tally that is not the product of the ballots",
            change(&|ev| {
                for e in ev.iter_mut() {
                    if let EventData::EncryptedTally { encrypted_tally, .. } = e {
                        let mut t: carried_e2e::formats::EncryptedTally =
                            serde_json::from_str(encrypted_tally).expect("tally");
                        t[1].swap(0, 1);
                        *encrypted_tally = to_json(&t);
                    }
                }
            }),
            "the published encrypted tally is not the product of the counted ballots",
        ),
    ];
    for (what, bytes, want) in cases {
        let v = verify(bytes).await;
        assert!(v["error"].as_str().unwrap_or("").contains(want), "{what}: the browser said {v}");
    }
}
