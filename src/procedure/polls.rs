//! What a poll is on (its subject), and what its result does to the motion (its effect).

use crate::text_enum;
use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use super::errors::PollError;
use super::labels::{label_token, next_label};
use super::majority::{Decision, Majority, Qualifier};
use super::outcome::{motion_outcome_text, Outcome, PartState, TakenAs};
use super::{MAX_MOTION_CHARS, MAX_PARTS};

text_enum! {
    /// Procedural motions a representative or the chair can put during a debate.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ProceduralKind ("procedural kind", loose) {
        /// Closure: debate ends and the question is put at once (two-thirds).
        MotionBeNowPut = "motion_be_now_put",
        /// The motion (or part) is dropped without a vote on it.
        NextBusiness = "next_business",
        /// The proposer accepts the motion (or part) going to GPC as a reference.
        TakenAsReference = "taken_as_reference",
        /// The proposer withdraws the motion (or part) with conference's consent.
        Withdrawal = "withdrawal",
        /// Changing or suspending standing orders (two-thirds).
        StandingOrders = "standing_orders",
    }
}

impl ProceduralKind {
    /// Two-thirds for closure and for standing orders (docs/domain.md); simple otherwise.
    pub fn default_majority(&self) -> Majority {
        match self {
            ProceduralKind::MotionBeNowPut | ProceduralKind::StandingOrders => Majority::TwoThirds,
            _ => Majority::Simple,
        }
    }

    /// "that the motion be now put", …
    pub fn describe(&self) -> &'static str {
        match self {
            ProceduralKind::MotionBeNowPut => "that the motion be now put",
            ProceduralKind::NextBusiness => "that conference move to next business",
            ProceduralKind::TakenAsReference => "that the motion be taken as a reference",
            ProceduralKind::Withdrawal => "that the motion be withdrawn",
            ProceduralKind::StandingOrders => "to change or suspend standing orders",
        }
    }

    /// Whether the kind may be put on one part of a motion taken in parts.
    pub fn may_target_part(&self) -> bool {
        !matches!(self, ProceduralKind::StandingOrders)
    }
}

text_enum! {
    /// Where a poll is: open for votes, closed with its result, or voided by the chair (docs/domain.md).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum PollStatus ("poll status") {
        Open = "open",
        Closed = "closed",
        Void = "void",
    }
}

/// The question a poll is on.
///
/// JSON (externally tagged, snake_case): `"whole"`, `{"part": "(ii)"}`,
/// `{"amendment": {"part": "(ii)", "text": "…"}}` (no `part` → amends the stem),
/// `{"rider": {"text": "…"}}`, `{"procedural": {"kind": "next_business", "part": null}}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "SubjectRepr", into = "SubjectRepr")]
pub enum Subject {
    /// The motion as a whole (also a motion with no parts).
    Whole,
    /// One part of a motion taken in parts.
    Part { label: String },
    /// An amendment; `text` is the full wording of the part (or, with `part` None,
    /// of the stem) as amended.
    Amendment { part: Option<String>, text: String },
    /// A rider: a new part added to the motion if carried.
    Rider { text: String },
    /// A procedural motion on the whole motion (`part` None) or on one part.
    Procedural { kind: ProceduralKind, part: Option<String> },
}

// The JSON shape of `Subject` (there `Part` is a bare string); its schema is
// published as "Subject".
/// The question a poll is on: `"whole"`, `{"part": "(ii)"}`,
/// `{"amendment": {"part": "(ii)", "text": "…"}}` (no `part` → amends the stem;
/// `text` is the full wording as amended), `{"rider": {"text": "…"}}`,
/// `{"procedural": {"kind": "next_business", "part": null}}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = Subject)]
enum SubjectRepr {
    Whole,
    Part(String),
    Amendment {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        part: Option<String>,
        text: String,
    },
    Rider {
        text: String,
    },
    Procedural {
        kind: ProceduralKind,
        #[serde(default)]
        part: Option<String>,
    },
}

impl From<SubjectRepr> for Subject {
    fn from(r: SubjectRepr) -> Self {
        match r {
            SubjectRepr::Whole => Subject::Whole,
            SubjectRepr::Part(label) => Subject::Part { label },
            SubjectRepr::Amendment { part, text } => Subject::Amendment { part, text },
            SubjectRepr::Rider { text } => Subject::Rider { text },
            SubjectRepr::Procedural { kind, part } => Subject::Procedural { kind, part },
        }
    }
}

impl From<Subject> for SubjectRepr {
    fn from(s: Subject) -> Self {
        match s {
            Subject::Whole => SubjectRepr::Whole,
            Subject::Part { label } => SubjectRepr::Part(label),
            Subject::Amendment { part, text } => SubjectRepr::Amendment { part, text },
            Subject::Rider { text } => SubjectRepr::Rider { text },
            Subject::Procedural { kind, part } => SubjectRepr::Procedural { kind, part },
        }
    }
}

impl PartialSchema for Subject {
    fn schema() -> RefOr<Schema> {
        <SubjectRepr as PartialSchema>::schema()
    }
}

impl ToSchema for Subject {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Subject")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        <SubjectRepr as ToSchema>::schemas(schemas);
    }
}

impl Subject {
    /// For display: "part (ii)", "the motion as a whole", "amendment to part (ii)",
    /// "amendment to the stem", "rider", "procedural: that the motion be now put".
    pub fn describe(&self) -> String {
        match self {
            Subject::Whole => "the motion as a whole".to_string(),
            Subject::Part { label } => format!("part {label}"),
            Subject::Amendment { part: Some(label), .. } => format!("amendment to part {label}"),
            Subject::Amendment { part: None, .. } => "amendment to the stem".to_string(),
            Subject::Rider { .. } => "rider".to_string(),
            Subject::Procedural { kind, part: None } => {
                format!("procedural: {}", kind.describe())
            }
            Subject::Procedural { kind, part: Some(label) } => {
                format!("procedural: {} (part {label})", kind.describe())
            }
        }
    }

    /// The majority a poll on this subject needs unless the agenda committee says
    /// otherwise: the procedural kind's default, else simple.
    pub fn default_majority(&self) -> Majority {
        match self {
            Subject::Procedural { kind, .. } => kind.default_majority(),
            _ => Majority::Simple,
        }
    }

    /// The majority a poll on this subject uses when the chair does not choose one: a vote on the
    /// motion itself (whole or part) needs two-thirds when the agenda committee marked the motion so
    /// (`needs_two_thirds`); otherwise [`Subject::default_majority`]. The one place this rule lives.
    pub fn default_majority_on(&self, needs_two_thirds: bool) -> Majority {
        let substantive = matches!(self, Subject::Whole | Subject::Part { .. });
        if substantive && needs_two_thirds {
            Majority::TwoThirds
        } else {
            self.default_majority()
        }
    }

    /// The part this subject is about, if any.
    pub fn part_label(&self) -> Option<&str> {
        match self {
            Subject::Part { label } => Some(label),
            Subject::Amendment { part, .. } | Subject::Procedural { part, .. } => part.as_deref(),
            Subject::Whole | Subject::Rider { .. } => None,
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// What a poll is on: one question on one motion, or the 'A' motions put to the conference together
/// (docs/domain.md). The second is not a [`Subject`]: it is put on no one motion, so a poll on a motion
/// can never be it.
///
/// JSON (as stored and as polls carry it): a [`Subject`]'s own shape, or `{"a_motions_en_bloc": [motion ids]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PollSubject {
    /// The 'A' motions taken en bloc, by motion id, in the order put.
    #[serde(rename = "a_motions_en_bloc")]
    AMotionsEnBloc(Vec<i64>),
    /// A question on the poll's one motion.
    #[serde(untagged)]
    Motion(Subject),
}

impl PollSubject {
    /// The majority a poll on this question uses when the chair does not choose one; `needs_two_thirds`
    /// says whether the agenda committee marked the motion (for the 'A' motions, any of them) as needing
    /// two-thirds. On one motion, [`Subject::default_majority_on`]. The 'A' motions en bloc: a simple
    /// majority whatever their marks (docs/procedure.md); the chair is not asked for another.
    pub fn default_majority_on(&self, needs_two_thirds: bool) -> Majority {
        match self {
            PollSubject::Motion(subject) => subject.default_majority_on(needs_two_thirds),
            PollSubject::AMotionsEnBloc(_) => Majority::Simple,
        }
    }

    /// The motions a poll on this question decides: the 'A' motions it puts together, else its own
    /// motion (`motion_id`).
    pub fn motions(&self, motion_id: Option<i64>) -> Vec<i64> {
        match self {
            PollSubject::AMotionsEnBloc(ids) => ids.clone(),
            PollSubject::Motion(_) => motion_id.into_iter().collect(),
        }
    }
}

impl From<Subject> for PollSubject {
    fn from(subject: Subject) -> Self {
        PollSubject::Motion(subject)
    }
}

/// The majority each kind of poll on a motion uses unless the chair chooses another, keyed by
/// `"whole"`, `"part"`, `"amendment"`, `"rider"`, each procedural kind's name (`"motion_be_now_put"`, …)
/// and `"a_motions_en_bloc"` (the 'A' motions put together), by [`PollSubject::default_majority_on`].
/// The chair's page shows these; it does not work them out.
pub fn default_majorities(needs_two_thirds: bool) -> std::collections::BTreeMap<String, Majority> {
    let blank = String::new;
    let mut subjects: Vec<(String, PollSubject)> = vec![
        ("whole".to_string(), Subject::Whole.into()),
        ("part".to_string(), Subject::Part { label: blank() }.into()),
        ("amendment".to_string(), Subject::Amendment { part: None, text: blank() }.into()),
        ("rider".to_string(), Subject::Rider { text: blank() }.into()),
        ("a_motions_en_bloc".to_string(), PollSubject::AMotionsEnBloc(vec![])),
    ];
    for kind in ProceduralKind::ALL {
        subjects.push((kind.as_str().to_string(), Subject::Procedural { kind, part: None }.into()));
    }
    subjects.into_iter().map(|(name, s)| (name, s.default_majority_on(needs_two_thirds))).collect()
}

/// What a closed poll does to the motion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Sets an outcome; `label` None = the whole motion.
    Decide { label: Option<String>, outcome: Outcome, qualifier: Option<Qualifier> },
    /// Replaces the wording of a part (`label` None = the stem).
    ReplaceText { label: Option<String>, text: String },
    /// Adds a part at the end (a carried rider).
    AddPart { label: String, text: String },
    /// Nothing changes (a lost amendment, closure, standing orders…).
    Nothing,
}

/// What the result of a poll on `subject` does to the motion.
///
/// Whole/part: carried or lost, with the decision's qualifier. Amendment carried →
/// new wording; rider carried → a new part labelled [`next_label`]; procedural
/// carried → next business / reference / withdrawn on the motion or the part,
/// nothing for closure (the substantive vote follows) or standing orders. Anything
/// lost other than a whole/part vote → nothing.
pub fn effect_of(subject: &Subject, decision: &Decision, existing_labels: &[String]) -> Effect {
    let carried = decision.carried;
    let qualifier = if carried { decision.qualifier } else { None };
    let voted = if carried { Outcome::Carried } else { Outcome::Lost };
    match subject {
        Subject::Whole => Effect::Decide { label: None, outcome: voted, qualifier },
        Subject::Part { label } => Effect::Decide { label: Some(label.clone()), outcome: voted, qualifier },
        Subject::Amendment { part, text } if carried => Effect::ReplaceText { label: part.clone(), text: tidy(text) },
        Subject::Rider { text } if carried => Effect::AddPart { label: next_label(existing_labels), text: tidy(text) },
        Subject::Procedural { kind, part } if carried => {
            let outcome = match kind {
                ProceduralKind::MotionBeNowPut | ProceduralKind::StandingOrders => return Effect::Nothing,
                ProceduralKind::NextBusiness => Outcome::MovedToNextBusiness,
                ProceduralKind::TakenAsReference => Outcome::CarriedAsReference,
                ProceduralKind::Withdrawal => Outcome::Withdrawn,
            };
            Effect::Decide { label: part.clone(), outcome, qualifier: None }
        }
        Subject::Amendment { .. } | Subject::Rider { .. } | Subject::Procedural { .. } => Effect::Nothing,
    }
}

/// Trims and collapses whitespace.
fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks that a label names a part of the motion, with a helpful message if not.
fn check_label(label: &str, existing_labels: &[String]) -> Result<(), PollError> {
    if label.trim().is_empty() {
        return Err(PollError::NoPartNamed);
    }
    if existing_labels.iter().any(|l| l == label) {
        return Ok(());
    }
    if existing_labels.is_empty() {
        return Err(PollError::NoParts { label: label.to_string() });
    }
    let similar = existing_labels.iter().find(|l| label_token(l) == label_token(label)).cloned();
    Err(PollError::NoSuchPart { label: label.to_string(), similar, parts: existing_labels.to_vec() })
}

fn check_text(what: &'static str, text: &str, hint: &str) -> Result<(), PollError> {
    if text.trim().is_empty() {
        return Err(PollError::NoText { what, hint: hint.to_string() });
    }
    let chars = text.chars().count();
    if chars > MAX_MOTION_CHARS {
        return Err(PollError::TooLong { what, chars });
    }
    Ok(())
}

/// Checks that a poll on `subject` makes sense for a motion with these part labels,
/// taken this way. Messages are meant for the chair.
pub fn validate_subject(subject: &Subject, existing_labels: &[String], taken: TakenAs) -> Result<(), PollError> {
    match subject {
        Subject::Whole => {
            if taken == TakenAs::Parts && !existing_labels.is_empty() {
                return Err(PollError::TakenInParts);
            }
            Ok(())
        }
        Subject::Part { label } => {
            check_label(label, existing_labels)?;
            if taken == TakenAs::Whole {
                return Err(PollError::TakenAsWhole { label: label.clone() });
            }
            Ok(())
        }
        Subject::Amendment { part, text } => {
            if let Some(label) = part {
                check_label(label, existing_labels)?;
            }
            let hint = match part {
                Some(label) => format!("give the full wording of part {label} as amended"),
                None => "give the full wording of the stem as amended".to_string(),
            };
            check_text("amendment", text, &hint)
        }
        Subject::Rider { text } => {
            check_text("rider", text, "give the wording of the part the rider would add")?;
            if existing_labels.len() >= MAX_PARTS {
                return Err(PollError::TooManyParts { parts: existing_labels.len() });
            }
            Ok(())
        }
        Subject::Procedural { kind, part } => {
            let Some(label) = part else {
                return Ok(());
            };
            if !kind.may_target_part() {
                return Err(PollError::NotOnOnePart { kind: *kind });
            }
            check_label(label, existing_labels)?;
            if taken == TakenAs::Whole {
                return Err(PollError::ProceduralTakenAsWhole { label: label.clone() });
            }
            Ok(())
        }
    }
}

/// Checks that what `subject` is about has not been decided yet. `whole` is the
/// whole motion's outcome, `parts` the parts' states.
pub fn check_still_open(
    subject: &Subject,
    taken: TakenAs,
    whole: Option<(Outcome, Option<Qualifier>)>,
    parts: &[PartState],
) -> Result<(), PollError> {
    let motion_text = motion_outcome_text(taken, whole, parts);
    let motion_decided = || match &motion_text {
        Some(text) => Err(PollError::MotionDecided { outcome: text.clone() }),
        None => Ok(()),
    };
    let part_decided = |label: &str, amending: bool| match parts.iter().find(|p| p.label == label) {
        Some(PartState { outcome: Some(outcome), qualifier, .. }) => {
            Err(PollError::PartDecided { label: label.to_string(), outcome: outcome.upper_with(*qualifier), amending })
        }
        _ => Ok(()),
    };
    match subject {
        Subject::Whole | Subject::Rider { .. } => motion_decided(),
        Subject::Part { label } => {
            motion_decided()?;
            part_decided(label, false)
        }
        Subject::Amendment { part: Some(label), .. } => {
            motion_decided()?;
            part_decided(label, true)
        }
        Subject::Amendment { part: None, .. } => {
            motion_decided()?;
            if parts.iter().any(|p| p.outcome.is_some()) {
                return Err(PollError::StemClosed);
            }
            Ok(())
        }
        Subject::Procedural { part: Some(label), .. } => {
            motion_decided()?;
            part_decided(label, false)
        }
        Subject::Procedural { kind, part: None } => match kind {
            ProceduralKind::StandingOrders => Ok(()),
            _ => motion_decided(),
        },
    }
}

/// One part of a motion being voted on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MotionPart {
    pub label: String,
    pub text: String,
    pub outcome: Option<Outcome>,
    pub qualifier: Option<Qualifier>,
}

/// A motion being voted on, in memory: apply effects to it and read its outcome text.
/// The service may keep the same data in the database; this is the reference
/// behaviour of [`Effect`]s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MotionState {
    pub stem: String,
    pub taken: TakenAs,
    pub whole_outcome: Option<Outcome>,
    pub whole_qualifier: Option<Qualifier>,
    pub parts: Vec<MotionPart>,
}

impl MotionState {
    /// An undecided motion, taken as a whole.
    pub fn new(stem: impl Into<String>, parts: Vec<(String, String)>) -> Self {
        MotionState {
            stem: stem.into(),
            taken: TakenAs::Whole,
            whole_outcome: None,
            whole_qualifier: None,
            parts: parts
                .into_iter()
                .map(|(label, text)| MotionPart { label, text, outcome: None, qualifier: None })
                .collect(),
        }
    }

    /// An undecided motion from a parsed one, taken as a whole.
    pub fn from_parsed(parsed: &super::parser::ParsedMotion) -> Self {
        MotionState::new(parsed.stem.clone(), parsed.parts.iter().map(|p| (p.label.clone(), p.text.clone())).collect())
    }

    /// The parts' labels, in order.
    pub fn labels(&self) -> Vec<String> {
        self.parts.iter().map(|p| p.label.clone()).collect()
    }

    /// The parts' states, in order.
    pub fn part_states(&self) -> Vec<PartState> {
        self.parts
            .iter()
            .map(|p| PartState { label: p.label.clone(), outcome: p.outcome, qualifier: p.qualifier })
            .collect()
    }

    /// The whole motion's outcome and qualifier.
    pub fn whole(&self) -> Option<(Outcome, Option<Qualifier>)> {
        self.whole_outcome.map(|o| (o, self.whole_qualifier))
    }

    /// The motion's outcome text; `None` while undecided.
    pub fn outcome_text(&self) -> Option<String> {
        motion_outcome_text(self.taken, self.whole(), &self.part_states())
    }

    /// [`validate_subject`] and [`check_still_open`] together.
    pub fn validate(&self, subject: &Subject) -> Result<(), PollError> {
        validate_subject(subject, &self.labels(), self.taken)?;
        check_still_open(subject, self.taken, self.whole(), &self.part_states())
    }

    /// Applies an effect. A decision on the whole motion (`label` None) also decides
    /// every part not yet decided (docs/domain.md: motion-level outcomes apply to every
    /// part), without a qualifier.
    pub fn apply(&mut self, effect: &Effect) -> Result<(), PollError> {
        match effect {
            Effect::Nothing => Ok(()),
            Effect::Decide { label: None, outcome, qualifier } => {
                self.whole_outcome = Some(*outcome);
                self.whole_qualifier = *qualifier;
                for part in self.parts.iter_mut().filter(|p| p.outcome.is_none()) {
                    part.outcome = Some(*outcome);
                    part.qualifier = None;
                }
                Ok(())
            }
            Effect::Decide { label: Some(label), outcome, qualifier } => {
                let part = self.part_mut(label)?;
                part.outcome = Some(*outcome);
                part.qualifier = *qualifier;
                Ok(())
            }
            Effect::ReplaceText { label: None, text } => {
                self.stem = text.clone();
                Ok(())
            }
            Effect::ReplaceText { label: Some(label), text } => {
                self.part_mut(label)?.text = text.clone();
                Ok(())
            }
            Effect::AddPart { label, text } => {
                if self.parts.iter().any(|p| &p.label == label) {
                    return Err(PollError::PartExists { label: label.clone() });
                }
                self.parts.push(MotionPart {
                    label: label.clone(),
                    text: text.clone(),
                    outcome: None,
                    qualifier: None,
                });
                Ok(())
            }
        }
    }

    /// Validates the subject, works out the effect of the decision and applies it.
    pub fn record_poll(&mut self, subject: &Subject, decision: &Decision) -> Result<Effect, PollError> {
        self.validate(subject)?;
        let effect = effect_of(subject, decision, &self.labels());
        self.apply(&effect)?;
        Ok(effect)
    }

    /// When the conference closes: everything undecided becomes not reached.
    pub fn close(&mut self) -> usize {
        let mut whole = self.whole();
        let mut parts = self.part_states();
        let changed = super::outcome::undecided_become_not_reached(self.taken, &mut whole, &mut parts);
        self.whole_outcome = whole.map(|(o, _)| o);
        self.whole_qualifier = whole.and_then(|(_, q)| q);
        for (part, state) in self.parts.iter_mut().zip(parts) {
            part.outcome = state.outcome;
            part.qualifier = state.qualifier;
        }
        changed
    }

    fn part_mut(&mut self, label: &str) -> Result<&mut MotionPart, PollError> {
        let labels = self.labels();
        match self.parts.iter_mut().find(|p| p.label == label) {
            Some(part) => Ok(part),
            None => Err(check_label(label, &labels).err().unwrap_or_else(|| PollError::NoSuchPart {
                label: label.to_string(),
                similar: None,
                parts: labels,
            })),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "polls_tests.rs"]
mod tests;
