//! The threshold key ceremony against files belenios-tool 2.0 wrote (`../shared/tools/belenios-demo.sh`,
//! threshold scenario, 2 of 3; `tests/fixtures/belenios-ceremony/`, trustees numbered in certificate order):
//! our steps read theirs, the deterministic steps give their bytes, and our decryption of their encrypted
//! keys (AES-256-CCM) gives the keys whose verification keys are in their threshold.json.

use carried_e2e::formats::{to_json, SignedMsg};
use carried_e2e::group::BELENIOS_2048;
use carried_e2e::pedersen::{self, Polynomial, Vinput, Voutput};
use carried_e2e::{verify_bel, Record};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/belenios-ceremony/", $name))
    };
}

const KEYS: [&str; 3] = [fixture!("trustee1.key"), fixture!("trustee2.key"), fixture!("trustee3.key")];
const DKEYS: [&str; 3] = [fixture!("trustee1.dkey"), fixture!("trustee2.dkey"), fixture!("trustee3.dkey")];
const VINPUTS: [&str; 3] = [fixture!("trustee1.vinput"), fixture!("trustee2.vinput"), fixture!("trustee3.vinput")];
const VOUTPUTS: [&str; 3] = [fixture!("trustee1.voutput"), fixture!("trustee2.voutput"), fixture!("trustee3.voutput")];
const RECORD: &[u8] = include_bytes!("fixtures/threshold-demo-Ns5ZpQw9YcqRJX.bel");

fn lines<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
}

fn certs() -> Vec<SignedMsg> {
    lines(fixture!("certs.jsons"))
}

#[test]
fn belenios_certificates_check_and_each_seed_finds_its_own() {
    let g = &*BELENIOS_2048;
    let keys = pedersen::check_certs(g, &certs()).expect("their certificates check");
    for (i, seed) in KEYS.iter().enumerate() {
        assert_eq!(pedersen::my_position(g, &keys, seed.trim()).expect("found"), i + 1);
    }
    let mut bad = certs();
    bad[1].message = bad[1].message.replace('1', "2");
    let e = pedersen::check_certs(g, &bad).expect_err("refused");
    assert!(e.0.contains("certificate 2"), "{e}");
}

#[test]
fn step_four_and_step_six_give_belenios_bytes() {
    let g = &*BELENIOS_2048;
    let polys: Vec<Polynomial> = lines(fixture!("polynomials.jsons"));
    let vinputs = pedersen::step4(g, &certs(), &polys).expect("step 4");
    for (ours, theirs) in vinputs.iter().zip(VINPUTS) {
        assert_eq!(to_json(ours), theirs.trim_end());
    }
    let vouts: Vec<Voutput> = VOUTPUTS.iter().map(|v| serde_json::from_str(v.trim()).expect("voutput")).collect();
    let params = pedersen::step6(g, &certs(), &polys, &vouts).expect("step 6");
    assert_eq!(to_json(&params), fixture!("threshold.json").trim_end());
}

#[test]
fn step_five_opens_belenios_shares_and_gives_the_same_verification_key() {
    let g = &*BELENIOS_2048;
    for (j, seed) in KEYS.iter().enumerate() {
        let vinput: Vinput = serde_json::from_str(VINPUTS[j].trim()).expect("vinput");
        let ours = pedersen::step5(g, &certs(), seed.trim(), &vinput).expect("step 5 on their input");
        let theirs: Voutput = serde_json::from_str(VOUTPUTS[j].trim()).expect("voutput");
        assert_eq!(ours.public_key.public_key, theirs.public_key.public_key, "trustee {}", j + 1);
        // Our own encrypted decryption key opens to the key of that verification key.
        let x = pedersen::decryption_key(g, seed.trim(), &ours.private_key).expect("ours opens");
        assert_eq!(g.g_pow(&x), ours.public_key.public_key.0);
    }
}

#[test]
fn belenios_decryption_keys_open_and_decrypt_the_demo_record() {
    let g = &*BELENIOS_2048;
    let vouts: Vec<Voutput> = VOUTPUTS.iter().map(|v| serde_json::from_str(v.trim()).expect("voutput")).collect();
    for j in 0..3 {
        let x = pedersen::decryption_key(g, KEYS[j].trim(), DKEYS[j]).expect("their .dkey opens");
        assert_eq!(g.g_pow(&x), vouts[j].public_key.public_key.0, "trustee {}", j + 1);
        assert!(pedersen::decryption_key(g, KEYS[(j + 1) % 3].trim(), DKEYS[j]).is_err());
    }
    let report = verify_bel(RECORD).expect("the demo's threshold record verifies");
    assert_eq!(report.result, Some(vec![vec![2, 2], vec![2, 3, 2]]));
    assert!(Record::from_bytes(RECORD).is_ok());
}
