use super::*;

fn part(label: &str, text: &str, outcome: Option<Outcome>, vote: Option<Vote>) -> PartInput {
    PartInput {
        label: label.into(),
        text: text.into(),
        outcome,
        qualifier: None,
        vote,
        as_amended: false,
        added_by_rider: false,
    }
}

fn item(n: &str, proposer: &str, stem: &str) -> ItemInput {
    ItemInput {
        item: n.into(),
        kind: ItemKind::Motion,
        section: Some("GP CONTRACT".into()),
        proposer: Some(proposer.into()),
        agenda_committee: false,
        amends: None,
        stem: stem.into(),
        stem_as_amended: false,
        parts: Vec::new(),
        taken: TakenAs::Whole,
        whole_outcome: None,
        whole_qualifier: None,
        whole_vote: None,
        en_bloc: false,
        outcome_text: None,
        decisions: Vec::new(),
    }
}

fn e(f: u64, a: u64, ab: u64) -> Option<Vote> {
    Some(Vote::new(Method::Electronic, Some(Counts::new(f, a, ab))))
}

fn conference(open: bool) -> ConferenceInput {
    ConferenceInput {
        name: "Conference of England LMCs".into(),
        venue: Some("Manchester Central".into()),
        starts_on: NaiveDate::from_ymd_opt(2026, 11, 19),
        ends_on: NaiveDate::from_ymd_opt(2026, 11, 20),
        open,
    }
}

/// A day: item 2 in parts with an amendment carried on (2) and a rider (printed as items 3 and 4);
/// item 5 lost on a show of hands; item 6 an 'A' motion carried en bloc; item 7 moved to next
/// business; item 8 not reached.
fn day() -> (Vec<ItemInput>, Vec<Decision>) {
    let mut two = item("2", "Lambeth", "That conference:");
    two.taken = TakenAs::Parts;
    two.parts = vec![
        part("(1)", "funds practices.", Some(Outcome::Carried), e(3, 0, 0)),
        PartInput { as_amended: true, ..part("(2)", "consult LMCs first.", Some(Outcome::Lost), e(1, 2, 0)) },
        PartInput { added_by_rider: true, ..part("(3)", "report each year.", Some(Outcome::Carried), e(2, 0, 1)) },
    ];
    two.parts[0].qualifier = Some(Qualifier::Unanimously);
    two.parts[2].qualifier = Some(Qualifier::NemCon);
    two.outcome_text = Some("PARTS (1) AND (3) CARRIED; PART (2) LOST".into());
    two.decisions = vec![
        Decision {
            kind: DecisionKind::Amendment,
            heading: "Amendment to motion 2, part (2)".into(),
            words: "(2) consult LMCs first.".into(),
            result: "CARRIED".into(),
            carried: true,
            vote: e(2, 1, 0).unwrap(),
            printed_item: None,
            on_items: vec!["2".into()],
        },
        Decision {
            kind: DecisionKind::Rider,
            heading: "Rider to motion 2".into(),
            words: "(3) report each year.".into(),
            result: "CARRIED UNANIMOUSLY".into(),
            carried: true,
            vote: Vote::new(Method::ShowOfHands, None),
            printed_item: None,
            on_items: vec!["2".into()],
        },
    ];
    let mut three = item("3", "Cleveland", "Amend item 2 (ii) to read 'consult LMCs first'.");
    three.kind = ItemKind::Amendment;
    three.amends = Some("2".into());
    three.whole_outcome = Some(Outcome::NotReached);
    three.outcome_text = Some("NOT REACHED".into());
    let mut four = item("4", "Wessex", "Add a new part: 'report each year'.");
    four.kind = ItemKind::Rider;
    four.amends = Some("2".into());
    four.whole_outcome = Some(Outcome::NotReached);
    four.outcome_text = Some("NOT REACHED".into());
    let mut five = item("5", "Devon", "That conference abolishes the CQC.");
    five.whole_outcome = Some(Outcome::Lost);
    five.whole_vote = Some(Vote::new(Method::ShowOfHands, None));
    five.outcome_text = Some("LOST".into());
    let mut six = item("6", "Kent", "That conference reaffirms its policy on pensions.");
    six.section = Some("PENSIONS".into());
    six.whole_outcome = Some(Outcome::Carried);
    six.whole_vote = e(3, 0, 0);
    six.en_bloc = true;
    six.outcome_text = Some("CARRIED".into());
    let mut seven = item("7", "Avon", "That conference debates the weather.");
    seven.section = Some("PENSIONS".into());
    seven.whole_outcome = Some(Outcome::MovedToNextBusiness);
    seven.outcome_text = Some("MOVED TO NEXT BUSINESS".into());
    seven.decisions = vec![Decision {
        kind: DecisionKind::Procedural,
        heading: "Procedural motion on motion 7".into(),
        words: "That conference moves to next business".into(),
        result: "CARRIED BY A TWO-THIRDS MAJORITY".into(),
        carried: true,
        vote: e(2, 1, 0).unwrap(),
        printed_item: None,
        on_items: vec!["7".into()],
    }];
    let mut eight = item("8", "Avon", "That conference runs out of time.");
    eight.section = Some("PENSIONS".into());
    eight.agenda_committee = true;
    eight.parts = vec![
        part("(i)", "one.", Some(Outcome::NotReached), None),
        part("(ii)", "two.", Some(Outcome::NotReached), None),
    ];
    eight.taken = TakenAs::Whole;
    eight.whole_outcome = Some(Outcome::NotReached);
    eight.outcome_text = Some("NOT REACHED".into());
    let en_bloc = vec![Decision {
        kind: DecisionKind::AMotionsEnBloc,
        heading: "The 'A' motions, en bloc: 6".into(),
        words: String::new(),
        result: "CARRIED UNANIMOUSLY".into(),
        carried: true,
        vote: e(3, 0, 0).unwrap(),
        printed_item: None,
        on_items: vec!["6".into()],
    }];
    (vec![two, three, four, five, six, seven, eight], en_bloc)
}

#[test]
fn a_day_reads_as_published() {
    let (items, en_bloc) = day();
    let doc = resolutions(&conference(false), &items, &en_bloc);
    let expected = "RESOLUTIONS
Conference of England LMCs
Thursday 19 and Friday 20 November 2026, Manchester Central

== Resolutions ==

-- GP CONTRACT --

2 LAMBETH: That conference:
(1) funds practices.
    CARRIED UNANIMOUSLY — for 3 (100.0%), against 0 (0.0%), abstain 0
(2) consult LMCs first. (as amended)
    LOST — for 1 (33.3%), against 2 (66.7%), abstain 0
(3) report each year. (added by rider)
    CARRIED NEM CON — for 2 (100.0%), against 0 (0.0%), abstain 1
PARTS (1) AND (3) CARRIED; PART (2) LOST
  Amendment to motion 2, part (2) (item 3): “(2) consult LMCs first.” — CARRIED, for 2 (66.7%), against 1 (33.3%), abstain 0
  Rider to motion 2 (item 4): “(3) report each year.” — CARRIED UNANIMOUSLY, on a show of hands

-- PENSIONS --

6 KENT: That conference reaffirms its policy on pensions.
CARRIED (with the 'A' motions, en bloc) — for 3 (100.0%), against 0 (0.0%), abstain 0

== Motions lost ==

-- GP CONTRACT --

5 DEVON: That conference abolishes the CQC.
LOST — on a show of hands

== Motions moved to next business ==

-- PENSIONS --

7 AVON: That conference debates the weather.
MOVED TO NEXT BUSINESS
  Procedural motion on motion 7: “That conference moves to next business” — CARRIED BY A TWO-THIRDS MAJORITY, for 2 (66.7%), against 1 (33.3%), abstain 0

== Motions not reached ==

-- PENSIONS --

8 AGENDA COMMITTEE TO BE PROPOSED BY AVON: That conference runs out of time.
(i) one.
(ii) two.
NOT REACHED

== Amendments, riders and procedural motions ==

Amendment to motion 2, part (2) (item 3): “(2) consult LMCs first.” — CARRIED, for 2 (66.7%), against 1 (33.3%), abstain 0
Rider to motion 2 (item 4): “(3) report each year.” — CARRIED UNANIMOUSLY, on a show of hands
Procedural motion on motion 7: “That conference moves to next business” — CARRIED BY A TWO-THIRDS MAJORITY, for 2 (66.7%), against 1 (33.3%), abstain 0
The 'A' motions, en bloc: 6 — CARRIED UNANIMOUSLY, for 3 (100.0%), against 0 (0.0%), abstain 0
";
    assert_eq!(render_text(&doc), expected);
    assert_eq!(
        doc.counts.iter().map(|c| (c.group, c.items)).collect::<Vec<_>>(),
        vec![(Group::Resolutions, 2), (Group::Lost, 1), (Group::MovedToNextBusiness, 1), (Group::NotReached, 1)]
    );
}

#[test]
fn csv_has_one_row_per_part() {
    let (items, en_bloc) = day();
    let doc = resolutions(&conference(false), &items, &en_bloc);
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let csv = csv_rows(&doc, q);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], CSV_HEADER);
    assert_eq!(
            lines[1],
            "2,\"GP CONTRACT\",motion,\"Lambeth\",\"That conference:\",\"(1)\",\"funds practices.\",\"CARRIED UNANIMOUSLY\",electronic,3,0,0,100.0,0.0,no,no,resolutions,\"PARTS (1) AND (3) CARRIED; PART (2) LOST\""
        );
    assert_eq!(
            lines[2],
            "2,\"GP CONTRACT\",motion,\"Lambeth\",\"That conference:\",\"(2)\",\"consult LMCs first.\",\"LOST\",electronic,1,2,0,33.3,66.7,yes,no,resolutions,\"PARTS (1) AND (3) CARRIED; PART (2) LOST\""
        );
    assert!(lines[3].contains(",\"(3)\",\"report each year.\",\"CARRIED NEM CON\",electronic,2,0,1,100.0,0.0,no,yes,"));
    assert_eq!(
            lines[4],
            "6,\"PENSIONS\",motion,\"Kent\",\"That conference reaffirms its policy on pensions.\",\"\",\"That conference reaffirms its policy on pensions.\",\"CARRIED\",electronic,3,0,0,100.0,0.0,no,no,resolutions,\"CARRIED\""
        );
    assert_eq!(
            lines[5],
            "5,\"GP CONTRACT\",motion,\"Devon\",\"That conference abolishes the CQC.\",\"\",\"That conference abolishes the CQC.\",\"LOST\",show_of_hands,,,,,,no,no,lost,\"LOST\""
        );
    // Item 8 taken as a whole: each part carries the motion's outcome.
    assert!(
        lines[7].contains(",\"(i)\",\"one.\",\"NOT REACHED\",,,,,,,no,no,not_reached,\"NOT REACHED\""),
        "{}",
        lines[7]
    );
    assert!(lines[8].contains(",\"(ii)\",\"two.\",\"NOT REACHED\","));
    assert_eq!(lines.len(), 9, "the printed amendment and rider are published with item 2: {csv}");
}

#[test]
fn printed_amendments_are_paired_only_when_as_many_were_put() {
    let (mut items, en_bloc) = day();
    items[0].decisions.remove(0);
    let doc = resolutions(&conference(false), &items, &en_bloc);
    let text = render_text(&doc);
    assert!(
        text.contains(
            "Amendment 3 to item 2 CLEVELAND: Amend item 2 (ii) to read 'consult LMCs first'.\nNOT REACHED\n"
        ),
        "{text}"
    );
    assert!(text.contains("Rider to motion 2 (item 4)"), "{text}");
}

#[test]
fn an_amendment_put_as_its_printed_item_is_published_with_its_motion() {
    let (mut items, en_bloc) = day();
    // The amendment was put as item 3 (linked), and a second amendment was moved from the floor.
    items[0].decisions[0].printed_item = Some("3".into());
    let mut floor = items[0].decisions[0].clone();
    floor.printed_item = None;
    floor.heading = "Amendment to motion 2, part (1)".into();
    items[0].decisions.insert(1, floor);
    items[1].whole_outcome = Some(Outcome::Carried);
    items[1].outcome_text = Some("CARRIED".into());
    let doc = resolutions(&conference(false), &items, &en_bloc);
    let text = render_text(&doc);
    assert!(!text.contains("Amendment 3 to item 2"), "{text}");
    assert!(text.contains("  Amendment to motion 2, part (2) (item 3): "), "{text}");
    assert!(text.contains("  Amendment to motion 2, part (1): "), "{text}");
    assert_eq!(doc.groups[0].entries.iter().map(|e| e.item.as_str()).collect::<Vec<_>>(), ["2", "6"]);
}

#[test]
fn html_is_escaped_and_printable() {
    let (mut items, en_bloc) = day();
    items[3].stem = "That conference <script>alert(1)</script> & more".into();
    let html = render_html(&resolutions(&conference(true), &items, &en_bloc));
    assert!(html.contains("That conference &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
    assert!(!html.contains("<script"));
    assert!(!html.contains("style="));
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/static/resolutions-print.css\">"));
    assert!(html.contains("<p class=\"provisional\">Provisional: the conference is still in session.</p>"));
    assert!(html.contains("<h2 id=\"h-resolutions\">Resolutions</h2>"));
    assert!(html.contains("<li class=\"part not-carried\"><span class=\"label\">(2)</span>"));
}

#[test]
fn groups_follow_the_outcomes() {
    use Outcome::*;
    assert_eq!(Group::of(&[Some(Lost), Some(CarriedAsReference)]), Group::Resolutions);
    assert_eq!(Group::of(&[Some(Lost), Some(NotReached)]), Group::Lost);
    assert_eq!(Group::of(&[Some(NotReached), Some(MovedToNextBusiness)]), Group::MovedToNextBusiness);
    assert_eq!(Group::of(&[Some(Withdrawn)]), Group::Withdrawn);
    assert_eq!(Group::of(&[Some(NotReached)]), Group::NotReached);
    assert_eq!(Group::of(&[Some(NotReached), None]), Group::NotYetDecided);
    assert_eq!(Group::of(&[None]), Group::NotYetDecided);
}

#[test]
fn undecided_items_of_an_open_conference_are_not_yet_decided() {
    let items = vec![item("1", "Kent", "That conference waits.")];
    let doc = resolutions(&conference(true), &items, &[]);
    assert_eq!(doc.groups[0].group, Group::NotYetDecided);
    assert!(render_text(&doc).contains("That conference waits.\nNOT YET DECIDED\n"));
    let doc = resolutions(&conference(false), &items, &[]);
    assert_eq!(doc.groups[0].group, Group::NotReached);
}

#[test]
fn dates_as_printed() {
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    assert_eq!(describe_dates(d(2026, 11, 20), None), "Friday 20 November 2026");
    assert_eq!(describe_dates(d(2026, 11, 20), Some(d(2026, 11, 20))), "Friday 20 November 2026");
    assert_eq!(describe_dates(d(2026, 11, 19), Some(d(2026, 11, 20))), "Thursday 19 and Friday 20 November 2026");
    assert_eq!(describe_dates(d(2026, 11, 30), Some(d(2026, 12, 1))), "Monday 30 November and Tuesday 1 December 2026");
    assert_eq!(describe_dates(d(2026, 11, 17), Some(d(2026, 11, 19))), "Tuesday 17 to Thursday 19 November 2026");
    assert_eq!(
        describe_dates(d(2026, 12, 31), Some(d(2027, 1, 1))),
        "Thursday 31 December 2026 and Friday 1 January 2027"
    );
}

#[test]
fn votes_are_described_as_taken() {
    assert_eq!(
        Vote::new(Method::Electronic, Some(Counts::new(212, 40, 9))).describe(),
        "for 212 (84.1%), against 40 (15.9%), abstain 9"
    );
    assert_eq!(Vote::new(Method::ShowOfHands, None).describe(), "on a show of hands");
    assert_eq!(
        Vote::new(Method::ShowOfHands, Some(Counts::new(10, 2, 0))).describe(),
        "on a show of hands: for 10 (83.3%), against 2 (16.7%), abstain 0"
    );
    assert_eq!(Vote::new(Method::Electronic, Some(Counts::new(0, 0, 3))).describe(), "for 0, against 0, abstain 3");
}
