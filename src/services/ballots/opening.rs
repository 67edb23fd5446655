//! Opening.

use super::*;

pub(super) fn choice_keys(q: &QuestionDef) -> Vec<String> {
    match q.kind {
        ballot::QuestionKind::YesNo => vec!["yes".into(), "no".into()],
        _ => q.options.clone(),
    }
}

/// Open the ballot: freeze the roll (N), commit the definition and N in the genesis, store keyed hashes
/// of the voting codes, and queue one invitation per voter.
pub fn open_ballot(conn: &mut DbConnection, actor: &str, keys: &Keys, id: i64) -> AppResult<Opened> {
    if crate::services::e2e::is_end_to_end(conn, id)? {
        return crate::services::e2e::open_ballot(conn, actor, keys, id);
    }
    db::write_tx(conn, |conn| {
        let b = load(conn, id)?;
        if b.status != BallotStatus::Draft {
            return Err(AppError::conflict(format!("the ballot is {}, not a draft", b.status)));
        }
        if let Some(c) = b.closes_at {
            if c <= db::now() {
                return Err(AppError::conflict("the ballot's closing time has passed; change it before opening"));
            }
        }
        let rows: Vec<(i64, String, String, String, String)> = roll::table
            .filter(roll::ballot_id.eq(id))
            .order(roll::id.asc())
            .select((roll::id, roll::email, roll::name, roll::lmc, roll::role))
            .load(conn)?;
        if rows.is_empty() {
            return Err(AppError::conflict("the roll is empty: import the electoral roll before opening"));
        }
        let eligible = rows.len() as i64;
        let roll_ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let genesis = audit::v2::genesis_v2(&definition_v2(&b), eligible as u64, &roll_root(keys, id, &roll_ids))
            .map_err(AppError::internal)?;
        let genesis_hex = chain::to_hex(&genesis);
        for (roll_id, email, name, _, _) in &rows {
            let code = voting_code(&keys.code_key, id, *roll_id);
            diesel::update(roll::table.filter(roll::id.eq(roll_id)))
                .set(roll::code_hash.eq(code_hash(&keys.code_key, &code)))
                .execute(conn)?;
            mail::enqueue(
                conn,
                &mail::Outgoing {
                    kind: mail::MailKind::Invitation,
                    to_addr: email.clone(),
                    to_name: name.clone(),
                    subject: letters::ballot_invitation_subject(&b.title),
                    body: String::new(),
                    ballot_id: Some(id),
                    roll_id: Some(*roll_id),
                },
            )?;
        }
        // Aggregate counters for the breakdowns (by LMC area and by role), created up front.
        let mut groups: BTreeMap<(&str, &str), ()> = BTreeMap::new();
        for (_, _, _, lmc, role) in &rows {
            groups.insert(("lmc", lmc.as_str()), ());
            groups.insert(("role", role.as_str()), ());
        }
        let mut counters = Vec::new();
        for ((dimension, grp), ()) in &groups {
            for (qi, q) in b.questions.iter().enumerate() {
                for key in choice_keys(q) {
                    counters.push((
                        group_counts::ballot_id.eq(id),
                        group_counts::dimension.eq(dimension.to_string()),
                        group_counts::grp.eq(grp.to_string()),
                        group_counts::question.eq(qi as i32),
                        group_counts::choice.eq(key),
                        group_counts::votes.eq(0i64),
                    ));
                }
            }
        }
        for row in counters {
            diesel::insert_into(group_counts::table).values(row).execute(conn)?;
        }
        diesel::update(ballots::table.filter(ballots::id.eq(id)))
            .set((
                ballots::status.eq(BallotStatus::Open),
                ballots::opened_at.eq(Some(db::now())),
                ballots::eligible.eq(Some(eligible)),
                ballots::genesis.eq(Some(&genesis_hex)),
                ballots::head.eq(Some(&genesis_hex)),
                ballots::entry_count.eq(0i64),
            ))
            .execute(conn)?;
        audit_log::append(
            conn,
            actor,
            audit_log::AuditAction::BallotOpen,
            &format!("ballot {id}"),
            serde_json::json!({"eligible": eligible, "genesis": genesis_hex}),
        )?;
        Ok(Opened { id, eligible, invitations_queued: eligible, genesis: genesis_hex })
    })
}

/// Who is voting: a voting code, or a signed-in member whose email is on the roll.
pub enum Voter<'a> {
    Code(&'a str),
    Member(&'a User),
}
