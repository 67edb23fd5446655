//! Correcting one voter on a draft roll, and searching the roll: pure rules, no I/O.
//!
//! A correction is checked exactly as an imported line is ([`super::roll::check_entry`]): the same limits on
//! names and LMCs, the same strict address check, the same four roles. The membership number is the voter's
//! key and is never changed (remove the voter and import the right line instead).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::errors::PagingError;
use super::roll::{check_entry, RollEntry};

/// The fields to change; the others stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    pub name: Option<String>,
    pub email: Option<String>,
    pub lmc: Option<String>,
    /// partner, salaried, locum or registrar.
    pub role: Option<String>,
}

/// The voter after the correction, and which fields changed (in the order name, email, lmc, role).
/// `Err` lists every problem, as an import's rejected line does.
pub fn correct(old: &RollEntry, c: &Correction) -> Result<(RollEntry, Vec<&'static str>), Vec<String>> {
    if c.name.is_none() && c.email.is_none() && c.lmc.is_none() && c.role.is_none() {
        return Err(vec!["nothing to correct: give one or more of name, email, lmc and role".to_string()]);
    }
    let name = c.name.as_deref().unwrap_or(old.name.as_str()).trim();
    let email = c.email.as_deref().unwrap_or(old.email.as_str()).trim();
    let lmc = c.lmc.as_deref().unwrap_or(&old.lmc).trim();
    let role = c.role.as_deref().unwrap_or(old.role.as_str()).trim();
    let new = check_entry(&old.membership_no, name, email, lmc, role)?;
    let mut changed = Vec::new();
    if new.name != old.name {
        changed.push("name");
    }
    if new.email != old.email {
        changed.push("email");
    }
    if new.lmc != old.lmc {
        changed.push("lmc");
    }
    if new.role != old.role {
        changed.push("role");
    }
    Ok((new, changed))
}

/// A search typed by the officer as a SQL `LIKE` pattern on lower-cased text: the words must appear as
/// typed (case ignored), `%` and `_` match themselves (escaped with `\`). `None` for an empty search.
pub fn like_pattern(q: &str) -> Option<String> {
    let q = q.trim().to_lowercase();
    if q.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(q.len() + 2);
    out.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    Some(out)
}

/// Most voters on one page of the roll.
pub const MAX_PER_PAGE: i64 = 500;

/// Page and page size checked: page from 1, 1 to [`MAX_PER_PAGE`] a page (50 when not given).
pub fn paging(page: Option<i64>, per_page: Option<i64>) -> Result<(i64, i64), PagingError> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(50);
    if page < 1 {
        return Err(PagingError::Page { page });
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(PagingError::PerPage { per_page });
    }
    Ok((page, per_page))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballot::GpRole;

    fn voter() -> RollEntry {
        RollEntry {
            membership_no: "M00001".into(),
            name: crate::domain::PersonName::parse("Dr Asha Rao").expect("valid"),
            email: crate::domain::EmailAddress::parse("asha@example.org").expect("valid"),
            lmc: "Devon".into(),
            role: GpRole::Partner,
        }
    }

    #[test]
    fn a_correction_changes_only_what_it_names() {
        let c = Correction { email: Some("  Asha.Rao@Example.ORG ".into()), ..Correction::default() };
        let (new, changed) = correct(&voter(), &c).expect("valid");
        assert_eq!(new.email, "asha.rao@example.org");
        assert_eq!(new.name, "Dr Asha Rao");
        assert_eq!(changed, vec!["email"]);
        let c = Correction { lmc: Some("Cornwall".into()), role: Some("Locum".into()), ..Correction::default() };
        let (new, changed) = correct(&voter(), &c).expect("valid");
        assert_eq!((new.lmc.as_str(), new.role), ("Cornwall", GpRole::Locum));
        assert_eq!(changed, vec!["lmc", "role"]);
        let same = Correction { name: Some("Dr Asha Rao".into()), ..Correction::default() };
        assert_eq!(correct(&voter(), &same).expect("valid").1, Vec::<&str>::new());
    }

    #[test]
    fn a_correction_is_checked_like_an_imported_line() {
        let c = Correction {
            email: Some("not-an-email".into()),
            role: Some("chair".into()),
            name: Some("A\nB".into()),
            ..Correction::default()
        };
        let problems = correct(&voter(), &c).expect_err("invalid");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("not a valid address")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("role")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("control character")), "{problems:?}");
        let empty = correct(&voter(), &Correction::default()).expect_err("nothing");
        assert!(empty[0].contains("nothing to correct"));
        let blank = correct(&voter(), &Correction { lmc: Some("  ".into()), ..Correction::default() });
        assert_eq!(blank.expect_err("blank"), vec!["LMC is empty".to_string()]);
    }

    #[test]
    fn searches_match_the_text_as_typed() {
        assert_eq!(like_pattern("  "), None);
        assert_eq!(like_pattern(" Rao ").as_deref(), Some("%rao%"));
        assert_eq!(like_pattern("50%_a\\b").as_deref(), Some("%50\\%\\_a\\\\b%"));
    }

    #[test]
    fn paging_counts_from_one_and_caps_the_page_size() {
        assert_eq!(paging(None, None), Ok((1, 50)));
        assert_eq!(paging(Some(3), Some(500)), Ok((3, 500)));
        assert_eq!(paging(Some(0), None), Err(PagingError::Page { page: 0 }));
        assert_eq!(
            paging(Some(0), None).map_err(|e| e.to_string()),
            Err("page: 0 is not a page number (pages count from 1)".to_string())
        );
        assert_eq!(
            paging(None, Some(501)).map_err(|e| e.to_string()),
            Err("per_page: 501 is not between 1 and 500".to_string())
        );
        assert!(paging(None, Some(501)).is_err());
        assert!(paging(None, Some(0)).is_err());
    }
}
