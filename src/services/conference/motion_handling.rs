//! Motions.

use super::*;

/// One row of `motions`: what a motion's view is made from.
#[derive(Queryable, Selectable)]
#[diesel(table_name = motions)]
pub(super) struct MotionRow {
    pub(super) id: i64,
    conference_id: i64,
    number: i32,
    title: Option<String>,
    proposer: Option<String>,
    agenda_committee: bool,
    stem: String,
    marks: String,
    bracket: Option<String>,
    needs_two_thirds: bool,
    taken_as: Option<TakenAs>,
    whole_outcome: Option<Outcome>,
    whole_qualifier: Option<Qualifier>,
    whole_counts: Option<String>,
    item: Option<String>,
    kind: procedure::ItemKind,
    section: Option<String>,
    subsection: Option<String>,
    amends: Option<String>,
    placement: Option<String>,
    after_parts: Option<String>,
    seconder: Option<String>,
    position: Option<i32>,
}

/// One row of `parts`.
#[derive(Queryable, Selectable)]
#[diesel(table_name = parts)]
pub(super) struct PartRow {
    pub(super) motion_id: i64,
    id: i64,
    label: String,
    text: String,
    outcome: Option<Outcome>,
    qualifier: Option<Qualifier>,
    counts: Option<String>,
    added_by_rider: bool,
}

/// The parts of one motion, in order.
pub(super) fn parts_of(conn: &mut DbConnection, motion_id: i64) -> AppResult<Vec<PartRow>> {
    Ok(parts::table
        .filter(parts::motion_id.eq(motion_id))
        .order(parts::position.asc())
        .select(PartRow::as_select())
        .load(conn)?)
}

/// The parts of every motion of a conference, in order, by motion (one query).
pub(super) fn parts_of_conference(
    conn: &mut DbConnection,
    conference_id: i64,
) -> AppResult<std::collections::HashMap<i64, Vec<PartRow>>> {
    let rows = parts::table
        .inner_join(motions::table)
        .filter(motions::conference_id.eq(conference_id))
        .order((parts::motion_id.asc(), parts::position.asc()))
        .select(PartRow::as_select())
        .load(conn)?;
    let mut by_motion: std::collections::HashMap<i64, Vec<PartRow>> = std::collections::HashMap::new();
    for part in rows {
        by_motion.entry(part.motion_id).or_default().push(part);
    }
    Ok(by_motion)
}

/// A stored JSON value read back: absent is `None`; one the code cannot read is a load error.
fn stored_json<T: for<'de> Deserialize<'de>>(s: &Option<String>) -> AppResult<Option<T>> {
    s.as_deref().map(|s| serde_json::from_str(s).map_err(AppError::internal)).transpose()
}

/// The motion's view without the agenda fields (`item` is the number, `kind` a motion; see
/// [`with_agenda_fields`]).
pub(super) fn motion_view_from_rows(row: &MotionRow, part_rows: Vec<PartRow>) -> AppResult<MotionView> {
    let taken_as = row.taken_as;
    let outcome = row.whole_outcome;
    let qualifier = row.whole_qualifier;
    let counts: Option<Counts> = stored_json(&row.whole_counts)?;
    let whole_taken = taken_as != Some(TakenAs::Parts);
    let mut parts = Vec::with_capacity(part_rows.len());
    for p in part_rows {
        parts.push(PartView {
            id: p.id,
            label: p.label,
            text: p.text,
            outcome: if whole_taken { outcome } else { p.outcome },
            qualifier: if whole_taken { None } else { p.qualifier },
            counts: if whole_taken { None } else { stored_json(&p.counts)? },
            added_by_rider: p.added_by_rider,
        });
    }
    let state = state_from_parts(taken_as, &row.stem, outcome, qualifier, &parts);
    Ok(MotionView {
        id: row.id,
        conference_id: row.conference_id,
        number: row.number,
        item: row.number.to_string(),
        kind: procedure::ItemKind::Motion,
        section: None,
        subsection: None,
        amends: None,
        placement: None,
        after_parts: None,
        seconder: None,
        position: None,
        voided_polls: Vec::new(),
        title: row.title.clone(),
        proposer: row.proposer.clone(),
        agenda_committee: row.agenda_committee,
        stem: row.stem.clone(),
        marks: serde_json::from_str(&row.marks).map_err(AppError::internal)?,
        bracket: row.bracket.clone(),
        needs_two_thirds: row.needs_two_thirds,
        default_majorities: procedure::polls::default_majorities(row.needs_two_thirds),
        taken_as,
        outcome,
        qualifier,
        counts,
        outcome_text: state.outcome_text(),
        parts,
    })
}

pub(super) fn state_from_parts(
    taken: Option<TakenAs>,
    stem: &str,
    outcome: Option<Outcome>,
    qualifier: Option<Qualifier>,
    parts: &[PartView],
) -> MotionState {
    let mut s = MotionState::new(stem, parts.iter().map(|p| (p.label.clone(), p.text.clone())).collect());
    s.taken = taken.unwrap_or(TakenAs::Whole);
    s.whole_outcome = outcome;
    s.whole_qualifier = qualifier;
    if s.taken == TakenAs::Parts {
        for (sp, p) in s.parts.iter_mut().zip(parts) {
            sp.outcome = p.outcome;
            sp.qualifier = p.qualifier;
        }
    }
    s
}

pub fn get_motion(conn: &mut DbConnection, id: i64) -> AppResult<MotionView> {
    let row = motions::table
        .filter(motions::id.eq(id))
        .select(MotionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no motion {id}")))?;
    let parts = parts_of(conn, id)?;
    let mut view = motion_view_from_rows(&row, parts)?;
    with_agenda_fields(&mut view, row);
    view.voided_polls = crate::services::corrections::voided_polls(conn, view.conference_id, id)?;
    Ok(view)
}

pub(super) fn with_agenda_fields(view: &mut MotionView, r: MotionRow) {
    if let Some(item) = r.item {
        view.item = item;
    }
    view.kind = r.kind;
    view.section = r.section;
    view.subsection = r.subsection;
    view.amends = r.amends;
    view.placement = r.placement;
    view.after_parts = r.after_parts;
    view.seconder = r.seconder;
    view.position = r.position;
}

/// Every motion of a conference in agenda order, as [`get_motion`] gives each, in three queries.
pub fn list_motions(conn: &mut DbConnection, conference_id: i64) -> AppResult<Vec<MotionView>> {
    conference_row(conn, conference_id)?;
    let rows: Vec<MotionRow> = motions::table
        .filter(motions::conference_id.eq(conference_id))
        .order((motions::position.asc(), motions::number.asc()))
        .select(MotionRow::as_select())
        .load(conn)?;
    let mut parts = parts_of_conference(conn, conference_id)?;
    let mut voided = crate::services::corrections::voided_polls_by_motion(conn, conference_id)?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let mut view = motion_view_from_rows(&row, parts.remove(&row.id).unwrap_or_default())?;
        view.voided_polls = voided.remove(&row.id).unwrap_or_default();
        with_agenda_fields(&mut view, row);
        views.push(view);
    }
    Ok(views)
}

/// The motion to store, from either input form.
pub(super) fn motion_from_input(input: &NewMotion) -> AppResult<procedure::ParsedMotion> {
    if let Some(text) = &input.text {
        if input.stem.is_some() || !input.parts.is_empty() {
            return Err(AppError::validation("give either text (the motion as printed) or stem and parts, not both"));
        }
        let mut parsed = procedure::parse_printed_motion(text)
            .map_err(|e| AppError::new(ErrorCode::MotionUnreadable, format!("the motion could not be read: {e}")))?;
        if let Some(p) = &input.proposer {
            parsed.proposer = Some(trimmed(p, "proposer", 200)?);
        }
        if input.agenda_committee {
            parsed.agenda_committee = true;
        }
        return Ok(parsed);
    }
    let stem = trimmed(input.stem.as_deref().unwrap_or(""), "stem", procedure::MAX_MOTION_CHARS)?;
    if input.parts.len() > procedure::MAX_PARTS {
        return Err(AppError::validation(format!("parts: at most {} parts", procedure::MAX_PARTS)));
    }
    let mut labels: Vec<String> = Vec::new();
    let mut out_parts = Vec::new();
    for (i, p) in input.parts.iter().enumerate() {
        let text = trimmed(&p.text, &format!("parts[{i}].text"), procedure::MAX_MOTION_CHARS)?;
        let label = match &p.label {
            Some(l) => trimmed(l, &format!("parts[{i}].label"), 12)?,
            None => procedure::next_label(&labels),
        };
        if labels.contains(&label) {
            return Err(AppError::validation(format!("parts[{i}].label: {label} is used twice")));
        }
        labels.push(label.clone());
        out_parts.push(procedure::ParsedPart { label, text });
    }
    Ok(procedure::ParsedMotion {
        number: None,
        proposer: input
            .proposer
            .as_deref()
            .map(|p| trimmed(p, "proposer", 200).map(|p| procedure::normalise_proposer(&p)))
            .transpose()?,
        agenda_committee: input.agenda_committee,
        stem,
        parts: out_parts,
    })
}

pub fn create_motion(
    conn: &mut DbConnection,
    actor: &User,
    conference_id: i64,
    input: NewMotion,
) -> AppResult<MotionView> {
    let parsed = motion_from_input(&input)?;
    let title = input.title.as_deref().map(|t| trimmed(t, "title", 300)).transpose()?;
    let bracket = input.bracket.as_deref().map(|t| trimmed(t, "bracket", 50)).transpose()?;
    let mut marks = input.marks.clone();
    marks.sort();
    marks.dedup();
    let number = input.number.or(parsed.number.and_then(|n| i32::try_from(n).ok()));
    if let Some(n) = number {
        if !(1..=100_000).contains(&n) {
            return Err(AppError::validation("number: between 1 and 100000"));
        }
    }
    let id = db::write_tx(conn, |c| {
        let conf = conference_row(c, conference_id)?;
        if conf.status != ConferenceStatus::Open {
            return Err(AppError::conflict("the conference is closed"));
        }
        let number = match number {
            Some(n) => n,
            None => {
                let max: Option<i32> = motions::table
                    .filter(motions::conference_id.eq(conference_id))
                    .filter(motions::number.le(100_000))
                    .select(diesel::dsl::max(motions::number))
                    .first(c)?;
                max.unwrap_or(0) + 1
            }
        };
        let inserted = diesel::insert_into(motions::table)
            .values((
                motions::conference_id.eq(conference_id),
                motions::number.eq(number),
                motions::title.eq(&title),
                motions::proposer.eq(&parsed.proposer),
                motions::agenda_committee.eq(parsed.agenda_committee),
                motions::stem.eq(&parsed.stem),
                motions::marks.eq(to_json_text(&marks)),
                motions::bracket.eq(&bracket),
                motions::needs_two_thirds.eq(input.needs_two_thirds),
                motions::created_at.eq(db::now()),
                motions::item.eq(number.to_string()),
                motions::position.eq(number),
            ))
            .returning(motions::id)
            .get_result::<i64>(c);
        let id = match inserted {
            Ok(id) => id,
            Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
                return Err(AppError::conflict(format!("motion {number} already exists in this conference")))
            }
            Err(e) => return Err(e.into()),
        };
        for (i, p) in parsed.parts.iter().enumerate() {
            diesel::insert_into(parts::table)
                .values((
                    parts::motion_id.eq(id),
                    parts::position.eq(i as i32),
                    parts::label.eq(&p.label),
                    parts::text.eq(&p.text),
                    parts::added_by_rider.eq(false),
                ))
                .execute(c)?;
        }
        audit_log::append(
            c,
            &actor.email,
            audit_log::AuditAction::MotionCreate,
            &format!("motion {id}"),
            serde_json::json!({"conference_id": conference_id, "number": number, "parts": parsed.parts.len()}),
        )?;
        Ok(id)
    })?;
    get_motion(conn, id)
}

/// Update agenda marks (starred, A, AR, grey, composite, incompetent), bracket and two-thirds flag.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MotionMarks {
    pub marks: Option<Vec<AgendaMark>>,
    pub bracket: Option<Option<String>>,
    pub needs_two_thirds: Option<bool>,
}

pub fn set_marks(conn: &mut DbConnection, actor: &User, motion_id: i64, input: MotionMarks) -> AppResult<MotionView> {
    db::write_tx(conn, |c| {
        get_motion(c, motion_id)?;
        if let Some(mut m) = input.marks.clone() {
            m.sort();
            m.dedup();
            diesel::update(motions::table.filter(motions::id.eq(motion_id)))
                .set(motions::marks.eq(to_json_text(&m)))
                .execute(c)?;
        }
        if let Some(b) = &input.bracket {
            let b = b.as_deref().map(|t| trimmed(t, "bracket", 50)).transpose()?;
            diesel::update(motions::table.filter(motions::id.eq(motion_id))).set(motions::bracket.eq(b)).execute(c)?;
        }
        if let Some(t) = input.needs_two_thirds {
            diesel::update(motions::table.filter(motions::id.eq(motion_id)))
                .set(motions::needs_two_thirds.eq(t))
                .execute(c)?;
        }
        audit_log::append(
            c,
            &actor.email,
            audit_log::AuditAction::MotionMarks,
            &format!("motion {motion_id}"),
            serde_json::json!({"marks": input.marks, "needs_two_thirds": input.needs_two_thirds}),
        )?;
        Ok(())
    })?;
    get_motion(conn, motion_id)
}

pub(super) fn no_open_poll_on(conn: &mut DbConnection, motion_id: i64) -> AppResult<()> {
    let open: i64 = polls::table
        .filter(polls::motion_id.eq(motion_id))
        .filter(polls::status.eq(PollStatus::Open))
        .count()
        .get_result(conn)?;
    if open > 0 {
        return Err(AppError::conflict("a poll on this motion is open: close it first"));
    }
    Ok(())
}

/// The chair takes the motion as a whole or in parts (no vote). Only before any part is decided.
pub fn take_motion(
    conn: &mut DbConnection,
    hub: &Hub,
    actor: &User,
    motion_id: i64,
    taken: TakenAs,
) -> AppResult<MotionView> {
    db::write_tx(conn, |c| {
        let m = get_motion(c, motion_id)?;
        if m.outcome_text.is_some() || m.parts.iter().any(|p| p.outcome.is_some()) {
            return Err(AppError::conflict("the motion already has an outcome; it cannot be taken another way now"));
        }
        if taken == TakenAs::Parts && m.parts.is_empty() {
            return Err(AppError::validation("the motion has no parts to take separately"));
        }
        no_open_poll_on(c, motion_id)?;
        diesel::update(motions::table.filter(motions::id.eq(motion_id)))
            .set(motions::taken_as.eq(taken.as_str()))
            .execute(c)?;
        audit_log::append(
            c,
            &actor.email,
            audit_log::AuditAction::MotionTake,
            &format!("motion {motion_id}"),
            serde_json::json!({"taken_as": taken.as_str()}),
        )?;
        Ok(())
    })?;
    let m = get_motion(conn, motion_id)?;
    events::tell(hub, conn, ConferenceEvent::MotionUpdated(m.clone()));
    Ok(m)
}

/// Store a motion's state (after a poll or a decision) back into its rows.
pub(super) fn save_state(
    conn: &mut DbConnection,
    motion_id: i64,
    state: &MotionState,
    counts: Option<(&Subject, Counts)>,
    persist_taken: bool,
) -> AppResult<()> {
    let whole_counts = match counts {
        Some((Subject::Whole, c)) => Some(to_json_text(&c)),
        _ => None,
    };
    let mut upd = diesel::update(motions::table.filter(motions::id.eq(motion_id)))
        .set((
            motions::stem.eq(&state.stem),
            motions::whole_outcome.eq(state.whole_outcome.map(|o| o.as_str())),
            motions::whole_qualifier.eq(state.whole_qualifier.map(|q| q.as_str())),
        ))
        .execute(conn);
    if persist_taken {
        diesel::update(motions::table.filter(motions::id.eq(motion_id)))
            .set(motions::taken_as.eq(state.taken.as_str()))
            .execute(conn)?;
    }
    upd = upd.and_then(|_| match &whole_counts {
        Some(wc) => diesel::update(motions::table.filter(motions::id.eq(motion_id)))
            .set(motions::whole_counts.eq(wc))
            .execute(conn),
        None => Ok(0),
    });
    upd?;
    let existing: Vec<(i64, String)> =
        parts::table.filter(parts::motion_id.eq(motion_id)).select((parts::id, parts::label)).load(conn)?;
    for (pos, p) in state.parts.iter().enumerate() {
        let part_counts = match counts {
            Some((Subject::Part { label }, c)) if label == &p.label => Some(to_json_text(&c)),
            _ => None,
        };
        match existing.iter().find(|(_, l)| l == &p.label) {
            Some((pid, _)) => {
                diesel::update(parts::table.filter(parts::id.eq(pid)))
                    .set((
                        parts::text.eq(&p.text),
                        parts::outcome.eq(p.outcome.map(|o| o.as_str())),
                        parts::qualifier.eq(p.qualifier.map(|q| q.as_str())),
                    ))
                    .execute(conn)?;
                if let Some(pc) = part_counts {
                    diesel::update(parts::table.filter(parts::id.eq(pid))).set(parts::counts.eq(pc)).execute(conn)?;
                }
            }
            None => {
                diesel::insert_into(parts::table)
                    .values((
                        parts::motion_id.eq(motion_id),
                        parts::position.eq(pos as i32),
                        parts::label.eq(&p.label),
                        parts::text.eq(&p.text),
                        parts::outcome.eq(p.outcome.map(|o| o.as_str())),
                        parts::qualifier.eq(p.qualifier.map(|q| q.as_str())),
                        parts::added_by_rider.eq(true),
                    ))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

pub(super) fn motion_state(view: &MotionView) -> MotionState {
    state_from_parts(view.taken_as, &view.stem, view.outcome, view.qualifier, &view.parts)
}

/// A motion-level outcome decided without a vote (withdrawn, not reached, next business, ruled out of
/// order, superseded; or carried for an 'AR' motion reaffirmed without debate). It applies to every part
/// not already decided.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MotionDecision {
    pub outcome: Outcome,
}

pub fn decide_motion(
    conn: &mut DbConnection,
    hub: &Hub,
    actor: &User,
    motion_id: i64,
    outcome: Outcome,
) -> AppResult<MotionView> {
    if matches!(outcome, Outcome::Lost) {
        return Err(AppError::validation("outcome: a motion is lost only by a vote; open a poll"));
    }
    db::write_tx(conn, |c| {
        let view = get_motion(c, motion_id)?;
        if view.outcome_text.is_some() {
            return Err(AppError::conflict(format!(
                "motion {} is already decided: {}",
                view.item,
                view.outcome_text.unwrap_or_default()
            )));
        }
        if outcome == Outcome::Carried && !view.marks.iter().any(|m| matches!(m, AgendaMark::A | AgendaMark::Ar)) {
            return Err(AppError::validation(
                "outcome: only an 'A' or 'AR' motion is carried without a vote; open a poll",
            ));
        }
        no_open_poll_on(c, motion_id)?;
        let mut state = motion_state(&view);
        if view.taken_as.is_none() {
            state.taken = TakenAs::Whole;
        }
        state.apply(&procedure::Effect::Decide { label: None, outcome, qualifier: None })?;
        save_state(c, motion_id, &state, None, true)?;
        audit_log::append(
            c,
            &actor.email,
            audit_log::AuditAction::MotionDecide,
            &format!("motion {motion_id}"),
            serde_json::json!({"outcome": outcome.as_str()}),
        )?;
        Ok(())
    })?;
    let m = get_motion(conn, motion_id)?;
    events::tell(hub, conn, ConferenceEvent::MotionUpdated(m.clone()));
    Ok(m)
}

/// Close the conference: every motion (or part) not yet decided becomes NOT REACHED.
pub fn close_conference(conn: &mut DbConnection, hub: &Hub, actor: &User, conference_id: i64) -> AppResult<Conference> {
    let changed = db::write_tx(conn, |c| {
        let conf = conference_row(c, conference_id)?;
        if conf.status == ConferenceStatus::Closed {
            return Err(AppError::conflict("the conference is already closed"));
        }
        let open: i64 = polls::table
            .filter(polls::conference_id.eq(conference_id))
            .filter(polls::status.eq(PollStatus::Open))
            .count()
            .get_result(c)?;
        if open > 0 {
            return Err(AppError::conflict("a poll is open: close it before closing the conference"));
        }
        let mut changed = 0;
        for view in list_motions(c, conference_id)? {
            if view.outcome_text.is_some() {
                continue;
            }
            let mut state = motion_state(&view);
            changed += state.close();
            save_state(c, view.id, &state, None, true)?;
        }
        diesel::update(conferences::table.filter(conferences::id.eq(conference_id)))
            .set(conferences::status.eq(ConferenceStatus::Closed))
            .execute(c)?;
        audit_log::append(
            c,
            &actor.email,
            audit_log::AuditAction::ConferenceClose,
            &format!("conference {conference_id}"),
            serde_json::json!({"not_reached": changed}),
        )?;
        Ok(changed)
    })?;
    events::tell(hub, conn, ConferenceEvent::ConferenceClosed { conference_id, not_reached: changed });
    conference_row(conn, conference_id)
}
