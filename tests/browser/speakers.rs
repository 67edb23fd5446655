//! Speakers and time in the browser: two representatives ask to speak from their phones, the chair calls
//! one (not the first in the queue) and runs the clock; the projector and the called phone count down
//! together and both show the speaker going over time.

use super::*;

/// "1:05" → 65; "+0:12" → -12.
fn seconds(face: &str) -> i64 {
    let t = face.trim();
    let (sign, t) = t.strip_prefix('+').map_or((1, t), |rest| (-1, rest));
    let (m, s) = t.split_once(':').unwrap_or(("99", "99"));
    sign * (m.parse::<i64>().unwrap_or(99) * 60 + s.parse::<i64>().unwrap_or(99))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_phones_ask_to_speak_the_chair_calls_one_and_the_clock_runs_on_phone_and_projector() {
    let Some(driver_path) = browser_or_skip("two_phones_ask_to_speak_the_chair_calls_one_and_the_clock_runs") else {
        return;
    };
    let _one = ONE_AT_A_TIME.lock().await;
    let app = app().await;
    let (cid, mid, chair_token, _) = hall(&app, 2).await;
    // Standing orders with a short limit, so that the clock runs out during the test.
    app.set_speaker_rules(cid, json!({"speaker_seconds": 10, "first_time_speakers_first": true}), Some(&chair_token))
        .await
        .expect(200);
    let driver = Driver::start(&driver_path).await;
    let chair = driver.session().await;
    let phones = [driver.session().await, driver.session().await];
    let projector = driver.session().await;

    // The chair opens the debate on the motion.
    chair.sign_in(&app, "chair@example.org", PASSWORD).await;
    chair.goto(&app.url(&format!("/conference/{cid}/chair"))).await;
    // Folded to one line while no debate is open; the chair opens it.
    chair.wait_text("#speakers-summary", "Not taking speakers").await;
    chair.click("#speakers-summary").await;
    chair.wait_text("#speakers-section", "Choose the motion being debated").await;
    chair.choose("#debate-motion", &mid.to_string()).await;
    chair.click("#open-debate").await;
    chair.wait_text("#speakers-section", "Nobody is waiting to speak").await;

    // Two representatives on 375 px phones; each asks to speak.
    for (i, phone) in phones.iter().enumerate() {
        phone.window(375, 812).await;
        phone.sign_in(&app, &format!("rep{i}@example.org"), PASSWORD).await;
        phone.goto(&app.url(&format!("/conference/{cid}"))).await;
        phone.wait_text("#live-status", "Live").await;
        phone.wait_for("#ask-for").await;
    }
    phones[0].wait_text("#speakers", "Debate on Motion 1 (North Staffordshire)").await;
    phones[0].click("#ask-for").await;
    phones[0].wait_text("#my-request", "You have asked to speak for. You are next.").await;
    phones[1].click("#ask-against").await;
    phones[1].wait_text("#my-request", "You are number 2 in the queue").await;
    phones[0].wait_text("#queue-length", "2 representatives are waiting").await;
    phones[1].assert_accessible("speakers: asked (phone)").await;
    phones[1].screenshot(&shots().join("speakers-phone-asked.png")).await;

    // The chair sees the queue (name, LMC, side, first-time) live, in order.
    let queue = chair.wait_text("#speakers-queue", "LMC 1").await;
    let first = queue.find("LMC 0").expect("LMC 0 queued");
    assert!(first < queue.find("LMC 1").expect("LMC 1 queued"), "in the order asked: {queue}");
    assert!(queue.contains("For") && queue.contains("Against") && queue.contains("First time"), "{queue}");
    chair.exec("document.getElementById('queue-title').scrollIntoView()", json!([])).await;
    chair.assert_accessible("speakers: chair").await;
    chair.screenshot(&shots().join("speakers-chair-queue.png")).await;
    // The chair's panel on a phone: no sideways scrolling (the queue table scrolls in its own box).
    chair.window(375, 812).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let w = chair.exec("return [document.documentElement.scrollWidth, window.innerWidth]", json!([])).await;
    assert!(w[0].as_i64() <= w[1].as_i64(), "the chair's page does not scroll sideways on a phone: {w}");
    chair.exec("document.getElementById('speakers-section').scrollIntoView()", json!([])).await;
    chair.screenshot(&shots().join("speakers-chair-phone.png")).await;
    chair.window(1280, 900).await;

    // Projector: nobody speaking yet, nothing of the queue's names.
    projector.window(1280, 720).await;
    projector.goto(&app.url(&format!("/conference/{cid}/projector"))).await;
    projector.wait_text("#content", "Waiting for the first vote").await;

    // The chair calls the second in the queue (any may be called), then starts the clock.
    let v = app.list_speakers(cid, None).await.expect(200);
    let second = v["queue"][1]["id"].as_i64().expect("second request");
    chair.click(&format!("[data-call=\"{second}\"]")).await;
    phones[1].wait_text("#speakers-title", "You have been called: speak now").await;
    projector.wait_text("#projector-speaker", "LMC 1").await;
    projector.wait_text("#speakers-floor", "Speaker, against the motion").await;
    phones[0].wait_text("#my-request", "You are next").await;
    let face = projector.text("#speakers-floor .clock-face").await.expect("projector clock");
    assert_eq!(face.trim(), "0:10", "the clock waits for the chair: {face}");
    chair.wait_for("#clock-toggle").await;
    chair.click("#clock-toggle").await;
    projector.wait_text("#speakers-floor .clock-state", "Time left").await;
    phones[1].wait_text("#speaking-now .clock-state", "Time left").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // Both screens count down from the server's reading: they agree to within a second.
    let on_projector = seconds(&projector.text("#speakers-floor .clock-face").await.expect("projector clock"));
    let on_phone = seconds(&phones[1].text("#speaking-now .clock-face").await.expect("phone clock"));
    assert!((5..=8).contains(&on_projector), "about 2.5 s of 10 used: projector shows {on_projector}");
    assert!((on_projector - on_phone).abs() <= 1, "projector {on_projector}, phone {on_phone}");
    projector.assert_accessible("speakers: projector").await;
    projector.screenshot(&shots().join("speakers-projector-running.png")).await;
    phones[1].screenshot(&shots().join("speakers-phone-called.png")).await;

    // Over time: both say so in words, not colour alone.
    projector.wait_text("#speakers-floor .clock-state", "Over time").await;
    phones[1].wait_text("#speaking-now .clock-state", "Over time").await;
    let face = projector.text("#speakers-floor .clock-face").await.expect("projector clock");
    assert!(face.trim().starts_with('+'), "over time is shown with a +: {face}");
    phones[1].wait_content("#speaking-now .clock-alert", "over time").await;
    projector.screenshot(&shots().join("speakers-projector-over-time.png")).await;
    phones[1].assert_accessible("speakers: called, over time (phone)").await;
    phones[1].screenshot(&shots().join("speakers-phone-over-time.png")).await;
    let w = phones[1].exec("return [document.documentElement.scrollWidth, window.innerWidth]", json!([])).await;
    assert!(w[0].as_i64() <= w[1].as_i64(), "the phone page does not scroll sideways: {w}");

    // The chair stops the clock and calls the next: the first phone is called; the second may ask again.
    chair.click("#clock-toggle").await;
    chair.wait_text("#clock-toggle", "Start the clock").await;
    chair.click("#call-next").await;
    phones[0].wait_text("#speakers-title", "You have been called").await;
    projector.wait_text("#projector-speaker", "LMC 0").await;
    phones[1].wait_for("#ask-for").await;
    chair.wait_text("#heard", "Heard in this debate (1)").await;

    // Ending the speech clears the projector's speaker.
    chair.click("#end-speech").await;
    projector.wait_for("#speakers-floor.hidden").await;
    phones[0].wait_text("#speaking-now", "Nobody is speaking").await;

    // Closing the conference asks first and says what becomes NOT REACHED; the service refuses it unconfirmed.
    app.close_conference(cid, Some(&chair_token)).await.expect_problem(409, "confirmation_needed");
    chair.click("#close-conference summary").await;
    chair.click("#close-conference-check").await;
    chair.wait_text("#confirm-close-conference", "1 motion will become NOT REACHED (1).").await;
    chair.click("#close-conference-confirm").await;
    chair.wait_text("#content", "This conference is closed.").await;
    phones[0].wait_text("#poll", "The conference has closed").await;
    phones[0].wait_for("#speakers.hidden").await;

    chair.quit().await;
    projector.quit().await;
    for p in phones {
        p.quit().await;
    }
}
