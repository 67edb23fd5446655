//! Interoperability with Belenios's own tool (`belenios-tool` 2.0, Debian's package): what `carried trustee`
//! and `carried ballot` make is accepted by `belenios-tool election verify`, and `carried verify` accepts what
//! belenios-tool makes and refuses the same tampered records it refuses.
//!
//! Needs `belenios-tool`. Without it these tests fail when `CI` or `CARRIED_REQUIRE_BELENIOS=1` is set, and
//! otherwise say loudly that they are skipped.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use carried_e2e::formats::{to_json, Ballot, Big};
use carried_e2e::{ElectionCtx, EventData, Record};

const CARRIED: &str = env!("CARGO_BIN_EXE_carried");

#[path = "../crates/carried-e2e/tests/support/mod.rs"]
mod support;

fn belenios_available(test: &str) -> bool {
    let found = Command::new("belenios-tool").arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    if found {
        return true;
    }
    let required = std::env::var_os("CI").is_some()
        || std::env::var("CARRIED_REQUIRE_BELENIOS").map(|v| v == "1").unwrap_or(false);
    assert!(!required, "belenios-tool is required (CI or CARRIED_REQUIRE_BELENIOS=1) but was not found on PATH");
    eprintln!("SKIPPED {test}: belenios-tool is not installed (apt-get install belenios-tool)");
    false
}

fn run(dir: &Path, program: &str, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .env("BELENIOS_USE_URANDOM", "1")
        .env("PAGER", "cat")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{program}: {e}"));
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().expect("stdin").write_all(input).expect("write stdin");
    }
    child.wait_with_output().expect("wait")
}

fn ok(dir: &Path, program: &str, args: &[&str], stdin: Option<&[u8]>) -> String {
    let out = run(dir, program, args, stdin);
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn bt(dir: &Path, args: &[&str]) -> String {
    ok(dir, "belenios-tool", args, None)
}

fn bt_in(dir: &Path, args: &[&str], stdin: &str) -> String {
    ok(dir, "belenios-tool", args, Some(stdin.as_bytes()))
}

fn carried(dir: &Path, args: &[&str]) -> String {
    ok(dir, CARRIED, args, None)
}

fn bel_file(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "bel"))
        .expect("a .bel archive")
}

/// belenios-tool election verify: Ok(stderr) or Err(stderr).
fn belenios_verify(dir: &Path) -> Result<String, String> {
    let out = run(dir, "belenios-tool", &["election", "verify"], None);
    let msg = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        Ok(msg)
    } else {
        Err(msg)
    }
}

/// carried verify: Ok(stdout) or Err(stdout).
fn carried_verify(path: &Path) -> Result<String, String> {
    let out = Command::new(CARRIED).arg("verify").arg(path).output().expect("carried verify");
    let msg = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(msg)
    } else {
        Err(msg)
    }
}

struct Election {
    dir: tempfile::TempDir,
    creds: Vec<String>,
}

/// An election set up by belenios-tool with two trustees, the first's key made by `carried trustee keygen`:
/// a yes/no question and a many-of question (3 options, at most 2).
fn setup() -> Election {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let public = carried(d, &["trustee", "keygen", "--out", "carried-trustee.json"]);
    assert!(public.starts_with(r#"{"pok":{"challenge":""#), "{public}");
    bt(d, &["setup", "generate-trustee-key", "--group", "BELENIOS-2048"]);
    let theirs = std::fs::read_dir(d)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "pubkey"))
        .expect("belenios trustee key");
    let theirs = std::fs::read_to_string(theirs).expect("pubkey");
    std::fs::write(d.join("public_keys.jsons"), format!("{}\n{}\n", public.trim_end(), theirs.trim_end()))
        .expect("write");
    bt(d, &["setup", "make-trustees"]);
    let uuid = bt(d, &["setup", "generate-token"]).trim().to_owned();
    bt(d, &["setup", "generate-credentials", "--uuid", &uuid, "--group", "BELENIOS-2048", "--count", "4"]);
    let mut creds = Vec::new();
    for entry in std::fs::read_dir(d).expect("dir").filter_map(|e| e.ok()) {
        let p = entry.path();
        match p.extension().and_then(|x| x.to_str()) {
            Some("pubcreds") => std::fs::rename(&p, d.join("public_creds.json")).expect("rename"),
            Some("privcreds") => {
                let text = std::fs::read_to_string(&p).expect("privcreds");
                creds = text.lines().filter_map(|l| l.split_whitespace().nth(1)).map(str::to_owned).collect();
            }
            _ => {}
        }
    }
    assert_eq!(creds.len(), 4);
    std::fs::write(
        d.join("template.json"),
        r#"{"description":"Interop","name":"Interop ballot","questions":[{"answers":["Yes","No"],"min":1,"max":1,"question":"Do you agree?"},{"answers":["Alpha","Bravo","Charlie"],"min":0,"max":2,"question":"Which actions?"}]}"#,
    )
    .expect("template");
    bt(d, &["setup", "make-election", "--uuid", &uuid, "--group", "BELENIOS-2048", "--template", "template.json"]);
    bt(d, &["archive", "init"]);
    std::fs::rename(d.join("election.json"), d.join("the-election.json")).expect("keep the election");
    std::fs::remove_file(d.join("trustees.json")).expect("rm");
    std::fs::remove_file(d.join("public_creds.json")).expect("rm");
    Election { dir, creds }
}

#[test]
fn belenios_tool_accepts_carried_keys_ballots_and_decryptions_and_carried_verifies_the_record() {
    if !belenios_available("belenios interop") {
        return;
    }
    let e = setup();
    let d = e.dir.path();
    // Three voters cast with `carried ballot encrypt`, one with belenios-tool.
    let answers = [r#"["yes",["Alpha","Charlie"]]"#, r#"["no",[]]"#, r#"["Yes",["Bravo"]]"#];
    for (cred, a) in e.creds.iter().zip(answers) {
        let ballot =
            carried(d, &["ballot", "encrypt", "--election", "the-election.json", "--code", cred, "--answers", a]);
        bt_in(d, &["archive", "add-event", "--type=Ballot"], &ballot);
    }
    std::fs::write(d.join("cred4"), &e.creds[3]).expect("write");
    std::fs::write(d.join("choice4"), "[[1,0],[1,1,0]]").expect("write");
    let theirs = bt(d, &["election", "generate-ballot", "--privcred", "cred4", "--ballot", "choice4"]);
    bt_in(d, &["archive", "add-event", "--type=Ballot"], &theirs);
    let during = belenios_verify(d).expect("belenios-tool accepts carried's ballots");
    assert!(during.contains("all checks passed"), "{during}");
    assert!(carried_verify(&bel_file(d)).expect("carried verifies while voting").contains("4 ballots (4 counted)"));

    // Tally; the carried trustee (1) and the belenios-tool trustee (2) decrypt.
    bt_in(d, &["archive", "add-event", "--type=EndBallots"], "");
    let tally = bt(d, &["election", "compute-encrypted-tally"]);
    std::fs::write(d.join("tally.json"), tally.lines().next().expect("tally line")).expect("write");
    bt_in(d, &["archive", "add-event", "--type=EncryptedTally"], &tally);
    let pd = carried(
        d,
        &[
            "trustee",
            "decrypt",
            "--key",
            "carried-trustee.json",
            "--tally",
            "tally.json",
            "--election",
            "the-election.json",
            "--trustee-id",
            "1",
        ],
    );
    assert_eq!(pd.lines().count(), 2, "{pd}");
    bt_in(d, &["archive", "add-event", "--type=PartialDecryption"], &pd);
    let privkey = std::fs::read_dir(d)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "privkey"))
        .expect("privkey");
    let theirs = bt(d, &["election", "decrypt", "--privkey", privkey.to_str().expect("path"), "--trustee-id", "2"]);
    bt_in(d, &["archive", "add-event", "--type=PartialDecryption"], &theirs);
    let result = bt(d, &["election", "compute-result"]);
    bt_in(d, &["archive", "add-event", "--type=Result"], &result);
    assert!(result.contains(r#"{"result":[[3,1],[2,2,1]]}"#), "{result}");
    let end = belenios_verify(d).expect("belenios-tool accepts the carried trustee's decryption");
    assert!(end.contains("all checks passed"), "{end}");

    let out = carried_verify(&bel_file(d)).expect("carried verify accepts belenios-tool's record");
    assert!(out.contains("result: [[3,1],[2,2,1]]") && out.contains("VERIFIED"), "{out}");

    // Tampered copies, re-chained so that only the tampering is wrong, are refused by both verifiers.
    let record = Record::from_bytes(&std::fs::read(bel_file(d)).expect("read")).expect("reads");
    let ctx = match &record.events[0] {
        EventData::Setup { election, .. } => ElectionCtx::parse(election).expect("election"),
        _ => panic!("no setup"),
    };
    let mut wrong_result = record.clone();
    let last = wrong_result.events.len() - 1;
    wrong_result.events[last] = EventData::Result { result: r#"{"result":[[4,0],[2,2,1]]}"#.into() };

    let mut changed_ballot = record.clone();
    let first_ballot = changed_ballot.events.iter().position(|e| matches!(e, EventData::Ballot { .. })).expect("b");
    if let EventData::Ballot { ballot } = &changed_ballot.events[first_ballot] {
        let mut b: Ballot = serde_json::from_str(ballot).expect("ballot");
        b.answers[1].choices[2].alpha = Big(ctx.group.mul(&b.answers[1].choices[2].alpha, &ctx.group.g));
        changed_ballot.events[first_ballot] = EventData::Ballot { ballot: to_json(&b) };
    }
    changed_ballot.events.truncate(first_ballot + 1);

    let mut unknown_credential = record.clone();
    unknown_credential.events.truncate(first_ballot + 1);
    let stranger = ctx.encrypt_ballot(&carried_e2e::credential::generate(), &[vec![1, 0], vec![0, 0, 0]]).expect("b");
    unknown_credential.events.push(EventData::Ballot { ballot: to_json(&stranger) });

    for (name, tampered, ours) in [
        ("wrong result", wrong_result, "is wrong"),
        ("changed ciphertext", changed_ballot, "signature"),
        ("unknown credential", unknown_credential, "invalid credential"),
    ] {
        let t = tempfile::tempdir().expect("tempdir");
        let path = t.path().join("tampered.bel");
        std::fs::write(&path, tampered.to_bytes()).expect("write");
        let theirs = belenios_verify(t.path()).expect_err(&format!("belenios-tool refuses the {name}"));
        assert!(theirs.contains("belenios-tool:"), "{name}: {theirs}");
        let mine = carried_verify(&path).expect_err(&format!("carried verify refuses the {name}"));
        assert!(mine.contains("NOT VERIFIED") && mine.contains(ours), "{name}: {mine}");
    }
}

#[test]
fn carried_verify_accepts_the_belenios_demo_records() {
    if !belenios_available("belenios demo records") {
        return;
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/carried-e2e/tests/fixtures");
    for name in ["single-qn174aJGv3BpMM.bel", "threshold-7HtxeqxP6RcKFD.bel"] {
        let t = tempfile::tempdir().expect("tempdir");
        std::fs::copy(fixtures.join(name), t.path().join(name)).expect("copy");
        belenios_verify(t.path()).expect("belenios-tool accepts its own record");
        let out = carried_verify(&t.path().join(name)).expect("carried verify accepts it");
        assert!(out.contains("result: [[2,2],[2,3,2]]"), "{name}: {out}");
    }
}

#[test]
fn belenios_tool_accepts_a_record_written_wholly_by_carried() {
    if !belenios_available("record written by carried") {
        return;
    }
    let (record, expected) = support::carried_election();
    let t = tempfile::tempdir().expect("tempdir");
    let path = t.path().join("carried.bel");
    std::fs::write(&path, record.to_bytes()).expect("write");
    let theirs = belenios_verify(t.path()).expect("belenios-tool accepts carried's record");
    assert!(theirs.contains("all checks passed"), "{theirs}");
    let ours = carried_verify(&path).expect("carried verify accepts it");
    assert!(ours.contains(&format!("result: {}", serde_json::json!(expected))), "{ours}");
    // belenios-tool's own tally of carried's ballots is the one carried published.
    let tally = bt(t.path(), &["election", "compute-encrypted-tally"]);
    let published = record.events.iter().find_map(|e| match e {
        EventData::EncryptedTally { encrypted_tally, .. } => Some(encrypted_tally.clone()),
        _ => None,
    });
    assert_eq!(tally.lines().next(), published.as_deref());
}
