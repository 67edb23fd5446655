//! The hall: one snapshot of what a representative or the projector shows.

use super::*;

/// A motion on the representative's agenda.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgendaLine {
    pub motion_id: i64,
    pub number: i32,
    /// The item as printed ("27a"): what pages show.
    pub item: String,
    pub proposer: Option<String>,
    /// The motion's first line (from its stem).
    pub first_line: String,
    pub marks: Vec<AgendaMark>,
    /// "CARRIED IN ALL PARTS", …; null while undecided.
    pub outcome_text: Option<String>,
}

/// Now, next and decided.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HallAgenda {
    /// Being taken now: the motion of the open poll (or of the latest poll while it is undecided), or
    /// the 'A' motions taken together.
    pub now: Vec<AgendaLine>,
    /// The next undecided motion in agenda order.
    pub next: Option<AgendaLine>,
    /// Decided motions with their outcomes, in agenda order.
    pub decided: Vec<AgendaLine>,
    /// Motions on the agenda.
    pub motions: usize,
}

/// Everything the representative's page and the projector show, in one answer: what a page fetches when
/// it (re)connects, so that it catches up with whatever happened while it was away.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HallState {
    pub conference: Conference,
    /// The poll open now, if any (one at a time).
    pub open_poll: Option<PollView>,
    /// The latest closed poll.
    pub last_closed: Option<PollView>,
    /// The caller is registered as a representative here (and so may vote).
    pub representative: bool,
    /// The caller's own vote in the open poll.
    pub my_vote: Option<Choice>,
    pub agenda: HallAgenda,
}

pub(super) fn agenda_line(m: &MotionView) -> AgendaLine {
    AgendaLine {
        motion_id: m.id,
        number: m.number,
        item: m.item.clone(),
        proposer: m.proposer.clone(),
        first_line: procedure::wording::first_line(&m.stem),
        marks: m.marks.clone(),
        outcome_text: m.outcome_text.clone(),
    }
}

/// Every motion of a conference in agenda order (as the chair's list has them), in two queries (the hall snapshot is fetched by every
/// page that reconnects, so it must not cost queries per motion).
pub(super) fn motions_in_two_queries(conn: &mut DbConnection, conference_id: i64) -> AppResult<Vec<MotionView>> {
    let rows: Vec<MotionRow> = motions::table
        .filter(motions::conference_id.eq(conference_id))
        .order((motions::position.asc(), motions::number.asc()))
        .select(MotionRow::as_select())
        .load(conn)?;
    let mut by_motion = parts_of_conference(conn, conference_id)?;
    rows.into_iter()
        .map(|row| {
            let mut view = motion_view_from_rows(&row, by_motion.remove(&row.id).unwrap_or_default())?;
            // The item as the printed agenda names it ("12a"), not the motion's internal number.
            with_agenda_fields(&mut view, row);
            Ok(view)
        })
        .collect()
}

pub fn hall_state(conn: &mut DbConnection, viewer: Option<&User>, conference_id: i64) -> AppResult<HallState> {
    let conference = conference_row(conn, conference_id)?;
    let latest = |conn: &mut DbConnection, status: PollStatus| -> AppResult<Option<PollView>> {
        let row = polls::table
            .filter(polls::conference_id.eq(conference_id))
            .filter(polls::status.eq(status))
            .order(polls::id.desc())
            .select(PollRow::as_select())
            .first(conn)
            .optional()?;
        row.map(|r| poll_view(conn, r)).transpose()
    };
    let open_poll = latest(conn, PollStatus::Open)?;
    let last_closed = latest(conn, PollStatus::Closed)?;
    let rep = match viewer {
        Some(u) => representative_of(conn, conference_id, u.id)?,
        None => None,
    };
    let my_vote = match (&rep, &open_poll) {
        (Some(rep), Some(p)) => poll_votes::table
            .filter(poll_votes::poll_id.eq(p.id))
            .filter(poll_votes::representative_id.eq(rep.id))
            .select(poll_votes::choice)
            .first::<Choice>(conn)
            .optional()?,
        _ => None,
    };
    let motions = motions_in_two_queries(conn, conference_id)?;
    let current_ids = match (&open_poll, &last_closed) {
        (Some(p), _) => p.subject.motions(p.motion_id),
        (None, Some(p)) => p
            .subject
            .motions(p.motion_id)
            .into_iter()
            .filter(|id| motions.iter().any(|m| m.id == *id && m.outcome_text.is_none()))
            .collect(),
        (None, None) => vec![],
    };
    // The running order goes by place on the agenda: a motion's rank in agenda order stands for its number
    // (an agenda's "12a" has an internal number far above 13's).
    let rank = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    let entries: Vec<procedure::hall::AgendaEntry> = motions
        .iter()
        .enumerate()
        .map(|(i, m)| procedure::hall::AgendaEntry { number: rank(i), decided: m.outcome_text.is_some() })
        .collect();
    let current: Vec<u32> =
        motions.iter().enumerate().filter(|(_, m)| current_ids.contains(&m.id)).map(|(i, _)| rank(i)).collect();
    let order = procedure::hall::running_order(&entries, &current);
    let agenda = HallAgenda {
        now: order.now.iter().map(|&i| agenda_line(&motions[i])).collect(),
        next: order.next.map(|i| agenda_line(&motions[i])),
        decided: order.decided.iter().map(|&i| agenda_line(&motions[i])).collect(),
        motions: motions.len(),
    };
    Ok(HallState { conference, open_poll, last_closed, representative: rep.is_some(), my_vote, agenda })
}
