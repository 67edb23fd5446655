//! The credential on its way to the voter: sealed in the invitation's outbox row, unsealed by the mail
//! sender (docs/e2e.md, "The credential on its way to the voter").

use super::*;

const SEAL_PREFIX: &str = "e2e-credential:v1:";

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    for p in parts {
        m.update(&(p.len() as u64).to_be_bytes());
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// The private credential as it waits in the outbox: XOR with an HMAC-SHA-256 keystream and authenticated
/// (encrypt-then-MAC) under the service's code key (kept outside the database), bound to the ballot and
/// roll entry. A database reader alone cannot read it; it is gone once the email is sent.
pub fn seal(key: &[u8], ballot_id: i64, roll_id: i64, credential: &str) -> String {
    use rand::RngCore;
    let mut nonce = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let (b, r) = (ballot_id.to_be_bytes(), roll_id.to_be_bytes());
    let stream = mac(key, &[b"e2e-credential-stream", &nonce, &b, &r]);
    let ct: Vec<u8> = credential.bytes().zip(stream.iter().cycle()).map(|(c, k)| c ^ k).collect();
    let tag = mac(key, &[b"e2e-credential-tag", &nonce, &b, &r, &ct]);
    format!("{SEAL_PREFIX}{}:{}:{}", hex::encode(nonce), hex::encode(&ct), hex::encode(tag))
}

/// The credential sealed by [`seal`] for this ballot and roll entry.
pub fn unseal(key: &[u8], ballot_id: i64, roll_id: i64, sealed: &str) -> AppResult<String> {
    use subtle::ConstantTimeEq;
    let bad = || AppError::internal_msg("a sealed credential in the outbox does not open");
    let rest = sealed.strip_prefix(SEAL_PREFIX).ok_or_else(bad)?;
    let mut parts = rest.split(':');
    let (Some(n), Some(c), Some(t), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    let (nonce, ct, tag) =
        (hex::decode(n).map_err(|_| bad())?, hex::decode(c).map_err(|_| bad())?, hex::decode(t).map_err(|_| bad())?);
    if ct.len() > 32 {
        return Err(bad());
    }
    let (b, r) = (ballot_id.to_be_bytes(), roll_id.to_be_bytes());
    let want = mac(key, &[b"e2e-credential-tag", &nonce, &b, &r, &ct]);
    if !bool::from(want.as_slice().ct_eq(&tag)) {
        return Err(bad());
    }
    let stream = mac(key, &[b"e2e-credential-stream", &nonce, &b, &r]);
    let plain: Vec<u8> = ct.iter().zip(stream.iter()).map(|(c, k)| c ^ k).collect();
    String::from_utf8(plain).map_err(|_| bad())
}

/// Renders end-to-end invitations (unsealing the credential) and reminders (which cannot carry the
/// credential: it is not kept), and hands every other row to `inner`. Their words are in `services::letters`.
pub struct E2eMail<R> {
    pub inner: R,
    pub code_key: Vec<u8>,
    pub public_url: String,
}

impl<R: mail::Renderer> mail::Renderer for E2eMail<R> {
    fn render_batch(&self, conn: &mut DbConnection, rows: &[mail::BatchRow<'_>]) -> Vec<AppResult<Option<String>>> {
        let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.ballot_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let e2e: Vec<i64> = match e2e_ballots::table
            .filter(e2e_ballots::ballot_id.eq_any(&ids))
            .select(e2e_ballots::ballot_id)
            .load(conn)
        {
            Ok(v) => v,
            Err(e) => {
                let msg = e.to_string();
                return rows.iter().map(|_| Err(AppError::internal_msg(msg.clone()))).collect();
            }
        };
        let mine = |r: &mail::BatchRow<'_>| {
            (r.kind == mail::MailKind::Invitation || r.kind == mail::MailKind::Reminder)
                && r.ballot_id.is_some_and(|b| e2e.contains(&b))
        };
        let mut titles = HashMap::new();
        mail::render_split(conn, rows, &self.inner, mine, |conn, r| self.render_e2e(conn, &mut titles, r))
    }
}

impl<R> E2eMail<R> {
    /// One end-to-end invitation or reminder: what it prints is loaded here (each ballot once per batch)
    /// and, for an invitation, the credential unsealed; `letters` writes the words.
    fn render_e2e(
        &self,
        conn: &mut DbConnection,
        titles: &mut HashMap<i64, (String, Option<chrono::NaiveDateTime>)>,
        r: &mail::BatchRow<'_>,
    ) -> AppResult<Option<String>> {
        let (Some(ballot_id), Some(roll_id)) = (r.ballot_id, r.roll_id) else {
            return Ok(None);
        };
        if let std::collections::hash_map::Entry::Vacant(v) = titles.entry(ballot_id) {
            let t: (String, Option<chrono::NaiveDateTime>) = ballots::table
                .filter(ballots::id.eq(ballot_id))
                .select((ballots::title, ballots::closes_at))
                .first(conn)?;
            v.insert(t);
        }
        let (title, closes_at) = titles.get(&ballot_id).cloned().unwrap_or_default();
        let (name,): (String,) = roll::table.filter(roll::id.eq(roll_id)).select((roll::name,)).first(conn)?;
        if r.kind == mail::MailKind::Reminder {
            return Ok(Some(letters::e2e_reminder_body(&name, &title, closes_at)));
        }
        let credential = unseal(&self.code_key, ballot_id, roll_id, r.stored)?;
        Ok(Some(letters::e2e_invitation_body(&letters::E2eInvitation {
            name: &name,
            title: &title,
            public_url: &self.public_url,
            ballot_id,
            credential: &credential,
            closes_at,
        })))
    }
}

/// At close (inside the closing transaction): the sealed credentials of invitations never sent are erased.
pub(super) fn erase_unsent_credentials(conn: &mut DbConnection, id: i64) -> AppResult<()> {
    diesel::update(
        mail_outbox::table
            .filter(mail_outbox::ballot_id.eq(id))
            .filter(mail_outbox::kind.eq(mail::MailKind::Invitation))
            .filter(mail_outbox::status.ne(mail::MailStatus::Sent))
            .filter(mail_outbox::status.ne(mail::MailStatus::Sending)),
    )
    .set(mail_outbox::body.eq(""))
    .execute(conn)?;
    Ok(())
}

/// Refuses resending an invitation of an end-to-end ballot: the credential is not kept.
pub fn refuse_resend(conn: &mut DbConnection, id: i64) -> AppResult<()> {
    if is_end_to_end(conn, id)? {
        return Err(AppError::conflict(
            "this is an end-to-end ballot: a voter's credential was sent once and is not kept, so the invitation \
             cannot be sent again",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_credentials_open_only_for_their_ballot_and_voter() {
        let key = [7u8; 32];
        let c = credential::generate();
        let s = seal(&key, 3, 9, &c);
        assert!(!s.contains(&c));
        assert_eq!(unseal(&key, 3, 9, &s).expect("opens"), c);
        assert!(unseal(&key, 3, 10, &s).is_err());
        assert!(unseal(&key, 4, 9, &s).is_err());
        assert!(unseal(&[8u8; 32], 3, 9, &s).is_err());
        let mut t = s.clone();
        let last = t.pop().map(|ch| if ch == '0' { '1' } else { '0' }).unwrap_or('0');
        t.push(last);
        assert!(unseal(&key, 3, 9, &t).is_err());
        assert_ne!(seal(&key, 3, 9, &c), s, "a fresh nonce each time");
    }
}
