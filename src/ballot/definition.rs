//! Ballot questions: validation of a definition and of a voter's answers, and the
//! definition object that the audit genesis commits to.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::errors::{AnswerError, DefinitionError, QuestionLabel};
use crate::audit::{Publication, Question, QuestionKind as AuditKind};

/// Most questions in one ballot.
pub const MAX_QUESTIONS: usize = 20;
/// Most characters in a question's text.
pub const MAX_TEXT_CHARS: usize = 1000;
/// Fewest and most options of a one_of or many_of question.
pub const MIN_OPTIONS: usize = 2;
pub const MAX_OPTIONS: usize = 50;
/// Most characters in one option.
pub const MAX_OPTION_CHARS: usize = 300;

/// The kind of a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Answered `"yes"` or `"no"`.
    YesNo,
    /// Answered with exactly one option.
    OneOf,
    /// Answered with a list of up to `max` options (possibly none).
    ManyOf,
}

impl QuestionKind {
    /// `"yes_no"`, `"one_of"` or `"many_of"`.
    pub fn as_str(self) -> &'static str {
        self.to_audit().as_str()
    }

    /// The same kind as the audit module names it.
    pub fn to_audit(self) -> AuditKind {
        match self {
            QuestionKind::YesNo => AuditKind::YesNo,
            QuestionKind::OneOf => AuditKind::OneOf,
            QuestionKind::ManyOf => AuditKind::ManyOf,
        }
    }
}

/// One question as an officer defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionDef {
    pub text: String,
    pub kind: QuestionKind,
    /// The options of a one_of or many_of question, in the order shown to voters.
    /// Empty for yes_no.
    #[serde(default)]
    pub options: Vec<String>,
    /// Most options a voter may choose (many_of only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

impl QuestionDef {
    /// The question as the audit module reads it from the definition.
    pub fn to_audit(&self) -> Question {
        Question { text: self.text.clone(), kind: self.kind.to_audit(), options: self.options.clone(), max: self.max }
    }

    /// The question object committed to by the genesis: `text`, `kind`, then
    /// `options` (one_of and many_of) and `max` (many_of).
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("text".into(), Value::from(self.text.clone()));
        obj.insert("kind".into(), Value::from(self.kind.as_str()));
        if self.kind != QuestionKind::YesNo {
            obj.insert("options".into(), Value::from(self.options.clone()));
        }
        if let (QuestionKind::ManyOf, Some(max)) = (self.kind, self.max) {
            obj.insert("max".into(), Value::from(max));
        }
        Value::Object(obj)
    }

    fn label(&self, index: usize) -> QuestionLabel {
        QuestionLabel { number: index + 1, kind: self.kind }
    }
}

/// A short, quoted rendering of user text for error messages.
pub(crate) fn quote(s: &str) -> String {
    const LIMIT: usize = 60;
    if s.chars().count() > LIMIT {
        let cut: String = s.chars().take(LIMIT).collect();
        format!("{:?}…", cut)
    } else {
        format!("{s:?}")
    }
}

/// Check a ballot's questions before it opens. The message names the question,
/// e.g. `question 2 (many_of): max 5 exceeds its 4 options`.
///
/// Rules: 1 to 20 questions; text 1 to 1000 characters, not blank, no control
/// characters; yes_no has no options and no max; one_of and many_of have 2 to 50
/// options, each 1 to 300 characters with no control characters and no spaces at
/// either end, no two alike ignoring case; only many_of has a max, which it must
/// have, with 1 ≤ max ≤ number of options.
pub fn validate_questions(questions: &[QuestionDef]) -> Result<(), DefinitionError> {
    if questions.is_empty() || questions.len() > MAX_QUESTIONS {
        return Err(DefinitionError::QuestionCount { given: questions.len() });
    }
    for (i, q) in questions.iter().enumerate() {
        let at = q.label(i);
        let chars = q.text.chars().count();
        if q.text.trim().is_empty() {
            return Err(DefinitionError::TextEmpty { at });
        }
        if chars > MAX_TEXT_CHARS {
            return Err(DefinitionError::TextTooLong { at, chars });
        }
        if q.text.chars().any(char::is_control) {
            return Err(DefinitionError::TextControlCharacter { at });
        }
        match q.kind {
            QuestionKind::YesNo => {
                if !q.options.is_empty() {
                    return Err(DefinitionError::OptionsOnYesNo { at });
                }
                if q.max.is_some() {
                    return Err(DefinitionError::MaxNotManyOf { at });
                }
            }
            QuestionKind::OneOf | QuestionKind::ManyOf => {
                validate_options(at, &q.options)?;
                match (q.kind, q.max) {
                    (QuestionKind::OneOf, Some(_)) => {
                        return Err(DefinitionError::MaxNotManyOf { at });
                    }
                    (QuestionKind::ManyOf, None) => {
                        return Err(DefinitionError::MaxMissing { at });
                    }
                    (QuestionKind::ManyOf, Some(0)) => {
                        return Err(DefinitionError::MaxZero { at });
                    }
                    (QuestionKind::ManyOf, Some(max)) if max as usize > q.options.len() => {
                        return Err(DefinitionError::MaxOverOptions { at, max, options: q.options.len() });
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

fn validate_options(at: QuestionLabel, options: &[String]) -> Result<(), DefinitionError> {
    if options.len() < MIN_OPTIONS || options.len() > MAX_OPTIONS {
        return Err(DefinitionError::OptionCount { at, given: options.len() });
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (j, o) in options.iter().enumerate() {
        let option = j + 1;
        let chars = o.chars().count();
        if o.trim().is_empty() {
            return Err(DefinitionError::OptionEmpty { at, option });
        }
        if o.trim() != o {
            return Err(DefinitionError::OptionSpaces { at, option, text: o.clone() });
        }
        if chars > MAX_OPTION_CHARS {
            return Err(DefinitionError::OptionTooLong { at, option, chars });
        }
        if o.chars().any(char::is_control) {
            return Err(DefinitionError::OptionControlCharacter { at, option });
        }
        if let Some(first) = seen.insert(o.to_lowercase(), option) {
            return Err(DefinitionError::OptionRepeated { at, option, text: o.clone(), first });
        }
    }
    Ok(())
}

/// Check a voter's answers (one per question, in order) against valid questions,
/// and return them normalised as they are recorded: `"yes"`/`"no"`; the option
/// text; for many_of the chosen options in definition order.
pub fn validate_answers(questions: &[QuestionDef], answers: &[Value]) -> Result<Vec<Value>, AnswerError> {
    if answers.len() != questions.len() {
        return Err(AnswerError::Count { answers: answers.len(), questions: questions.len() });
    }
    let mut out = Vec::with_capacity(answers.len());
    for (i, (q, a)) in questions.iter().zip(answers).enumerate() {
        let at = q.label(i);
        let normalised = match q.kind {
            QuestionKind::YesNo => match a.as_str() {
                Some("yes" | "no") => a.clone(),
                _ => return Err(AnswerError::NotYesOrNo { at }),
            },
            QuestionKind::OneOf => match a.as_str() {
                Some(s) if q.options.iter().any(|o| o == s) => a.clone(),
                Some(s) => return Err(AnswerError::NotAnOption { at, answer: s.to_string() }),
                None => return Err(AnswerError::NotOneOption { at }),
            },
            QuestionKind::ManyOf => {
                let items = a.as_array().ok_or(AnswerError::NotAList { at })?;
                let mut chosen = vec![false; q.options.len()];
                for item in items {
                    let s = item.as_str().ok_or(AnswerError::NotAList { at })?;
                    let pos = q
                        .options
                        .iter()
                        .position(|o| o == s)
                        .ok_or_else(|| AnswerError::NotAnOption { at, answer: s.to_string() })?;
                    if chosen[pos] {
                        return Err(AnswerError::ChosenTwice { at, answer: s.to_string() });
                    }
                    chosen[pos] = true;
                }
                let max = q.max.unwrap_or(0) as usize;
                if items.len() > max {
                    return Err(AnswerError::TooManyChosen { at, chosen: items.len(), max });
                }
                Value::Array(
                    q.options.iter().zip(chosen).filter(|(_, c)| *c).map(|(o, _)| Value::from(o.clone())).collect(),
                )
            }
        };
        out.push(normalised);
    }
    Ok(out)
}

/// The ballot definition committed to by the audit genesis:
/// `{"id", "title", "questions": [...], "opens_at", "closes_at", "publication"}`
/// (`opens_at`/`closes_at` RFC 3339 UTC strings or null). The verifier checks
/// that the published record uses the `publication` committed to here.
pub fn definition_json(
    id: &str,
    title: &str,
    questions: &[QuestionDef],
    opens_at: Option<String>,
    closes_at: Option<String>,
    publication: Publication,
) -> Value {
    let mut obj = Map::new();
    obj.insert("id".into(), Value::from(id));
    obj.insert("title".into(), Value::from(title));
    obj.insert("questions".into(), Value::Array(questions.iter().map(QuestionDef::to_json).collect()));
    obj.insert("opens_at".into(), opens_at.map_or(Value::Null, Value::from));
    obj.insert("closes_at".into(), closes_at.map_or(Value::Null, Value::from));
    obj.insert("publication".into(), Value::from(publication.as_str()));
    Value::Object(obj)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::audit;
    use proptest::prelude::*;
    use serde_json::json;

    fn yn(text: &str) -> QuestionDef {
        QuestionDef { text: text.into(), kind: QuestionKind::YesNo, options: vec![], max: None }
    }

    fn choice(kind: QuestionKind, options: &[&str], max: Option<u32>) -> QuestionDef {
        QuestionDef { text: "Which?".into(), kind, options: options.iter().map(|s| s.to_string()).collect(), max }
    }

    fn bma() -> Vec<QuestionDef> {
        vec![
            yn("Are you prepared to undertake one or more examples of collective action?"),
            choice(QuestionKind::OneOf, &["Limit contacts", "Switch off e-consult", "Stop sharing data"], None),
            choice(
                QuestionKind::ManyOf,
                &["Limit contacts", "Switch off e-consult", "Stop sharing data", "Decline new ICB contracts"],
                Some(2),
            ),
        ]
    }

    #[test]
    fn serde_shape() {
        let q: QuestionDef = serde_json::from_value(json!({"text": "Strike?", "kind": "yes_no"})).unwrap();
        assert_eq!(q, yn("Strike?"));
        let q: QuestionDef =
            serde_json::from_value(json!({"text": "Which?", "kind": "many_of", "options": ["a", "b"], "max": 1}))
                .unwrap();
        assert_eq!(q.kind, QuestionKind::ManyOf);
        assert!(serde_json::from_value::<QuestionDef>(json!({"text": "x", "kind": "yes_no", "colour": "red"})).is_err());
        assert!(serde_json::from_value::<QuestionDef>(json!({"text": "x", "kind": "maybe"})).is_err());
    }

    #[test]
    fn valid_questions_pass() {
        assert_eq!(validate_questions(&bma()), Ok(()));
    }

    #[test]
    fn question_rules() {
        let err = |qs: Vec<QuestionDef>| validate_questions(&qs).unwrap_err().to_string();
        assert_eq!(err(vec![]), "a ballot needs 1 to 20 questions, 0 given");
        assert_eq!(err(vec![yn("q"); 21]), "a ballot needs 1 to 20 questions, 21 given");
        assert_eq!(err(vec![yn("  ")]), "question 1 (yes_no): text is empty");
        assert_eq!(
            err(vec![yn(&"x".repeat(1001))]),
            "question 1 (yes_no): text is 1001 characters, at most 1000 allowed"
        );
        assert!(validate_questions(&[yn(&"é".repeat(1000))]).is_ok());
        assert!(err(vec![yn("a\nb")]).contains("control character"));
        let mut q = yn("q");
        q.options = vec!["a".into(), "b".into()];
        assert!(err(vec![q]).starts_with("question 1 (yes_no): a yes/no question has no options"));
        let mut q = yn("q");
        q.max = Some(1);
        assert_eq!(err(vec![q]), "question 1 (yes_no): max is only for many_of questions");
        assert_eq!(
            err(vec![yn("q"), choice(QuestionKind::OneOf, &["a"], None)]),
            "question 2 (one_of): needs 2 to 50 options, 1 given"
        );
        let many: Vec<String> = (0..51).map(|i| format!("o{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(err(vec![choice(QuestionKind::OneOf, &many, None)]).contains("51 given"));
        assert!(validate_questions(&[choice(QuestionKind::OneOf, &many[..50], None)]).is_ok());
        assert_eq!(err(vec![choice(QuestionKind::OneOf, &["a", ""], None)]), "question 1 (one_of): option 2 is empty");
        assert_eq!(
            err(vec![choice(QuestionKind::OneOf, &["a", " b"], None)]),
            "question 1 (one_of): option 2 \" b\" has spaces at its start or end"
        );
        assert_eq!(
            err(vec![choice(QuestionKind::OneOf, &["Strike", "Work", "strike"], None)]),
            "question 1 (one_of): option 3 \"strike\" repeats option 1"
        );
        let long = "y".repeat(301);
        assert!(err(vec![choice(QuestionKind::OneOf, &["a", &long], None)])
            .contains("option 2 is 301 characters, at most 300 allowed"));
        assert!(err(vec![choice(QuestionKind::OneOf, &["a", "b\tc"], None)])
            .contains("option 2 contains a control character"));
        assert_eq!(
            err(vec![choice(QuestionKind::OneOf, &["a", "b"], Some(1))]),
            "question 1 (one_of): max is only for many_of questions"
        );
        assert!(err(vec![choice(QuestionKind::ManyOf, &["a", "b"], None)])
            .starts_with("question 1 (many_of): max (the most options a voter may choose) is required"));
        assert_eq!(
            err(vec![choice(QuestionKind::ManyOf, &["a", "b"], Some(0))]),
            "question 1 (many_of): max must be at least 1"
        );
        assert_eq!(
            err(vec![yn("q"), choice(QuestionKind::ManyOf, &["a", "b", "c", "d"], Some(5))]),
            "question 2 (many_of): max 5 exceeds its 4 options"
        );
        assert!(validate_questions(&[choice(QuestionKind::ManyOf, &["a", "b"], Some(2))]).is_ok());
    }

    #[test]
    fn refusals_are_typed_and_name_the_question() {
        let at = QuestionLabel { number: 2, kind: QuestionKind::ManyOf };
        assert_eq!(
            validate_questions(&[yn("q"), choice(QuestionKind::ManyOf, &["a", "b", "c", "d"], Some(5))]),
            Err(DefinitionError::MaxOverOptions { at, max: 5, options: 4 })
        );
        assert_eq!(
            validate_questions(&[choice(QuestionKind::OneOf, &["Strike", "strike"], None)]),
            Err(DefinitionError::OptionRepeated {
                at: QuestionLabel { number: 1, kind: QuestionKind::OneOf },
                option: 2,
                text: "strike".into(),
                first: 1
            })
        );
        assert_eq!(
            validate_answers(&bma(), &[json!("yes"), json!("Limit contacts"), json!(["Nope"])]),
            Err(AnswerError::NotAnOption {
                at: QuestionLabel { number: 3, kind: QuestionKind::ManyOf },
                answer: "Nope".into()
            })
        );
        assert_eq!(validate_answers(&bma(), &[]), Err(AnswerError::Count { answers: 0, questions: 3 }));
    }

    #[test]
    fn answers_are_validated_and_normalised() {
        let q = bma();
        let ok = validate_answers(
            &q,
            &[json!("yes"), json!("Stop sharing data"), json!(["Decline new ICB contracts", "Limit contacts"])],
        )
        .unwrap();
        assert_eq!(
            ok,
            vec![json!("yes"), json!("Stop sharing data"), json!(["Limit contacts", "Decline new ICB contracts"])]
        );
        assert_eq!(validate_answers(&q, &[json!("no"), json!("Limit contacts"), json!([])]).unwrap()[2], json!([]));
        let err = |a: Vec<Value>| validate_answers(&q, &a).unwrap_err().to_string();
        assert_eq!(err(vec![json!("yes"), json!("Limit contacts")]), "2 answers given for 3 questions");
        assert_eq!(validate_answers(&q[..1], &[]).unwrap_err().to_string(), "0 answers given for 1 question");
        assert_eq!(
            err(vec![json!("Yes"), json!("Limit contacts"), json!([])]),
            "question 1 (yes_no): the answer must be \"yes\" or \"no\""
        );
        assert_eq!(
            err(vec![json!(true), json!("Limit contacts"), json!([])]),
            "question 1 (yes_no): the answer must be \"yes\" or \"no\""
        );
        assert_eq!(
            err(vec![json!("yes"), json!("Strike"), json!([])]),
            "question 2 (one_of): \"Strike\" is not one of its options"
        );
        assert_eq!(
            err(vec![json!("yes"), json!(["Limit contacts"]), json!([])]),
            "question 2 (one_of): the answer must be one option"
        );
        assert_eq!(
            err(vec![json!("yes"), json!("Limit contacts"), json!("Limit contacts")]),
            "question 3 (many_of): the answer must be a list of options"
        );
        assert_eq!(
            err(vec![json!("yes"), json!("Limit contacts"), json!(["Limit contacts", "Limit contacts"])]),
            "question 3 (many_of): \"Limit contacts\" is chosen twice"
        );
        assert_eq!(
            err(vec![json!("yes"), json!("Limit contacts"), json!(["Limit contacts", "Nope"])]),
            "question 3 (many_of): \"Nope\" is not one of its options"
        );
        assert_eq!(
            err(vec![
                json!("yes"),
                json!("Limit contacts"),
                json!(["Limit contacts", "Stop sharing data", "Switch off e-consult"])
            ]),
            "question 3 (many_of): 3 options chosen, at most 2 allowed"
        );
        let long = "z".repeat(500);
        let msg = err(vec![json!("yes"), json!(long), json!([])]);
        assert!(msg.len() < 120 && msg.contains('…'), "{msg}");
    }

    #[test]
    fn definition_json_shape_is_what_audit_reads() {
        let q = bma();
        let def = definition_json(
            "b-1",
            "GP ballot",
            &q,
            Some("2026-03-02T09:00:00Z".into()),
            None,
            Publication::ReceiptsOnly,
        );
        assert_eq!(def["questions"][0], json!({"text": q[0].text, "kind": "yes_no"}));
        assert_eq!(def["questions"][2]["max"], json!(2));
        assert!(def["questions"][1].get("max").is_none());
        assert_eq!(def["closes_at"], Value::Null);
        assert_eq!(def["publication"], json!("receipts_only"));
        let parsed = audit::parse_questions(&def).unwrap();
        assert_eq!(parsed, q.iter().map(QuestionDef::to_audit).collect::<Vec<_>>());
        // The definition's questions deserialise back into QuestionDef.
        let back: Vec<QuestionDef> = serde_json::from_value(def["questions"].clone()).unwrap();
        assert_eq!(back, q);
        assert!(audit::genesis(&def, 100).is_ok());
    }

    fn arb_question() -> impl Strategy<Value = QuestionDef> {
        prop_oneof![
            Just(yn("Yes or no?")),
            (2usize..8).prop_map(|n| {
                let opts: Vec<String> = (0..n).map(|i| format!("Option {i}")).collect();
                QuestionDef { text: "One".into(), kind: QuestionKind::OneOf, options: opts, max: None }
            }),
            (2usize..8, 1u32..8).prop_map(|(n, m)| {
                let opts: Vec<String> = (0..n).map(|i| format!("Option {i}")).collect();
                QuestionDef {
                    text: "Many".into(),
                    kind: QuestionKind::ManyOf,
                    max: Some(m.min(n as u32)),
                    options: opts,
                }
            }),
        ]
    }

    /// Any answer, valid or not, for a question: picks from its options, plus noise.
    fn arb_answer(q: &QuestionDef) -> BoxedStrategy<Value> {
        let opts = q.options.clone();
        let n = opts.len().max(1);
        match q.kind {
            QuestionKind::YesNo => prop_oneof![Just(json!("yes")), Just(json!("no")), Just(json!("maybe")),].boxed(),
            QuestionKind::OneOf => {
                (0..n + 1).prop_map(move |i| json!(opts.get(i).cloned().unwrap_or_else(|| "none".into()))).boxed()
            }
            QuestionKind::ManyOf => proptest::collection::vec(0..n + 1, 0..n + 2)
                .prop_map(move |ix| {
                    Value::Array(
                        ix.into_iter().map(|i| json!(opts.get(i).cloned().unwrap_or_else(|| "none".into()))).collect(),
                    )
                })
                .boxed(),
        }
    }

    fn arb_ballot() -> impl Strategy<Value = (Vec<QuestionDef>, Vec<Vec<Value>>)> {
        proptest::collection::vec(arb_question(), 1..5).prop_flat_map(|qs| {
            let one: Vec<BoxedStrategy<Value>> = qs.iter().map(arb_answer).collect();
            (Just(qs), proptest::collection::vec(one, 0..30))
        })
    }

    proptest! {
        /// Whatever validate_answers accepts, the audit verifier accepts; normalising is
        /// idempotent; and the tally of accepted ballots is consistent.
        #[test]
        fn accepted_answers_satisfy_the_verifier((qs, ballots) in arb_ballot()) {
            prop_assert_eq!(validate_questions(&qs), Ok(()));
            let audit_q: Vec<audit::Question> = qs.iter().map(QuestionDef::to_audit).collect();
            let mut accepted = Vec::new();
            for b in &ballots {
                if let Ok(norm) = validate_answers(&qs, b) {
                    for (q, a) in audit_q.iter().zip(&norm) {
                        prop_assert_eq!(audit::check_answer(q, a), Ok(()));
                    }
                    prop_assert_eq!(validate_answers(&qs, &norm), Ok(norm.clone()));
                    accepted.push(Value::Array(norm));
                } else {
                    // Rejected answers are never valid for the verifier either, unless
                    // they were only out of order (which validation normalises).
                    let ordered_ok = b.iter().zip(&audit_q).all(|(a, q)| audit::check_answer(q, a).is_ok());
                    prop_assert!(!ordered_ok || b.len() != qs.len());
                }
            }
            let results = audit::tally(&audit_q, &accepted);
            prop_assert_eq!(results.votes_cast, accepted.len() as u64);
            for (q, c) in qs.iter().zip(&results.questions) {
                let sum: u64 = c.counts.values().sum();
                match q.kind {
                    QuestionKind::YesNo | QuestionKind::OneOf => {
                        prop_assert_eq!(sum, results.votes_cast)
                    }
                    QuestionKind::ManyOf => {
                        prop_assert!(sum <= results.votes_cast * u64::from(q.max.unwrap_or(0)));
                        prop_assert!(c.counts.values().all(|v| *v <= results.votes_cast));
                    }
                }
                prop_assert_eq!(c.counts.len(), if q.kind == QuestionKind::YesNo { 2 } else { q.options.len() });
            }
        }
    }
}
