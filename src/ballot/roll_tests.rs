#![allow(clippy::unwrap_used)]

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
            name: PersonName::parse("Dr GP 0").unwrap(),
            email: EmailAddress::parse("gp0@example.org").unwrap(),
            lmc: "Devon".into(),
            role: GpRole::Partner,
        }
    );
}

#[test]
fn header_in_any_order_and_case_with_bom_and_crlf() {
    let csv = "\u{feff} GpRole , EMAIL,lmc,Name,Membership_No\r\nLOCUM,A@Example.ORG,Kent,Dr A,K-1/2\r\n";
    let r = parse(csv);
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert_eq!(
        r.accepted,
        vec![RollEntry {
            membership_no: "K-1/2".into(),
            name: PersonName::parse("Dr A").unwrap(),
            email: EmailAddress::parse("a@example.org").unwrap(),
            lmc: "Kent".into(),
            role: GpRole::Locum,
        }]
    );
}

#[test]
fn header_errors_fail_the_whole_file() {
    let none = ExistingRoll::default();
    assert_eq!(
        parse_roll("membership_no,name,lmc,role\nM1,A,Kent,locum\n", &none).unwrap_err().to_string(),
        "missing column email in the header (expected membership_no, name, email, lmc, role)"
    );
    assert!(parse_roll("membership_no,name,email,lmc,role,gmc\n", &none)
        .unwrap_err()
        .to_string()
        .starts_with("unknown column \"gmc\" in the header (expected membership_no, name, email, lmc, role;"));
    assert_eq!(
        parse_roll("membership_no,name,email,lmc,role,Email\n", &none).unwrap_err().to_string(),
        "column email appears twice in the header"
    );
    assert!(parse_roll("", &none).unwrap_err().to_string().starts_with("the file is empty"));
    assert!(parse_roll("\u{feff}\n\n", &none).unwrap_err().to_string().starts_with("the file is empty"));
    assert!(parse_roll("\"membership_no,name\n", &none)
        .unwrap_err()
        .to_string()
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
    assert_eq!(r.accepted[0].role, GpRole::Salaried);
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
        name: PersonName::parse(name).unwrap(),
        email: EmailAddress::parse(email).unwrap(),
        lmc: "Devon".into(),
        role: GpRole::Partner,
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
    assert_eq!(err, crate::ballot::RollFileError::TooManyLines);
    assert_eq!(err.to_string(), "the roll has more than 200000 lines: split it into smaller files");
}

#[test]
fn role_serde_and_parse() {
    assert_eq!(serde_json::to_value(GpRole::Registrar).unwrap(), "registrar");
    assert_eq!(" Salaried ".parse::<GpRole>(), Ok(GpRole::Salaried));
    assert!("trainee".parse::<GpRole>().is_err());
    assert_eq!(GpRole::Locum.to_string(), "locum");
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
