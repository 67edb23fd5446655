//! Motions.

use super::*;

pub(super) type MotionRow = (
    i64,
    i64,
    i32,
    Option<String>,
    Option<String>,
    bool,
    String,
    String,
    Option<String>,
    bool,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

#[allow(clippy::type_complexity)]
pub(super) fn motion_columns() -> (
    motions::id,
    motions::conference_id,
    motions::number,
    motions::title,
    motions::proposer,
    motions::agenda_committee,
    motions::stem,
    motions::marks,
    motions::bracket,
    motions::needs_two_thirds,
    motions::taken_as,
    motions::whole_outcome,
    motions::whole_qualifier,
    motions::whole_counts,
) {
    (
        motions::id,
        motions::conference_id,
        motions::number,
        motions::title,
        motions::proposer,
        motions::agenda_committee,
        motions::stem,
        motions::marks,
        motions::bracket,
        motions::needs_two_thirds,
        motions::taken_as,
        motions::whole_outcome,
        motions::whole_qualifier,
        motions::whole_counts,
    )
}

pub(super) type PartRow = (i64, String, String, Option<String>, Option<String>, Option<String>, bool);

pub(super) fn load_parts(conn: &mut DbConnection, motion_id: i64) -> AppResult<Vec<PartRow>> {
    Ok(parts::table
        .filter(parts::motion_id.eq(motion_id))
        .order(parts::position.asc())
        .select((
            parts::id,
            parts::label,
            parts::text,
            parts::outcome,
            parts::qualifier,
            parts::counts,
            parts::added_by_rider,
        ))
        .load(conn)?)
}

pub(super) fn view_from(row: MotionRow, part_rows: Vec<PartRow>) -> MotionView {
    let taken_as: Option<TakenAs> = parse_name(&row.10);
    let outcome: Option<Outcome> = parse_name(&row.11);
    let qualifier: Option<Qualifier> = parse_name(&row.12);
    let counts: Option<Counts> = dec(&row.13);
    let whole_taken = taken_as != Some(TakenAs::Parts);
    let parts: Vec<PartView> = part_rows
        .into_iter()
        .map(|p| {
            let own: Option<Outcome> = parse_name(&p.3);
            PartView {
                id: p.0,
                label: p.1,
                text: p.2,
                outcome: if whole_taken { outcome } else { own },
                qualifier: if whole_taken { None } else { parse_name(&p.4) },
                counts: if whole_taken { None } else { dec(&p.5) },
                added_by_rider: p.6,
            }
        })
        .collect();
    let state = state_of(taken_as, &row.6, outcome, qualifier, &parts);
    MotionView {
        id: row.0,
        conference_id: row.1,
        number: row.2,
        item: row.2.to_string(),
        kind: procedure::ItemKind::Motion,
        section: None,
        subsection: None,
        amends: None,
        placement: None,
        after_parts: None,
        seconder: None,
        position: None,
        voided_polls: Vec::new(),
        title: row.3,
        proposer: row.4,
        agenda_committee: row.5,
        stem: row.6,
        marks: serde_json::from_str(&row.7).unwrap_or_default(),
        bracket: row.8,
        needs_two_thirds: row.9,
        default_majorities: procedure::polls::default_majorities(row.9),
        taken_as,
        outcome,
        qualifier,
        counts,
        outcome_text: state.outcome_text(),
        parts,
    }
}

pub(super) fn state_of(
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
        .select(motion_columns())
        .first::<MotionRow>(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found(format!("no motion {id}")))?;
    let p = load_parts(conn, id)?;
    let mut view = view_from(row, p);
    let extra: AgendaRow = motions::table.filter(motions::id.eq(id)).select(agenda_columns()).first(conn)?;
    with_agenda_fields(&mut view, extra);
    view.voided_polls = crate::services::corrections::voided_polls(conn, view.conference_id, id)?;
    Ok(view)
}

pub(super) type AgendaRow = (
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i32>,
);

#[allow(clippy::type_complexity)]
pub(super) fn agenda_columns() -> (
    motions::item,
    motions::kind,
    motions::section,
    motions::subsection,
    motions::amends,
    motions::placement,
    motions::after_parts,
    motions::seconder,
    motions::position,
) {
    (
        motions::item,
        motions::kind,
        motions::section,
        motions::subsection,
        motions::amends,
        motions::placement,
        motions::after_parts,
        motions::seconder,
        motions::position,
    )
}

pub(super) fn with_agenda_fields(view: &mut MotionView, r: AgendaRow) {
    if let Some(item) = r.0 {
        view.item = item;
    }
    view.kind = r.1.parse().unwrap_or(procedure::ItemKind::Motion);
    view.section = r.2;
    view.subsection = r.3;
    view.amends = r.4;
    view.placement = r.5;
    view.after_parts = r.6;
    view.seconder = r.7;
    view.position = r.8;
}

pub fn list_motions(conn: &mut DbConnection, conference_id: i64) -> AppResult<Vec<MotionView>> {
    conference_row(conn, conference_id)?;
    let ids: Vec<i64> = motions::table
        .filter(motions::conference_id.eq(conference_id))
        .order((motions::position.asc(), motions::number.asc()))
        .select(motions::id)
        .load(conn)?;
    ids.into_iter().map(|id| get_motion(conn, id)).collect()
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
        if conf.status != "open" {
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
                motions::marks.eq(enc(&marks)),
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
            "motion.create",
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
                .set(motions::marks.eq(enc(&m)))
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
            "motion.marks",
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
        .filter(polls::status.eq("open"))
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
            "motion.take",
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
        Some((Subject::Whole, c)) => Some(enc(&c)),
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
            Some((Subject::Part { label }, c)) if label == &p.label => Some(enc(&c)),
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
    state_of(view.taken_as, &view.stem, view.outcome, view.qualifier, &view.parts)
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
            "motion.decide",
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
        if conf.status == "closed" {
            return Err(AppError::conflict("the conference is already closed"));
        }
        let open: i64 = polls::table
            .filter(polls::conference_id.eq(conference_id))
            .filter(polls::status.eq("open"))
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
            .set(conferences::status.eq("closed"))
            .execute(c)?;
        audit_log::append(
            c,
            &actor.email,
            "conference.close",
            &format!("conference {conference_id}"),
            serde_json::json!({"not_reached": changed}),
        )?;
        Ok(changed)
    })?;
    events::tell(hub, conn, ConferenceEvent::ConferenceClosed { conference_id, not_reached: changed });
    conference_row(conn, conference_id)
}
