//! End-to-end ballots (docs/e2e.md): a ballot's questions as a Belenios 2.0 election, and a Belenios result
//! as the counts tier 1's results are computed from. Pure.

use std::collections::BTreeMap;

use carried_e2e::formats::{Big, Election, Question};
use carried_e2e::group::BELENIOS_2048;
use carried_e2e::rug::Integer;

use super::definition::{QuestionDef, QuestionKind};
use crate::audit::{QuestionCounts, Results};

/// A question as Belenios asks it: yes/no → answers Yes, No with min = max = 1; one-of → min = max = 1;
/// many-of → min 0, max as defined (all the options when no max is given).
pub fn belenios_question(q: &QuestionDef) -> Question {
    let (answers, min, max) = match q.kind {
        QuestionKind::YesNo => (vec!["Yes".to_owned(), "No".to_owned()], 1, 1),
        QuestionKind::OneOf => (q.options.clone(), 1, 1),
        QuestionKind::ManyOf => {
            let all = q.options.len() as u32;
            (q.options.clone(), 0, q.max.unwrap_or(all).min(all))
        }
    };
    Question { answers, blank: None, min, max, question: q.text.clone() }
}

/// The Belenios election of a ballot: its questions, in the BELENIOS-2048 group, under the trustees' joint
/// public key. `uuid` is a Belenios token (14 base58 characters, `carried_e2e::credential::token`).
pub fn belenios_election(
    name: &str,
    description: &str,
    uuid: &str,
    public_key: Integer,
    questions: &[QuestionDef],
) -> Election {
    Election {
        version: 1,
        description: description.to_owned(),
        name: name.to_owned(),
        group: BELENIOS_2048.name.to_owned(),
        public_key: Big(public_key),
        questions: questions.iter().map(belenios_question).collect(),
        uuid: uuid.to_owned(),
        administrator: None,
        credential_authority: None,
    }
}

/// Tier 1's counts from a verified Belenios result (`"yes"`/`"no"` keys for yes/no questions, the option
/// texts otherwise). None when the result's shape is not the questions'.
pub fn counts_from_belenios(questions: &[QuestionDef], result: &[Vec<u64>], votes_cast: u64) -> Option<Results> {
    if result.len() != questions.len() {
        return None;
    }
    let mut out = Vec::with_capacity(questions.len());
    for (q, counts) in questions.iter().zip(result) {
        let keys: Vec<String> = match q.kind {
            QuestionKind::YesNo => vec!["yes".into(), "no".into()],
            _ => q.options.clone(),
        };
        if keys.len() != counts.len() {
            return None;
        }
        out.push(QuestionCounts { counts: keys.into_iter().zip(counts.iter().copied()).collect::<BTreeMap<_, _>>() });
    }
    Some(Results { votes_cast, questions: out })
}

#[cfg(test)]
mod tests {
    use super::*;
    use carried_e2e::formats::to_json;
    use carried_e2e::{choices_from_answers, credential, ElectionCtx};
    use serde_json::json;

    fn questions() -> Vec<QuestionDef> {
        vec![
            QuestionDef { text: "Act?".into(), kind: QuestionKind::YesNo, options: vec![], max: None },
            QuestionDef {
                text: "Which one?".into(),
                kind: QuestionKind::OneOf,
                options: vec!["Strike".into(), "Work to rule".into()],
                max: None,
            },
            QuestionDef {
                text: "Which actions?".into(),
                kind: QuestionKind::ManyOf,
                options: vec!["A".into(), "B".into(), "C".into()],
                max: Some(2),
            },
        ]
    }

    #[test]
    fn questions_map_onto_belenios_as_the_issue_says() {
        let qs: Vec<Question> = questions().iter().map(belenios_question).collect();
        assert_eq!((qs[0].answers.clone(), qs[0].min, qs[0].max), (vec!["Yes".to_owned(), "No".to_owned()], 1, 1));
        assert_eq!((qs[1].min, qs[1].max), (1, 1));
        assert_eq!((qs[2].min, qs[2].max), (0, 2));
        let no_max = QuestionDef { max: None, ..questions()[2].clone() };
        assert_eq!(belenios_question(&no_max).max, 3);
    }

    #[test]
    fn tier_one_answers_encrypt_under_the_mapped_election() {
        let g = &*BELENIOS_2048;
        let (_, key) = carried_e2e::trustee::keygen(g);
        let e = belenios_election("Ballot", "An indicative ballot", "tdwJ6XSbdskFGb", key.public_key.0, &questions());
        let ctx = ElectionCtx::parse(&to_json(&e)).expect("a valid Belenios election");
        let answers = [json!("yes"), json!("Work to rule"), json!(["A", "C"])];
        let choices = choices_from_answers(&ctx.election, &answers).expect("answers map");
        assert_eq!(choices, vec![vec![1, 0], vec![0, 1], vec![1, 0, 1]]);
        let b = ctx.encrypt_ballot(&credential::generate(), &choices).expect("encrypts");
        assert_eq!(ctx.check_ballot(&b), Ok(()));
        let too_many = [json!("no"), json!("Strike"), json!(["A", "B", "C"])];
        let choices = choices_from_answers(&ctx.election, &too_many).expect("maps");
        assert!(ctx.encrypt_ballot(&credential::generate(), &choices).is_err());
    }

    #[test]
    fn a_belenios_result_becomes_tier_one_counts() {
        let r = counts_from_belenios(&questions(), &[vec![5, 2], vec![4, 3], vec![1, 6, 0]], 7).expect("fits");
        assert_eq!(r.votes_cast, 7);
        assert_eq!(r.questions[0].counts.get("yes"), Some(&5));
        assert_eq!(r.questions[1].counts.get("Work to rule"), Some(&3));
        assert_eq!(r.questions[2].counts.get("B"), Some(&6));
        assert!(counts_from_belenios(&questions(), &[vec![5, 2]], 7).is_none());
        assert!(counts_from_belenios(&questions(), &[vec![5], vec![4, 3], vec![1, 6, 0]], 7).is_none());
    }
}
