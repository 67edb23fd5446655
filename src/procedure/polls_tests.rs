use super::*;
use crate::procedure::majority::{decide, Counts};
use serde_json::json;

fn labels(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn roman5() -> Vec<String> {
    labels(&["(i)", "(ii)", "(iii)", "(iv)", "(v)"])
}

#[test]
fn subject_json_shapes_round_trip() {
    let cases = [
        (json!("whole"), Subject::Whole),
        (json!({"part": "(ii)"}), Subject::Part { label: "(ii)".into() }),
        (
            json!({"amendment": {"part": "(ii)", "text": "insists on it"}}),
            Subject::Amendment { part: Some("(ii)".into()), text: "insists on it".into() },
        ),
        (
            json!({"amendment": {"text": "That conference believes"}}),
            Subject::Amendment { part: None, text: "That conference believes".into() },
        ),
        (json!({"rider": {"text": "calls for a ballot"}}), Subject::Rider { text: "calls for a ballot".into() }),
        (
            json!({"procedural": {"kind": "next_business", "part": null}}),
            Subject::Procedural { kind: ProceduralKind::NextBusiness, part: None },
        ),
        (
            json!({"procedural": {"kind": "withdrawal", "part": "(iii)"}}),
            Subject::Procedural { kind: ProceduralKind::Withdrawal, part: Some("(iii)".into()) },
        ),
    ];
    for (value, subject) in cases {
        let parsed: Subject = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(parsed, subject);
        assert_eq!(serde_json::to_value(&subject).unwrap(), value);
    }
}

#[test]
fn subject_json_lenient_and_strict() {
    // "part": null on an amendment and a missing procedural part both mean None.
    let s: Subject = serde_json::from_value(json!({"amendment": {"part": null, "text": "x"}})).unwrap();
    assert_eq!(s, Subject::Amendment { part: None, text: "x".into() });
    let s: Subject = serde_json::from_value(json!({"procedural": {"kind": "motion_be_now_put"}})).unwrap();
    assert_eq!(s, Subject::Procedural { kind: ProceduralKind::MotionBeNowPut, part: None });
    assert!(serde_json::from_value::<Subject>(json!({"part": {"label": "(i)"}})).is_err());
    assert!(serde_json::from_value::<Subject>(json!("parts")).is_err());
    assert!(serde_json::from_value::<Subject>(json!({"procedural": {"kind": "adjourn"}})).is_err());
}

#[test]
fn subject_schema_is_named_subject() {
    assert_eq!(<Subject as ToSchema>::name(), "Subject");
    let schema = serde_json::to_string(&<Subject as PartialSchema>::schema()).unwrap();
    assert!(schema.contains("amendment"), "{schema}");
    assert!(schema.contains("procedural"), "{schema}");
}

#[test]
fn effect_json() {
    let e =
        Effect::Decide { label: Some("(ii)".into()), outcome: Outcome::Carried, qualifier: Some(Qualifier::NemCon) };
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({"decide": {"label": "(ii)", "outcome": "carried", "qualifier": "nem_con"}})
    );
    assert_eq!(serde_json::to_value(Effect::Nothing).unwrap(), json!("nothing"));
    let e = Effect::AddPart { label: "(vi)".into(), text: "t".into() };
    let back: Effect = serde_json::from_value(serde_json::to_value(&e).unwrap()).unwrap();
    assert_eq!(back, e);
}

#[test]
fn procedural_kinds() {
    assert_eq!(ProceduralKind::MotionBeNowPut.default_majority(), Majority::TwoThirds);
    assert_eq!(ProceduralKind::StandingOrders.default_majority(), Majority::TwoThirds);
    assert_eq!(ProceduralKind::NextBusiness.default_majority(), Majority::Simple);
    assert_eq!(ProceduralKind::TakenAsReference.default_majority(), Majority::Simple);
    assert_eq!(ProceduralKind::Withdrawal.default_majority(), Majority::Simple);
    assert_eq!(ProceduralKind::MotionBeNowPut.describe(), "that the motion be now put");
    assert_eq!(ProceduralKind::NextBusiness.describe(), "that conference move to next business");
    assert_eq!(ProceduralKind::TakenAsReference.describe(), "that the motion be taken as a reference");
    assert_eq!(ProceduralKind::Withdrawal.describe(), "that the motion be withdrawn");
    assert_eq!(ProceduralKind::StandingOrders.describe(), "to change or suspend standing orders");
    for k in ProceduralKind::ALL {
        assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.as_str()));
        assert_eq!(k.as_str().parse::<ProceduralKind>().unwrap(), k);
    }
}

#[test]
fn describe_subjects() {
    assert_eq!(Subject::Whole.describe(), "the motion as a whole");
    assert_eq!(Subject::Part { label: "(ii)".into() }.describe(), "part (ii)");
    assert_eq!(Subject::Amendment { part: Some("(ii)".into()), text: "x".into() }.describe(), "amendment to part (ii)");
    assert_eq!(Subject::Amendment { part: None, text: "x".into() }.to_string(), "amendment to the stem");
    assert_eq!(Subject::Rider { text: "x".into() }.describe(), "rider");
    assert_eq!(
        Subject::Procedural { kind: ProceduralKind::MotionBeNowPut, part: None }.describe(),
        "procedural: that the motion be now put"
    );
    assert_eq!(
        Subject::Procedural { kind: ProceduralKind::Withdrawal, part: Some("(iii)".into()) }.describe(),
        "procedural: that the motion be withdrawn (part (iii))"
    );
    assert_eq!(
        Subject::Procedural { kind: ProceduralKind::MotionBeNowPut, part: None }.default_majority(),
        Majority::TwoThirds
    );
    assert_eq!(Subject::Whole.default_majority(), Majority::Simple);
}

#[test]
fn effects_of_whole_and_part_votes() {
    let carried_nem_con = decide(Majority::Simple, &Counts::new(10, 0, 2));
    assert_eq!(
        effect_of(&Subject::Whole, &carried_nem_con, &[]),
        Effect::Decide { label: None, outcome: Outcome::Carried, qualifier: Some(Qualifier::NemCon) }
    );
    assert_eq!(
        effect_of(&Subject::Part { label: "(ii)".into() }, &Decision::LOST, &roman5()),
        Effect::Decide { label: Some("(ii)".into()), outcome: Outcome::Lost, qualifier: None }
    );
    // A qualifier on a lost decision is never passed on.
    let odd = Decision { carried: false, qualifier: Some(Qualifier::NemCon) };
    assert_eq!(
        effect_of(&Subject::Whole, &odd, &[]),
        Effect::Decide { label: None, outcome: Outcome::Lost, qualifier: None }
    );
}

#[test]
fn effects_of_amendments_and_riders() {
    let amend =
        Subject::Amendment { part: Some("(ii)".into()), text: "  insists   that practices keep flexibility ".into() };
    assert_eq!(
        effect_of(&amend, &Decision::CARRIED, &roman5()),
        Effect::ReplaceText { label: Some("(ii)".into()), text: "insists that practices keep flexibility".into() }
    );
    assert_eq!(effect_of(&amend, &Decision::LOST, &roman5()), Effect::Nothing);
    let stem = Subject::Amendment { part: None, text: "That conference".into() };
    assert_eq!(
        effect_of(&stem, &Decision::CARRIED, &[]),
        Effect::ReplaceText { label: None, text: "That conference".into() }
    );
    let rider = Subject::Rider { text: "calls for a ballot".into() };
    assert_eq!(
        effect_of(&rider, &Decision::CARRIED, &roman5()),
        Effect::AddPart { label: "(vi)".into(), text: "calls for a ballot".into() }
    );
    assert_eq!(
        effect_of(&rider, &Decision::CARRIED, &labels(&["(a)", "(b)"])),
        Effect::AddPart { label: "(c)".into(), text: "calls for a ballot".into() }
    );
    assert_eq!(
        effect_of(&rider, &Decision::CARRIED, &[]),
        Effect::AddPart { label: "(i)".into(), text: "calls for a ballot".into() }
    );
    assert_eq!(effect_of(&rider, &Decision::LOST, &roman5()), Effect::Nothing);
}

#[test]
fn effects_of_procedural_motions() {
    let p = |kind, part: Option<&str>| Subject::Procedural { kind, part: part.map(str::to_string) };
    let ls = roman5();
    assert_eq!(effect_of(&p(ProceduralKind::MotionBeNowPut, None), &Decision::CARRIED, &ls), Effect::Nothing);
    assert_eq!(effect_of(&p(ProceduralKind::StandingOrders, None), &Decision::CARRIED, &ls), Effect::Nothing);
    assert_eq!(
        effect_of(&p(ProceduralKind::NextBusiness, None), &Decision::CARRIED, &ls),
        Effect::Decide { label: None, outcome: Outcome::MovedToNextBusiness, qualifier: None }
    );
    assert_eq!(
        effect_of(&p(ProceduralKind::TakenAsReference, Some("(iv)")), &Decision::CARRIED, &ls),
        Effect::Decide { label: Some("(iv)".into()), outcome: Outcome::CarriedAsReference, qualifier: None }
    );
    let unanimous = decide(Majority::Simple, &Counts::new(5, 0, 0));
    assert_eq!(
        effect_of(&p(ProceduralKind::Withdrawal, Some("(i)")), &unanimous, &ls),
        Effect::Decide { label: Some("(i)".into()), outcome: Outcome::Withdrawn, qualifier: None }
    );
    for kind in ProceduralKind::ALL {
        assert_eq!(effect_of(&p(kind, None), &Decision::LOST, &ls), Effect::Nothing);
        assert_eq!(effect_of(&p(kind, Some("(ii)")), &Decision::LOST, &ls), Effect::Nothing);
    }
}

#[test]
fn validation_messages() {
    let ls = roman5();
    let part = |l: &str| Subject::Part { label: l.into() };
    assert_eq!(validate_subject(&part("(ii)"), &ls, TakenAs::Parts), Ok(()));
    let err = validate_subject(&part("(vi)"), &ls, TakenAs::Parts).unwrap_err().to_string();
    assert_eq!(err, "there is no part (vi) in this motion; its parts are (i), (ii), (iii), (iv), (v)");
    let err = validate_subject(&part("ii"), &ls, TakenAs::Parts).unwrap_err().to_string();
    assert!(err.contains("did you mean (ii)?"), "{err}");
    let err = validate_subject(&part("(i)"), &[], TakenAs::Parts).unwrap_err().to_string();
    assert!(err.contains("no parts"), "{err}");
    let err = validate_subject(&part(" "), &ls, TakenAs::Parts).unwrap_err().to_string();
    assert!(err.contains("say which part"), "{err}");
    let err = validate_subject(&part("(ii)"), &ls, TakenAs::Whole).unwrap_err().to_string();
    assert!(err.contains("taken as a whole"), "{err}");

    assert_eq!(validate_subject(&Subject::Whole, &ls, TakenAs::Whole), Ok(()));
    assert_eq!(validate_subject(&Subject::Whole, &[], TakenAs::Parts), Ok(()));
    let err = validate_subject(&Subject::Whole, &ls, TakenAs::Parts).unwrap_err().to_string();
    assert!(err.contains("taken in parts"), "{err}");

    let amend = |p: Option<&str>, t: &str| Subject::Amendment { part: p.map(str::to_string), text: t.into() };
    assert_eq!(validate_subject(&amend(None, "That x"), &ls, TakenAs::Whole), Ok(()));
    assert_eq!(validate_subject(&amend(Some("(iii)"), "x"), &ls, TakenAs::Whole), Ok(()));
    let err = validate_subject(&amend(Some("(iii)"), "  "), &ls, TakenAs::Whole).unwrap_err().to_string();
    assert_eq!(err, "the amendment has no text: give the full wording of part (iii) as amended");
    let err = validate_subject(&amend(Some("(ix)"), "x"), &ls, TakenAs::Whole).unwrap_err().to_string();
    assert!(err.contains("no part (ix)"), "{err}");
    let long = "x".repeat(MAX_MOTION_CHARS + 1);
    assert!(validate_subject(&amend(None, &long), &ls, TakenAs::Whole).is_err());

    let err = validate_subject(&Subject::Rider { text: "".into() }, &ls, TakenAs::Whole).unwrap_err().to_string();
    assert!(err.starts_with("the rider has no text"), "{err}");
    let full: Vec<String> = (1..=MAX_PARTS as u32).map(|n| format!("({n})")).collect();
    let err = validate_subject(&Subject::Rider { text: "x".into() }, &full, TakenAs::Parts).unwrap_err().to_string();
    assert!(err.contains("50"), "{err}");

    let proc_ = |k, p: Option<&str>| Subject::Procedural { kind: k, part: p.map(str::to_string) };
    assert_eq!(validate_subject(&proc_(ProceduralKind::NextBusiness, None), &ls, TakenAs::Whole), Ok(()));
    assert_eq!(validate_subject(&proc_(ProceduralKind::Withdrawal, Some("(ii)")), &ls, TakenAs::Parts), Ok(()));
    let err = validate_subject(&proc_(ProceduralKind::Withdrawal, Some("(ii)")), &ls, TakenAs::Whole)
        .unwrap_err()
        .to_string();
    assert!(err.contains("taken as a whole"), "{err}");
    let err = validate_subject(&proc_(ProceduralKind::StandingOrders, Some("(ii)")), &ls, TakenAs::Parts)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not to one part"), "{err}");
    let err = validate_subject(&proc_(ProceduralKind::NextBusiness, Some("(x)")), &ls, TakenAs::Parts)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no part (x)"), "{err}");
}

#[test]
fn still_open_checks() {
    let parts = vec![PartState::decided("(i)", Outcome::Carried), PartState::undecided("(ii)")];
    let part = |l: &str| Subject::Part { label: l.into() };
    assert_eq!(check_still_open(&part("(ii)"), TakenAs::Parts, None, &parts), Ok(()));
    let err = check_still_open(&part("(i)"), TakenAs::Parts, None, &parts).unwrap_err().to_string();
    assert_eq!(err, "part (i) has already been decided (CARRIED)");
    let err = check_still_open(
        &Subject::Amendment { part: Some("(i)".into()), text: "x".into() },
        TakenAs::Parts,
        None,
        &parts,
    )
    .unwrap_err()
    .to_string();
    assert!(err.ends_with("so it can no longer be amended"), "{err}");
    let err = check_still_open(&Subject::Amendment { part: None, text: "x".into() }, TakenAs::Parts, None, &parts)
        .unwrap_err()
        .to_string();
    assert!(err.contains("stem"), "{err}");
    let err = check_still_open(&Subject::Whole, TakenAs::Whole, Some((Outcome::Carried, Some(Qualifier::NemCon))), &[])
        .unwrap_err()
        .to_string();
    assert_eq!(err, "the motion has already been decided (CARRIED NEM CON)");
    let so = Subject::Procedural { kind: ProceduralKind::StandingOrders, part: None };
    assert_eq!(check_still_open(&so, TakenAs::Whole, Some((Outcome::Lost, None)), &[]), Ok(()));
}

#[test]
fn a_motion_taken_in_parts_end_to_end() {
    let mut m = MotionState::new(
        "That conference:",
        vec![
            ("(i)".into(), "rejects it".into()),
            ("(ii)".into(), "insists".into()),
            ("(iii)".into(), "demands".into()),
        ],
    );
    m.taken = TakenAs::Parts;
    // An amendment to (ii), carried.
    let e = m
        .record_poll(
            &Subject::Amendment { part: Some("(ii)".into()), text: "insists strongly".into() },
            &Decision::CARRIED,
        )
        .unwrap();
    assert!(matches!(e, Effect::ReplaceText { .. }));
    assert_eq!(m.parts[1].text, "insists strongly");
    // A rider, carried: becomes (iv).
    m.record_poll(&Subject::Rider { text: "mandates GPC".into() }, &Decision::CARRIED).unwrap();
    assert_eq!(m.labels(), labels(&["(i)", "(ii)", "(iii)", "(iv)"]));
    // Closure: nothing changes.
    let closure = Subject::Procedural { kind: ProceduralKind::MotionBeNowPut, part: None };
    assert_eq!(m.record_poll(&closure, &Decision::CARRIED).unwrap(), Effect::Nothing);
    // Parts.
    for (label, counts) in
        [("(i)", Counts::new(212, 40, 9)), ("(ii)", Counts::new(3, 0, 0)), ("(iii)", Counts::new(10, 20, 0))]
    {
        let d = decide(Majority::Simple, &counts);
        m.record_poll(&Subject::Part { label: label.into() }, &d).unwrap();
    }
    assert_eq!(m.outcome_text(), None);
    assert!(m.record_poll(&Subject::Part { label: "(i)".into() }, &Decision::LOST).is_err());
    m.record_poll(
        &Subject::Procedural { kind: ProceduralKind::TakenAsReference, part: Some("(iv)".into()) },
        &Decision::CARRIED,
    )
    .unwrap();
    assert_eq!(
        m.outcome_text().as_deref(),
        Some("PARTS (i) AND (ii) CARRIED; PART (iii) LOST; PART (iv) CARRIED AS A REFERENCE")
    );
    assert_eq!(m.parts[1].qualifier, Some(Qualifier::Unanimously));
    assert!(m.record_poll(&Subject::Whole, &Decision::CARRIED).is_err());
}

#[test]
fn whole_motion_and_closing() {
    let mut m = MotionState::new("That conference believes in it.", vec![]);
    m.record_poll(&Subject::Whole, &decide(Majority::TwoThirds, &Counts::new(20, 5, 1))).unwrap();
    assert_eq!(m.outcome_text().as_deref(), Some("CARRIED BY A TWO-THIRDS MAJORITY"));
    assert_eq!(m.close(), 0);

    let mut m = MotionState::new("That", vec![("(i)".into(), "a".into()), ("(ii)".into(), "b".into())]);
    m.taken = TakenAs::Parts;
    m.record_poll(&Subject::Part { label: "(i)".into() }, &Decision::CARRIED).unwrap();
    assert_eq!(m.close(), 1);
    assert_eq!(m.outcome_text().as_deref(), Some("PART (i) CARRIED; PART (ii) NOT REACHED"));

    // Next business on a motion taken in parts decides every undecided part.
    let mut m = MotionState::new("That", vec![("(a)".into(), "a".into()), ("(b)".into(), "b".into())]);
    m.taken = TakenAs::Parts;
    m.record_poll(&Subject::Part { label: "(a)".into() }, &Decision::LOST).unwrap();
    m.record_poll(&Subject::Procedural { kind: ProceduralKind::NextBusiness, part: None }, &Decision::CARRIED).unwrap();
    assert_eq!(m.outcome_text().as_deref(), Some("PART (a) LOST; PART (b) MOVED TO NEXT BUSINESS"));

    // Taken as a whole: the whole decision also decides the parts.
    let mut m = MotionState::new("That", vec![("(i)".into(), "a".into()), ("(ii)".into(), "b".into())]);
    m.record_poll(&Subject::Whole, &decide(Majority::Simple, &Counts::new(9, 0, 0))).unwrap();
    assert_eq!(m.outcome_text().as_deref(), Some("CARRIED UNANIMOUSLY"));
    assert!(m.parts.iter().all(|p| p.outcome == Some(Outcome::Carried) && p.qualifier.is_none()));
    assert_eq!(m.close(), 0);

    // Closing an undecided whole motion.
    let mut m = MotionState::new("That", vec![("(i)".into(), "a".into())]);
    assert_eq!(m.close(), 2);
    assert_eq!(m.outcome_text().as_deref(), Some("NOT REACHED"));
    assert_eq!(m.parts[0].outcome, Some(Outcome::NotReached));
}

#[test]
fn apply_errors() {
    let mut m = MotionState::new("That", vec![("(i)".into(), "a".into())]);
    assert!(m.apply(&Effect::Decide { label: Some("(ix)".into()), outcome: Outcome::Lost, qualifier: None }).is_err());
    assert!(m.apply(&Effect::AddPart { label: "(i)".into(), text: "dup".into() }).is_err());
    assert!(m.apply(&Effect::ReplaceText { label: Some("(ii)".into()), text: "x".into() }).is_err());
}

#[test]
fn default_majorities_follow_the_subject_and_the_agenda_committee() {
    let plain = default_majorities(false);
    assert_eq!(plain["whole"], Majority::Simple);
    assert_eq!(plain["part"], Majority::Simple);
    assert_eq!(plain["amendment"], Majority::Simple);
    assert_eq!(plain["rider"], Majority::Simple);
    assert_eq!(plain["motion_be_now_put"], Majority::TwoThirds);
    assert_eq!(plain["standing_orders"], Majority::TwoThirds);
    assert_eq!(plain["next_business"], Majority::Simple);
    let marked = default_majorities(true);
    assert_eq!(marked["whole"], Majority::TwoThirds);
    assert_eq!(marked["part"], Majority::TwoThirds);
    assert_eq!(marked["amendment"], Majority::Simple, "an amendment is not the motion itself");
    assert_eq!(marked["rider"], Majority::Simple);
    assert_eq!(plain["a_motions_en_bloc"], Majority::Simple);
    assert_eq!(marked["a_motions_en_bloc"], Majority::Simple, "the 'A' motions en bloc: simple, whatever the marks");
    assert_eq!(marked.len(), 5 + ProceduralKind::ALL.len());
}

#[test]
fn poll_subject_reads_the_stored_words() {
    // The 'A' motions en bloc, exactly as polls have always stored them.
    let en_bloc = json!({"a_motions_en_bloc": [12, 7]});
    let parsed: PollSubject = serde_json::from_value(en_bloc.clone()).unwrap();
    assert_eq!(parsed, PollSubject::AMotionsEnBloc(vec![12, 7]));
    assert_eq!(serde_json::to_value(&parsed).unwrap(), en_bloc);
    // A question on one motion keeps the subject's own shape.
    let cases = [
        (json!("whole"), Subject::Whole),
        (json!({"part": "(ii)"}), Subject::Part { label: "(ii)".into() }),
        (json!({"rider": {"text": "calls for a ballot"}}), Subject::Rider { text: "calls for a ballot".into() }),
        (
            json!({"procedural": {"kind": "next_business", "part": null}}),
            Subject::Procedural { kind: ProceduralKind::NextBusiness, part: None },
        ),
    ];
    for (value, subject) in cases {
        let parsed: PollSubject = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(parsed, PollSubject::Motion(subject));
        assert_eq!(serde_json::to_value(&parsed).unwrap(), value);
    }
    // Anything else is refused, never read as some other question.
    for bad in [
        json!({"a_motions_en_bloc": "12"}),
        json!({"a_motions_en_bloc": [1.5]}),
        json!({"a_motions_en_bloc": {"motions": [12]}}),
        json!({"a_motions": [12]}),
        json!({"a_motions_en_bloc": [12], "whole": null}),
        json!({"part": {"label": "(i)"}}),
        json!("parts"),
        json!(null),
    ] {
        assert!(serde_json::from_value::<PollSubject>(bad.clone()).is_err(), "{bad}");
    }
}

#[test]
fn the_a_motions_en_bloc_need_a_simple_majority_whatever_their_marks() {
    let en_bloc = PollSubject::AMotionsEnBloc(vec![3, 4]);
    assert_eq!(en_bloc.default_majority_on(false), Majority::Simple);
    assert_eq!(en_bloc.default_majority_on(true), Majority::Simple);
    // On one motion, the subject's own rule.
    assert_eq!(PollSubject::from(Subject::Whole).default_majority_on(true), Majority::TwoThirds);
    assert_eq!(PollSubject::from(Subject::Whole).default_majority_on(false), Majority::Simple);
    let closure = Subject::Procedural { kind: ProceduralKind::MotionBeNowPut, part: None };
    assert_eq!(PollSubject::from(closure).default_majority_on(false), Majority::TwoThirds);
}

#[test]
fn a_poll_decides_its_motion_or_the_a_motions_it_puts() {
    assert_eq!(PollSubject::AMotionsEnBloc(vec![3, 4]).motions(None), vec![3, 4]);
    assert_eq!(PollSubject::from(Subject::Whole).motions(Some(9)), vec![9]);
    assert_eq!(PollSubject::from(Subject::Part { label: "(i)".into() }).motions(None), Vec::<i64>::new());
}
