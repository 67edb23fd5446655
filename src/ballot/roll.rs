//! Electoral roll import from CSV.
//!
//! The file has a header naming the five columns `membership_no`, `name`,
//! `email`, `lmc` and `role` (any order, any case). Every bad line is reported with
//! its physical line number (the header is line 1) and a plain-English reason; the
//! other lines are accepted.

use crate::text_enum;
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::definition::quote;
use super::errors::RollFileError;
use crate::domain::name::forbidden_char;
use crate::domain::{EmailAddress, PersonName};

/// Most data lines in one import.
pub const MAX_ROLL_LINES: usize = 200_000;
/// The columns, in the order used in messages.
pub const COLUMNS: [&str; 5] = ["membership_no", "name", "email", "lmc", "role"];

text_enum! {
    /// A voter's role as a GP (the roll's `role` column: partner, salaried, locum or registrar), not an
    /// account's role (`services::auth::Role`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum GpRole ("role", loose, err = role_error -> String) {
        Partner = "partner",
        Salaried = "salaried",
        Locum = "locum",
        Registrar = "registrar",
    }
}

/// One of the four words, in any case, surrounding spaces ignored.
fn role_error(e: crate::text_enum::UnknownName) -> String {
    format!("role {} is not one of partner, salaried, locum, registrar", quote(e.given.trim()))
}

/// One voter on the roll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RollEntry {
    pub membership_no: String,
    #[schema(value_type = String)]
    pub name: PersonName,
    /// Lowercased.
    #[schema(value_type = String)]
    pub email: EmailAddress,
    pub lmc: String,
    pub role: GpRole,
}

/// A line that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Rejected {
    /// Physical line number where the record starts (the header is line 1).
    pub line: usize,
    pub reason: String,
}

/// The outcome of an import.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct RollImport {
    /// New voters.
    pub accepted: Vec<RollEntry>,
    pub rejected: Vec<Rejected>,
    /// Voters already on the roll whose line differs (name, email, LMC or role): the line wins.
    pub changed: Vec<RollEntry>,
    /// Voters already on the roll, exactly as they are.
    pub unchanged: usize,
    /// How the header was read.
    pub columns: Vec<ColumnMapping>,
    /// The separator found: "," ";" or "\t".
    pub separator: String,
}

/// Who is already on the roll. Membership numbers are compared ignoring case;
/// emails should be given lowercased (they are lowercased again here anyway).
#[derive(Debug, Clone, Default)]
pub struct ExistingRoll {
    pub membership_nos: HashSet<String>,
    pub emails: HashSet<String>,
    /// The entries themselves, when known: then a line for a voter already on the roll is "unchanged" or
    /// "changed" (a correction) rather than rejected.
    pub entries: Vec<RollEntry>,
}

/// Parse a roll. `Err` (for the whole file) when the header is missing or wrong,
/// or there are more than [`MAX_ROLL_LINES`] data lines; otherwise each line is
/// accepted or rejected with its reason.
pub fn parse_roll(csv: &str, existing: &ExistingRoll) -> Result<RollImport, RollFileError> {
    let separator = detect_separator(csv);
    let mut reader = CsvReader::with_separator(csv, separator);
    let header = loop {
        match reader.next_record() {
            None => return Err(RollFileError::Empty),
            Some(r) if r.is_blank() => continue,
            Some(r) => break r,
        }
    };
    let columns = header_columns(&header)?;
    let header_cells = header.fields.as_ref().map_err(|why| header_unreadable(&header, why))?;

    let mut existing_nos: HashSet<String> =
        existing.membership_nos.iter().map(|m| m.trim().to_ascii_uppercase()).collect();
    let mut existing_emails: HashSet<String> = existing.emails.iter().map(|e| e.trim().to_lowercase()).collect();
    let known: HashMap<String, &RollEntry> =
        existing.entries.iter().map(|e| (e.membership_no.trim().to_ascii_uppercase(), e)).collect();
    let email_owner: HashMap<String, String> =
        existing.entries.iter().map(|e| (e.email.to_string(), e.membership_no.trim().to_ascii_uppercase())).collect();
    existing_nos.extend(known.keys().cloned());
    existing_emails.extend(email_owner.keys().cloned());
    let mut seen_nos: HashMap<String, usize> = HashMap::new();
    let mut seen_emails: HashMap<String, usize> = HashMap::new();
    let mut out = RollImport {
        columns: COLUMNS
            .iter()
            .zip(columns)
            .map(|(field, i)| ColumnMapping {
                field: field.to_string(),
                header: header_cells.get(i).map(|h| h.trim().to_string()).unwrap_or_default(),
                column: i + 1,
            })
            .collect(),
        separator: separator.to_string(),
        ..RollImport::default()
    };
    let mut data_lines = 0usize;

    while let Some(record) = reader.next_record() {
        if record.is_blank() {
            continue;
        }
        data_lines += 1;
        if data_lines > MAX_ROLL_LINES {
            return Err(RollFileError::TooManyLines);
        }
        let line = record.line;
        let reject = |reason: String| Rejected { line, reason };
        let fields = match record.fields {
            Ok(f) => f,
            Err(reason) => {
                out.rejected.push(reject(reason));
                continue;
            }
        };
        if fields.len() != COLUMNS.len() {
            out.rejected.push(reject(format!(
                "has {} fields, expected {} ({})",
                fields.len(),
                COLUMNS.len(),
                COLUMNS.join(", ")
            )));
            continue;
        }
        let get = |col: usize| fields[columns[col]].trim();
        match check_entry(get(0), get(1), get(2), get(3), get(4)) {
            Err(problems) => out.rejected.push(reject(problems.join("; "))),
            Ok(entry) => {
                let no_key = entry.membership_no.to_ascii_uppercase();
                let already = known.get(&no_key);
                let mut problems = Vec::new();
                if let Some(first) = seen_nos.get(&no_key) {
                    problems
                        .push(format!("duplicate membership number {} (first on line {first})", entry.membership_no));
                } else if already.is_none() && existing_nos.contains(&no_key) {
                    problems.push(format!("membership number {} is already on the roll", entry.membership_no));
                }
                if let Some(first) = seen_emails.get(entry.email.as_str()) {
                    problems.push(format!("duplicate email {} (first on line {first})", entry.email));
                } else if existing_emails.contains(entry.email.as_str())
                    && email_owner.get(entry.email.as_str()) != Some(&no_key)
                {
                    problems.push(format!("email {} is already on the roll", entry.email));
                }
                if !problems.is_empty() {
                    out.rejected.push(reject(problems.join("; ")));
                    continue;
                }
                seen_nos.insert(no_key, line);
                seen_emails.insert(entry.email.to_string(), line);
                match already {
                    None => out.accepted.push(entry),
                    Some(old) if **old == RollEntry { membership_no: old.membership_no.clone(), ..entry.clone() } => {
                        out.unchanged += 1
                    }
                    Some(old) => out.changed.push(RollEntry { membership_no: old.membership_no.clone(), ..entry }),
                }
            }
        }
    }
    Ok(out)
}

/// Header spellings accepted for each of [`COLUMNS`], compared after [`header_key`] (lower case, letters
/// and digits only): what spreadsheets and membership systems export.
pub const HEADER_SPELLINGS: [&[&str]; 5] = [
    &[
        "membershipno",
        "membershipnumber",
        "membership",
        "membershipid",
        "memberno",
        "membernumber",
        "memberid",
        "bmano",
        "bmanumber",
        "bmamembershipnumber",
        "bmamembershipno",
    ],
    &["name", "fullname", "membername", "gpname", "doctor", "doctorname"],
    &["email", "emailaddress", "mail", "workemail", "emailaddr"],
    &["lmc", "lmcarea", "lmcname", "localmedicalcommittee", "area"],
    &["role", "gprole", "roletype", "jobrole", "type", "category"],
];

/// A header cell as compared: lower case, letters and digits only (`Membership No.` → `membershipno`).
pub fn header_key(cell: &str) -> String {
    cell.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// How the file's header was read: which of its columns became which field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ColumnMapping {
    /// One of membership_no, name, email, lmc, role.
    pub field: String,
    /// The header cell as written in the file.
    pub header: String,
    /// 1-based column number in the file.
    pub column: usize,
}

/// The separator of a file: `;` (what Excel writes where the decimal mark is a comma) or a tab when the
/// header line has more of them than commas, else `,`.
pub fn detect_separator(input: &str) -> char {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let header = input.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let count = |c: char| header.chars().filter(|x| *x == c).count();
    let (commas, semicolons, tabs) = (count(','), count(';'), count('\t'));
    if semicolons > commas && semicolons >= tabs {
        ';'
    } else if tabs > commas && tabs > semicolons {
        '\t'
    } else {
        ','
    }
}

fn header_unreadable(header: &CsvRecord, why: &str) -> RollFileError {
    RollFileError::HeaderUnreadable { line: header.line, why: why.to_string() }
}

/// Map each of [`COLUMNS`] to its position in the header.
fn header_columns(header: &CsvRecord) -> Result<[usize; 5], RollFileError> {
    let fields = header.fields.as_ref().map_err(|why| header_unreadable(header, why))?;
    let mut positions: [Option<usize>; 5] = [None; 5];
    for (i, raw) in fields.iter().enumerate() {
        let key = header_key(raw);
        let Some(col) = HEADER_SPELLINGS.iter().position(|spellings| spellings.contains(&key.as_str())) else {
            return Err(RollFileError::UnknownColumn { header: raw.trim().to_string() });
        };
        if positions[col].is_some() {
            return Err(RollFileError::ColumnTwice { column: COLUMNS[col] });
        }
        positions[col] = Some(i);
    }
    let mut out = [0usize; 5];
    for (col, pos) in positions.iter().enumerate() {
        out[col] = pos.ok_or(RollFileError::ColumnMissing { column: COLUMNS[col] })?;
    }
    Ok(out)
}

fn check_text(field: &str, value: &str, max: usize, problems: &mut Vec<String>) {
    if value.is_empty() {
        problems.push(format!("{field} is empty"));
    } else if value.chars().count() > max {
        problems.push(format!("{field} is longer than {max} characters"));
    } else if value.chars().any(forbidden_char) {
        problems.push(format!("{field} contains a control character (such as a line break)"));
    }
}

/// One voter's fields checked as an import checks a line (also used to correct one voter on the roll).
pub fn check_entry(
    membership_no: &str,
    name: &str,
    email: &str,
    lmc: &str,
    role: &str,
) -> Result<RollEntry, Vec<String>> {
    let mut problems = Vec::new();
    if membership_no.is_empty() {
        problems.push("membership number is empty".to_string());
    } else if membership_no.chars().count() > 32 {
        problems.push("membership number is longer than 32 characters".to_string());
    } else if !membership_no.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/') {
        problems
            .push(format!("membership number {} may only contain letters, digits, '-' and '/'", quote(membership_no)));
    }
    let name = match PersonName::parse(name) {
        Ok(n) => Some(n),
        Err(why) => {
            problems.push(format!("name {why}"));
            None
        }
    };
    let email = match EmailAddress::parse(email) {
        Ok(e) => Some(e),
        Err(why) => {
            problems.push(if email.is_empty() {
                "email is empty".to_string()
            } else {
                format!("email {} is not a valid address: {why}", quote(email))
            });
            None
        }
    };
    check_text("LMC", lmc, 100, &mut problems);
    let role = match role.parse::<GpRole>() {
        Ok(r) => Some(r),
        Err(e) => {
            problems.push(if role.is_empty() { "role is empty".to_string() } else { e });
            None
        }
    };
    match (name, email, role) {
        (Some(name), Some(email), Some(role)) if problems.is_empty() => {
            Ok(RollEntry { membership_no: membership_no.to_string(), name, email, lmc: lmc.to_string(), role })
        }
        _ => Err(problems),
    }
}

// ---------------------------------------------------------------------------
// A small RFC 4180 reader.

/// Every non-blank record of a CSV text: (physical line it starts on, its fields or why it is unreadable).
/// Used for other CSV imports (conference representatives) with the same reading rules as the roll.
pub fn csv_records(input: &str) -> Vec<(usize, Result<Vec<String>, String>)> {
    let mut reader = CsvReader::new(input);
    let mut out = Vec::new();
    while let Some(r) = reader.next_record() {
        if !r.is_blank() {
            out.push((r.line, r.fields));
        }
    }
    out
}

/// One CSV record and the physical line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CsvRecord {
    line: usize,
    fields: Result<Vec<String>, String>,
}

impl CsvRecord {
    /// A blank line, or one whose fields are all empty (spreadsheets write ",,,,").
    fn is_blank(&self) -> bool {
        matches!(&self.fields, Ok(f) if f.iter().all(|s| s.trim().is_empty()))
    }
}

/// Reads records: fields separated by commas; a field in double quotes may
/// contain commas, line breaks and doubled quotes (`""` for `"`); records end at
/// LF, CRLF or a lone CR; a leading UTF-8 byte-order mark is ignored.
struct CsvReader<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    separator: char,
}

impl<'a> CsvReader<'a> {
    fn new(input: &'a str) -> Self {
        Self::with_separator(input, ',')
    }

    fn with_separator(input: &'a str, separator: char) -> Self {
        let input = input.strip_prefix('\u{feff}').unwrap_or(input);
        CsvReader { chars: input.chars().peekable(), line: 1, separator }
    }

    /// Consume a line break starting with `c` (already taken); count the line.
    fn end_line(&mut self, c: char) {
        if c == '\r' && self.chars.peek() == Some(&'\n') {
            self.chars.next();
        }
        self.line += 1;
    }

    /// Skip the rest of a physical line after an error.
    fn skip_line(&mut self) {
        while let Some(c) = self.chars.next() {
            if c == '\n' || c == '\r' {
                self.end_line(c);
                return;
            }
        }
    }

    fn next_record(&mut self) -> Option<CsvRecord> {
        self.chars.peek()?;
        let line = self.line;
        let mut fields = Vec::new();
        loop {
            match self.read_field() {
                Ok((field, ended)) => {
                    fields.push(field);
                    if ended {
                        return Some(CsvRecord { line, fields: Ok(fields) });
                    }
                }
                Err(msg) => {
                    self.skip_line();
                    return Some(CsvRecord { line, fields: Err(msg.to_string()) });
                }
            }
        }
    }

    /// Read one field; also says whether it ended the record.
    fn read_field(&mut self) -> Result<(String, bool), &'static str> {
        let mut field = String::new();
        while let Some(&c @ (' ' | '\t')) = self.chars.peek() {
            if c == self.separator {
                break;
            }
            field.push(c);
            self.chars.next();
        }
        if self.chars.peek() != Some(&'"') {
            loop {
                match self.chars.next() {
                    Some(c) if c == self.separator => return Ok((field, false)),
                    Some(c @ ('\n' | '\r')) => {
                        self.end_line(c);
                        return Ok((field, true));
                    }
                    None => return Ok((field, true)),
                    Some('"') => {
                        return Err("a double quote appears inside an unquoted field \
                                    (quote the whole field and double the quote)")
                    }
                    Some(c) => field.push(c),
                }
            }
        }
        self.chars.next();
        field.clear();
        loop {
            match self.chars.next() {
                None => return Err("a quoted field is not closed before the end of the file"),
                Some('"') if self.chars.peek() == Some(&'"') => {
                    self.chars.next();
                    field.push('"');
                }
                Some('"') => break,
                Some(c @ ('\n' | '\r')) => {
                    field.push(c);
                    if c == '\r' && self.chars.peek() == Some(&'\n') {
                        self.chars.next();
                        field.push('\n');
                    }
                    self.line += 1;
                }
                Some(c) => field.push(c),
            }
        }
        while matches!(self.chars.peek(), Some(&c @ (' ' | '\t')) if c != self.separator) {
            self.chars.next();
        }
        match self.chars.next() {
            Some(c) if c == self.separator => Ok((field, false)),
            Some(c @ ('\n' | '\r')) => {
                self.end_line(c);
                Ok((field, true))
            }
            None => Ok((field, true)),
            Some(_) => Err("text follows the closing quote of a quoted field"),
        }
    }
}

#[cfg(test)]
#[path = "roll_tests.rs"]
mod tests;
