use super::*;
use crate::audit::{self, QuestionCounts};
use proptest::prelude::*;

#[test]
fn thousands_are_separated_by_commas() {
    for (n, s) in [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1000, "1,000"),
        (12590, "12,590"),
        (123456, "123,456"),
        (1234567, "1,234,567"),
    ] {
        assert_eq!(thousands(n), s);
    }
}

fn yn() -> QuestionDef {
    QuestionDef {
        text: "Are you prepared to undertake one or more examples of collective action?".into(),
        kind: QuestionKind::YesNo,
        options: vec![],
        max: None,
    }
}

fn counts(cast: u64, qs: Vec<Vec<(&str, u64)>>) -> Results {
    Results {
        votes_cast: cast,
        questions: qs
            .into_iter()
            .map(|c| QuestionCounts { counts: c.into_iter().map(|(k, v)| (k.to_string(), v)).collect() })
            .collect(),
    }
}

#[test]
fn bma_2024_reference_figures() {
    let r = results(&[yn()], &counts(8518, vec![vec![("yes", 8375), ("no", 143)]]), 12590, &Thresholds::default());
    assert_eq!(r.turnout, 0.6766);
    assert!(r.thresholds.turnout.met);
    assert_eq!(r.thresholds.turnout.actual, 0.6766);
    assert_eq!(r.thresholds.turnout.required, 0.5);
    let yes = &r.questions[0].options[0];
    assert_eq!((yes.option.as_str(), yes.votes), ("yes", 8375));
    assert_eq!(yes.share_of_cast, 0.9832);
    assert_eq!(yes.share_of_eligible, 0.6652);
    let y = r.thresholds.yes_of_eligible.as_ref().unwrap();
    assert_eq!((y.question, y.actual, y.required, y.met), (1, 0.6652, 0.4, true));
    assert!(r.thresholds.information_only);
    assert_eq!(r.thresholds.note, THRESHOLDS_NOTE);
    assert!(r.thresholds.turnout.note.contains("Turnout 67.7% (8,518 of 12,590 eligible)"));
    assert!(y.note.starts_with("8,375 voted yes to question 1: 66.5% of the 12,590"));
    assert!(r.thresholds.turnout.in_force);
    assert!(!y.in_force && y.abolished_on.as_deref() == Some("2026-02-18"));
    assert!(y.note.contains("abolished on 18 February 2026; for comparison only"), "{}", y.note);
}

#[test]
fn thresholds_not_met_and_exact_boundaries() {
    let q = [yn()];
    let r = results(&q, &counts(5, vec![vec![("yes", 2), ("no", 3)]]), 10, &Thresholds::default());
    assert!(r.thresholds.turnout.met, "exactly 50% meets the test");
    let y = r.thresholds.yes_of_eligible.unwrap();
    assert!(!y.met && y.actual == 0.2);
    let r = results(&q, &counts(4, vec![vec![("yes", 4), ("no", 0)]]), 10, &Thresholds::default());
    assert!(!r.thresholds.turnout.met);
    assert!(r.thresholds.yes_of_eligible.unwrap().met, "exactly 40% meets the test");
    let custom = Thresholds { turnout_min: 0.3, yes_of_eligible_min: 0.5 };
    let r = results(&q, &counts(4, vec![vec![("yes", 4), ("no", 0)]]), 10, &custom);
    assert!(r.thresholds.turnout.met && !r.thresholds.yes_of_eligible.unwrap().met);
}

#[test]
fn zero_eligible_and_zero_votes_are_safe() {
    let r = results(&[yn()], &counts(0, vec![vec![("yes", 0), ("no", 0)]]), 0, &Thresholds::default());
    assert_eq!(r.turnout, 0.0);
    assert!(!r.thresholds.turnout.met);
    assert!(r.questions[0].options.iter().all(|o| o.share_of_cast == 0.0 && o.share_of_eligible == 0.0));
    // Missing counts are zeros.
    let r = results(&[yn()], &counts(0, vec![]), 5, &Thresholds::default());
    assert_eq!(r.questions[0].options.len(), 2);
}

#[test]
fn no_yes_no_question_means_no_yes_test() {
    let q = QuestionDef {
        text: "Which?".into(),
        kind: QuestionKind::OneOf,
        options: vec!["A".into(), "B".into()],
        max: None,
    };
    let r = results(
        &[q.clone(), yn()],
        &counts(3, vec![vec![("A", 1), ("B", 2)], vec![("yes", 3), ("no", 0)]]),
        4,
        &Thresholds::default(),
    );
    assert_eq!(r.thresholds.yes_of_eligible.as_ref().map(|y| y.question), Some(2));
    assert_eq!(r.questions[0].options[1].share_of_cast, 0.6667);
    let r = results(&[q], &counts(3, vec![vec![("A", 1), ("B", 2)]]), 4, &Thresholds::default());
    assert!(r.thresholds.yes_of_eligible.is_none());
}

#[test]
fn results_serialise() {
    let r = results(&[yn()], &counts(1, vec![vec![("yes", 1), ("no", 0)]]), 2, &Thresholds::default());
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["questions"][0]["kind"], "yes_no");
    assert_eq!(v["thresholds"]["information_only"], true);
    assert_eq!(v["turnout"], 0.5);
}

fn group(dim: &str, name: &str, eligible: u64, voted: u64) -> GroupTally {
    GroupTally {
        dimension: dim.into(),
        group: name.into(),
        eligible,
        voted,
        counts: Some(counts(voted, vec![vec![("yes", voted), ("no", 0)]])),
    }
}

#[test]
fn small_groups_are_suppressed_with_their_complement() {
    let rows = breakdown(
        vec![
            group("role", "partner", 500, 300),
            group("role", "salaried", 300, 120),
            group("role", "locum", 20, 4),
            group("role", "registrar", 50, 30),
            group("lmc", "Devon", 400, 250),
            group("lmc", "Kent", 470, 204),
        ],
        MIN_GROUP,
    );
    let by = |g: &str| rows.iter().find(|r| r.group == g).unwrap();
    let locum = by("locum");
    assert!(locum.suppressed && locum.voted.is_none() && locum.counts.is_none() && locum.turnout.is_none());
    assert_eq!(locum.eligible, 20);
    assert_eq!(locum.note.as_deref(), Some("fewer than 10 voters"));
    // The smallest other role is hidden too, or locum = total − the rest.
    let reg = by("registrar");
    assert!(reg.suppressed);
    assert!(reg.note.as_deref().unwrap().contains("subtraction"));
    assert!(!by("salaried").suppressed && !by("partner").suppressed);
    assert_eq!(by("partner").voted, Some(300));
    assert_eq!(by("partner").turnout, Some(0.6));
    assert_eq!(by("partner").counts.as_ref().unwrap()[0]["yes"], 300);
    assert!(!by("Devon").suppressed && !by("Kent").suppressed);
}

#[test]
fn enough_hidden_voters_need_no_secondary_suppression() {
    let rows = breakdown(
        vec![group("lmc", "A", 30, 6), group("lmc", "B", 30, 7), group("lmc", "C", 30, 20), group("lmc", "D", 30, 0)],
        10,
    );
    let hidden: Vec<&str> = rows.iter().filter(|r| r.suppressed).map(|r| r.group.as_str()).collect();
    assert_eq!(hidden, vec!["A", "B", "D"]);
    // A lone group with no voters reveals nothing: nothing else is hidden.
    let rows = breakdown(vec![group("lmc", "A", 30, 0), group("lmc", "B", 30, 20)], 10);
    assert!(rows[0].suppressed && !rows[1].suppressed);
}

#[test]
fn live_turnout_hides_small_groups_by_roll_and_moves_in_steps() {
    let rows = live_turnout(
        &[
            group("lmc", "Devon", 30, 17),
            group("lmc", "Kent", 12, 12),
            group("lmc", "Rutland", 3, 1),
            group("role", "partner", 45, 30),
        ],
        MIN_GROUP,
    );
    let by = |g: &str| rows.iter().find(|r| r.group == g).unwrap();
    assert_eq!((by("Devon").voted, by("Devon").turnout), (Some(10), Some(0.3333)));
    // Rutland has 3 on the roll: hidden, and Kent (the smallest other) with it.
    assert!(by("Rutland").suppressed && by("Rutland").voted.is_none() && by("Rutland").turnout.is_none());
    assert!(by("Kent").suppressed && by("Kent").note.as_deref().unwrap().contains("subtraction"));
    assert_eq!(by("partner").voted, Some(30));
    assert!(!by("partner").suppressed);
}

fn sample() -> BallotResults {
    let many = QuestionDef {
        text: "Which actions?".into(),
        kind: QuestionKind::ManyOf,
        options: vec!["=HYPERLINK(\"x\")".into(), "Limit contacts, safely".into(), "<b>&</b>".into()],
        max: Some(2),
    };
    results(
        &[yn(), many],
        &counts(
            8518,
            vec![
                vec![("yes", 8375), ("no", 143)],
                vec![("=HYPERLINK(\"x\")", 1), ("Limit contacts, safely", 7000), ("<b>&</b>", 0)],
            ],
        ),
        12590,
        &Thresholds::default(),
    )
}

#[test]
fn csv_output() {
    let csv = results_csv(&sample());
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines[0], "question,option,votes,share_of_cast,share_of_eligible");
    assert_eq!(lines[1], "1,yes,8375,0.9832,0.6652");
    assert_eq!(lines[2], "1,no,143,0.0168,0.0114");
    assert_eq!(lines[3], "2,\"'=HYPERLINK(\"\"x\"\")\",1,0.0001,0.0001");
    assert_eq!(lines[4], "2,\"Limit contacts, safely\",7000,0.8218,0.5560");
    assert_eq!(lines[5], "2,<b>&</b>,0,0.0000,0.0000");
    assert_eq!(lines[6], "");
}

#[test]
fn svg_is_accessible_and_escaped() {
    let r = sample();
    let svg = results_svg(&r.questions[1], "GP ballot & \"results\"");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains("aria-labelledby=\"carried-chart-"));
    assert!(svg.contains("<title id=\"carried-chart-"));
    assert!(svg.contains(">GP ballot &amp; &quot;results&quot;</title>"));
    assert!(svg.contains("&lt;b&gt;&amp;&lt;/b&gt;"));
    assert!(!svg.contains("<b>"));
    assert!(svg.contains("7,000 (82.2%)"));
    assert!(svg.contains("fill=\"#005eb8\""));
    assert!(svg.contains("shares can add up to more than 100%"));
    assert!(svg.trim_end().ends_with("</svg>"));
    let yn = results_svg(&r.questions[0], "Q1");
    assert!(yn.contains(">Yes</text>") && yn.contains("8,375 (98.3%)"));
    assert!(yn.contains("Yes: 8,375 votes (98.3% of votes cast)."));
    // Balanced tags (a rough well-formedness check).
    for tag in ["svg", "g", "title", "desc", "text"] {
        assert_eq!(yn.matches(&format!("<{tag}")).count(), yn.matches(&format!("</{tag}>")).count(), "{tag}");
    }
}

#[test]
fn helpers() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(12590), "12,590");
    assert_eq!(thousands(1234567), "1,234,567");
    assert_eq!(xml_escape("a\u{1}b\tc'"), "ab c&apos;");
    assert_eq!(round4(0.66521), 0.6652);
    assert_eq!(csv_cell("-1"), "'-1");
    assert_eq!(csv_cell("@x"), "'@x");
    assert_eq!(csv_cell("plain"), "plain");
}

#[test]
fn every_formula_start_is_defused() {
    for bad in [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        "\u{FF1D}HYPERLINK(\"x\")",
        "\u{FF0B}1",
        "\u{FF0D}1",
        "\u{FF20}x",
        "|calc",
        "\tx",
        "\rx",
        "\nx",
        "  =1",
        " |x",
    ] {
        assert!(looks_like_formula(bad), "{bad:?}");
        assert!(csv_cell(bad).trim_start_matches('"').starts_with('\''), "{bad:?} -> {}", csv_cell(bad));
    }
    for fine in ["plain", "Limit contacts, safely", "a=b", "1-2", "x|y", "(ii) CARRIED"] {
        assert!(!looks_like_formula(fine), "{fine:?}");
    }
    assert_eq!(csv_cell("|x, y"), "\"'|x, y\"");
}

proptest! {
    /// Shares are fractions in [0, 1] with at most 4 decimals, consistent with the
    /// counts, whatever the counts (including zero eligible).
    #[test]
    fn shares_are_bounded_fractions(
        yes in 0u64..5000, no in 0u64..5000, extra in 0u64..5000,
    ) {
        let cast = yes + no;
        let eligible = cast + extra;
        let r = results(&[yn()], &counts(cast, vec![vec![("yes", yes), ("no", no)]]), eligible, &Thresholds::default());
        prop_assert!(r.turnout >= 0.0 && r.turnout <= 1.0);
        for o in &r.questions[0].options {
            prop_assert!(o.share_of_cast >= 0.0 && o.share_of_cast <= 1.0);
            prop_assert!(o.share_of_eligible <= o.share_of_cast + 1e-9 || cast == 0);
            prop_assert_eq!(round4(o.share_of_cast), o.share_of_cast);
        }
        let y = r.thresholds.yes_of_eligible.unwrap();
        prop_assert_eq!(y.met, eligible > 0 && 10 * yes >= 4 * eligible);
        prop_assert_eq!(r.thresholds.turnout.met, eligible > 0 && 2 * cast >= eligible);
    }

    /// No breakdown ever shows a group under the minimum, and the hidden groups of
    /// a dimension never add up to between 1 and min − 1 voters while any group is shown.
    #[test]
    fn breakdown_never_reveals_a_small_group(
        voted in proptest::collection::vec(0u64..30, 1..8), min in 1u64..15,
    ) {
        let groups: Vec<GroupTally> = voted
            .iter()
            .enumerate()
            .map(|(i, v)| group("lmc", &format!("g{i}"), 40, *v))
            .collect();
        let rows = breakdown(groups, min);
        for (row, v) in rows.iter().zip(&voted) {
            if *v < min {
                prop_assert!(row.suppressed && row.voted.is_none() && row.counts.is_none());
            }
            if !row.suppressed {
                prop_assert_eq!(row.voted, Some(*v));
            }
        }
        let hidden: u64 = rows.iter().zip(&voted).filter(|(r, _)| r.suppressed).map(|(_, v)| *v).sum();
        let any_shown = rows.iter().any(|r| !r.suppressed);
        prop_assert!(!(any_shown && hidden > 0 && hidden < min));
    }

    /// Live turnout: which groups are hidden depends only on the roll, never on votes; a hidden
    /// group's voters add up with the other hidden groups to 0 or at least the minimum on the roll;
    /// shown figures are multiples of the minimum; and one more vote changes at most one shown
    /// figure, by exactly the minimum, never one for a group under the minimum.
    #[test]
    fn live_turnout_never_steps_by_one_voter(
        sizes in proptest::collection::vec((0u64..40, 0u64..40), 1..8),
        min in 1u64..15,
        who in 0usize..8,
    ) {
        let groups: Vec<GroupTally> = sizes
            .iter()
            .enumerate()
            .map(|(i, (e, v))| group(if i % 2 == 0 { "lmc" } else { "role" }, &format!("g{i}"), *e, (*v).min(*e)))
            .collect();
        let before = live_turnout(&groups, min);
        for dim in ["lmc", "role"] {
            let hidden: u64 = before.iter().filter(|r| r.dimension == dim && r.suppressed).map(|r| r.eligible).sum();
            let shown = before.iter().any(|r| r.dimension == dim && !r.suppressed);
            prop_assert!(!(shown && hidden > 0 && hidden < min));
        }
        for (row, g) in before.iter().zip(&groups) {
            if g.eligible < min {
                prop_assert!(row.suppressed && row.voted.is_none());
            }
            if let Some(v) = row.voted {
                prop_assert!(v % min == 0 && v <= g.voted && g.voted - v < min);
            }
        }
        // One more voter in group `who` (if the roll has room).
        let i = who % groups.len();
        let mut after_groups = groups.clone();
        if after_groups[i].voted < after_groups[i].eligible {
            after_groups[i].voted += 1;
        }
        let after = live_turnout(&after_groups, min);
        let mut changed = 0;
        for (a, b) in before.iter().zip(&after) {
            prop_assert_eq!(a.suppressed, b.suppressed);
            if a.voted != b.voted {
                changed += 1;
                prop_assert_eq!(b.voted.unwrap_or(0) - a.voted.unwrap_or(0), min);
                prop_assert!(a.eligible >= min);
            }
        }
        prop_assert!(changed <= 1);
    }
}

#[test]
fn results_from_an_audit_tally() {
    let q = [yn()];
    let audit_q: Vec<audit::Question> = q.iter().map(QuestionDef::to_audit).collect();
    let answers = [serde_json::json!(["yes"]), serde_json::json!(["no"]), serde_json::json!(["yes"])];
    let tally = audit::tally(&audit_q, &answers);
    let r = results(&q, &tally, 4, &Thresholds::default());
    assert_eq!(r.votes_cast, 3);
    assert_eq!(r.questions[0].options[0].votes, 2);
    assert_eq!(r.turnout, 0.75);
}
