//! Reminders and resending.

use super::*;

/// Queue a reminder (with the voter's code) to everyone on the roll who has not voted. A second round
/// within the hour is refused unless `force` (services::reminders).
pub fn send_reminders(conn: &mut DbConnection, actor: &User, id: i64, force: bool) -> AppResult<i64> {
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        if b.status != BallotStatus::Open {
            return Err(AppError::new(ErrorCode::BallotNotOpen, "reminders go out only while the ballot is open"));
        }
        crate::services::reminders::check_not_too_soon(conn, id, force)?;
        crate::services::reminders::queue_round(conn, id, &b.title, &actor.email, serde_json::json!({"forced": force}))
    })
}

/// Resend one voter's invitation (same code: codes are derived, not re-issued).
pub fn resend_invitation(conn: &mut DbConnection, actor: &User, id: i64, membership_no: &str) -> AppResult<()> {
    crate::services::e2e::refuse_resend(conn, id)?;
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        if b.status != BallotStatus::Open {
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
                kind: mail::MailKind::Invitation,
                to_addr: email,
                to_name: name,
                subject: letters::ballot_invitation_subject(&b.title),
                body: String::new(),
                ballot_id: Some(id),
                roll_id: Some(roll_id),
            },
        )?;
        audit_log::append(
            conn,
            &actor.email,
            audit_log::AuditAction::BallotResend,
            &format!("ballot {id}"),
            serde_json::json!({"membership_no": membership_no}),
        )?;
        Ok(())
    })
}
