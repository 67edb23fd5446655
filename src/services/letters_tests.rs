use chrono::NaiveDate;

use super::*;

fn call(reminder: bool, closes: bool) -> String {
    let closes_at = NaiveDate::from_ymd_opt(2026, 12, 4).and_then(|d| d.and_hms_opt(17, 0, 0)).filter(|_| closes);
    ballot_invitation_body(&BallotCall {
        reminder,
        name: "Dr A",
        title: "Pay 2027",
        public_url: "https://vote.example.org",
        ballot_id: 7,
        code: "ABCD-EFGH",
        closes_at,
    })
}

#[test]
fn the_invitation_and_the_reminder_carry_the_link_and_the_code() {
    assert_eq!(
        call(false, true),
        "Dear Dr A,\n\nYou are invited to vote in the indicative ballot \"Pay 2027\".\n\n\
         Vote here (the link is yours alone; do not forward it):\nhttps://vote.example.org/vote/7?code=ABCD-EFGH\n\n\
         Or go to https://vote.example.org/vote/7 and enter your voting code: ABCD-EFGH\n\n\
         Voting closes at 17:00 on Friday 4 December 2026 (UK time).\n\n\
         Your vote is secret: nothing we keep links you to how you voted. You can vote once, and your vote is final.\n"
    );
    let reminder = call(true, false);
    assert!(reminder.starts_with("Dear Dr A,\n\nThis is a reminder: you have not voted yet.\n\nYou are invited"));
    assert!(!reminder.contains("Voting closes"));
    assert_eq!(ballot_invitation_subject("Pay 2027"), "Your vote: Pay 2027");
    assert_eq!(ballot_reminder_subject("Pay 2027"), "Reminder: your vote in Pay 2027");
}

#[test]
fn the_closing_time_is_told_in_uk_time() {
    // 4 July is summer time: 16:00 UTC is 17:00 in London.
    let closes_at = NaiveDate::from_ymd_opt(2026, 7, 4).and_then(|d| d.and_hms_opt(16, 0, 0));
    assert_eq!(closes_line(closes_at), "Voting closes at 17:00 on Saturday 4 July 2026 (UK time).\n\n");
    assert_eq!(closes_line(None), "");
}

#[test]
fn the_confirmation_holds_no_receipt() {
    let l = vote_received("Dr A", "Pay 2027");
    assert_eq!(l.subject, "Your vote was received: Pay 2027");
    assert!(l
        .body
        .starts_with("Dear Dr A,\n\nYour vote in \"Pay 2027\" has been received and counted. It is final.\n\n"));
}

#[test]
fn results_and_registration() {
    let l = results_published("Dr A", "Pay 2027", "https://v.example.org", 7);
    assert_eq!(l.subject, "Results: Pay 2027");
    assert!(l.body.contains("are published:\nhttps://v.example.org/ballots/7/results\n\n"), "{}", l.body);
    let l = representative_registered("Dr A", "Devon", "LMC Conference 2027", "https://v.example.org", "tok");
    assert_eq!(l.subject, "You are registered as a representative: LMC Conference 2027");
    assert!(l
        .body
        .starts_with("Dear Dr A,\n\nYou are registered as a representative of Devon at LMC Conference 2027.\n\n"));
    assert!(l.body.contains("https://v.example.org/set-password?token=tok\n\n"), "{}", l.body);
}

#[test]
fn the_end_to_end_invitation_carries_the_credential_and_says_it_is_the_only_copy() {
    let closes_at = NaiveDate::from_ymd_opt(2026, 12, 4).and_then(|d| d.and_hms_opt(17, 0, 0));
    let body = e2e_invitation_body(&E2eInvitation {
        name: "Dr A",
        title: "Pay 2027",
        public_url: "https://vote.example.org",
        ballot_id: 7,
        credential: "c7Hq2mX9pL4rT8v",
        closes_at,
    });
    assert_eq!(
        body,
        "Dear Dr A,\n\nYou are invited to vote in the end-to-end verifiable ballot \"Pay 2027\".\n\n\
         Vote here (the link is yours alone; do not forward it):\nhttps://vote.example.org/vote/7?code=c7Hq2mX9pL4rT8v\n\n\
         Or go to https://vote.example.org/vote/7 and enter your voting code: c7Hq2mX9pL4rT8v\n\n\
         Voting closes at 17:00 on Friday 4 December 2026 (UK time).\n\n\
         Your answers are encrypted on your own device before they are sent: no one running the service can read \
         them, and only the trustees together can count them. We do not keep your voting code: this email is the \
         only copy, so keep it until you have voted. You can vote once, and your vote is final.\n\n\
         When you vote you are shown a tracker: it appears in the published record of the ballot, which anyone \
         can verify (with carried verify or Belenios's own belenios-tool).\n"
    );
}

#[test]
fn the_end_to_end_reminder_cannot_carry_the_credential() {
    assert_eq!(
        e2e_reminder_body("Dr A", "Pay 2027", None),
        "Dear Dr A,\n\nThis is a reminder: you have not voted yet in the end-to-end verifiable ballot \"Pay 2027\".\n\n\
         Vote with the link in your invitation email. Its voting code was sent only once: we do not keep it, \
         so we cannot send it again.\n\n"
    );
    let closes_at = NaiveDate::from_ymd_opt(2026, 12, 4).and_then(|d| d.and_hms_opt(17, 0, 0));
    assert!(e2e_reminder_body("Dr A", "Pay 2027", closes_at)
        .ends_with("send it again.\n\nVoting closes at 17:00 on Friday 4 December 2026 (UK time).\n\n"));
}
