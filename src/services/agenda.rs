//! Importing the agenda as printed: read it (`procedure::agenda_reader`), then save its items in order,
//! updating items already saved by their printed number and never duplicating one.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{conferences, motions, parts, polls};
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::procedure::agenda_reader::{self, Agenda, AgendaItem};
use crate::procedure::{self, ConferenceStatus, ParsedPart};
use crate::services::audit_log;
use crate::services::auth::User;
use crate::services::conference::{self as conf, MotionView};
use crate::services::events::{self, AgendaChange, ConferenceEvent, Hub};

/// What an import changed (or, for a dry run, would change), by printed item number.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgendaChanges {
    /// Items new to this conference.
    pub added: Vec<String>,
    /// Items saved before whose text, proposer, marks or place changed.
    pub updated: Vec<String>,
    /// Items saved before and the same now.
    pub unchanged: Vec<String>,
    /// Items saved before that differ now but were left as they were: a vote has been taken on them.
    pub kept: Vec<KeptItem>,
    /// Motions of the conference that are not in this agenda (left as they are).
    pub not_in_agenda: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeptItem {
    pub number: String,
    pub reason: String,
}

/// The answer to an import: the agenda as read, and what was (or would be) saved.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgendaImport {
    #[serde(flatten)]
    pub agenda: Agenda,
    /// True when nothing was saved (`?dry_run=true`).
    pub dry_run: bool,
    pub changes: AgendaChanges,
}

/// The body of an import: the agenda as printed.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaText {
    pub text: String,
}

/// A stable integer key for a printed number, kept in `motions.number` (unique per conference):
/// "27" is 27 (as for motions created one by one); "27a" and "a278" are placed above 100,000,000 so that
/// they never meet a plain number. `None` for anything else (a key is then found free when saving).
pub fn number_key(item: &str) -> Option<i32> {
    let letters = |s: &str| -> Option<i32> {
        let mut v = 0i32;
        for c in s.chars() {
            if !c.is_ascii_alphabetic() {
                return None;
            }
            v = v * 27 + (c.to_ascii_lowercase() as i32 - 'a' as i32 + 1);
        }
        Some(v)
    };
    let digits = item.chars().filter(char::is_ascii_digit).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let start = item.find(|c: char| c.is_ascii_digit())?;
    let (pre, rest) = item.split_at(start);
    let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let post = &rest[n.len()..];
    let n: i32 = n.parse().ok()?;
    match (pre.len(), post.len()) {
        (0, 0) if (1..=100_000).contains(&n) => Some(n),
        (0, 1..=2) => Some(100_000_000 + n * 1000 + letters(post)?),
        (1..=2, 0) => Some(200_000_000 + letters(pre)? * 100_000 + n),
        _ => None,
    }
}

/// A saved item as compared with the agenda.
struct Saved {
    id: i64,
    decided: bool,
    content: Content,
}

/// What an import may change in a saved item.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Content {
    kind: String,
    section: Option<String>,
    subsection: Option<String>,
    proposer: Option<String>,
    agenda_committee: bool,
    seconder: Option<String>,
    stem: String,
    parts: Vec<(String, String)>,
    after_parts: Option<String>,
    marks: String,
    bracket: Option<String>,
    amends: Option<String>,
    placement: Option<String>,
    position: Option<i32>,
}

fn content_of(item: &AgendaItem, position: i32) -> Content {
    let mut marks = item.marks.clone();
    marks.sort();
    marks.dedup();
    Content {
        kind: item.kind.as_str().to_string(),
        section: item.section.clone(),
        subsection: item.subsection.clone(),
        proposer: item.proposer.clone(),
        agenda_committee: item.agenda_committee,
        seconder: item.seconder.clone(),
        stem: item.stem.clone(),
        parts: item.parts.iter().map(|p| (p.label.clone(), p.text.clone())).collect(),
        after_parts: item.after_parts.clone(),
        marks: serde_json::to_string(&marks).unwrap_or_else(|_| "[]".into()),
        bracket: item.bracket.clone(),
        amends: item.amends.clone(),
        placement: item.placement.clone(),
        position: Some(position),
    }
}

type SavedRow = (
    i64,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    bool,
    Option<String>,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i32>,
    Option<String>,
    Option<String>,
);

fn saved_items(c: &mut DbConnection, conference_id: i64) -> AppResult<Vec<(String, Saved)>> {
    let rows: Vec<SavedRow> = motions::table
        .filter(motions::conference_id.eq(conference_id))
        .order((motions::position.asc(), motions::number.asc()))
        .select((
            motions::id,
            motions::item,
            motions::kind,
            motions::section,
            motions::subsection,
            motions::proposer,
            motions::agenda_committee,
            motions::seconder,
            motions::stem,
            motions::after_parts,
            motions::marks,
            motions::bracket,
            motions::amends,
            motions::placement,
            motions::position,
            motions::whole_outcome,
            motions::taken_as,
        ))
        .load(c)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let part_rows: Vec<(String, String, Option<String>)> = parts::table
            .filter(parts::motion_id.eq(r.0))
            .order(parts::position.asc())
            .select((parts::label, parts::text, parts::outcome))
            .load(c)?;
        let polled: i64 = polls::table.filter(polls::motion_id.eq(r.0)).count().get_result(c)?;
        let decided = polled > 0 || r.15.is_some() || part_rows.iter().any(|p| p.2.is_some());
        let item = r.1.clone().unwrap_or_default();
        out.push((
            item,
            Saved {
                id: r.0,
                decided,
                content: Content {
                    kind: r.2,
                    section: r.3,
                    subsection: r.4,
                    proposer: r.5,
                    agenda_committee: r.6,
                    seconder: r.7,
                    stem: r.8,
                    parts: part_rows.into_iter().map(|p| (p.0, p.1)).collect(),
                    after_parts: r.9,
                    marks: r.10,
                    bracket: r.11,
                    amends: r.12,
                    placement: r.13,
                    position: r.14,
                },
            },
        ));
    }
    Ok(out)
}

/// Checks an item before it is saved: the limits a motion has when created one by one.
fn check_item(item: &AgendaItem) -> AppResult<()> {
    let too_long = |what: &str| {
        AppError::new(
            ErrorCode::MotionUnreadable,
            format!(
                "item {} (line {}): the {what} is longer than {} characters",
                item.number,
                item.line,
                procedure::MAX_MOTION_CHARS
            ),
        )
    };
    if item.stem.chars().count() > procedure::MAX_MOTION_CHARS {
        return Err(too_long("text"));
    }
    if item.parts.iter().any(|p| p.text.chars().count() > procedure::MAX_MOTION_CHARS) {
        return Err(too_long("text of a part"));
    }
    if item.parts.len() > procedure::MAX_PARTS {
        return Err(AppError::new(
            ErrorCode::MotionUnreadable,
            format!(
                "item {} (line {}) has {} parts; a motion can have at most {}",
                item.number,
                item.line,
                item.parts.len(),
                procedure::MAX_PARTS
            ),
        ));
    }
    Ok(())
}

fn write_parts(c: &mut DbConnection, motion_id: i64, list: &[ParsedPart]) -> AppResult<()> {
    diesel::delete(parts::table.filter(parts::motion_id.eq(motion_id))).execute(c)?;
    for (i, p) in list.iter().enumerate() {
        diesel::insert_into(parts::table)
            .values((
                parts::motion_id.eq(motion_id),
                parts::position.eq(i as i32),
                parts::label.eq(&p.label),
                parts::text.eq(&p.text),
                parts::added_by_rider.eq(false),
            ))
            .execute(c)?;
    }
    Ok(())
}

/// A free key above every other for numbers without one of their own ("12/2", "15-1").
fn free_key(c: &mut DbConnection, conference_id: i64) -> AppResult<i32> {
    let max: Option<i32> = motions::table
        .filter(motions::conference_id.eq(conference_id))
        .filter(motions::number.ge(400_000_000))
        .select(diesel::dsl::max(motions::number))
        .first(c)?;
    Ok(max.unwrap_or(400_000_000) + 1)
}

/// Reads the agenda and, unless `dry_run`, saves its items in order. Importing again updates items by
/// their printed number (unless a vote has been taken on them) and never duplicates one.
pub fn import_agenda(
    conn: &mut DbConnection,
    hub: &Hub,
    actor: &User,
    conference_id: i64,
    text: &str,
    dry_run: bool,
) -> AppResult<AgendaImport> {
    let agenda = agenda_reader::read_agenda(text);
    if !dry_run {
        if agenda.items.is_empty() {
            return Err(AppError::new(
                ErrorCode::MotionUnreadable,
                "no numbered items were found in the agenda; see the warnings of a dry run (?dry_run=true)",
            ));
        }
        for item in &agenda.items {
            check_item(item)?;
        }
    }
    let run = |c: &mut DbConnection| -> AppResult<AgendaChanges> {
        let status: ConferenceStatus = conferences::table
            .filter(conferences::id.eq(conference_id))
            .select(conferences::status)
            .first(c)
            .optional()?
            .ok_or_else(|| AppError::not_found(format!("no conference {conference_id}")))?;
        if status != ConferenceStatus::Open && !dry_run {
            return Err(AppError::conflict("the conference is closed"));
        }
        let saved = saved_items(c, conference_id)?;
        let mut changes = AgendaChanges::default();
        for (index, item) in agenda.items.iter().enumerate() {
            let position = i32::try_from(index + 1).unwrap_or(i32::MAX);
            let content = content_of(item, position);
            match saved.iter().find(|(n, _)| n.eq_ignore_ascii_case(&item.number)) {
                Some((_, s)) if s.content == content => changes.unchanged.push(item.number.clone()),
                Some((_, s)) if s.decided => {
                    let same_text = s.content.stem == content.stem && s.content.parts == content.parts;
                    if same_text && !dry_run {
                        // Its place in the running order may still follow the agenda.
                        diesel::update(motions::table.filter(motions::id.eq(s.id)))
                            .set(motions::position.eq(position))
                            .execute(c)?;
                    }
                    changes.kept.push(KeptItem {
                        number: item.number.clone(),
                        reason: "a vote has been taken on it, so it was not changed".into(),
                    });
                }
                Some((_, s)) => {
                    if !dry_run {
                        update_item(c, s.id, item, &content)?;
                    }
                    changes.updated.push(item.number.clone());
                }
                None => {
                    if !dry_run {
                        insert_item(c, conference_id, item, &content)?;
                    }
                    changes.added.push(item.number.clone());
                }
            }
        }
        for (number, _) in &saved {
            if !agenda.items.iter().any(|i| i.number.eq_ignore_ascii_case(number)) {
                changes.not_in_agenda.push(number.clone());
            }
        }
        if !dry_run {
            audit_log::append(
                c,
                &actor.email,
                audit_log::AuditAction::AgendaImport,
                &format!("conference {conference_id}"),
                serde_json::json!({
                    "items": agenda.items.len(),
                    "added": changes.added.len(),
                    "updated": changes.updated.len(),
                    "kept": changes.kept.len(),
                    "warnings": agenda.warnings.len(),
                }),
            )?;
        }
        Ok(changes)
    };
    let changes = if dry_run { run(conn)? } else { db::write_tx(conn, run)? };
    if !dry_run {
        let change = AgendaChange::Imported {
            added: changes.added.len(),
            updated: changes.updated.len(),
            kept: changes.kept.len(),
        };
        events::tell(hub, conn, ConferenceEvent::AgendaUpdated { conference_id, change });
    }
    Ok(AgendaImport { agenda, dry_run, changes })
}

fn insert_item(c: &mut DbConnection, conference_id: i64, item: &AgendaItem, content: &Content) -> AppResult<()> {
    let key = match number_key(&item.number) {
        Some(k) => {
            let taken: i64 = motions::table
                .filter(motions::conference_id.eq(conference_id))
                .filter(motions::number.eq(k))
                .count()
                .get_result(c)?;
            if taken > 0 {
                free_key(c, conference_id)?
            } else {
                k
            }
        }
        None => free_key(c, conference_id)?,
    };
    let id = diesel::insert_into(motions::table)
        .values((
            motions::conference_id.eq(conference_id),
            motions::number.eq(key),
            motions::item.eq(&item.number),
            motions::proposer.eq(&content.proposer),
            motions::agenda_committee.eq(content.agenda_committee),
            motions::stem.eq(&content.stem),
            motions::marks.eq(&content.marks),
            motions::bracket.eq(&content.bracket),
            motions::needs_two_thirds.eq(false),
            motions::created_at.eq(db::now()),
            motions::kind.eq(&content.kind),
            motions::section.eq(&content.section),
            motions::subsection.eq(&content.subsection),
            motions::amends.eq(&content.amends),
            motions::placement.eq(&content.placement),
            motions::after_parts.eq(&content.after_parts),
            motions::seconder.eq(&content.seconder),
            motions::position.eq(content.position),
        ))
        .returning(motions::id)
        .get_result::<i64>(c)?;
    write_parts(c, id, &item.parts)
}

fn update_item(c: &mut DbConnection, id: i64, item: &AgendaItem, content: &Content) -> AppResult<()> {
    diesel::update(motions::table.filter(motions::id.eq(id)))
        .set((
            motions::proposer.eq(&content.proposer),
            motions::agenda_committee.eq(content.agenda_committee),
            motions::stem.eq(&content.stem),
            motions::marks.eq(&content.marks),
            motions::bracket.eq(&content.bracket),
            motions::kind.eq(&content.kind),
            motions::section.eq(&content.section),
            motions::subsection.eq(&content.subsection),
            motions::amends.eq(&content.amends),
            motions::placement.eq(&content.placement),
            motions::after_parts.eq(&content.after_parts),
            motions::seconder.eq(&content.seconder),
            motions::position.eq(content.position),
        ))
        .execute(c)?;
    write_parts(c, id, &item.parts)
}

#[cfg(test)]
mod tests {
    use super::number_key;

    #[test]
    fn number_keys_are_distinct_and_plain_numbers_keep_their_value() {
        assert_eq!(number_key("27"), Some(27));
        let keys: Vec<Option<i32>> = ["27", "27a", "27b", "27h", "a278", "b278", "EM1", "em2", "28", "27aa"]
            .iter()
            .map(|n| number_key(n))
            .collect();
        assert!(keys.iter().all(Option::is_some), "{keys:?}");
        let mut k: Vec<i32> = keys.into_iter().flatten().collect();
        k.sort();
        k.dedup();
        assert_eq!(k.len(), 10);
        assert_eq!(number_key("12/2"), None);
        assert_eq!(number_key("15-1"), None);
        assert_eq!(number_key("0"), None);
        assert_eq!(number_key("abc"), None);
        assert_eq!(number_key("27abc"), None);
    }
}

// ---- the running order ------------------------------------------------------------------------------

/// Whether any vote (open, closed or void) has been put on the motion, alone or with the 'A' motions.
fn voted_on(c: &mut DbConnection, conference_id: i64, motion_id: i64) -> AppResult<bool> {
    // A printed amendment or rider is voted on the motion it amends, linked to its own item.
    use crate::services::linked_items::poll_items;
    let linked: i64 = poll_items::table.filter(poll_items::motion_id.eq(motion_id)).count().get_result(c)?;
    if linked > 0 {
        return Ok(true);
    }
    let rows: Vec<(Option<i64>, String)> = polls::table
        .filter(polls::conference_id.eq(conference_id))
        .select((polls::motion_id, polls::subject))
        .load(c)?;
    for (m, s) in &rows {
        if crate::services::corrections::motions_of(s, *m)?.contains(&motion_id) {
            return Ok(true);
        }
    }
    Ok(false)
}

fn motion_conference(c: &mut DbConnection, motion_id: i64) -> AppResult<(i64, bool)> {
    let (conference_id, decided): (i64, Option<String>) = motions::table
        .filter(motions::id.eq(motion_id))
        .select((motions::conference_id, motions::whole_outcome))
        .first(c)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no motion {motion_id}")))?;
    let status: ConferenceStatus =
        conferences::table.filter(conferences::id.eq(conference_id)).select(conferences::status).first(c)?;
    if status != ConferenceStatus::Open {
        return Err(AppError::conflict("the conference is closed"));
    }
    Ok((conference_id, decided.is_some()))
}

/// A correction to a motion before any vote on it: its printed number, proposer, text or parts.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MotionEdit {
    /// The number as printed ("27a").
    pub item: Option<String>,
    pub proposer: Option<String>,
    pub stem: Option<String>,
    /// Replaces every part; labels left out are given in order.
    pub parts: Option<Vec<crate::services::conference::NewPart>>,
}

fn clean(text: &str, field: &str, max: usize) -> AppResult<String> {
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        return Err(AppError::validation(format!("{field}: must not be empty")));
    }
    if t.chars().count() > max {
        return Err(AppError::validation(format!("{field}: at most {max} characters")));
    }
    Ok(t)
}

pub fn edit_motion(
    conn: &mut DbConnection,
    hub: &Hub,
    actor: &User,
    motion_id: i64,
    input: MotionEdit,
) -> AppResult<MotionView> {
    let item = input.item.as_deref().map(|i| clean(i, "item", 20)).transpose()?;
    let proposer = input.proposer.as_deref().map(|p| clean(p, "proposer", 200)).transpose()?;
    let stem = input.stem.as_deref().map(|s| clean(s, "stem", procedure::MAX_MOTION_CHARS)).transpose()?;
    let new_parts = match &input.parts {
        None => None,
        Some(list) => {
            if list.len() > procedure::MAX_PARTS {
                return Err(AppError::validation(format!("parts: at most {} parts", procedure::MAX_PARTS)));
            }
            let mut labels: Vec<String> = Vec::new();
            let mut out = Vec::new();
            for (i, p) in list.iter().enumerate() {
                let text = clean(&p.text, &format!("parts[{i}].text"), procedure::MAX_MOTION_CHARS)?;
                let label = match &p.label {
                    Some(l) => clean(l, &format!("parts[{i}].label"), 12)?,
                    None => procedure::next_label(&labels),
                };
                if labels.contains(&label) {
                    return Err(AppError::validation(format!("parts[{i}].label: {label} is used twice")));
                }
                labels.push(label.clone());
                out.push(ParsedPart { label, text });
            }
            Some(out)
        }
    };
    db::write_tx(conn, |c| {
        let (conference_id, _) = motion_conference(c, motion_id)?;
        if voted_on(c, conference_id, motion_id)? {
            return Err(AppError::conflict("a vote has been taken on this motion: it can no longer be edited"));
        }
        if let Some(item) = &item {
            let clash: i64 = motions::table
                .filter(motions::conference_id.eq(conference_id))
                .filter(motions::item.eq(item))
                .filter(motions::id.ne(motion_id))
                .count()
                .get_result(c)?;
            if clash > 0 {
                return Err(AppError::conflict(format!("item {item} already exists in this conference")));
            }
            let key = match number_key(item) {
                Some(k)
                    if motions::table
                        .filter(motions::conference_id.eq(conference_id))
                        .filter(motions::number.eq(k))
                        .filter(motions::id.ne(motion_id))
                        .count()
                        .get_result::<i64>(c)?
                        == 0 =>
                {
                    k
                }
                _ => free_key(c, conference_id)?,
            };
            diesel::update(motions::table.filter(motions::id.eq(motion_id)))
                .set((motions::item.eq(item), motions::number.eq(key)))
                .execute(c)?;
        }
        if let Some(p) = &proposer {
            diesel::update(motions::table.filter(motions::id.eq(motion_id)))
                .set(motions::proposer.eq(procedure::normalise_proposer(p)))
                .execute(c)?;
        }
        if let Some(s) = &stem {
            diesel::update(motions::table.filter(motions::id.eq(motion_id))).set(motions::stem.eq(s)).execute(c)?;
        }
        if let Some(list) = &new_parts {
            write_parts(c, motion_id, list)?;
            diesel::update(motions::table.filter(motions::id.eq(motion_id)))
                .set(motions::taken_as.eq(None::<String>))
                .execute(c)?;
        }
        audit_log::append(
            c,
            &actor.email,
            audit_log::AuditAction::MotionEdit,
            &format!("motion {motion_id}"),
            serde_json::json!({"item": item, "proposer": proposer, "stem": stem.is_some(), "parts": new_parts.as_ref().map(Vec::len)}),
        )?;
        Ok(())
    })?;
    let m = conf::get_motion(conn, motion_id)?;
    events::tell(hub, conn, ConferenceEvent::MotionUpdated(m.clone()));
    Ok(m)
}

/// Deletes a motion from the agenda, before any vote on it.
pub fn delete_motion(conn: &mut DbConnection, hub: &Hub, actor: &User, motion_id: i64) -> AppResult<i64> {
    let conference_id = db::write_tx(conn, |c| {
        let (conference_id, _) = motion_conference(c, motion_id)?;
        if voted_on(c, conference_id, motion_id)? {
            return Err(AppError::conflict(
                "a vote has been taken on this motion: it stays on the record (withdraw it instead)",
            ));
        }
        let item: Option<String> = motions::table.filter(motions::id.eq(motion_id)).select(motions::item).first(c)?;
        diesel::delete(parts::table.filter(parts::motion_id.eq(motion_id))).execute(c)?;
        diesel::delete(motions::table.filter(motions::id.eq(motion_id))).execute(c)?;
        audit_log::append(
            c,
            &actor.email,
            audit_log::AuditAction::MotionDelete,
            &format!("motion {motion_id}"),
            serde_json::json!({"conference_id": conference_id, "item": item}),
        )?;
        Ok(conference_id)
    })?;
    let change = AgendaChange::Deleted { deleted: motion_id };
    events::tell(hub, conn, ConferenceEvent::AgendaUpdated { conference_id, change });
    Ok(conference_id)
}

/// The running order: every motion of the conference, by id, in the order they are to be taken.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunningOrder {
    pub motions: Vec<i64>,
}

pub fn set_running_order(
    conn: &mut DbConnection,
    hub: &Hub,
    actor: &User,
    conference_id: i64,
    input: RunningOrder,
) -> AppResult<Vec<MotionView>> {
    db::write_tx(conn, |c| {
        let status: ConferenceStatus = conferences::table
            .filter(conferences::id.eq(conference_id))
            .select(conferences::status)
            .first(c)
            .optional()?
            .ok_or_else(|| AppError::not_found(format!("no conference {conference_id}")))?;
        if status != ConferenceStatus::Open {
            return Err(AppError::conflict("the conference is closed"));
        }
        let mut all: Vec<i64> =
            motions::table.filter(motions::conference_id.eq(conference_id)).select(motions::id).load(c)?;
        let mut given = input.motions.clone();
        all.sort_unstable();
        given.sort_unstable();
        if all != given {
            return Err(AppError::validation(
                "motions: give every motion of the conference exactly once, in the order they are to be taken",
            ));
        }
        for (i, id) in input.motions.iter().enumerate() {
            diesel::update(motions::table.filter(motions::id.eq(id)))
                .set(motions::position.eq(i32::try_from(i + 1).unwrap_or(i32::MAX)))
                .execute(c)?;
        }
        audit_log::append(
            c,
            &actor.email,
            audit_log::AuditAction::AgendaOrder,
            &format!("conference {conference_id}"),
            serde_json::json!({"motions": input.motions.len()}),
        )?;
        Ok(())
    })?;
    let change = AgendaChange::Reordered { order: true };
    events::tell(hub, conn, ConferenceEvent::AgendaUpdated { conference_id, change });
    conf::list_motions(conn, conference_id)
}
