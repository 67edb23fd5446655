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

/// "2 LAMBETH: That conference …" / "Amendment 3 to item 2, CLEVELAND: …".
fn entry_opening(e: &Entry) -> String {
    let mut pieces = vec![match e.kind {
        ItemKind::Amendment => {
            format!("Amendment {}{}", e.item, e.amends.as_deref().map(|a| format!(" to item {a}")).unwrap_or_default())
        }
        ItemKind::Rider => {
            format!("Rider {}{}", e.item, e.amends.as_deref().map(|a| format!(" to item {a}")).unwrap_or_default())
        }
        ItemKind::Motion | ItemKind::Emergency => e.item.clone(),
    }];
    if let Some(p) = &e.proposer_line {
        pieces.push(p.clone());
    }
    pieces.push(e.stem.clone());
    if e.stem_as_amended {
        pieces.push("(as amended)".to_string());
    }
    pieces.join(" ")
}

fn part_marks(p: &PublishedPart) -> String {
    let mut marks = Vec::new();
    if p.as_amended {
        marks.push("as amended");
    }
    if p.added_by_rider {
        marks.push("added by rider");
    }
    if marks.is_empty() {
        String::new()
    } else {
        format!(" ({})", marks.join("; "))
    }
}

/// The result line of a part taken in parts: "CARRIED — for 3 (100.0%), against 0 (0.0%), abstain 0".
fn part_result_line(e: &Entry, p: &PublishedPart) -> Option<String> {
    if e.taken != TakenAs::Parts {
        return None;
    }
    let result = p.result.clone()?;
    Some(match &p.vote {
        Some(v) => format!("{result} — {}", v.describe()),
        None => result,
    })
}

/// The final line of an entry: the outcome text, with the vote on the whole motion.
fn outcome_line(e: &Entry) -> String {
    let text = e.outcome_text.clone().unwrap_or_else(|| "NOT YET DECIDED".to_string());
    let en_bloc = if e.en_bloc { " (with the 'A' motions, en bloc)" } else { "" };
    match &e.vote {
        Some(v) => format!("{text}{en_bloc} — {}", v.describe()),
        None => format!("{text}{en_bloc}"),
    }
}

/// The document as plain text, e.g.
///
/// ```text
/// RESOLUTIONS
/// Conference of England LMCs
/// Friday 20 November 2026, Manchester Central
///
/// == Resolutions ==
///
/// 2 LAMBETH: That conference:
/// (1) funds practices.
///     CARRIED — for 3 (100.0%), against 0 (0.0%), abstain 0
/// …
/// ```
pub fn render_text(doc: &Resolutions) -> String {
    let mut out = String::from("RESOLUTIONS\n");
    out.push_str(&doc.title);
    out.push('\n');
    let when_where: Vec<&str> = [doc.dates.as_deref(), doc.venue.as_deref()].into_iter().flatten().collect();
    if !when_where.is_empty() {
        out.push_str(&when_where.join(", "));
        out.push('\n');
    }
    if doc.provisional {
        out.push_str("Provisional: the conference is still in session.\n");
    }
    for g in &doc.groups {
        out.push_str(&format!("\n== {} ==\n", g.heading));
        let mut section: Option<&str> = None;
        for e in &g.entries {
            if e.section.as_deref() != section && e.section.is_some() {
                section = e.section.as_deref();
                out.push_str(&format!("\n-- {} --\n", section.unwrap_or_default()));
            }
            out.push('\n');
            out.push_str(&entry_opening(e));
            out.push('\n');
            for p in &e.parts {
                out.push_str(&format!("{} {}{}\n", p.label, p.text, part_marks(p)));
                if let Some(line) = part_result_line(e, p) {
                    out.push_str(&format!("    {line}\n"));
                }
            }
            out.push_str(&outcome_line(e));
            out.push('\n');
            for d in &e.decisions {
                out.push_str(&format!("  {}\n", d.line()));
            }
        }
    }
    if !doc.decisions.is_empty() {
        out.push_str("\n== Amendments, riders and procedural motions ==\n\n");
        for d in &doc.decisions {
            out.push_str(&d.line());
            out.push('\n');
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The document as a page to print (or save as PDF from the browser): one HTML page with its own print
/// stylesheet (`/static/resolutions-print.css`; no inline style or script, for the CSP). Every piece of
/// motion text is escaped.
pub fn render_html(doc: &Resolutions) -> String {
    let mut o = String::with_capacity(16 * 1024);
    let title = esc(&doc.title);
    o.push_str(&format!(
        "<!doctype html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Resolutions: {title}</title>\
         <link rel=\"stylesheet\" href=\"/static/resolutions-print.css\"></head>\n<body>\
         <main id=\"main\" class=\"resolutions-doc\">\n<header class=\"doc-head\"><p class=\"doc-kind\">Resolutions</p><h1>{title}</h1>"
    ));
    let when_where: Vec<String> = [doc.dates.as_deref(), doc.venue.as_deref()].into_iter().flatten().map(esc).collect();
    if !when_where.is_empty() {
        o.push_str(&format!("<p class=\"doc-when\">{}</p>", when_where.join(", ")));
    }
    if doc.provisional {
        o.push_str("<p class=\"provisional\">Provisional: the conference is still in session.</p>");
    }
    if !doc.counts.is_empty() {
        o.push_str("<nav class=\"doc-contents\" aria-label=\"Contents\"><ul>");
        for GroupCount { group: g, items: n } in &doc.counts {
            o.push_str(&format!("<li><a href=\"#{}\">{}</a> ({n})</li>", g.as_str(), esc(g.heading())));
        }
        if !doc.decisions.is_empty() {
            o.push_str(&format!(
                "<li><a href=\"#decisions\">Amendments, riders and procedural motions</a> ({})</li>",
                doc.decisions.len()
            ));
        }
        o.push_str("</ul></nav>");
    }
    o.push_str("</header>\n");
    if doc.groups.is_empty() {
        o.push_str("<p>No motions.</p>");
    }
    for g in &doc.groups {
        o.push_str(&format!(
            "<section class=\"group group-{0}\" id=\"{0}\" aria-labelledby=\"h-{0}\"><h2 id=\"h-{0}\">{1}</h2>\n",
            g.group.as_str(),
            esc(&g.heading)
        ));
        let mut section: Option<&str> = None;
        for e in &g.entries {
            if e.section.as_deref() != section && e.section.is_some() {
                section = e.section.as_deref();
                o.push_str(&format!("<h3 class=\"section\">{}</h3>\n", esc(section.unwrap_or_default())));
            }
            o.push_str(&format!("<article class=\"entry\" data-item=\"{}\">", esc(&e.item)));
            let number = match e.kind {
                ItemKind::Amendment => format!("Amendment {}", esc(&e.item)),
                ItemKind::Rider => format!("Rider {}", esc(&e.item)),
                _ => esc(&e.item),
            };
            o.push_str(&format!("<p class=\"opening\"><span class=\"num\">{number}</span> "));
            if let Some(a) = &e.amends {
                o.push_str(&format!("<span class=\"amends\">to item {}</span> ", esc(a)));
            }
            if let Some(p) = &e.proposer_line {
                o.push_str(&format!("<span class=\"proposer\">{}</span> ", esc(p)));
            }
            o.push_str(&esc(&e.stem));
            if e.stem_as_amended {
                o.push_str(" <em class=\"amended\">(as amended)</em>");
            }
            o.push_str("</p>");
            if !e.parts.is_empty() {
                o.push_str("<ol class=\"parts\">");
                for p in &e.parts {
                    let lost = e.taken == TakenAs::Parts
                        && p.outcome.is_some_and(|x| x != Outcome::Carried && x != Outcome::CarriedAsReference);
                    o.push_str(&format!(
                        "<li class=\"part{}\"><span class=\"label\">{}</span> <span class=\"text\">{}</span>",
                        if lost { " not-carried" } else { "" },
                        esc(&p.label),
                        esc(&p.text)
                    ));
                    let marks = part_marks(p);
                    if !marks.is_empty() {
                        o.push_str(&format!(" <em class=\"amended\">{}</em>", esc(marks.trim())));
                    }
                    if let Some(line) = part_result_line(e, p) {
                        o.push_str(&format!("<span class=\"part-result\">{}</span>", esc(&line)));
                    }
                    o.push_str("</li>");
                }
                o.push_str("</ol>");
            }
            o.push_str(&format!("<p class=\"outcome\">{}</p>", esc(&outcome_line(e))));
            if !e.decisions.is_empty() {
                o.push_str("<ul class=\"decisions\">");
                for d in &e.decisions {
                    o.push_str(&format!("<li>{}</li>", d.html()));
                }
                o.push_str("</ul>");
            }
            o.push_str("</article>\n");
        }
        o.push_str("</section>\n");
    }
    if !doc.decisions.is_empty() {
        o.push_str(
            "<section class=\"group\" id=\"decisions\" aria-labelledby=\"h-decisions\">\
             <h2 id=\"h-decisions\">Amendments, riders and procedural motions</h2><ol class=\"decision-list\">",
        );
        for d in &doc.decisions {
            o.push_str(&format!("<li>{}</li>", d.html()));
        }
        o.push_str("</ol></section>\n");
    }
    o.push_str("<footer class=\"doc-foot\"><p>Percentages are of those voting for or against; abstentions are not counted.</p></footer>");
    o.push_str("</main></body></html>\n");
    o
}

/// The CSV header: one row per part (a motion without parts has one row, its stem as the text).
pub const CSV_HEADER: &str = "item,section,kind,proposer,stem,part,text,outcome,method,for,against,abstain,\
for_percent,against_percent,as_amended,added_by_rider,group,motion_outcome";

/// One row per part, in document order, each cell passed through `quote` (the service's CSV quoting,
/// which also defuses spreadsheet formulas). The item number is written bare when it is only letters
/// and digits.
pub fn csv_rows(doc: &Resolutions, quote: impl Fn(&str) -> String) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    let num = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
    let pct = |p: Option<f64>| p.map(|p| format!("{p:.1}")).unwrap_or_default();
    for g in &doc.groups {
        for e in &g.entries {
            let item = if !e.item.is_empty() && e.item.chars().all(|c| c.is_ascii_alphanumeric()) {
                e.item.clone()
            } else {
                quote(&e.item)
            };
            let motion_outcome = e.outcome_text.clone().unwrap_or_else(|| "NOT YET DECIDED".to_string());
            let no_parts = [PublishedPart {
                label: String::new(),
                text: e.stem.clone(),
                outcome: None,
                result: e.outcome_text.clone(),
                vote: e.vote,
                as_amended: e.stem_as_amended,
                added_by_rider: false,
            }];
            let parts: &[PublishedPart] = if e.parts.is_empty() { &no_parts } else { &e.parts };
            for p in parts {
                let counts = p.vote.and_then(|v| v.counts);
                let per = p.vote.and_then(|v| v.percentages);
                let method = match p.vote.map(|v| v.method) {
                    Some(Method::Electronic) => "electronic",
                    Some(Method::ShowOfHands) => "show_of_hands",
                    None => "",
                };
                let cells = [
                    item.clone(),
                    quote(e.section.as_deref().unwrap_or("")),
                    e.kind.as_str().to_string(),
                    quote(e.proposer.as_deref().unwrap_or("")),
                    quote(&e.stem),
                    quote(&p.label),
                    quote(&p.text),
                    quote(p.result.as_deref().unwrap_or("")),
                    method.to_string(),
                    num(counts.map(|c| c.for_votes)),
                    num(counts.map(|c| c.against)),
                    num(counts.map(|c| c.abstain)),
                    pct(per.map(|p| p.for_votes)),
                    pct(per.map(|p| p.against)),
                    (if p.as_amended { "yes" } else { "no" }).to_string(),
                    (if p.added_by_rider { "yes" } else { "no" }).to_string(),
                    g.group.as_str().to_string(),
                    quote(&motion_outcome),
                ];
                out.push_str(&cells.join(","));
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn part(label: &str, text: &str, outcome: Option<Outcome>, vote: Option<Vote>) -> PartInput {
        PartInput {
            label: label.into(),
            text: text.into(),
            outcome,
            qualifier: None,
            vote,
            as_amended: false,
            added_by_rider: false,
        }
    }

    fn item(n: &str, proposer: &str, stem: &str) -> ItemInput {
        ItemInput {
            item: n.into(),
            kind: ItemKind::Motion,
            section: Some("GP CONTRACT".into()),
            proposer: Some(proposer.into()),
            agenda_committee: false,
            amends: None,
            stem: stem.into(),
            stem_as_amended: false,
            parts: Vec::new(),
            taken: TakenAs::Whole,
            whole_outcome: None,
            whole_qualifier: None,
            whole_vote: None,
            en_bloc: false,
            outcome_text: None,
            decisions: Vec::new(),
        }
    }

    fn e(f: u64, a: u64, ab: u64) -> Option<Vote> {
        Some(Vote::new(Method::Electronic, Some(Counts::new(f, a, ab))))
    }

    fn conference(open: bool) -> ConferenceInput {
        ConferenceInput {
            name: "Conference of England LMCs".into(),
            venue: Some("Manchester Central".into()),
            starts_on: NaiveDate::from_ymd_opt(2026, 11, 19),
            ends_on: NaiveDate::from_ymd_opt(2026, 11, 20),
            open,
        }
    }

    /// A day: item 2 in parts with an amendment carried on (2) and a rider (printed as items 3 and 4);
    /// item 5 lost on a show of hands; item 6 an 'A' motion carried en bloc; item 7 moved to next
    /// business; item 8 not reached.
    fn day() -> (Vec<ItemInput>, Vec<Decision>) {
        let mut two = item("2", "Lambeth", "That conference:");
        two.taken = TakenAs::Parts;
        two.parts = vec![
            part("(1)", "funds practices.", Some(Outcome::Carried), e(3, 0, 0)),
            PartInput { as_amended: true, ..part("(2)", "consult LMCs first.", Some(Outcome::Lost), e(1, 2, 0)) },
            PartInput { added_by_rider: true, ..part("(3)", "report each year.", Some(Outcome::Carried), e(2, 0, 1)) },
        ];
        two.parts[0].qualifier = Some(Qualifier::Unanimously);
        two.parts[2].qualifier = Some(Qualifier::NemCon);
        two.outcome_text = Some("PARTS (1) AND (3) CARRIED; PART (2) LOST".into());
        two.decisions = vec![
            Decision {
                kind: DecisionKind::Amendment,
                heading: "Amendment to motion 2, part (2)".into(),
                words: "(2) consult LMCs first.".into(),
                result: "CARRIED".into(),
                carried: true,
                vote: e(2, 1, 0).unwrap(),
                printed_item: None,
                on_items: vec!["2".into()],
            },
            Decision {
                kind: DecisionKind::Rider,
                heading: "Rider to motion 2".into(),
                words: "(3) report each year.".into(),
                result: "CARRIED UNANIMOUSLY".into(),
                carried: true,
                vote: Vote::new(Method::ShowOfHands, None),
                printed_item: None,
                on_items: vec!["2".into()],
            },
        ];
        let mut three = item("3", "Cleveland", "Amend item 2 (ii) to read 'consult LMCs first'.");
        three.kind = ItemKind::Amendment;
        three.amends = Some("2".into());
        three.whole_outcome = Some(Outcome::NotReached);
        three.outcome_text = Some("NOT REACHED".into());
        let mut four = item("4", "Wessex", "Add a new part: 'report each year'.");
        four.kind = ItemKind::Rider;
        four.amends = Some("2".into());
        four.whole_outcome = Some(Outcome::NotReached);
        four.outcome_text = Some("NOT REACHED".into());
        let mut five = item("5", "Devon", "That conference abolishes the CQC.");
        five.whole_outcome = Some(Outcome::Lost);
        five.whole_vote = Some(Vote::new(Method::ShowOfHands, None));
        five.outcome_text = Some("LOST".into());
        let mut six = item("6", "Kent", "That conference reaffirms its policy on pensions.");
        six.section = Some("PENSIONS".into());
        six.whole_outcome = Some(Outcome::Carried);
        six.whole_vote = e(3, 0, 0);
        six.en_bloc = true;
        six.outcome_text = Some("CARRIED".into());
        let mut seven = item("7", "Avon", "That conference debates the weather.");
        seven.section = Some("PENSIONS".into());
        seven.whole_outcome = Some(Outcome::MovedToNextBusiness);
        seven.outcome_text = Some("MOVED TO NEXT BUSINESS".into());
        seven.decisions = vec![Decision {
            kind: DecisionKind::Procedural,
            heading: "Procedural motion on motion 7".into(),
            words: "That conference moves to next business".into(),
            result: "CARRIED BY A TWO-THIRDS MAJORITY".into(),
            carried: true,
            vote: e(2, 1, 0).unwrap(),
            printed_item: None,
            on_items: vec!["7".into()],
        }];
        let mut eight = item("8", "Avon", "That conference runs out of time.");
        eight.section = Some("PENSIONS".into());
        eight.agenda_committee = true;
        eight.parts = vec![
            part("(i)", "one.", Some(Outcome::NotReached), None),
            part("(ii)", "two.", Some(Outcome::NotReached), None),
        ];
        eight.taken = TakenAs::Whole;
        eight.whole_outcome = Some(Outcome::NotReached);
        eight.outcome_text = Some("NOT REACHED".into());
        let en_bloc = vec![Decision {
            kind: DecisionKind::AMotionsEnBloc,
            heading: "The 'A' motions, en bloc: 6".into(),
            words: String::new(),
            result: "CARRIED UNANIMOUSLY".into(),
            carried: true,
            vote: e(3, 0, 0).unwrap(),
            printed_item: None,
            on_items: vec!["6".into()],
        }];
        (vec![two, three, four, five, six, seven, eight], en_bloc)
    }

    #[test]
    fn a_day_reads_as_published() {
        let (items, en_bloc) = day();
        let doc = resolutions(&conference(false), &items, &en_bloc);
        let expected = "RESOLUTIONS
Conference of England LMCs
Thursday 19 and Friday 20 November 2026, Manchester Central

== Resolutions ==

-- GP CONTRACT --

2 LAMBETH: That conference:
(1) funds practices.
    CARRIED UNANIMOUSLY — for 3 (100.0%), against 0 (0.0%), abstain 0
(2) consult LMCs first. (as amended)
    LOST — for 1 (33.3%), against 2 (66.7%), abstain 0
(3) report each year. (added by rider)
    CARRIED NEM CON — for 2 (100.0%), against 0 (0.0%), abstain 1
PARTS (1) AND (3) CARRIED; PART (2) LOST
  Amendment to motion 2, part (2) (item 3): “(2) consult LMCs first.” — CARRIED, for 2 (66.7%), against 1 (33.3%), abstain 0
  Rider to motion 2 (item 4): “(3) report each year.” — CARRIED UNANIMOUSLY, on a show of hands

-- PENSIONS --

6 KENT: That conference reaffirms its policy on pensions.
CARRIED (with the 'A' motions, en bloc) — for 3 (100.0%), against 0 (0.0%), abstain 0

== Motions lost ==

-- GP CONTRACT --

5 DEVON: That conference abolishes the CQC.
LOST — on a show of hands

== Motions moved to next business ==

-- PENSIONS --

7 AVON: That conference debates the weather.
MOVED TO NEXT BUSINESS
  Procedural motion on motion 7: “That conference moves to next business” — CARRIED BY A TWO-THIRDS MAJORITY, for 2 (66.7%), against 1 (33.3%), abstain 0

== Motions not reached ==

-- PENSIONS --

8 AGENDA COMMITTEE TO BE PROPOSED BY AVON: That conference runs out of time.
(i) one.
(ii) two.
NOT REACHED

== Amendments, riders and procedural motions ==

Amendment to motion 2, part (2) (item 3): “(2) consult LMCs first.” — CARRIED, for 2 (66.7%), against 1 (33.3%), abstain 0
Rider to motion 2 (item 4): “(3) report each year.” — CARRIED UNANIMOUSLY, on a show of hands
Procedural motion on motion 7: “That conference moves to next business” — CARRIED BY A TWO-THIRDS MAJORITY, for 2 (66.7%), against 1 (33.3%), abstain 0
The 'A' motions, en bloc: 6 — CARRIED UNANIMOUSLY, for 3 (100.0%), against 0 (0.0%), abstain 0
";
        assert_eq!(render_text(&doc), expected);
        assert_eq!(
            doc.counts.iter().map(|c| (c.group, c.items)).collect::<Vec<_>>(),
            vec![(Group::Resolutions, 2), (Group::Lost, 1), (Group::MovedToNextBusiness, 1), (Group::NotReached, 1)]
        );
    }

    #[test]
    fn csv_has_one_row_per_part() {
        let (items, en_bloc) = day();
        let doc = resolutions(&conference(false), &items, &en_bloc);
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let csv = csv_rows(&doc, q);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], CSV_HEADER);
        assert_eq!(
            lines[1],
            "2,\"GP CONTRACT\",motion,\"Lambeth\",\"That conference:\",\"(1)\",\"funds practices.\",\"CARRIED UNANIMOUSLY\",electronic,3,0,0,100.0,0.0,no,no,resolutions,\"PARTS (1) AND (3) CARRIED; PART (2) LOST\""
        );
        assert_eq!(
            lines[2],
            "2,\"GP CONTRACT\",motion,\"Lambeth\",\"That conference:\",\"(2)\",\"consult LMCs first.\",\"LOST\",electronic,1,2,0,33.3,66.7,yes,no,resolutions,\"PARTS (1) AND (3) CARRIED; PART (2) LOST\""
        );
        assert!(
            lines[3].contains(",\"(3)\",\"report each year.\",\"CARRIED NEM CON\",electronic,2,0,1,100.0,0.0,no,yes,")
        );
        assert_eq!(
            lines[4],
            "6,\"PENSIONS\",motion,\"Kent\",\"That conference reaffirms its policy on pensions.\",\"\",\"That conference reaffirms its policy on pensions.\",\"CARRIED\",electronic,3,0,0,100.0,0.0,no,no,resolutions,\"CARRIED\""
        );
        assert_eq!(
            lines[5],
            "5,\"GP CONTRACT\",motion,\"Devon\",\"That conference abolishes the CQC.\",\"\",\"That conference abolishes the CQC.\",\"LOST\",show_of_hands,,,,,,no,no,lost,\"LOST\""
        );
        // Item 8 taken as a whole: each part carries the motion's outcome.
        assert!(
            lines[7].contains(",\"(i)\",\"one.\",\"NOT REACHED\",,,,,,,no,no,not_reached,\"NOT REACHED\""),
            "{}",
            lines[7]
        );
        assert!(lines[8].contains(",\"(ii)\",\"two.\",\"NOT REACHED\","));
        assert_eq!(lines.len(), 9, "the printed amendment and rider are published with item 2: {csv}");
    }

    #[test]
    fn printed_amendments_are_paired_only_when_as_many_were_put() {
        let (mut items, en_bloc) = day();
        items[0].decisions.remove(0);
        let doc = resolutions(&conference(false), &items, &en_bloc);
        let text = render_text(&doc);
        assert!(
            text.contains(
                "Amendment 3 to item 2 CLEVELAND: Amend item 2 (ii) to read 'consult LMCs first'.\nNOT REACHED\n"
            ),
            "{text}"
        );
        assert!(text.contains("Rider to motion 2 (item 4)"), "{text}");
    }

    #[test]
    fn an_amendment_put_as_its_printed_item_is_published_with_its_motion() {
        let (mut items, en_bloc) = day();
        // The amendment was put as item 3 (linked), and a second amendment was moved from the floor.
        items[0].decisions[0].printed_item = Some("3".into());
        let mut floor = items[0].decisions[0].clone();
        floor.printed_item = None;
        floor.heading = "Amendment to motion 2, part (1)".into();
        items[0].decisions.insert(1, floor);
        items[1].whole_outcome = Some(Outcome::Carried);
        items[1].outcome_text = Some("CARRIED".into());
        let doc = resolutions(&conference(false), &items, &en_bloc);
        let text = render_text(&doc);
        assert!(!text.contains("Amendment 3 to item 2"), "{text}");
        assert!(text.contains("  Amendment to motion 2, part (2) (item 3): "), "{text}");
        assert!(text.contains("  Amendment to motion 2, part (1): "), "{text}");
        assert_eq!(doc.groups[0].entries.iter().map(|e| e.item.as_str()).collect::<Vec<_>>(), ["2", "6"]);
    }

    #[test]
    fn html_is_escaped_and_printable() {
        let (mut items, en_bloc) = day();
        items[3].stem = "That conference <script>alert(1)</script> & more".into();
        let html = render_html(&resolutions(&conference(true), &items, &en_bloc));
        assert!(html.contains("That conference &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("style="));
        assert!(html.contains("<link rel=\"stylesheet\" href=\"/static/resolutions-print.css\">"));
        assert!(html.contains("<p class=\"provisional\">Provisional: the conference is still in session.</p>"));
        assert!(html.contains("<h2 id=\"h-resolutions\">Resolutions</h2>"));
        assert!(html.contains("<li class=\"part not-carried\"><span class=\"label\">(2)</span>"));
    }

    #[test]
    fn groups_follow_the_outcomes() {
        use Outcome::*;
        assert_eq!(Group::of(&[Some(Lost), Some(CarriedAsReference)]), Group::Resolutions);
        assert_eq!(Group::of(&[Some(Lost), Some(NotReached)]), Group::Lost);
        assert_eq!(Group::of(&[Some(NotReached), Some(MovedToNextBusiness)]), Group::MovedToNextBusiness);
        assert_eq!(Group::of(&[Some(Withdrawn)]), Group::Withdrawn);
        assert_eq!(Group::of(&[Some(NotReached)]), Group::NotReached);
        assert_eq!(Group::of(&[Some(NotReached), None]), Group::NotYetDecided);
        assert_eq!(Group::of(&[None]), Group::NotYetDecided);
    }

    #[test]
    fn undecided_items_of_an_open_conference_are_not_yet_decided() {
        let items = vec![item("1", "Kent", "That conference waits.")];
        let doc = resolutions(&conference(true), &items, &[]);
        assert_eq!(doc.groups[0].group, Group::NotYetDecided);
        assert!(render_text(&doc).contains("That conference waits.\nNOT YET DECIDED\n"));
        let doc = resolutions(&conference(false), &items, &[]);
        assert_eq!(doc.groups[0].group, Group::NotReached);
    }

    #[test]
    fn dates_as_printed() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(describe_dates(d(2026, 11, 20), None), "Friday 20 November 2026");
        assert_eq!(describe_dates(d(2026, 11, 20), Some(d(2026, 11, 20))), "Friday 20 November 2026");
        assert_eq!(describe_dates(d(2026, 11, 19), Some(d(2026, 11, 20))), "Thursday 19 and Friday 20 November 2026");
        assert_eq!(
            describe_dates(d(2026, 11, 30), Some(d(2026, 12, 1))),
            "Monday 30 November and Tuesday 1 December 2026"
        );
        assert_eq!(describe_dates(d(2026, 11, 17), Some(d(2026, 11, 19))), "Tuesday 17 to Thursday 19 November 2026");
        assert_eq!(
            describe_dates(d(2026, 12, 31), Some(d(2027, 1, 1))),
            "Thursday 31 December 2026 and Friday 1 January 2027"
        );
    }

    #[test]
    fn votes_are_described_as_taken() {
        assert_eq!(
            Vote::new(Method::Electronic, Some(Counts::new(212, 40, 9))).describe(),
            "for 212 (84.1%), against 40 (15.9%), abstain 9"
        );
        assert_eq!(Vote::new(Method::ShowOfHands, None).describe(), "on a show of hands");
        assert_eq!(
            Vote::new(Method::ShowOfHands, Some(Counts::new(10, 2, 0))).describe(),
            "on a show of hands: for 10 (83.3%), against 2 (16.7%), abstain 0"
        );
        assert_eq!(Vote::new(Method::Electronic, Some(Counts::new(0, 0, 3))).describe(), "for 0, against 0, abstain 3");
    }
}
