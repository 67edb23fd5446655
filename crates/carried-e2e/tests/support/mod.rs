//! A whole election made by carried-e2e, shared by this crate's tests and the root's belenios-tool tests.

use carried_e2e::formats::{to_json, Ballot, Big, Trustee};
use carried_e2e::{credential, ElectionCtx, EventData, Record};

/// A whole election made by this crate: two trustees, five voters, one revote.
pub fn carried_election() -> (Record, Vec<Vec<u64>>) {
    use carried_e2e::formats::{Election, ElectionResult, Question};
    use carried_e2e::group::BELENIOS_2048;
    use carried_e2e::{trustee, verify};
    let g = &*BELENIOS_2048;
    let (x1, k1) = trustee::keygen(g);
    let (x2, k2) = trustee::keygen(g);
    let y = g.mul(&k1.public_key, &k2.public_key);
    let uuid = credential::generate().replace('-', "")[..14].to_owned();
    let election = Election {
        version: 1,
        description: "A ballot of GPs".into(),
        name: "Indicative ballot".into(),
        group: g.name.into(),
        public_key: Big(y),
        questions: vec![
            Question { answers: vec!["Yes".into(), "No".into()], blank: None, min: 1, max: 1, question: "Act?".into() },
            Question {
                answers: vec!["Stop sharing data".into(), "Limit contacts".into(), "Decline contracts".into()],
                blank: None,
                min: 0,
                max: 2,
                question: "Which actions?".into(),
            },
        ],
        uuid: uuid.clone(),
        administrator: None,
        credential_authority: None,
    };
    let ctx = ElectionCtx::parse(&to_json(&election)).expect("election");
    let creds: Vec<String> = (0..5).map(|_| credential::generate()).collect();
    let publics: Vec<String> = creds.iter().map(|c| credential::public(g, &uuid, c).to_string()).collect();
    let trustees = vec![Trustee::Single(k1), Trustee::Single(k2)];
    let votes = [
        vec![vec![1, 0], vec![1, 1, 0]],
        vec![vec![0, 1], vec![0, 0, 0]],
        vec![vec![1, 0], vec![0, 1, 1]],
        vec![vec![1, 0], vec![1, 0, 0]],
        vec![vec![0, 1], vec![0, 0, 1]],
    ];
    let mut ballots: Vec<String> =
        creds.iter().zip(&votes).map(|(c, v)| to_json(&ctx.encrypt_ballot(c, v).expect("encrypts"))).collect();
    // Voter 2 votes again; the last ballot counts.
    ballots.push(to_json(&ctx.encrypt_ballot(&creds[1], &[vec![1, 0], vec![0, 1, 0]]).expect("encrypts")));
    let expected = vec![vec![4, 1], vec![2, 3, 2]];
    let parsed: Vec<Ballot> = ballots.iter().map(|b| serde_json::from_str(b).expect("ballot")).collect();
    let counted: Vec<(&Ballot, u64)> = [0usize, 2, 3, 4, 5].iter().map(|i| (&parsed[*i], 1)).collect();
    let tally = verify::compute_tally(&ctx, &counted);
    let pd1 = trustee::partial_decrypt(&ctx, &x1, &tally);
    let pd2 = trustee::partial_decrypt(&ctx, &x2, &tally);
    let pds = std::collections::BTreeMap::from([(1usize, pd1.clone()), (2, pd2.clone())]);
    let factors = trustee::combine_factors(&ctx, &trustees, &tally, &pds).expect("both decrypted");
    let result = trustee::decrypt_counts(&ctx, &tally, &factors, 5).expect("counts");
    assert_eq!(result, expected);
    let mut rec = Record::new(1_795_000_000);
    rec.events.push(EventData::Setup {
        election: ctx.raw.clone(),
        trustees: to_json(&trustees),
        credentials: to_json(&publics),
    });
    rec.events.extend(ballots.into_iter().map(|ballot| EventData::Ballot { ballot }));
    rec.events.push(EventData::EndBallots);
    rec.events.push(EventData::EncryptedTally { encrypted_tally: to_json(&tally), num_tallied: 5, total_weight: 5 });
    rec.events.push(EventData::PartialDecryption { owner: 1, partial_decryption: to_json(&pd1) });
    rec.events.push(EventData::PartialDecryption { owner: 2, partial_decryption: to_json(&pd2) });
    rec.events.push(EventData::Result { result: to_json(&ElectionResult { result: result.clone() }) });
    (rec, expected)
}
