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

/// Most data lines in one import.
pub const MAX_ROLL_LINES: usize = 200_000;
/// The columns, in the order used in messages.
pub const COLUMNS: [&str; 5] = ["membership_no", "name", "email", "lmc", "role"];

text_enum! {
    /// A voter's role.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum Role ("role", loose, err = role_error -> String) {
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
    pub name: String,
    /// Lowercased.
    pub email: String,
    pub lmc: String,
    pub role: Role,
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
pub fn parse_roll(csv: &str, existing: &ExistingRoll) -> Result<RollImport, String> {
    let separator = detect_separator(csv);
    let mut reader = CsvReader::with_separator(csv, separator);
    let header = loop {
        match reader.next_record() {
            None => return Err(format!("the file is empty: expected a header line {}", COLUMNS.join(","))),
            Some(r) if r.is_blank() => continue,
            Some(r) => break r,
        }
    };
    let columns = header_columns(&header)?;
    let header_cells = header.fields.as_ref().map_err(|e| e.clone())?;

    let mut existing_nos: HashSet<String> =
        existing.membership_nos.iter().map(|m| m.trim().to_ascii_uppercase()).collect();
    let mut existing_emails: HashSet<String> = existing.emails.iter().map(|e| e.trim().to_lowercase()).collect();
    let known: HashMap<String, &RollEntry> =
        existing.entries.iter().map(|e| (e.membership_no.trim().to_ascii_uppercase(), e)).collect();
    let email_owner: HashMap<String, String> = existing
        .entries
        .iter()
        .map(|e| (e.email.to_lowercase(), e.membership_no.trim().to_ascii_uppercase()))
        .collect();
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
            return Err(format!("the roll has more than {MAX_ROLL_LINES} lines: split it into smaller files"));
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
                if let Some(first) = seen_emails.get(&entry.email) {
                    problems.push(format!("duplicate email {} (first on line {first})", entry.email));
                } else if existing_emails.contains(&entry.email) && email_owner.get(&entry.email) != Some(&no_key) {
                    problems.push(format!("email {} is already on the roll", entry.email));
                }
                if !problems.is_empty() {
                    out.rejected.push(reject(problems.join("; ")));
                    continue;
                }
                seen_nos.insert(no_key, line);
                seen_emails.insert(entry.email.clone(), line);
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

/// Map each of [`COLUMNS`] to its position in the header.
fn header_columns(header: &CsvRecord) -> Result<[usize; 5], String> {
    let fields = header.fields.as_ref().map_err(|e| format!("line {}: the header cannot be read: {e}", header.line))?;
    let mut positions: [Option<usize>; 5] = [None; 5];
    for (i, raw) in fields.iter().enumerate() {
        let key = header_key(raw);
        let Some(col) = HEADER_SPELLINGS.iter().position(|spellings| spellings.contains(&key.as_str())) else {
            return Err(format!(
                "unknown column {} in the header (expected {}; e.g. \"Membership No\", \"Email address\" and \"LMC area\" are read too)",
                quote(raw.trim()),
                COLUMNS.join(", ")
            ));
        };
        if positions[col].is_some() {
            return Err(format!("column {} appears twice in the header", COLUMNS[col]));
        }
        positions[col] = Some(i);
    }
    let mut out = [0usize; 5];
    for (col, pos) in positions.iter().enumerate() {
        out[col] = pos.ok_or_else(|| {
            format!("missing column {} in the header (expected {})", COLUMNS[col], COLUMNS.join(", "))
        })?;
    }
    Ok(out)
}

/// Characters refused in names and LMCs: control characters (a CR or LF could
/// inject mail headers), line and paragraph separators, bidirectional overrides
/// and the byte-order mark.
fn forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
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
    check_text("name", name, 200, &mut problems);
    let email = match check_email(email) {
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
    let role = match role.parse::<Role>() {
        Ok(r) => Some(r),
        Err(e) => {
            problems.push(if role.is_empty() { "role is empty".to_string() } else { e });
            None
        }
    };
    match (email, role) {
        (Some(email), Some(role)) if problems.is_empty() => Ok(RollEntry {
            membership_no: membership_no.to_string(),
            name: name.to_string(),
            email,
            lmc: lmc.to_string(),
            role,
        }),
        _ => Err(problems),
    }
}

/// A deliberately strict address check; returns the address lowercased.
/// One `@`; the part before it 1 to 64 printable ASCII characters other than
/// space and `"(),:;<>[\]`, with no dot at either end and no two dots together;
/// a domain of at least two dot-separated labels of letters, digits and hyphens
/// (1 to 63 each, no hyphen at either end); at most 254 characters in all.
pub fn check_email(email: &str) -> Result<String, &'static str> {
    if email.is_empty() {
        return Err("it is empty");
    }
    if email.len() > 254 {
        return Err("it is longer than 254 characters");
    }
    let mut parts = email.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err("it must contain exactly one @");
    };
    if local.is_empty() || local.len() > 64 {
        return Err("the part before @ must be 1 to 64 characters");
    }
    if !local.bytes().all(|b| (0x21..=0x7e).contains(&b) && !b"\"(),:;<>[\\]".contains(&b)) {
        return Err("the part before @ contains a character that is not allowed");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("the part before @ has a misplaced dot");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err("the domain must contain a dot");
    }
    for label in labels {
        if label.is_empty()
            || label.len() > 63
            || label.starts_with('-')
            || label.ends_with('-')
            || !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err("the domain is not valid");
        }
    }
    Ok(email.to_ascii_lowercase())
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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn good_lines(n: usize) -> String {
        let mut s = String::from("membership_no,name,email,lmc,role\n");
        for i in 0..n {
            s.push_str(&format!("M{:05},Dr GP {i},gp{i}@example.org,Devon,partner\n", i + 1));
        }
        s
    }

    fn parse(csv: &str) -> RollImport {
        parse_roll(csv, &ExistingRoll::default()).unwrap()
    }

    fn reasons(r: &RollImport) -> Vec<(usize, String)> {
        r.rejected.iter().map(|x| (x.line, x.reason.clone())).collect()
    }

    #[test]
    fn ten_good_lines_and_two_bad() {
        let mut csv = good_lines(10);
        csv.push_str("M99998,Bad Email,not-an-email,Devon,partner\n");
        csv.push_str("M00000,Duplicate,gp0@example.org,Devon,partner\n");
        let r = parse(&csv);
        assert_eq!(r.accepted.len(), 10);
        assert_eq!(
            reasons(&r),
            vec![
                (12, "email \"not-an-email\" is not a valid address: it must contain exactly one @".to_string()),
                (13, "duplicate email gp0@example.org (first on line 2)".to_string()),
            ]
        );
        assert_eq!(
            r.accepted[0],
            RollEntry {
                membership_no: "M00001".into(),
                name: "Dr GP 0".into(),
                email: "gp0@example.org".into(),
                lmc: "Devon".into(),
                role: Role::Partner,
            }
        );
    }

    #[test]
    fn header_in_any_order_and_case_with_bom_and_crlf() {
        let csv = "\u{feff} Role , EMAIL,lmc,Name,Membership_No\r\nLOCUM,A@Example.ORG,Kent,Dr A,K-1/2\r\n";
        let r = parse(csv);
        assert!(r.rejected.is_empty(), "{:?}", r.rejected);
        assert_eq!(
            r.accepted,
            vec![RollEntry {
                membership_no: "K-1/2".into(),
                name: "Dr A".into(),
                email: "a@example.org".into(),
                lmc: "Kent".into(),
                role: Role::Locum,
            }]
        );
    }

    #[test]
    fn header_errors_fail_the_whole_file() {
        let none = ExistingRoll::default();
        assert_eq!(
            parse_roll("membership_no,name,lmc,role\nM1,A,Kent,locum\n", &none).unwrap_err(),
            "missing column email in the header (expected membership_no, name, email, lmc, role)"
        );
        assert!(parse_roll("membership_no,name,email,lmc,role,gmc\n", &none)
            .unwrap_err()
            .starts_with("unknown column \"gmc\" in the header (expected membership_no, name, email, lmc, role;"));
        assert_eq!(
            parse_roll("membership_no,name,email,lmc,role,Email\n", &none).unwrap_err(),
            "column email appears twice in the header"
        );
        assert!(parse_roll("", &none).unwrap_err().starts_with("the file is empty"));
        assert!(parse_roll("\u{feff}\n\n", &none).unwrap_err().starts_with("the file is empty"));
        assert!(parse_roll("\"membership_no,name\n", &none)
            .unwrap_err()
            .starts_with("line 1: the header cannot be read"));
    }

    #[test]
    fn header_only_is_an_empty_import() {
        let r = parse("membership_no,name,email,lmc,role");
        assert!(r.accepted.is_empty() && r.rejected.is_empty() && r.changed.is_empty() && r.unchanged == 0);
        assert_eq!(r.columns.len(), 5);
    }

    #[test]
    fn an_excel_export_with_bom_semicolons_and_its_own_header_spellings() {
        let csv = "\u{feff}Membership No.;Full name;Email Address;LMC Area;GP role\r\n\
                   BMA-001;Dr Asha Rao;Asha.Rao@Example.NHS.uk;Devon;Partner\r\n\
                   BMA-002;\"Dr Ben O'Neill; jr\";ben@example.org;Kent;locum\r\n";
        let r = parse(csv);
        assert!(r.rejected.is_empty(), "{:?}", r.rejected);
        assert_eq!(r.separator, ";");
        assert_eq!(r.accepted.len(), 2);
        assert_eq!(r.accepted[0].email, "asha.rao@example.nhs.uk");
        assert_eq!(r.accepted[1].name, "Dr Ben O'Neill; jr");
        let mapping: Vec<(&str, &str, usize)> =
            r.columns.iter().map(|c| (c.field.as_str(), c.header.as_str(), c.column)).collect();
        assert_eq!(
            mapping,
            vec![
                ("membership_no", "Membership No.", 1),
                ("name", "Full name", 2),
                ("email", "Email Address", 3),
                ("lmc", "LMC Area", 4),
                ("role", "GP role", 5),
            ]
        );
    }

    #[test]
    fn tab_separated_and_comma_files_are_told_apart() {
        assert_eq!(detect_separator("membership_no\tname\temail\tlmc\trole\n"), '\t');
        assert_eq!(detect_separator("\u{feff}a;b;c\n1,5;2;3\n"), ';');
        assert_eq!(detect_separator("a,b,c\n"), ',');
        assert_eq!(detect_separator(""), ',');
        let r = parse("Membership number\tName\tE-mail\tLMC\tRole\nM1\tDr A\ta@example.org\tDevon\tsalaried\n");
        assert!(r.rejected.is_empty(), "{:?}", r.rejected);
        assert_eq!(r.accepted[0].role, Role::Salaried);
        assert_eq!(r.separator, "\t");
    }

    #[test]
    fn header_keys_ignore_case_spaces_and_punctuation() {
        assert_eq!(header_key(" Membership No. "), "membershipno");
        assert_eq!(header_key("E-mail"), "email");
        assert_eq!(header_key("membership_no"), "membershipno");
        for spellings in HEADER_SPELLINGS {
            for s in spellings {
                assert_eq!(header_key(s), *s, "spellings are written as keys");
            }
        }
        let all: Vec<&str> = HEADER_SPELLINGS.iter().flat_map(|s| s.iter().copied()).collect();
        let unique: HashSet<&str> = all.iter().copied().collect();
        assert_eq!(all.len(), unique.len(), "no spelling names two columns");
    }

    #[test]
    fn a_re_import_is_added_unchanged_changed_or_rejected() {
        let entry = |no: &str, name: &str, email: &str| RollEntry {
            membership_no: no.into(),
            name: name.into(),
            email: email.into(),
            lmc: "Devon".into(),
            role: Role::Partner,
        };
        let existing = ExistingRoll {
            entries: vec![
                entry("M1", "Dr A", "a@example.org"),
                entry("M2", "Dr B", "b@example.org"),
                entry("M3", "Dr C", "c@example.org"),
            ],
            ..ExistingRoll::default()
        };
        let csv = concat!(
            "membership_no,name,email,lmc,role\n",
            "M1,Dr A,a@example.org,Devon,partner\n",       // unchanged
            "m2,Dr B Jones,B@example.org,Devon,partner\n", // changed (name), matched ignoring case
            "M4,Dr D,d@example.org,Devon,partner\n",       // added
            "M5,Dr E,c@example.org,Devon,partner\n",       // rejected: M3's email
        );
        let r = parse_roll(csv, &existing).unwrap();
        assert_eq!(r.unchanged, 1);
        assert_eq!(r.changed, vec![entry("M2", "Dr B Jones", "b@example.org")]);
        assert_eq!(r.accepted, vec![entry("M4", "Dr D", "d@example.org")]);
        assert_eq!(reasons(&r), vec![(5, "email c@example.org is already on the roll".to_string())]);
        // The same file again: all unchanged except what was rejected or added last time (not stored here).
        let again =
            parse_roll("membership_no,name,email,lmc,role\nM1,Dr A,a@example.org,Devon,partner\n", &existing).unwrap();
        assert_eq!((again.unchanged, again.changed.len(), again.accepted.len(), again.rejected.len()), (1, 0, 0, 0));
    }

    #[test]
    fn quoted_fields_and_physical_line_numbers() {
        let csv = concat!(
            "membership_no,name,email,lmc,role\n",                         // 1
            "M1,\"Smith, Dr \"\"Jo\"\"\",jo@example.org,Devon,salaried\n", // 2
            "\n",                                                          // 3 blank
            ",,,,\n",                                                      // 4 blank
            "M2,\"Two\nLines\",two@example.org,Devon,locum\n",             // 5-6
            "M3,Three,three@example.org,\"Devon\",registrar",              // 7, no final newline
        );
        let r = parse(csv);
        assert_eq!(r.accepted.len(), 2);
        assert_eq!(r.accepted[0].name, "Smith, Dr \"Jo\"");
        assert_eq!(r.accepted[1].membership_no, "M3");
        assert_eq!(reasons(&r), vec![(5, "name contains a control character (such as a line break)".to_string())]);
    }

    #[test]
    fn line_numbers_with_crlf_inside_quotes() {
        let csv = "membership_no,name,email,lmc,role\r\nM1,\"a\r\nb\",a@x.org,D,locum\r\nM2,B,b@x.org,D,bogus\r\n";
        let r = parse(csv);
        assert_eq!(
            reasons(&r),
            vec![
                (2, "name contains a control character (such as a line break)".to_string()),
                (4, "role \"bogus\" is not one of partner, salaried, locum, registrar".to_string()),
            ]
        );
    }

    #[test]
    fn malformed_csv_lines_are_rejected_and_reading_goes_on() {
        let csv = concat!(
            "membership_no,name,email,lmc,role\n",
            "M1,Dr \"Q\",q@example.org,Devon,partner\n",
            "M2,\"Dr Q\" x,q2@example.org,Devon,partner\n",
            "M3,Dr R,r@example.org,Devon\n",
            "M4,Dr S,s@example.org,Devon,partner,extra\n",
            "M5,Dr T,t@example.org,Devon,partner\n",
            "M6,\"never closed,t@example.org,Devon,partner\n",
            "M7,Dr U,u@example.org,Devon,partner\n",
        );
        let r = parse(csv);
        assert_eq!(r.accepted.len(), 1);
        assert_eq!(r.accepted[0].membership_no, "M5");
        let got = reasons(&r);
        assert_eq!(got[0].0, 2);
        assert!(got[0].1.starts_with("a double quote appears inside an unquoted field"));
        assert_eq!(got[1], (3, "text follows the closing quote of a quoted field".into()));
        assert_eq!(got[2], (4, "has 4 fields, expected 5 (membership_no, name, email, lmc, role)".into()));
        assert_eq!(got[3].0, 5);
        assert!(got[3].1.starts_with("has 6 fields"));
        assert_eq!(got[4], (7, "a quoted field is not closed before the end of the file".into()));
        assert_eq!(got.len(), 5);
    }

    #[test]
    fn field_rules() {
        let line = |m: &str, n: &str, e: &str, l: &str, r: &str| {
            let csv = format!("membership_no,name,email,lmc,role\n{m},{n},{e},{l},{r}\n");
            let out = parse(&csv);
            out.rejected.first().map(|x| x.reason.clone())
        };
        assert_eq!(line("M1", "A", "a@b.org", "D", "Partner"), None);
        assert_eq!(line("M1", "A", "a@b.org", "D", "REGISTRAR"), None);
        assert_eq!(line("", "A", "a@b.org", "D", "partner"), Some("membership number is empty".into()));
        assert_eq!(
            line("M 1", "A", "a@b.org", "D", "partner"),
            Some("membership number \"M 1\" may only contain letters, digits, '-' and '/'".into())
        );
        assert_eq!(
            line(&"9".repeat(33), "A", "a@b.org", "D", "partner"),
            Some("membership number is longer than 32 characters".into())
        );
        assert!(line(&"9".repeat(32), "A", "a@b.org", "D", "partner").is_none());
        assert_eq!(line("M1", "", "a@b.org", "D", "partner"), Some("name is empty".into()));
        assert_eq!(
            line("M1", &"n".repeat(201), "a@b.org", "D", "partner"),
            Some("name is longer than 200 characters".into())
        );
        assert!(line("M1", "Dr \u{202e}evil", "a@b.org", "D", "partner").unwrap().contains("control character"));
        assert_eq!(line("M1", "A", "a@b.org", "", "partner"), Some("LMC is empty".into()));
        assert_eq!(
            line("M1", "A", "a@b.org", &"l".repeat(101), "partner"),
            Some("LMC is longer than 100 characters".into())
        );
        assert_eq!(line("M1", "A", "", "D", "partner"), Some("email is empty".into()));
        assert_eq!(line("M1", "A", "a@b.org", "D", ""), Some("role is empty".into()));
        assert_eq!(
            line("M1", "A", "a@b.org", "D", "gp partner"),
            Some("role \"gp partner\" is not one of partner, salaried, locum, registrar".into())
        );
        // Several problems on one line are all named.
        assert_eq!(
            line("", "", "x", "D", "boss"),
            Some(
                "membership number is empty; name is empty; email \"x\" is not a valid address: \
                 it must contain exactly one @; role \"boss\" is not one of partner, salaried, \
                 locum, registrar"
                    .into()
            )
        );
    }

    #[test]
    fn email_rules() {
        for ok in ["a@b.org", "first.last+tag@nhs.net", "A_B-C@Sub-Domain.Example.CO.UK", "o'neill@example.org"] {
            assert_eq!(check_email(ok), Ok(ok.to_ascii_lowercase()), "{ok}");
        }
        for (bad, why) in [
            ("a@@b.org", "exactly one @"),
            ("ab.org", "exactly one @"),
            ("@b.org", "1 to 64"),
            ("a b@b.org", "not allowed"),
            ("\"a\"@b.org", "not allowed"),
            ("<a>@b.org", "not allowed"),
            ("a,b@b.org", "not allowed"),
            ("é@b.org", "not allowed"),
            (".a@b.org", "misplaced dot"),
            ("a..b@b.org", "misplaced dot"),
            ("a@localhost", "must contain a dot"),
            ("a@b..org", "domain is not valid"),
            ("a@-b.org", "domain is not valid"),
            ("a@b_c.org", "domain is not valid"),
            ("a@b.org\r\nBcc: x", "domain is not valid"),
            ("a\r\nb@b.org", "not allowed"),
        ] {
            let err = check_email(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
        let long_local = format!("{}@b.org", "a".repeat(65));
        assert!(check_email(&long_local).is_err());
        let long = format!("a@{}.org", vec!["b".repeat(63); 4].join("."));
        assert!(long.len() > 254);
        assert_eq!(check_email(&long), Err("it is longer than 254 characters"));
    }

    #[test]
    fn duplicates_in_file_and_on_roll() {
        let csv = concat!(
            "membership_no,name,email,lmc,role\n",
            "M1,A,a@example.org,D,partner\n",
            "m1,B,b@example.org,D,partner\n",
            "M2,C,A@EXAMPLE.ORG,D,partner\n",
            "M3,D,d@example.org,D,partner\n",
            "M4,E,old@example.org,D,partner\n",
            "M1,F,a@example.org,D,partner\n",
        );
        let existing = ExistingRoll {
            membership_nos: ["m3".to_string()].into(),
            emails: ["OLD@example.org".to_string()].into(),
            ..ExistingRoll::default()
        };
        let r = parse_roll(csv, &existing).unwrap();
        assert_eq!(r.accepted.len(), 1);
        assert_eq!(
            reasons(&r),
            vec![
                (3, "duplicate membership number m1 (first on line 2)".into()),
                (4, "duplicate email a@example.org (first on line 2)".into()),
                (5, "membership number M3 is already on the roll".into()),
                (6, "email old@example.org is already on the roll".into()),
                (
                    7,
                    "duplicate membership number M1 (first on line 2); duplicate email a@example.org (first on line 2)"
                        .into()
                ),
            ]
        );
    }

    #[test]
    fn a_rejected_line_does_not_block_a_later_good_one() {
        let csv = concat!(
            "membership_no,name,email,lmc,role\n",
            "M1,A,a@example.org,D,consultant\n",
            "M1,A,a@example.org,D,partner\n",
        );
        let r = parse(csv);
        assert_eq!(r.accepted.len(), 1);
        assert_eq!(r.rejected[0].line, 2);
    }

    #[test]
    fn too_many_lines_fails_the_file() {
        let mut csv = String::with_capacity(8_000_000);
        csv.push_str("membership_no,name,email,lmc,role\n");
        for i in 0..=MAX_ROLL_LINES {
            csv.push_str(&format!("M{i},N,e{i}@x.org,D,locum\n"));
        }
        let err = parse_roll(&csv, &ExistingRoll::default()).unwrap_err();
        assert_eq!(err, "the roll has more than 200000 lines: split it into smaller files");
    }

    #[test]
    fn role_serde_and_parse() {
        assert_eq!(serde_json::to_value(Role::Registrar).unwrap(), "registrar");
        assert_eq!(" Salaried ".parse::<Role>(), Ok(Role::Salaried));
        assert!("trainee".parse::<Role>().is_err());
        assert_eq!(Role::Locum.to_string(), "locum");
    }

    fn write_csv(records: &[Vec<String>]) -> String {
        let mut out = String::new();
        for r in records {
            let cells: Vec<String> = r
                .iter()
                .map(|f| {
                    if f.contains([',', '"', '\n', '\r']) || f.starts_with(' ') || f.is_empty() {
                        format!("\"{}\"", f.replace('"', "\"\""))
                    } else {
                        f.clone()
                    }
                })
                .collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }

    proptest! {
        /// Writing fields with RFC 4180 quoting and reading them back gives the same
        /// fields, and each record starts on the right physical line.
        #[test]
        fn csv_round_trip(records in proptest::collection::vec(
            proptest::collection::vec("[a-z ,\"\n\r]{0,6}", 1..5), 1..20)
        ) {
            let text = write_csv(&records);
            let mut reader = CsvReader::new(&text);
            let mut line = 1;
            for r in &records {
                let got = reader.next_record();
                prop_assert!(got.is_some());
                let got = got.unwrap();
                prop_assert_eq!(got.line, line);
                prop_assert_eq!(got.fields, Ok(r.clone()));
                let breaks: usize = r.iter().map(|f| f.replace("\r\n", "\n").matches(['\n', '\r']).count()).sum();
                line += 1 + breaks;
            }
            prop_assert!(reader.next_record().is_none());
        }

        /// The importer never panics and accounts for every non-blank line.
        #[test]
        fn import_accounts_for_every_line(body in "[a-zA-Z0-9@., \"\n-]{0,400}") {
            let csv = format!("membership_no,name,email,lmc,role\n{body}");
            if let Ok(r) = parse_roll(&csv, &ExistingRoll::default()) {
                let lines: HashSet<usize> = r.rejected.iter().map(|x| x.line).collect();
                prop_assert_eq!(lines.len(), r.rejected.len());
                prop_assert!(r.rejected.iter().all(|x| x.line >= 2));
            }
        }
    }
}
