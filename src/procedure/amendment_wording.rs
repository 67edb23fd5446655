//! An imported amendment or rider, as printed ("that part 2 of item 2 be amended to read "…"", "that the
//! words "…" be added at the end of part 1 of item 15", "that the following part be added to item 2: "3. …"")
//! turned into the question put on the motion it amends: an amendment gives the full wording of the part
//! (or stem) as amended, a rider the wording of the new part (see `polls::Subject`). Pure: the caller gives
//! the amended motion's stem and parts.

use super::errors::AmendmentError;
use super::labels::label_token;

/// What an imported amendment or rider puts on its motion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proposal {
    /// The part (`None`: the stem) as it would read if the amendment is carried.
    Amend { part: Option<String>, text: String },
    /// The wording of the part a rider adds.
    Rider { text: String },
}

const OPEN: [char; 2] = ['"', '\u{201C}'];
const CLOSE: [char; 2] = ['"', '\u{201D}'];

/// The texts between double quotes, in order.
fn quoted(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + rest[start..].chars().next().map_or(1, char::len_utf8)..];
        let Some(end) = after.find(CLOSE) else { break };
        out.push(after[..end].trim().to_string());
        rest = &after[end + after[end..].chars().next().map_or(1, char::len_utf8)..];
    }
    out
}

/// A leading part label ("3.", "(iii)", "iii)", "c)") taken off a rider's wording.
fn without_label(text: &str) -> &str {
    let t = text.trim_start();
    let first = t.split_whitespace().next().unwrap_or("");
    let core = first.trim_start_matches('(').trim_end_matches(['.', ')']);
    let is_label = first != core
        && !core.is_empty()
        && core.len() <= 5
        && (core.chars().all(|c| c.is_ascii_digit()) || core.chars().all(|c| c.is_ascii_lowercase()));
    if is_label {
        t[first.len()..].trim_start()
    } else {
        t
    }
}

/// The part named by "part 2", "part (ii)", "part ii." — as the motion labels it.
fn named_part(lower: &str, labels: &[String]) -> Result<Option<String>, AmendmentError> {
    if lower.contains("parts ") {
        return Err(AmendmentError::SeveralParts);
    }
    let Some(at) = lower.find("part ") else { return Ok(None) };
    let token = lower[at + 5..].split_whitespace().next().unwrap_or("");
    let token = token.trim_end_matches([',', ';', ':']);
    let want = label_token(token).trim_end_matches('.').to_string();
    labels
        .iter()
        .find(|l| label_token(l).trim_end_matches('.').eq_ignore_ascii_case(&want))
        .cloned()
        .map(Some)
        .ok_or_else(|| AmendmentError::NoSuchPart { token: token.to_string(), parts: labels.to_vec() })
}

/// Adds words at the end of a text, before its closing full stop or semicolon.
fn add_at_end(old: &str, words: &str) -> String {
    let old = old.trim_end();
    let cut = old.trim_end_matches(['.', ';', ',']);
    format!("{cut} {words}{}", &old[cut.len()..])
}

/// Reads an amendment's or rider's wording against the motion it amends (`stem`, `parts` as
/// `(label, text)`). An error says why the chair must give the wording as amended by hand.
pub fn read_amendment(
    rider: bool,
    wording: &str,
    stem: &str,
    parts: &[(String, String)],
) -> Result<Proposal, AmendmentError> {
    let q = quoted(wording);
    if rider {
        let text = match q.first() {
            Some(t) => t.clone(),
            None => wording.rsplit_once(':').map(|(_, t)| t.trim().to_string()).unwrap_or_default(),
        };
        let text = without_label(&text).to_string();
        if text.is_empty() {
            return Err(AmendmentError::RiderTextMissing);
        }
        return Ok(Proposal::Rider { text });
    }
    let lower = wording.to_lowercase();
    let labels: Vec<String> = parts.iter().map(|p| p.0.clone()).collect();
    let part = named_part(&lower, &labels)?;
    let old = match &part {
        Some(l) => parts.iter().find(|p| &p.0 == l).map(|p| p.1.clone()).unwrap_or_default(),
        None => stem.to_string(),
    };
    let missing = |w: &str| AmendmentError::WordsNotInText { words: w.to_string() };
    let text = if lower.contains("word") && !lower.contains("amended to read") {
        let w = q.first().ok_or(AmendmentError::WordsNotQuoted)?;
        if lower.contains("deleted") || lower.contains("removed") || lower.contains("struck out") {
            if !old.contains(w.as_str()) {
                return Err(missing(w));
            }
            old.replacen(w.as_str(), "", 1).split_whitespace().collect::<Vec<_>>().join(" ").replace(" .", ".")
        } else if lower.contains("replaced") || lower.contains("substituted") {
            let by = q.get(1).ok_or(AmendmentError::ReplacementNotQuoted)?;
            if !old.contains(w.as_str()) {
                return Err(missing(w));
            }
            old.replacen(w.as_str(), by, 1)
        } else if lower.contains("inserted after") || lower.contains("added after") {
            let v = q.get(1).ok_or(AmendmentError::AfterNotQuoted)?;
            if !old.contains(v.as_str()) {
                return Err(missing(v));
            }
            old.replacen(v.as_str(), &format!("{v} {w}"), 1)
        } else if lower.contains("inserted before") || lower.contains("added before") {
            let v = q.get(1).ok_or(AmendmentError::BeforeNotQuoted)?;
            if !old.contains(v.as_str()) {
                return Err(missing(v));
            }
            old.replacen(v.as_str(), &format!("{w} {v}"), 1)
        } else if lower.contains("added") || lower.contains("inserted") {
            add_at_end(&old, w)
        } else {
            return Err(AmendmentError::NoChangeSaid);
        }
    } else if lower.contains("amended to read") || lower.contains("replaced by") || lower.contains("replaced with") {
        let t = match q.first() {
            Some(t) => t.clone(),
            None => wording.split_once(':').map(|(_, t)| t.trim().to_string()).unwrap_or_default(),
        };
        let t = if part.is_some() { without_label(&t).to_string() } else { t };
        if t.is_empty() {
            return Err(AmendmentError::NewWordingMissing);
        }
        t
    } else {
        return Err(AmendmentError::UnknownForm);
    };
    Ok(Proposal::Amend { part, text: text.trim().to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(l, t)| (l.to_string(), t.to_string())).collect()
    }

    #[test]
    fn amended_to_read() {
        let p = parts(&[("(1)", "publish their spending"), ("(2)", "consult LMCs.")]);
        let got = read_amendment(false, "that part 2 of item 2 be amended to read \"consult LMCs first\".", "That", &p);
        assert_eq!(got, Ok(Proposal::Amend { part: Some("(2)".into()), text: "consult LMCs first".into() }));
    }

    #[test]
    fn words_added_at_the_end_keep_the_full_stop() {
        let p = parts(&[("1.", "funds the repair of practice premises in full"), ("2.", "ends service charges.")]);
        let w = "that the words \u{201C}and publishes a timetable\u{201D} be added at the end of part 1 of item 15.";
        assert_eq!(
            read_amendment(false, w, "That conference demands that NHS England:", &p),
            Ok(Proposal::Amend {
                part: Some("1.".into()),
                text: "funds the repair of practice premises in full and publishes a timetable".into()
            })
        );
        let w = "that the words \"within a year\" be added at the end of part 2";
        assert_eq!(
            read_amendment(false, w, "", &p),
            Ok(Proposal::Amend { part: Some("2.".into()), text: "ends service charges within a year.".into() })
        );
    }

    #[test]
    fn words_deleted_replaced_inserted() {
        let p = parts(&[("(i)", "asks GPC to count vacancies each quarter"), ("(ii)", "calls for a payment")]);
        let amend = |w: &str| read_amendment(false, w, "That conference notes the fall.", &p);
        assert_eq!(
            amend("that the words \"each quarter\" be deleted from part (i)"),
            Ok(Proposal::Amend { part: Some("(i)".into()), text: "asks GPC to count vacancies".into() })
        );
        assert_eq!(
            amend("that in part (ii) the word \"payment\" be replaced by \"retention payment\""),
            Ok(Proposal::Amend { part: Some("(ii)".into()), text: "calls for a retention payment".into() })
        );
        assert_eq!(
            amend("that the words \"and publish\" be inserted after \"count\" in part i"),
            Ok(Proposal::Amend {
                part: Some("(i)".into()),
                text: "asks GPC to count and publish vacancies each quarter".into()
            })
        );
        assert_eq!(
            amend("that the word \"sharp\" be inserted before \"fall\" in the opening words"),
            Ok(Proposal::Amend { part: None, text: "That conference notes the sharp fall.".into() })
        );
        assert!(amend("that the words \"monthly\" be deleted from part (i)")
            .is_err_and(|e| e.to_string().contains("not in the text")));
        assert!(amend("that part (iv) be amended to read \"x\"").is_err_and(|e| e.to_string().contains("part (iv)")));
    }

    #[test]
    fn several_parts_at_once_are_left_to_the_chair() {
        let p = parts(&[("i)", "a"), ("ii)", "b")]);
        let w = "that parts (i) and (ii) of item 5 be replaced by:\n(i) asks for the trainer grant to double\n(ii) asks for it to be paid in advance.";
        assert!(read_amendment(false, w, "Given that", &p).is_err_and(|e| e.to_string().contains("more than one part")));
        assert!(read_amendment(false, "that item 5 be improved", "Given that", &p).is_err());
    }

    #[test]
    fn riders_lose_their_printed_label() {
        for (w, want) in [
            ("that the following part be added to item 2: \"3. report each year.\"", "report each year."),
            (
                "that the following part be added to item 5: \"(iii) asks that registrars are paid the same.\"",
                "asks that registrars are paid the same.",
            ),
            ("that the following be added to item 9: asks for it soon", "asks for it soon"),
        ] {
            assert_eq!(read_amendment(true, w, "", &[]), Ok(Proposal::Rider { text: want.into() }), "{w}");
        }
        assert!(read_amendment(true, "that a part be added", "", &[]).is_err());
    }
}
