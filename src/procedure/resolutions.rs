//! Resolutions as the profession publishes them (issue 14, item 5): after the conference, the
//! motions carried (the resolutions, with their parts and "as amended"), the motions lost, moved to next
//! business, withdrawn and not reached; the amendments, riders and procedural motions put; counts and
//! percentages where the vote was electronic, "on a show of hands" where it was not; the conference's
//! name, dates and venue. Pure: the service gathers the motions and polls, this module lays them out
//! (`resolutions`), and renders them as text, HTML for printing, and CSV with one row per part.

use crate::text_enum;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::agenda_reader::ItemKind;
use super::majority::{Counts, Qualifier};
use super::outcome::{Outcome, TakenAs};
use super::wording::{percentages, Percentages};

mod render;
use render::esc;
pub use render::{csv_rows, render_html, render_text, CSV_HEADER};

text_enum! {
    /// How a vote was taken.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Method ("poll method") {
        Electronic = "electronic",
        ShowOfHands = "show_of_hands",
    }
}

/// The vote that decided something: its method and, when known, its counts (always for an electronic
/// vote; for a show of hands only when the chair counted).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Vote {
    pub method: Method,
    pub counts: Option<Counts>,
    /// Of those voting for or against, to one decimal place; absent without counts or when nobody voted
    /// for or against.
    pub percentages: Option<Percentages>,
}

impl Vote {
    pub fn new(method: Method, counts: Option<Counts>) -> Self {
        Vote { method, counts, percentages: counts.as_ref().and_then(percentages) }
    }

    /// "for 212 (84.1%), against 40 (15.9%), abstain 9"; "on a show of hands"; "on a show of hands: for
    /// 10 (83.3%), against 2 (16.7%), abstain 0".
    pub fn describe(&self) -> String {
        let counts = self.counts.map(|c| match self.percentages {
            Some(p) => format!(
                "for {} ({:.1}%), against {} ({:.1}%), abstain {}",
                c.for_votes, p.for_votes, c.against, p.against, c.abstain
            ),
            None => c.describe(),
        });
        match (self.method, counts) {
            (Method::Electronic, Some(c)) => c,
            (Method::Electronic, None) => "electronic vote".to_string(),
            (Method::ShowOfHands, Some(c)) => format!("on a show of hands: {c}"),
            (Method::ShowOfHands, None) => "on a show of hands".to_string(),
        }
    }
}

/// What a decision on a motion (other than on its words) was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Amendment,
    Rider,
    Procedural,
    /// The 'A' motions put together.
    AMotionsEnBloc,
}

/// An amendment, rider or procedural motion put on a motion (or the 'A' motions put together), with its
/// result. Voided polls are never given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    pub kind: DecisionKind,
    /// What was put, in one line: "Amendment to motion 2, part (2)", "Rider to motion 2".
    pub heading: String,
    /// The words put.
    pub words: String,
    /// "CARRIED", "CARRIED NEM CON", "LOST".
    pub result: String,
    pub carried: bool,
    pub vote: Vote,
    /// The agenda item that printed this amendment or rider, when known ("3").
    pub printed_item: Option<String>,
    /// The item it was put on ("2"); for the 'A' motions, each item.
    pub on_items: Vec<String>,
}

impl Decision {
    /// "Amendment to motion 2, part (2) (item 3)".
    pub fn what(&self) -> String {
        let printed = self.printed_item.as_deref().map(|i| format!(" (item {i})")).unwrap_or_default();
        format!("{}{printed}", self.heading)
    }

    /// "Amendment to motion 2, part (2) (item 3): “(2) consult LMCs first.” — CARRIED, for 2 (66.7%), …".
    pub fn line(&self) -> String {
        let words = if self.words.is_empty() { String::new() } else { format!(": “{}”", self.words) };
        format!("{}{words} — {}, {}", self.what(), self.result, self.vote.describe())
    }

    fn html(&self) -> String {
        let words = if self.words.is_empty() { String::new() } else { format!(": <q>{}</q>", esc(&self.words)) };
        format!(
            "<span class=\"what\">{}</span>{words} — <strong>{}</strong>, {}",
            esc(&self.what()),
            esc(&self.result),
            esc(&self.vote.describe())
        )
    }
}

/// One part of an item, as given to [`resolutions`].
#[derive(Debug, Clone, PartialEq)]
pub struct PartInput {
    pub label: String,
    pub text: String,
    pub outcome: Option<Outcome>,
    pub qualifier: Option<Qualifier>,
    /// The vote that decided this part (taken in parts).
    pub vote: Option<Vote>,
    /// A carried amendment changed its words.
    pub as_amended: bool,
    pub added_by_rider: bool,
}

/// One agenda item, as given to [`resolutions`], in agenda order.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemInput {
    pub item: String,
    pub kind: ItemKind,
    pub section: Option<String>,
    pub proposer: Option<String>,
    pub agenda_committee: bool,
    pub amends: Option<String>,
    pub stem: String,
    /// A carried amendment changed the stem.
    pub stem_as_amended: bool,
    pub parts: Vec<PartInput>,
    pub taken: TakenAs,
    pub whole_outcome: Option<Outcome>,
    pub whole_qualifier: Option<Qualifier>,
    /// The vote that decided the motion taken as a whole (or the 'A' motions' vote).
    pub whole_vote: Option<Vote>,
    /// Carried with the other 'A' motions in one vote.
    pub en_bloc: bool,
    /// The motion's outcome text as the service derives it ("PARTS (1) AND (3) CARRIED; PART (2) LOST").
    pub outcome_text: Option<String>,
    /// Amendments, riders and procedural motions put on it, in the order they were put.
    pub decisions: Vec<Decision>,
}

/// The conference, as given to [`resolutions`].
#[derive(Debug, Clone, PartialEq)]
pub struct ConferenceInput {
    pub name: String,
    pub venue: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// Still in session: what is not decided yet is "not yet decided", and the document says it is
    /// provisional.
    pub open: bool,
}

/// Where an item is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Carried (in whole or in part, or as a reference).
    Resolutions,
    Lost,
    MovedToNextBusiness,
    Withdrawn,
    RuledOutOfOrder,
    Superseded,
    NotReached,
    /// The conference is still in session.
    NotYetDecided,
}

impl Group {
    pub const ALL: [Group; 8] = [
        Group::Resolutions,
        Group::Lost,
        Group::MovedToNextBusiness,
        Group::Withdrawn,
        Group::RuledOutOfOrder,
        Group::Superseded,
        Group::NotReached,
        Group::NotYetDecided,
    ];

    pub fn heading(&self) -> &'static str {
        match self {
            Group::Resolutions => "Resolutions",
            Group::Lost => "Motions lost",
            Group::MovedToNextBusiness => "Motions moved to next business",
            Group::Withdrawn => "Motions withdrawn",
            Group::RuledOutOfOrder => "Motions ruled out of order",
            Group::Superseded => "Motions superseded",
            Group::NotReached => "Motions not reached",
            Group::NotYetDecided => "Motions not yet decided",
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Group::Resolutions => "resolutions",
            Group::Lost => "lost",
            Group::MovedToNextBusiness => "moved_to_next_business",
            Group::Withdrawn => "withdrawn",
            Group::RuledOutOfOrder => "ruled_out_of_order",
            Group::Superseded => "superseded",
            Group::NotReached => "not_reached",
            Group::NotYetDecided => "not_yet_decided",
        }
    }

    /// The group of an item whose parts (or whole) ended so: carried in any part (or as a reference) is a
    /// resolution; otherwise lost in any part is lost; then next business, withdrawn, out of order,
    /// superseded, not reached; anything undecided is not yet decided.
    pub fn of(outcomes: &[Option<Outcome>]) -> Group {
        let has = |o: Outcome| outcomes.contains(&Some(o));
        if has(Outcome::Carried) || has(Outcome::CarriedAsReference) {
            Group::Resolutions
        } else if has(Outcome::Lost) {
            Group::Lost
        } else if has(Outcome::MovedToNextBusiness) {
            Group::MovedToNextBusiness
        } else if has(Outcome::Withdrawn) {
            Group::Withdrawn
        } else if has(Outcome::RuledOutOfOrder) {
            Group::RuledOutOfOrder
        } else if has(Outcome::Superseded) {
            Group::Superseded
        } else if outcomes.is_empty() || outcomes.iter().any(Option::is_none) {
            Group::NotYetDecided
        } else {
            Group::NotReached
        }
    }
}

/// A part as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PublishedPart {
    pub label: String,
    pub text: String,
    pub outcome: Option<Outcome>,
    /// "CARRIED", "CARRIED NEM CON", "LOST", …; for a motion taken as a whole, the motion's.
    pub result: Option<String>,
    /// The vote on this part (taken in parts), or on the whole motion (taken as a whole).
    pub vote: Option<Vote>,
    pub as_amended: bool,
    pub added_by_rider: bool,
}

/// An item as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Entry {
    /// The number as printed ("27a").
    pub item: String,
    #[schema(value_type = String)]
    pub kind: ItemKind,
    pub section: Option<String>,
    pub proposer: Option<String>,
    /// "AGENDA COMMITTEE TO BE PROPOSED BY NORTH STAFFORDSHIRE:", "LAMBETH:", …
    pub proposer_line: Option<String>,
    /// For an amendment or rider: the item it names.
    pub amends: Option<String>,
    pub stem: String,
    pub stem_as_amended: bool,
    /// Some words were changed by a carried amendment (the stem or a part).
    pub as_amended: bool,
    pub taken: TakenAs,
    pub parts: Vec<PublishedPart>,
    /// "CARRIED IN ALL PARTS", "PARTS (1) AND (3) CARRIED; PART (2) LOST", "NOT REACHED"; null while
    /// undecided.
    pub outcome_text: Option<String>,
    /// The vote on the motion taken as a whole (or the 'A' motions' vote).
    pub vote: Option<Vote>,
    pub en_bloc: bool,
    /// Amendments, riders and procedural motions put on it.
    pub decisions: Vec<Decision>,
}

/// One group of the document ("Resolutions", "Motions lost", …), only when it has items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PublishedGroup {
    pub group: Group,
    pub heading: String,
    pub entries: Vec<Entry>,
}

/// The published document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Resolutions {
    /// The conference's name.
    pub title: String,
    /// "Friday 20 November 2026", "Thursday 19 and Friday 20 November 2026".
    pub dates: Option<String>,
    pub venue: Option<String>,
    /// The conference is still in session: the document is provisional.
    pub provisional: bool,
    pub groups: Vec<PublishedGroup>,
    /// Every amendment, rider and procedural motion put (and the 'A' motions en bloc), in the order put.
    pub decisions: Vec<Decision>,
    /// How many items are in each group, in document order.
    pub counts: Vec<GroupCount>,
}

/// How many items a group has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GroupCount {
    pub group: Group,
    pub items: usize,
}

/// "Friday 20 November 2026"; "Thursday 19 and Friday 20 November 2026"; "Monday 30 November and Tuesday
/// 1 December 2026"; "Tuesday 17 to Thursday 19 November 2026" for three days or more.
pub fn describe_dates(starts: NaiveDate, ends: Option<NaiveDate>) -> String {
    let day = |d: NaiveDate| d.format("%A %-d").to_string();
    let full = |d: NaiveDate| d.format("%A %-d %B %Y").to_string();
    let Some(ends) = ends.filter(|e| *e > starts) else { return full(starts) };
    let joiner = if (ends - starts).num_days() == 1 { "and" } else { "to" };
    if starts.year() != ends.year() {
        format!("{} {joiner} {}", full(starts), full(ends))
    } else if starts.month() != ends.month() {
        format!("{} {joiner} {}", starts.format("%A %-d %B"), full(ends))
    } else {
        format!("{} {joiner} {}", day(starts), full(ends))
    }
}

/// "AGENDA COMMITTEE TO BE PROPOSED BY X:", "X:", "AGENDA COMMITTEE:" or nothing (as in the record).
fn proposer_line(agenda_committee: bool, proposer: Option<&str>) -> Option<String> {
    let proposer = proposer.map(str::trim).filter(|p| !p.is_empty());
    match (agenda_committee, proposer) {
        (true, Some(p)) => Some(format!("AGENDA COMMITTEE TO BE PROPOSED BY {}:", p.to_uppercase())),
        (true, None) => Some("AGENDA COMMITTEE:".to_string()),
        (false, Some(p)) => Some(format!("{}:", p.to_uppercase())),
        (false, None) => None,
    }
}

/// Pair printed amendments and riders with the amendments and riders put on the motion they name: the
/// k-th printed one (in agenda order) with the k-th put (in the order put), only when as many were
/// printed as were put (otherwise nothing is paired: an amendment moved from the floor would shift them).
/// Returns the indexes of the printed items that were paired.
fn pair_printed(items: &mut [ItemInput]) -> Vec<usize> {
    let mut paired = Vec::new();
    // Put as the printed item (the service links the poll to it): published with the motion it amends.
    for target in 0..items.len() {
        for d in &items[target].decisions {
            if let Some(name) = &d.printed_item {
                if let Some(p) = items
                    .iter()
                    .position(|it| &it.item == name && (it.kind == ItemKind::Amendment || it.kind == ItemKind::Rider))
                {
                    paired.push(p);
                }
            }
        }
    }
    for target in 0..items.len() {
        if items[target].kind == ItemKind::Amendment || items[target].kind == ItemKind::Rider {
            continue;
        }
        for kind in [ItemKind::Amendment, ItemKind::Rider] {
            let wanted = if kind == ItemKind::Amendment { DecisionKind::Amendment } else { DecisionKind::Rider };
            let printed: Vec<usize> = (0..items.len())
                .filter(|&i| items[i].kind == kind && items[i].amends.as_deref() == Some(items[target].item.as_str()))
                .collect();
            let put: Vec<usize> =
                (0..items[target].decisions.len()).filter(|&d| items[target].decisions[d].kind == wanted).collect();
            let linked = put.iter().any(|&d| items[target].decisions[d].printed_item.is_some())
                || printed.iter().any(|p| paired.contains(p));
            if linked || printed.is_empty() || printed.len() != put.len() {
                continue;
            }
            for (&p, &d) in printed.iter().zip(&put) {
                let name = items[p].item.clone();
                items[target].decisions[d].printed_item = Some(name);
                paired.push(p);
            }
        }
    }
    paired
}

/// Lay out the published document from the conference and its items (in agenda order) and the 'A'
/// motions' votes (`en_bloc`, in the order put). A printed amendment or rider that was put on the motion
/// it names is published with that motion, not on its own (see `pair_printed`).
pub fn resolutions(conference: &ConferenceInput, items: &[ItemInput], en_bloc: &[Decision]) -> Resolutions {
    let mut items = items.to_vec();
    let paired = pair_printed(&mut items);
    let mut grouped: Vec<(Group, Entry)> = Vec::new();
    let mut all_decisions: Vec<(usize, Decision)> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        for d in &it.decisions {
            all_decisions.push((i, d.clone()));
        }
        if paired.contains(&i) {
            continue;
        }
        let whole = it.taken == TakenAs::Whole || it.parts.is_empty();
        let outcomes: Vec<Option<Outcome>> =
            if whole { vec![it.whole_outcome] } else { it.parts.iter().map(|p| p.outcome).collect() };
        let mut group = Group::of(&outcomes);
        if group == Group::NotYetDecided && !conference.open {
            group = Group::NotReached;
        }
        let parts = it
            .parts
            .iter()
            .map(|p| {
                let (outcome, qualifier, vote) = if whole {
                    (it.whole_outcome, it.whole_qualifier, it.whole_vote)
                } else {
                    (p.outcome, p.qualifier, p.vote)
                };
                PublishedPart {
                    label: p.label.clone(),
                    text: p.text.clone(),
                    outcome,
                    result: outcome.map(|o| o.upper_with(qualifier)),
                    vote,
                    as_amended: p.as_amended,
                    added_by_rider: p.added_by_rider,
                }
            })
            .collect();
        let entry = Entry {
            item: it.item.clone(),
            kind: it.kind,
            section: it.section.clone(),
            proposer: it.proposer.clone(),
            proposer_line: proposer_line(it.agenda_committee, it.proposer.as_deref()),
            amends: it.amends.clone(),
            stem: it.stem.clone(),
            stem_as_amended: it.stem_as_amended,
            as_amended: it.stem_as_amended || it.parts.iter().any(|p| p.as_amended),
            taken: if it.parts.is_empty() { TakenAs::Whole } else { it.taken },
            parts,
            outcome_text: it.outcome_text.clone(),
            vote: if whole { it.whole_vote } else { None },
            en_bloc: it.en_bloc,
            decisions: it.decisions.clone(),
        };
        grouped.push((group, entry));
    }
    let groups: Vec<PublishedGroup> = Group::ALL
        .iter()
        .filter_map(|g| {
            let entries: Vec<Entry> = grouped.iter().filter(|(gg, _)| gg == g).map(|(_, e)| e.clone()).collect();
            (!entries.is_empty()).then(|| PublishedGroup { group: *g, heading: g.heading().to_string(), entries })
        })
        .collect();
    // Decisions in the order put: the motions' own in agenda order, then the 'A' motions' votes (their
    // place in the day is not known here, so they come last).
    let mut decisions: Vec<Decision> = all_decisions.into_iter().map(|(_, d)| d).collect();
    decisions.extend(en_bloc.iter().cloned());
    let counts = groups.iter().map(|g| GroupCount { group: g.group, items: g.entries.len() }).collect();
    Resolutions {
        title: conference.name.clone(),
        dates: conference.starts_on.map(|s| describe_dates(s, conference.ends_on)),
        venue: conference.venue.clone(),
        provisional: conference.open,
        groups,
        decisions,
        counts,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "resolutions_tests.rs"]
mod tests;
