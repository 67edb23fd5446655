//! The conference's resolutions as the profession publishes them (issue 14, item 5): gathers the
//! conference, its items (in running order) and its closed polls (voided ones left out), and lets
//! `procedure::resolutions` lay out the document. Read only; anyone may read it.

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::polls;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};
use crate::procedure::polls::PollStatus;
use crate::procedure::resolutions::{
    self as doc, ConferenceInput, Decision, DecisionKind, ItemInput, PartInput, Resolutions, Vote,
};
use crate::procedure::ConferenceStatus;
use crate::procedure::{self, AgendaMark, Counts, PollSubject, Qualifier, Subject, TakenAs, Wording};
use crate::services::conference::{self as conf, Conference, MotionView, PollRow};

/// One item with its outcome text and "the motion in full" (the list this answer has always had).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MotionLine {
    pub id: i64,
    pub number: i32,
    pub item: String,
    pub marks: Vec<AgendaMark>,
    pub outcome_text: Option<String>,
    #[schema(value_type = Object)]
    pub record: procedure::MotionRecord,
}

/// The published resolutions: the conference, the document (groups of entries, each with its parts and
/// votes; the amendments, riders and procedural motions put), and every item with its record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResolutionsView {
    pub conference: Conference,
    #[serde(flatten)]
    pub document: Resolutions,
    pub motions: Vec<MotionLine>,
}

/// A closed poll, as the document needs it.
struct ClosedPoll {
    id: i64,
    motion_id: Option<i64>,
    subject: PollSubject,
    vote: Vote,
    carried: bool,
    qualifier: Option<Qualifier>,
    wording: Option<Wording>,
}

fn closed_polls(c: &mut DbConnection, conference_id: i64) -> AppResult<Vec<ClosedPoll>> {
    let rows: Vec<PollRow> = polls::table
        .filter(polls::conference_id.eq(conference_id))
        .filter(polls::status.eq(PollStatus::Closed))
        .order(polls::id.asc())
        .select(PollRow::as_select())
        .load(c)?;
    rows.into_iter()
        .map(|p| {
            let id = p.id;
            let bad = |what: &str, e: String| AppError::internal_msg(format!("poll {id}: stored {what}: {e}"));
            let counts = p.counted.then(|| {
                Counts::new(
                    u64::try_from(p.for_votes).unwrap_or(0),
                    u64::try_from(p.against_votes).unwrap_or(0),
                    u64::try_from(p.abstain_votes).unwrap_or(0),
                )
            });
            Ok(ClosedPoll {
                id,
                motion_id: p.motion_id,
                subject: serde_json::from_str(&p.subject).map_err(|e| bad("subject", e.to_string()))?,
                vote: Vote::new(p.method, counts),
                carried: p.carried.ok_or_else(|| bad("result", "a closed poll without a result".into()))?,
                qualifier: p.qualifier,
                wording: p
                    .wording
                    .map(|w| serde_json::from_str(&w).map_err(|e| bad("wording", e.to_string())))
                    .transpose()?,
            })
        })
        .collect()
}

fn result_text(p: &ClosedPoll) -> String {
    procedure::Decision { carried: p.carried, qualifier: if p.carried { p.qualifier } else { None } }.as_upper()
}

fn words_of(w: &Wording) -> String {
    w.words
        .iter()
        .map(|p| match &p.label {
            Some(l) => format!("{l} {}", p.text),
            None => p.text.clone(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What was put, named by the item as printed ("Amendment to motion 27a, part (ii)"); the stored wording's
/// heading is not used, as it names lettered items by their internal number.
fn heading_of(subject: &Subject, item: &str) -> String {
    match subject {
        Subject::Amendment { part: Some(l), .. } => format!("Amendment to motion {item}, part {l}"),
        Subject::Amendment { part: None, .. } => format!("Amendment to motion {item}"),
        Subject::Rider { .. } => format!("Rider to motion {item}"),
        Subject::Procedural { part: Some(l), .. } => format!("Procedural motion on motion {item}, part {l}"),
        Subject::Procedural { part: None, .. } => format!("Procedural motion on motion {item}"),
        Subject::Whole => format!("Motion {item}"),
        Subject::Part { label } => format!("Motion {item}, part {label}"),
    }
}

/// The words put, for a poll stored before wordings were (from its subject).
fn words_of_subject(subject: &Subject) -> String {
    match subject {
        Subject::Amendment { text, .. } | Subject::Rider { text } => text.clone(),
        Subject::Procedural { kind, part } => procedure::wording::procedural_words(*kind, part.as_deref()),
        Subject::Whole | Subject::Part { .. } => String::new(),
    }
}

/// The item as published, with the votes that decided it and the decisions put on it.
/// The printed amendments and riders put as themselves: poll id → the item's number as printed.
fn printed_items(
    c: &mut DbConnection,
    conference_id: i64,
    motions: &[MotionView],
) -> AppResult<std::collections::HashMap<i64, String>> {
    use crate::services::linked_items::poll_items;
    let links: Vec<(i64, i64)> = poll_items::table
        .inner_join(polls::table.on(polls::id.eq(poll_items::poll_id)))
        .filter(polls::conference_id.eq(conference_id))
        .select((poll_items::poll_id, poll_items::motion_id))
        .load(c)?;
    Ok(links
        .into_iter()
        .filter_map(|(poll, item)| motions.iter().find(|m| m.id == item).map(|m| (poll, m.item.clone())))
        .collect())
}

fn item_input(
    m: &MotionView,
    polls: &[ClosedPoll],
    en_bloc: &[(usize, Vec<i64>)],
    printed: &std::collections::HashMap<i64, String>,
) -> AppResult<ItemInput> {
    let mut part_votes: Vec<Option<Vote>> = vec![None; m.parts.len()];
    let mut part_amended = vec![false; m.parts.len()];
    let mut stem_as_amended = false;
    let mut whole_vote = None;
    let mut decisions = Vec::new();
    for p in polls.iter().filter(|p| p.motion_id == Some(m.id)) {
        let PollSubject::Motion(subject) = &p.subject else {
            return Err(AppError::internal_msg(format!(
                "motion {}: poll {} on it is stored as the 'A' motions en bloc",
                m.id, p.id
            )));
        };
        let part_index = |label: &str| m.parts.iter().position(|x| x.label == label);
        let kind = match subject {
            Subject::Whole => {
                whole_vote = Some(p.vote);
                continue;
            }
            Subject::Part { label } => {
                if let Some(i) = part_index(label) {
                    part_votes[i] = Some(p.vote);
                }
                continue;
            }
            Subject::Amendment { part, .. } => {
                if p.carried {
                    match part.as_deref().and_then(part_index) {
                        Some(i) => part_amended[i] = true,
                        None if part.is_none() => stem_as_amended = true,
                        None => {}
                    }
                }
                DecisionKind::Amendment
            }
            Subject::Rider { .. } => DecisionKind::Rider,
            Subject::Procedural { .. } => DecisionKind::Procedural,
        };
        let heading = heading_of(subject, &m.item);
        let words = match &p.wording {
            Some(w) => words_of(w),
            None => words_of_subject(subject),
        };
        decisions.push(Decision {
            kind,
            heading,
            words,
            result: result_text(p),
            carried: p.carried,
            vote: p.vote,
            printed_item: printed.get(&p.id).cloned(),
            on_items: vec![m.item.clone()],
        });
    }
    // Carried with the 'A' motions: the vote that carried them, unless it was then taken on its own.
    let carried_en_bloc = en_bloc.iter().rev().find(|(i, ids)| polls[*i].carried && ids.contains(&m.id));
    let en_bloc_vote = match (whole_vote, carried_en_bloc) {
        (None, Some((i, _))) if m.outcome == Some(procedure::Outcome::Carried) => Some(polls[*i].vote),
        _ => None,
    };
    Ok(ItemInput {
        item: m.item.clone(),
        kind: m.kind,
        section: m.section.clone(),
        proposer: m.proposer.clone(),
        agenda_committee: m.agenda_committee,
        amends: m.amends.clone(),
        stem: m.stem.clone(),
        stem_as_amended,
        parts: m
            .parts
            .iter()
            .zip(part_votes.into_iter().zip(part_amended))
            .map(|(p, (vote, as_amended))| PartInput {
                label: p.label.clone(),
                text: p.text.clone(),
                outcome: p.outcome,
                qualifier: p.qualifier,
                vote,
                as_amended,
                added_by_rider: p.added_by_rider,
            })
            .collect(),
        taken: m.taken_as.unwrap_or(TakenAs::Whole),
        whole_outcome: m.outcome,
        whole_qualifier: m.qualifier,
        whole_vote: whole_vote.or(en_bloc_vote),
        en_bloc: en_bloc_vote.is_some(),
        outcome_text: m.outcome_text.clone(),
        decisions,
    })
}

/// The published resolutions of a conference (404 if there is none).
pub fn resolutions(c: &mut DbConnection, conference_id: i64) -> AppResult<ResolutionsView> {
    let conference = conf::get_conference(c, conference_id)?;
    let motions = conf::list_motions(c, conference_id)?;
    let polls = closed_polls(c, conference_id)?;
    let en_bloc: Vec<(usize, Vec<i64>)> = polls
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match &p.subject {
            PollSubject::AMotionsEnBloc(ids) => Some((i, ids.clone())),
            PollSubject::Motion(_) => None,
        })
        .collect();
    let printed = printed_items(c, conference_id, &motions)?;
    let items = motions.iter().map(|m| item_input(m, &polls, &en_bloc, &printed)).collect::<AppResult<Vec<_>>>()?;
    let en_bloc_decisions: Vec<Decision> = en_bloc
        .iter()
        .map(|(i, ids)| {
            let p = &polls[*i];
            let on_items: Vec<String> =
                ids.iter().filter_map(|id| motions.iter().find(|m| m.id == *id)).map(|m| m.item.clone()).collect();
            Decision {
                kind: DecisionKind::AMotionsEnBloc,
                heading: format!("The 'A' motions, en bloc: {}", on_items.join(", ")),
                words: String::new(),
                result: result_text(p),
                carried: p.carried,
                vote: p.vote,
                printed_item: None,
                on_items,
            }
        })
        .collect();
    let input = ConferenceInput {
        name: conference.name.clone(),
        venue: conference.venue.clone(),
        starts_on: conference.starts_on,
        ends_on: conference.ends_on,
        open: conference.status == ConferenceStatus::Open,
    };
    let document = doc::resolutions(&input, &items, &en_bloc_decisions);
    let motions = motions
        .iter()
        .map(|m| MotionLine {
            id: m.id,
            number: m.number,
            item: m.item.clone(),
            marks: m.marks.clone(),
            outcome_text: m.outcome_text.clone(),
            record: conf::motion_record(m),
        })
        .collect();
    Ok(ResolutionsView { conference, document, motions })
}
