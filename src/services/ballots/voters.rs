//! Roll.

use super::*;

pub fn import_roll(conn: &mut DbConnection, actor: &User, id: i64, csv: &str) -> AppResult<RollImportResult> {
    import_roll_with_progress(conn, actor, id, csv, &|_, _| {})
}

/// [`import_roll`], calling `progress(done, total)` as rows are stored (the CLI draws a bar with it).
pub fn import_roll_with_progress(
    conn: &mut DbConnection,
    actor: &User,
    id: i64,
    csv: &str,
    progress: &dyn Fn(usize, usize),
) -> AppResult<RollImportResult> {
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        if b.status != BallotStatus::Draft {
            return Err(AppError::conflict("the roll froze when the ballot opened"));
        }
        let existing_rows: Vec<(String, String, String, String, String)> = roll::table
            .filter(roll::ballot_id.eq(id))
            .select((roll::membership_no, roll::name, roll::email, roll::lmc, roll::role))
            .load(conn)?;
        let existing = ballot::ExistingRoll {
            membership_nos: existing_rows.iter().map(|r| r.0.clone()).collect(),
            emails: existing_rows.iter().map(|r| r.2.to_lowercase()).collect(),
            entries: existing_rows
                .iter()
                .filter_map(|(no, name, email, lmc, role)| {
                    Some(ballot::RollEntry {
                        membership_no: no.clone(),
                        name: crate::domain::PersonName::parse(name).ok()?,
                        email: crate::domain::EmailAddress::parse(email).ok()?,
                        lmc: lmc.clone(),
                        role: role.parse().ok()?,
                    })
                })
                .collect(),
        };
        let parsed = ballot::parse_roll(csv, &existing)?;
        for e in &parsed.changed {
            diesel::update(roll::table.filter(roll::ballot_id.eq(id)).filter(roll::membership_no.eq(&e.membership_no)))
                .set((
                    roll::name.eq(e.name.as_str()),
                    roll::email.eq(e.email.as_str()),
                    roll::lmc.eq(&e.lmc),
                    roll::role.eq(e.role.as_str()),
                ))
                .execute(conn)?;
        }
        let total = parsed.accepted.len();
        for (done, chunk) in parsed.accepted.chunks(500).enumerate() {
            progress(done * 500, total);
            let rows: Vec<_> = chunk
                .iter()
                .map(|e| {
                    (
                        roll::ballot_id.eq(id),
                        roll::membership_no.eq(&e.membership_no),
                        roll::name.eq(e.name.as_str()),
                        roll::email.eq(e.email.as_str()),
                        roll::lmc.eq(&e.lmc),
                        roll::role.eq(e.role.as_str()),
                        roll::voted.eq(false),
                        roll::confirmed.eq(false),
                    )
                })
                .collect();
            // One statement per row: diesel's MultiConnection has no batch insert for SQLite.
            for row in rows {
                diesel::insert_into(roll::table).values(row).execute(conn)?;
            }
        }
        progress(total, total);
        audit_log::append(
            conn,
            &actor.email,
            audit_log::AuditAction::BallotRollImport,
            &format!("ballot {id}"),
            serde_json::json!({
                "added": parsed.accepted.len(),
                "changed": parsed.changed.len(),
                "unchanged": parsed.unchanged,
                "rejected": parsed.rejected.len()
            }),
        )?;
        Ok(RollImportResult {
            added: parsed.accepted.len(),
            changed: parsed.changed.len(),
            unchanged: parsed.unchanged,
            rejected: parsed.rejected,
            roll_size: roll_size(conn, id)?,
            columns: parsed.columns,
            separator: parsed.separator,
        })
    })
}
