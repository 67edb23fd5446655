//! Representatives by CSV.

use super::*;

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RepresentativeImport {
    /// Representatives registered (new accounts and existing ones).
    pub added: usize,
    /// New accounts created; each is emailed a one-time link to set a password.
    pub invited: usize,
    pub rejected: Vec<crate::ballot::Rejected>,
}

/// Register representatives from CSV with the header `name,email,lmc`. A new email gets an account with
/// the representative role and an invitation with a one-time link to set a password; an existing account
/// is registered as it is. Bad lines are reported with their line numbers; the rest are kept.
pub fn import_representatives(
    conn: &mut DbConnection,
    actor: &User,
    conference_id: i64,
    csv: &str,
    public_url: &str,
) -> AppResult<RepresentativeImport> {
    let records = crate::ballot::roll::csv_records(csv);
    let Some((_, header)) = records.first() else {
        return Err(AppError::new(ErrorCode::InvalidCsv, "the file is empty: expected a header line name,email,lmc"));
    };
    let header: Vec<String> = header
        .clone()
        .map_err(|e| AppError::new(ErrorCode::InvalidCsv, format!("line 1: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            AppError::new(ErrorCode::InvalidCsv, format!("the header has no {name} column: expected name,email,lmc"))
        })
    };
    let (ci_name, ci_email, ci_lmc) = (col("name")?, col("email")?, col("lmc")?);
    if let Some(extra) = header.iter().find(|h| !["name", "email", "lmc"].contains(&h.as_str())) {
        return Err(AppError::new(
            ErrorCode::InvalidCsv,
            format!("the header has an unknown column {extra:?}: expected name,email,lmc"),
        ));
    }
    if records.len() > 10_001 {
        return Err(AppError::new(ErrorCode::InvalidCsv, "at most 10,000 representatives in one file"));
    }
    db::write_tx(conn, |c| {
        let conf = conference_row(c, conference_id)?;
        if conf.status != ConferenceStatus::Open {
            return Err(AppError::conflict("the conference is closed"));
        }
        let mut out = RepresentativeImport { added: 0, invited: 0, rejected: Vec::new() };
        let mut seen = std::collections::HashMap::new();
        for (line, fields) in records.iter().skip(1) {
            let reject = |reason: String| crate::ballot::Rejected { line: *line, reason };
            let fields = match fields {
                Ok(f) if f.len() == header.len() => f,
                Ok(f) => {
                    out.rejected.push(reject(format!("{} fields, expected {}", f.len(), header.len())));
                    continue;
                }
                Err(e) => {
                    out.rejected.push(reject(e.clone()));
                    continue;
                }
            };
            let parsed = (|| -> AppResult<(crate::domain::PersonName, crate::domain::EmailAddress, String)> {
                Ok((
                    auth::validate_name(&fields[ci_name], "name")?,
                    auth::validate_email(&fields[ci_email])?,
                    trimmed(&fields[ci_lmc], "lmc", 100)?,
                ))
            })();
            let (name, email, lmc) = match parsed {
                Ok(p) => p,
                Err(e) => {
                    out.rejected.push(reject(e.detail));
                    continue;
                }
            };
            if let Some(first) = seen.get(&email) {
                out.rejected.push(reject(format!("duplicate email {email} (first on line {first})")));
                continue;
            }
            seen.insert(email.clone(), *line);
            let user_id = match representative_account(c, &conf, email.as_str(), Some(name.as_str()), &lmc, public_url)?
            {
                Ok((id, invited)) => {
                    if invited {
                        out.invited += 1;
                    }
                    id
                }
                Err(reason) => {
                    out.rejected.push(reject(reason));
                    continue;
                }
            };
            let already: i64 = representatives::table
                .filter(representatives::conference_id.eq(conference_id))
                .filter(representatives::user_id.eq(user_id))
                .count()
                .get_result(c)?;
            if already > 0 {
                out.rejected.push(reject(format!("{email} is already a representative at this conference")));
                continue;
            }
            add_representative_in_tx(c, actor, conference_id, user_id, &lmc)?;
            out.added += 1;
        }
        audit_log::append(
            c,
            &actor.email,
            audit_log::AuditAction::ConferenceRepresentativesImport,
            &format!("conference {conference_id}"),
            serde_json::json!({"added": out.added, "invited": out.invited, "rejected": out.rejected.len()}),
        )?;
        Ok(out)
    })
}
