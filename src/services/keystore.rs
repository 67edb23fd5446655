//! The service's secret keys live in a key file (mode 0600), never in the database they protect: a copy
//! of the database alone can neither compute a voting code nor sign a token. The database keeps only a
//! fingerprint of the voting-code and record-signing keys, so an instance started with the wrong key
//! file (or none) refuses to start instead of mailing codes that do not match.
//!
//! Deployments from before this change kept the keys in the `service_keys` table: on start they are
//! moved into the key file and deleted from the database (docs/operations.md).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use diesel::prelude::*;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::schema::service_keys;
use crate::db::{self, DbConnection};
use crate::error::{AppError, AppResult};

/// What the key file holds (hex-encoded secrets).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    /// kid -> HS256 secret. Older keys are kept so tokens they signed stay valid until they expire.
    pub token_keys: BTreeMap<String, String>,
    pub current_token_kid: String,
    /// HMAC-SHA-256 key for voting codes and set-password links.
    pub voting_code_key: String,
    /// ed25519 seed that signs published ballot records.
    pub record_signing_key: String,
}

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

const FINGERPRINT_PURPOSE: &str = "fingerprint";
const OLD_PURPOSES: [&str; 3] = ["jwt", "voting_code", "record_signing"];

impl KeyFile {
    pub fn generate() -> KeyFile {
        let mut token_keys = BTreeMap::new();
        token_keys.insert("k1".to_string(), random_hex(32));
        KeyFile {
            token_keys,
            current_token_kid: "k1".into(),
            voting_code_key: random_hex(32),
            record_signing_key: random_hex(32),
        }
    }

    /// A one-way fingerprint of the keys that must match across instances (codes and record signatures).
    /// Safe to store: it reveals nothing of 256-bit random keys.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"carried key fingerprint v1\0");
        h.update(self.voting_code_key.as_bytes());
        h.update(b"\0");
        h.update(self.record_signing_key.as_bytes());
        hex::encode(h.finalize())
    }

    pub fn read(path: &Path) -> Result<KeyFile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("key file {}: {e}", path.display()))?;
        let file: KeyFile = serde_json::from_str(&text)
            .map_err(|e| format!("key file {}: not a carried key file: {e}", path.display()))?;
        if !file.token_keys.contains_key(&file.current_token_kid) {
            return Err(format!("key file {}: current_token_kid names no token key", path.display()));
        }
        for (what, v) in [("voting_code_key", &file.voting_code_key), ("record_signing_key", &file.record_signing_key)]
            .into_iter()
            .chain(file.token_keys.values().map(|v| ("token key", v)))
        {
            if hex::decode(v).map(|b| b.len()).unwrap_or(0) != 32 {
                return Err(format!("key file {}: {what} is not 32 bytes of hex", path.display()));
            }
        }
        tighten_permissions(path);
        Ok(file)
    }

    /// Write the file atomically (a temporary file, then rename) with mode 0600.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let tmp = PathBuf::from(format!("{}.tmp-{}", path.display(), random_hex(4)));
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(|e| format!("cannot write key file {}: {e}", tmp.display()))?;
        f.write_all(text.as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| format!("cannot write key file {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| format!("cannot write key file {}: {e}", path.display()))?;
        Ok(())
    }

    /// Add a new token key and make it current (`carried keys rotate-token-key`).
    pub fn rotate_token_key(&mut self) -> String {
        let mut kid = format!("k{}", chrono::Utc::now().timestamp());
        while self.token_keys.contains_key(&kid) {
            kid.push('x');
        }
        self.token_keys.insert(kid.clone(), random_hex(32));
        self.current_token_kid = kid.clone();
        kid
    }
}

/// A key file readable by others is made owner-only (warned about when that fails).
fn tighten_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
                    tracing::warn!(file = %path.display(), error = %e, "the key file is readable by others; make it 0600");
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn stored_fingerprint(conn: &mut DbConnection) -> AppResult<Option<String>> {
    Ok(service_keys::table
        .filter(service_keys::purpose.eq(FINGERPRINT_PURPOSE))
        .select(service_keys::secret)
        .first::<String>(conn)
        .optional()?)
}

fn store_fingerprint(conn: &mut DbConnection, file: &KeyFile) -> AppResult<()> {
    diesel::insert_into(service_keys::table)
        .values((
            service_keys::purpose.eq(FINGERPRINT_PURPOSE),
            service_keys::kid.eq("v1"),
            service_keys::secret.eq(file.fingerprint()),
            service_keys::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Keys a deployment from before the key file kept in `service_keys` (None when there are none).
fn keys_in_database(conn: &mut DbConnection) -> AppResult<Option<KeyFile>> {
    let rows: Vec<(String, String, String)> = service_keys::table
        .filter(service_keys::purpose.eq_any(OLD_PURPOSES))
        .order(service_keys::created_at.desc())
        .select((service_keys::purpose, service_keys::kid, service_keys::secret))
        .load(conn)?;
    let first = |p: &str| rows.iter().find(|r| r.0 == p).map(|r| r.2.clone());
    let (Some(code), Some(signing)) = (first("voting_code"), first("record_signing")) else {
        return Ok(None);
    };
    let token_keys: BTreeMap<String, String> =
        rows.iter().filter(|r| r.0 == "jwt").map(|r| (r.1.clone(), r.2.clone())).collect();
    let mut file = KeyFile {
        current_token_kid: rows.iter().find(|r| r.0 == "jwt").map(|r| r.1.clone()).unwrap_or_default(),
        token_keys,
        voting_code_key: code,
        record_signing_key: signing,
    };
    if file.token_keys.is_empty() {
        file.token_keys.insert("k1".into(), random_hex(32));
        file.current_token_kid = "k1".into();
    }
    Ok(Some(file))
}

/// The key file for this database: read it, or move keys out of an old database into it, or create it.
/// Refuses when the database belongs to another key file. Runs once at start, on one connection.
pub fn load_or_create(conn: &mut DbConnection, path: &Path) -> Result<KeyFile, String> {
    let err = |e: AppError| e.to_string();
    // Deleted key rows are overwritten in the SQLite file, not merely unlinked.
    db::dialect::secure_delete(conn).map_err(|e| e.to_string())?;
    let (file, moved) = db::write_tx(conn, |c| {
        let existing = if path.exists() { Some(KeyFile::read(path).map_err(AppError::internal_msg)?) } else { None };
        let old = keys_in_database(c)?;
        let fingerprint = stored_fingerprint(c)?;
        let (file, moved) = match (existing, old) {
            (Some(f), _) => (f, false),
            (None, Some(old)) => (old, true),
            (None, None) => {
                if fingerprint.is_some() {
                    return Err(AppError::internal_msg(format!(
                        "this database's keys are kept in a key file that this instance does not have: copy {} \
                         from the first instance (or point CARRIED_KEYS_FILE at the shared secrets file)",
                        path.display()
                    )));
                }
                (KeyFile::generate(), false)
            }
        };
        match &fingerprint {
            Some(fp) if *fp != file.fingerprint() => {
                return Err(AppError::internal_msg(format!(
                    "the key file {} does not belong to this database (its voting-code or record-signing key \
                     differs): use the key file of the instance that first used this database",
                    path.display()
                )))
            }
            Some(_) => {}
            None => store_fingerprint(c, &file)?,
        }
        diesel::delete(service_keys::table.filter(service_keys::purpose.eq_any(OLD_PURPOSES))).execute(c)?;
        if !path.exists() {
            // Written before the commit: if the commit fails, the next start reads the file and the rows.
            file.write(path).map_err(AppError::internal_msg)?;
        }
        Ok((file, moved))
    })
    .map_err(err)?;
    if moved {
        db::dialect::checkpoint(conn).map_err(|e| e.to_string())?;
        tracing::warn!(
            file = %path.display(),
            "moved the service keys out of the database into the key file; older database backups still hold \
             them (docs/operations.md)"
        );
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_round_trips_owner_only_and_rotates() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("keys.json");
        let mut f = KeyFile::generate();
        f.write(&path).expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(KeyFile::read(&path).expect("read"), f);
        let fp = f.fingerprint();
        let kid = f.rotate_token_key();
        assert_eq!(f.current_token_kid, kid);
        assert_eq!(f.token_keys.len(), 2, "the old token key still verifies");
        assert_eq!(f.fingerprint(), fp, "rotating the token key keeps the fingerprint");
        std::fs::write(&path, "{}").expect("overwrite");
        assert!(KeyFile::read(&path).is_err());
    }
}
