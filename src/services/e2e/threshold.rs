//! Threshold (t of n) trustees: the key ceremony of Belenios 2.0's Pedersen trustees, relayed by the
//! service (docs/e2e.md, "Threshold trustees"). The service only keeps and passes on what the trustees sign
//! and encrypt: it checks each message with the pure functions of `carried_e2e::pedersen` before keeping
//! it, makes each trustee's verification input from the polynomials (step 4, the relay's step), and
//! assembles `threshold.json` when every verification output is in. It never sees a share in clear.
//!
//! Steps, in order, each by every trustee: 1. certificate; 3. polynomial (once every certificate is in);
//! 5. verification output (once every polynomial is in, from the verification input the service made).
//! The officer may restart the ceremony while the ballot is a draft (every message is discarded).

use carried_e2e::formats::{Pedersen, SignedMsg};
use carried_e2e::pedersen::{self, Polynomial, Voutput};

use super::*;

/// Where a ceremony stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CeremonyStep {
    /// Step 1: every trustee posts a certificate.
    Certificates,
    /// Step 3: every trustee posts a polynomial (commitments and encrypted shares).
    Polynomials,
    /// Step 5: every trustee fetches its verification input and posts its verification output.
    Verification,
    /// `threshold.json` is assembled: the ballot may open.
    Complete,
}

impl CeremonyStep {
    pub fn as_str(self) -> &'static str {
        match self {
            CeremonyStep::Certificates => "certificates",
            CeremonyStep::Polynomials => "polynomials",
            CeremonyStep::Verification => "verification",
            CeremonyStep::Complete => "complete",
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CeremonyTrustee {
    /// 1-based: the trustee's place in the ceremony (and the `owner` of its partial decryption).
    pub position: i32,
    pub user_id: i64,
    pub name: String,
    pub certificate: bool,
    pub polynomial: bool,
    pub voutput: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CeremonyView {
    pub ballot_id: i64,
    /// The ballot's status (the ceremony runs while it is a draft).
    pub status: BallotStatus,
    /// How many trustees must take part to decrypt (t).
    pub threshold: i32,
    /// How many trustees there are (n).
    pub trustees_count: usize,
    pub step: CeremonyStep,
    /// The trustees who must act for the ceremony to move on (names).
    pub waiting_for: Vec<String>,
    /// Their positions.
    pub waiting_for_positions: Vec<i32>,
    pub trustees: Vec<CeremonyTrustee>,
    /// Once every certificate is in: the certificates in the trustees' order (a `certs.jsons`).
    #[schema(value_type = Option<Vec<Object>>)]
    pub certificates: Option<Vec<Value>>,
    /// Once complete: `threshold.json`, the Pedersen entry of the election's trustees.
    #[schema(value_type = Option<Object>)]
    pub threshold_params: Option<Value>,
}

struct Row {
    position: i32,
    user_id: i64,
    name: String,
    certificate: Option<String>,
    polynomial: Option<String>,
    voutput: Option<String>,
}

fn rows(conn: &mut DbConnection, id: i64) -> AppResult<Vec<Row>> {
    type R = (i32, i64, Option<String>, Option<String>, Option<String>);
    let rows: Vec<R> = e2e_trustees::table
        .filter(e2e_trustees::ballot_id.eq(id))
        .order(e2e_trustees::position.asc())
        .select((
            e2e_trustees::position,
            e2e_trustees::user_id,
            e2e_trustees::certificate,
            e2e_trustees::polynomial,
            e2e_trustees::voutput,
        ))
        .load(conn)?;
    let name = trustee_names(conn, &rows.iter().map(|r| r.1).collect::<Vec<_>>())?;
    Ok(rows
        .into_iter()
        .map(|(position, user_id, certificate, polynomial, voutput)| Row {
            position,
            user_id,
            name: name(user_id),
            certificate,
            polynomial,
            voutput,
        })
        .collect())
}

fn step_of(rows: &[Row]) -> CeremonyStep {
    if rows.iter().any(|r| r.certificate.is_none()) {
        CeremonyStep::Certificates
    } else if rows.iter().any(|r| r.polynomial.is_none()) {
        CeremonyStep::Polynomials
    } else if rows.iter().any(|r| r.voutput.is_none()) {
        CeremonyStep::Verification
    } else {
        CeremonyStep::Complete
    }
}

fn waiting(rows: &[Row], step: CeremonyStep) -> Vec<&Row> {
    rows.iter()
        .filter(|r| match step {
            CeremonyStep::Certificates => r.certificate.is_none(),
            CeremonyStep::Polynomials => r.polynomial.is_none(),
            CeremonyStep::Verification => r.voutput.is_none(),
            CeremonyStep::Complete => false,
        })
        .collect()
}

fn names(rows: &[&Row]) -> String {
    rows.iter().map(|r| format!("{} (trustee {})", r.name, r.position)).collect::<Vec<_>>().join(", ")
}

/// The threshold t of an end-to-end ballot, None when each trustee has a single key.
pub fn threshold_of(conn: &mut DbConnection, id: i64) -> AppResult<Option<i32>> {
    Ok(e2e_ballots::table
        .filter(e2e_ballots::ballot_id.eq(id))
        .select(e2e_ballots::threshold)
        .first::<Option<i32>>(conn)
        .optional()?
        .flatten())
}

/// 404 / 409 unless ballot `id` is end to end with threshold trustees: (status, t).
fn require_threshold(conn: &mut DbConnection, id: i64) -> AppResult<(BallotStatus, i32)> {
    let status = require_e2e(conn, id)?;
    let t = threshold_of(conn, id)?.ok_or_else(|| {
        AppError::conflict(format!(
            "ballot {id} has no threshold key ceremony: each of its trustees uploads a key (POST /api/v1/ballots/{id}/trustee-key)"
        ))
    })?;
    Ok((status, t))
}

fn parse<T: serde::de::DeserializeOwned>(v: Value, what: &str) -> AppResult<T> {
    serde_json::from_value(v).map_err(|e| AppError::validation(format!("{what}: {e}")))
}

fn stored<T: serde::de::DeserializeOwned>(text: Option<&str>, what: &str) -> AppResult<T> {
    serde_json::from_str(text.unwrap_or_default()).map_err(|e| AppError::internal_msg(format!("a stored {what}: {e}")))
}

fn certs_of(rows: &[Row]) -> AppResult<Vec<SignedMsg>> {
    rows.iter().map(|r| stored(r.certificate.as_deref(), "certificate")).collect()
}

fn polys_of(rows: &[Row]) -> AppResult<Vec<Polynomial>> {
    rows.iter().map(|r| stored(r.polynomial.as_deref(), "polynomial")).collect()
}

/// The ceremony of a ballot with threshold trustees: its step, who is still to act, and (when they exist)
/// the certificates and `threshold.json`.
pub fn ceremony(conn: &mut DbConnection, id: i64) -> AppResult<CeremonyView> {
    let (status, threshold) = require_threshold(conn, id)?;
    let rows = rows(conn, id)?;
    let step = step_of(&rows);
    let w = waiting(&rows, step);
    let certificates = if step == CeremonyStep::Certificates {
        None
    } else {
        Some(rows.iter().map(|r| stored(r.certificate.as_deref(), "certificate")).collect::<AppResult<Vec<Value>>>()?)
    };
    let params: Option<String> =
        e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(id)).select(e2e_ballots::threshold_params).first(conn)?;
    Ok(CeremonyView {
        ballot_id: id,
        status,
        threshold,
        trustees_count: rows.len(),
        step,
        waiting_for: w.iter().map(|r| r.name.clone()).collect(),
        waiting_for_positions: w.iter().map(|r| r.position).collect(),
        certificates,
        threshold_params: params.as_deref().map(|p| stored(Some(p), "threshold.json")).transpose()?,
        trustees: rows
            .iter()
            .map(|r| CeremonyTrustee {
                position: r.position,
                user_id: r.user_id,
                name: r.name.clone(),
                certificate: r.certificate.is_some(),
                polynomial: r.polynomial.is_some(),
                voutput: r.voutput.is_some(),
            })
            .collect(),
    })
}

/// Common start of a trustee's post: a draft ballot with threshold trustees of which `user` is one, locked;
/// returns (position, t, rows).
fn start_post(conn: &mut DbConnection, user: &User, id: i64) -> AppResult<(i32, i32, Vec<Row>)> {
    let (status, t) = require_threshold(conn, id)?;
    let position = require_trustee(conn, user, id)?;
    lock_ballot(conn, id)?;
    if status != BallotStatus::Draft {
        return Err(AppError::conflict(format!("the ballot is {status}: its key ceremony ended when it opened")));
    }
    Ok((position, t, rows(conn, id)?))
}

/// 409 unless the ceremony is at `want`, saying where it is and who is to act.
fn require_step(rows: &[Row], want: CeremonyStep, what: &str) -> AppResult<()> {
    let step = step_of(rows);
    if step == want {
        return Ok(());
    }
    let msg = match step {
        CeremonyStep::Complete => {
            format!("the key ceremony is complete: a {what} can no longer change (the officer may restart the ceremony)")
        }
        s if (s as u8) < (want as u8) => format!(
            "the key ceremony is at step \"{}\": a {what} comes later; still to act: {}",
            s.as_str(),
            names(&waiting(rows, s))
        ),
        s => format!(
            "the key ceremony has moved on to step \"{}\": a {what} can no longer change (the officer may restart the ceremony)",
            s.as_str()
        ),
    };
    Err(AppError::conflict(msg))
}

fn store(conn: &mut DbConnection, id: i64, position: i32, column: &str, text: &str) -> AppResult<()> {
    let target = e2e_trustees::table.filter(e2e_trustees::ballot_id.eq(id)).filter(e2e_trustees::position.eq(position));
    match column {
        "certificate" => diesel::update(target).set(e2e_trustees::certificate.eq(Some(text))).execute(conn)?,
        "polynomial" => diesel::update(target).set(e2e_trustees::polynomial.eq(Some(text))).execute(conn)?,
        _ => diesel::update(target).set(e2e_trustees::voutput.eq(Some(text))).execute(conn)?,
    };
    Ok(())
}

/// Step 1: trustee `user` posts their certificate (as `carried trustee threshold-cert` prints it). Its
/// signature must verify with its own verification key, and its keys must be in the group and not another
/// trustee's. A trustee may replace theirs until every certificate is in.
pub fn post_certificate(conn: &mut DbConnection, user: &User, id: i64, body: Value) -> AppResult<CeremonyView> {
    let g = &*carried_e2e::group::BELENIOS_2048;
    db::write_tx(conn, |conn| {
        let (position, _, rows) = start_post(conn, user, id)?;
        require_step(&rows, CeremonyStep::Certificates, "certificate")?;
        let cert: SignedMsg = parse(
            body,
            "the certificate does not parse as a Belenios signed message ({\"message\",\"signature\":{\"challenge\",\"response\"}})",
        )?;
        let keys = pedersen::check_certs(g, std::slice::from_ref(&cert)).map_err(|_| {
            AppError::validation(
                "the certificate is refused: its keys are not in the group or its signature does not verify with its own verification key",
            )
        })?;
        let mine = &keys[0];
        for r in rows.iter().filter(|r| r.position != position) {
            let Some(text) = r.certificate.as_deref() else { continue };
            let other: SignedMsg = stored(Some(text), "certificate")?;
            if let Ok(k) = pedersen::check_certs(g, &[other]) {
                if k[0].verification == mine.verification || k[0].encryption == mine.encryption {
                    return Err(AppError::conflict(format!(
                        "this certificate's keys are already trustee {}'s: each trustee makes their own (carried trustee threshold-cert)",
                        r.position
                    )));
                }
            }
        }
        let text = to_json(&cert);
        store(conn, id, position, "certificate", &text)?;
        audit_log::append(
            conn,
            &user.email,
            audit_log::AuditAction::BallotCeremonyCertificate,
            &format!("ballot {id}"),
            serde_json::json!({"position": position, "sha256": sha256_hex(text.as_bytes())}),
        )?;
        ceremony(conn, id)
    })
}

/// Step 3: trustee `user` posts their polynomial (as `carried trustee threshold-polynomial` prints it),
/// once every certificate is in: a share for every trustee, commitments signed with their certificate's
/// key, as many as the threshold. A trustee may replace theirs until every polynomial is in.
pub fn post_polynomial(conn: &mut DbConnection, user: &User, id: i64, body: Value) -> AppResult<CeremonyView> {
    let g = &*carried_e2e::group::BELENIOS_2048;
    db::write_tx(conn, |conn| {
        let (position, t, rows) = start_post(conn, user, id)?;
        require_step(&rows, CeremonyStep::Polynomials, "polynomial")?;
        let p: Polynomial = parse(
            body,
            "the polynomial does not parse as a step-3 output ({\"polynomial\",\"secrets\",\"coefexps\"})",
        )?;
        let certs = certs_of(&rows)?;
        pedersen::check_polynomial(g, &certs, position as usize, t.max(0) as usize, &p)
            .map_err(|e| AppError::validation(format!("the polynomial is refused: {e}")))?;
        let text = to_json(&p);
        store(conn, id, position, "polynomial", &text)?;
        audit_log::append(
            conn,
            &user.email,
            audit_log::AuditAction::BallotCeremonyPolynomial,
            &format!("ballot {id}"),
            serde_json::json!({"position": position, "sha256": sha256_hex(text.as_bytes())}),
        )?;
        ceremony(conn, id)
    })
}

/// Step 4, the relay's: trustee `user`'s verification input (what every trustee sent them), once every
/// polynomial is in; for `carried trustee threshold-voutput --vinput`.
pub fn vinput(conn: &mut DbConnection, user: &User, id: i64) -> AppResult<Value> {
    let g = &*carried_e2e::group::BELENIOS_2048;
    require_threshold(conn, id)?;
    let position = require_trustee(conn, user, id)?;
    let rows = rows(conn, id)?;
    let step = step_of(&rows);
    if matches!(step, CeremonyStep::Certificates | CeremonyStep::Polynomials) {
        return Err(AppError::conflict(format!(
            "the verification inputs are made when every polynomial is in; the ceremony is at step \"{}\", still to act: {}",
            step.as_str(),
            names(&waiting(&rows, step))
        )));
    }
    let vinputs = pedersen::step4(g, &certs_of(&rows)?, &polys_of(&rows)?)
        .map_err(|e| AppError::internal_msg(format!("the stored polynomials: {e}")))?;
    let mine = vinputs
        .into_iter()
        .nth((position - 1).max(0) as usize)
        .ok_or_else(|| AppError::internal_msg("no verification input for this trustee"))?;
    serde_json::to_value(&mine).map_err(AppError::internal)
}

/// Step 5: trustee `user` posts their verification output (as `carried trustee threshold-voutput`
/// prints it): its key's proof of knowledge must verify and the key must be the one the commitments give.
/// With the last one, `threshold.json` is assembled (step 6) and the ballot may open.
pub fn post_voutput(conn: &mut DbConnection, user: &User, id: i64, body: Value) -> AppResult<CeremonyView> {
    let g = &*carried_e2e::group::BELENIOS_2048;
    db::write_tx(conn, |conn| {
        let (position, _, rows) = start_post(conn, user, id)?;
        require_step(&rows, CeremonyStep::Verification, "verification output")?;
        let v: Voutput = parse(
            body,
            "the verification output does not parse as a step-5 output ({\"private_key\",\"public_key\":{\"pok\",\"public_key\"}})",
        )?;
        let certs = certs_of(&rows)?;
        let polys = polys_of(&rows)?;
        pedersen::check_voutput(g, &certs, &polys, position as usize, &v)
            .map_err(|e| AppError::validation(format!("the verification output is refused: {e}")))?;
        let text = to_json(&v);
        store(conn, id, position, "voutput", &text)?;
        diesel::update(
            e2e_trustees::table.filter(e2e_trustees::ballot_id.eq(id)).filter(e2e_trustees::position.eq(position)),
        )
        .set((
            e2e_trustees::public_key.eq(Some(to_json(&v.public_key))),
            e2e_trustees::key_uploaded_at.eq(Some(db::now())),
        ))
        .execute(conn)?;
        audit_log::append(
            conn,
            &user.email,
            audit_log::AuditAction::BallotCeremonyVoutput,
            &format!("ballot {id}"),
            serde_json::json!({"position": position, "sha256": sha256_hex(text.as_bytes())}),
        )?;
        let rows = super::threshold::rows(conn, id)?;
        if step_of(&rows) == CeremonyStep::Complete {
            let outs: Vec<Voutput> =
                rows.iter().map(|r| stored(r.voutput.as_deref(), "voutput")).collect::<AppResult<_>>()?;
            let params = pedersen::step6(g, &certs, &polys, &outs)
                .map_err(|e| AppError::internal_msg(format!("threshold.json does not assemble: {e}")))?;
            carried_e2e::trustee::check_pedersen(g, &params)
                .map_err(|e| AppError::internal_msg(format!("threshold.json does not check: {e}")))?;
            let json = to_json(&params);
            diesel::update(e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(id)))
                .set(e2e_ballots::threshold_params.eq(Some(&json)))
                .execute(conn)?;
            audit_log::append(
                conn,
                "service",
                audit_log::AuditAction::BallotCeremonyComplete,
                &format!("ballot {id}"),
                serde_json::json!({"threshold": params.threshold, "sha256": sha256_hex(json.as_bytes())}),
            )?;
        }
        ceremony(conn, id)
    })
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Restart {
    /// New trustees (user ids, in order), e.g. to replace one who dropped out; omitted: the same trustees.
    pub trustees: Option<Vec<i64>>,
    /// A new threshold t; omitted: the same (it must not exceed the number of trustees).
    pub threshold: Option<i32>,
}

/// The officer restarts the key ceremony of a draft ballot with threshold trustees (optionally with other
/// trustees or another threshold): every message of the ceremony is discarded, and the audit log says how
/// many.
pub fn restart(conn: &mut DbConnection, actor: &User, id: i64, r: Restart) -> AppResult<CeremonyView> {
    db::write_tx(conn, |conn| {
        let (status, t) = require_threshold(conn, id)?;
        lock_ballot(conn, id)?;
        if status != BallotStatus::Draft {
            return Err(AppError::conflict(format!(
                "the ballot is {status}: its key ceremony ended when it opened and cannot restart"
            )));
        }
        let old = rows(conn, id)?;
        let discarded = old
            .iter()
            .map(|r| {
                usize::from(r.certificate.is_some())
                    + usize::from(r.polynomial.is_some())
                    + usize::from(r.voutput.is_some())
            })
            .sum::<usize>();
        let trustees: Vec<i64> = match &r.trustees {
            Some(list) => check_definition(Some(END_TO_END), Some(list.as_slice()))?.unwrap_or_default(),
            None => old.iter().map(|r| r.user_id).collect(),
        };
        let threshold = r.threshold.unwrap_or(t);
        check_threshold(threshold, trustees.len())?;
        diesel::delete(e2e_trustees::table.filter(e2e_trustees::ballot_id.eq(id))).execute(conn)?;
        insert_trustees(conn, id, &trustees)?;
        diesel::update(e2e_ballots::table.filter(e2e_ballots::ballot_id.eq(id)))
            .set((e2e_ballots::threshold.eq(Some(threshold)), e2e_ballots::threshold_params.eq(None::<String>)))
            .execute(conn)?;
        audit_log::append(
            conn,
            &actor.email,
            audit_log::AuditAction::BallotCeremonyRestart,
            &format!("ballot {id}"),
            serde_json::json!({
                "discarded_messages": discarded,
                "trustees": trustees,
                "threshold": threshold,
            }),
        )?;
        ceremony(conn, id)
    })
}

/// 422 unless 1 ≤ t ≤ n.
pub fn check_threshold(t: i32, n: usize) -> AppResult<()> {
    if t < 1 || t as usize > n {
        return Err(AppError::validation(format!(
            "threshold: {t} is not between 1 and {n} (the number of trustees): any t of the n trustees will decrypt"
        )));
    }
    Ok(())
}

/// The election's trustees at opening: the Pedersen set of a complete ceremony (409 saying who is still to
/// act otherwise), or one Single key per trustee (409 naming who has not uploaded one).
pub fn election_trustees(conn: &mut DbConnection, id: i64) -> AppResult<Vec<Trustee>> {
    if threshold_of(conn, id)?.is_some() {
        let rows = rows(conn, id)?;
        let step = step_of(&rows);
        let params: Option<String> = e2e_ballots::table
            .filter(e2e_ballots::ballot_id.eq(id))
            .select(e2e_ballots::threshold_params)
            .first(conn)?;
        let (CeremonyStep::Complete, Some(params)) = (step, params) else {
            return Err(AppError::conflict(format!(
                "the ballot cannot open until its trustees' key ceremony is complete: it is at step \"{}\"; still to act: {}",
                step.as_str(),
                names(&waiting(&rows, step))
            )));
        };
        let p: Pedersen = stored(Some(&params), "threshold.json")?;
        return Ok(vec![Trustee::Pedersen(p)]);
    }
    let rows = trustee_rows(conn, id)?;
    let missing: Vec<String> = rows.iter().filter(|r| r.public_key.is_none()).map(|r| r.name.clone()).collect();
    if !missing.is_empty() {
        return Err(AppError::conflict(format!(
            "the ballot cannot open until every trustee has uploaded a key; missing: {}",
            missing.join(", ")
        )));
    }
    rows.iter()
        .map(|r| {
            serde_json::from_str(r.public_key.as_deref().unwrap_or_default())
                .map(Trustee::Single)
                .map_err(|e| AppError::internal_msg(format!("a stored trustee key does not parse: {e}")))
        })
        .collect()
}

/// How many partial decryptions make the result: t for threshold trustees, every trustee otherwise.
pub fn decryptions_required(conn: &mut DbConnection, id: i64, trustees: usize) -> AppResult<usize> {
    Ok(threshold_of(conn, id)?.map(|t| t.max(1) as usize).unwrap_or(trustees))
}
