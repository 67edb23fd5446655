//! Turnout by LMC area as CSV, for the officer's spreadsheet. The rows come already suppressed by the
//! service ([`super::results::live_turnout`] while voting is open, [`super::results::breakdown`] once it has
//! closed: both hide small groups with [`super::results::suppression`]); this only writes them out, with
//! cells a spreadsheet cannot run as formulas.

use std::fmt::Write;

use super::results::csv_cell;

/// One line of the export: a group, or the whole ballot.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnoutLine {
    pub group: String,
    pub eligible: u64,
    /// None when the group is hidden.
    pub voted: Option<u64>,
    /// A fraction, 4 decimal places; None when hidden.
    pub turnout: Option<f64>,
    pub note: Option<String>,
}

/// The header, then the whole ballot, then one line per group: `lmc,eligible,voted,turnout,note` (CRLF line
/// ends; a hidden group's voted and turnout cells are empty and its note says why).
pub fn turnout_csv(total: &TurnoutLine, groups: &[TurnoutLine]) -> String {
    let mut out = String::from("lmc,eligible,voted,turnout,note\r\n");
    for line in std::iter::once(total).chain(groups) {
        let _ = write!(
            out,
            "{},{},{},{},{}\r\n",
            csv_cell(&line.group),
            line.eligible,
            line.voted.map(|v| v.to_string()).unwrap_or_default(),
            line.turnout.map(|t| format!("{t:.4}")).unwrap_or_default(),
            csv_cell(line.note.as_deref().unwrap_or("")),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_groups_have_empty_cells_and_a_reason() {
        let total = TurnoutLine { group: "All".into(), eligible: 25, voted: Some(12), turnout: Some(0.48), note: None };
        let groups = vec![
            TurnoutLine {
                group: "Devon".into(),
                eligible: 20,
                voted: Some(10),
                turnout: Some(0.5),
                note: Some("rounded down to a multiple of 10 while voting is open".into()),
            },
            TurnoutLine {
                group: "=HYPERLINK(\"x\")".into(),
                eligible: 5,
                voted: None,
                turnout: None,
                note: Some("fewer than 10 on the roll".into()),
            },
        ];
        let csv = turnout_csv(&total, &groups);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "lmc,eligible,voted,turnout,note");
        assert_eq!(lines[1], "All,25,12,0.4800,");
        assert_eq!(lines[2], "Devon,20,10,0.5000,rounded down to a multiple of 10 while voting is open");
        assert_eq!(lines[3], "\"'=HYPERLINK(\"\"x\"\")\",5,,,fewer than 10 on the roll", "a formula is defused");
        assert_eq!(lines[4], "");
    }
}
