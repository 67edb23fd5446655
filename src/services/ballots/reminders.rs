//! Reminders and resending.

use super::*;

/// Queue a reminder (with the voter's code) to everyone on the roll who has not voted. A second round
/// within the hour is refused unless `force` (services::reminders).
pub fn send_reminders(conn: &mut DbConnection, actor: &User, id: i64, force: bool) -> AppResult<i64> {
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        if b.status != "open" {
            return Err(AppError::new(ErrorCode::BallotNotOpen, "reminders go out only while the ballot is open"));
        }
        crate::services::reminders::check_not_too_soon(conn, id, force)?;
        let rows: Vec<(i64, String, String)> = roll::table
            .filter(roll::ballot_id.eq(id))
            .filter(roll::voted.eq(false))
            .order(roll::id.asc())
            .select((roll::id, roll::email, roll::name))
            .load(conn)?;
        for (roll_id, email, name) in &rows {
            mail::enqueue(
                conn,
                &mail::Outgoing {
                    kind: "reminder".into(),
                    to_addr: email.clone(),
                    to_name: name.clone(),
                    subject: format!("Reminder: your vote in {}", b.title),
                    body: String::new(),
                    ballot_id: Some(id),
                    roll_id: Some(*roll_id),
                },
            )?;
        }
        audit_log::append(
            conn,
            &actor.email,
            "ballot.remind",
            &format!("ballot {id}"),
            serde_json::json!({"reminders": rows.len(), "forced": force}),
        )?;
        Ok(rows.len() as i64)
    })
}

/// Resend one voter's invitation (same code: codes are derived, not re-issued).
pub fn resend_invitation(conn: &mut DbConnection, actor: &User, id: i64, membership_no: &str) -> AppResult<()> {
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        if b.status != "open" {
            return Err(AppError::new(
                ErrorCode::BallotNotOpen,
                "invitations can be resent only while the ballot is open",
            ));
        }
        let (roll_id, email, name): (i64, String, String) = roll::table
            .filter(roll::ballot_id.eq(id))
            .filter(roll::membership_no.eq(membership_no))
            .select((roll::id, roll::email, roll::name))
            .first(conn)
            .optional()?
            .ok_or_else(|| AppError::not_found(format!("membership number {membership_no} is not on this roll")))?;
        mail::enqueue(
            conn,
            &mail::Outgoing {
                kind: "invitation".into(),
                to_addr: email,
                to_name: name,
                subject: format!("Your vote: {}", b.title),
                body: String::new(),
                ballot_id: Some(id),
                roll_id: Some(roll_id),
            },
        )?;
        audit_log::append(
            conn,
            &actor.email,
            "ballot.resend",
            &format!("ballot {id}"),
            serde_json::json!({"membership_no": membership_no}),
        )?;
        Ok(())
    })
}
