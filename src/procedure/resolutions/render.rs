//! Rendering the resolutions: as text, as HTML for printing, and as CSV with one row per part.

use super::*;

/// "2 LAMBETH: That conference …" / "Amendment 3 to item 2, CLEVELAND: …".
fn entry_opening(e: &Entry) -> String {
    let mut pieces = vec![match e.kind {
        ItemKind::Amendment => {
            format!("Amendment {}{}", e.item, e.amends.as_deref().map(|a| format!(" to item {a}")).unwrap_or_default())
        }
        ItemKind::Rider => {
            format!("Rider {}{}", e.item, e.amends.as_deref().map(|a| format!(" to item {a}")).unwrap_or_default())
        }
        ItemKind::Motion | ItemKind::Emergency => e.item.clone(),
    }];
    if let Some(p) = &e.proposer_line {
        pieces.push(p.clone());
    }
    pieces.push(e.stem.clone());
    if e.stem_as_amended {
        pieces.push("(as amended)".to_string());
    }
    pieces.join(" ")
}

fn part_marks(p: &PublishedPart) -> String {
    let mut marks = Vec::new();
    if p.as_amended {
        marks.push("as amended");
    }
    if p.added_by_rider {
        marks.push("added by rider");
    }
    if marks.is_empty() {
        String::new()
    } else {
        format!(" ({})", marks.join("; "))
    }
}

/// The result line of a part taken in parts: "CARRIED — for 3 (100.0%), against 0 (0.0%), abstain 0".
fn part_result_line(e: &Entry, p: &PublishedPart) -> Option<String> {
    if e.taken != TakenAs::Parts {
        return None;
    }
    let result = p.result.clone()?;
    Some(match &p.vote {
        Some(v) => format!("{result} — {}", v.describe()),
        None => result,
    })
}

/// The final line of an entry: the outcome text, with the vote on the whole motion.
fn outcome_line(e: &Entry) -> String {
    let text = e.outcome_text.clone().unwrap_or_else(|| "NOT YET DECIDED".to_string());
    let en_bloc = if e.en_bloc { " (with the 'A' motions, en bloc)" } else { "" };
    match &e.vote {
        Some(v) => format!("{text}{en_bloc} — {}", v.describe()),
        None => format!("{text}{en_bloc}"),
    }
}

/// The document as plain text, e.g.
///
/// ```text
/// RESOLUTIONS
/// Conference of England LMCs
/// Friday 20 November 2026, Manchester Central
///
/// == Resolutions ==
///
/// 2 LAMBETH: That conference:
/// (1) funds practices.
///     CARRIED — for 3 (100.0%), against 0 (0.0%), abstain 0
/// …
/// ```
pub fn render_text(doc: &Resolutions) -> String {
    let mut out = String::from("RESOLUTIONS\n");
    out.push_str(&doc.title);
    out.push('\n');
    let when_where: Vec<&str> = [doc.dates.as_deref(), doc.venue.as_deref()].into_iter().flatten().collect();
    if !when_where.is_empty() {
        out.push_str(&when_where.join(", "));
        out.push('\n');
    }
    if doc.provisional {
        out.push_str("Provisional: the conference is still in session.\n");
    }
    for g in &doc.groups {
        out.push_str(&format!("\n== {} ==\n", g.heading));
        let mut section: Option<&str> = None;
        for e in &g.entries {
            if e.section.as_deref() != section && e.section.is_some() {
                section = e.section.as_deref();
                out.push_str(&format!("\n-- {} --\n", section.unwrap_or_default()));
            }
            out.push('\n');
            out.push_str(&entry_opening(e));
            out.push('\n');
            for p in &e.parts {
                out.push_str(&format!("{} {}{}\n", p.label, p.text, part_marks(p)));
                if let Some(line) = part_result_line(e, p) {
                    out.push_str(&format!("    {line}\n"));
                }
            }
            out.push_str(&outcome_line(e));
            out.push('\n');
            for d in &e.decisions {
                out.push_str(&format!("  {}\n", d.line()));
            }
        }
    }
    if !doc.decisions.is_empty() {
        out.push_str("\n== Amendments, riders and procedural motions ==\n\n");
        for d in &doc.decisions {
            out.push_str(&d.line());
            out.push('\n');
        }
    }
    out
}

pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The document as a page to print (or save as PDF from the browser): one HTML page with its own print
/// stylesheet (`/static/resolutions-print.css`; no inline style or script, for the CSP). Every piece of
/// motion text is escaped.
pub fn render_html(doc: &Resolutions) -> String {
    let mut o = String::with_capacity(16 * 1024);
    let title = esc(&doc.title);
    o.push_str(&format!(
        "<!doctype html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Resolutions: {title}</title>\
         <link rel=\"stylesheet\" href=\"/static/resolutions-print.css\"></head>\n<body>\
         <main id=\"main\" class=\"resolutions-doc\">\n<header class=\"doc-head\"><p class=\"doc-kind\">Resolutions</p><h1>{title}</h1>"
    ));
    let when_where: Vec<String> = [doc.dates.as_deref(), doc.venue.as_deref()].into_iter().flatten().map(esc).collect();
    if !when_where.is_empty() {
        o.push_str(&format!("<p class=\"doc-when\">{}</p>", when_where.join(", ")));
    }
    if doc.provisional {
        o.push_str("<p class=\"provisional\">Provisional: the conference is still in session.</p>");
    }
    if !doc.counts.is_empty() {
        o.push_str("<nav class=\"doc-contents\" aria-label=\"Contents\"><ul>");
        for GroupCount { group: g, items: n } in &doc.counts {
            o.push_str(&format!("<li><a href=\"#{}\">{}</a> ({n})</li>", g.as_str(), esc(g.heading())));
        }
        if !doc.decisions.is_empty() {
            o.push_str(&format!(
                "<li><a href=\"#decisions\">Amendments, riders and procedural motions</a> ({})</li>",
                doc.decisions.len()
            ));
        }
        o.push_str("</ul></nav>");
    }
    o.push_str("</header>\n");
    if doc.groups.is_empty() {
        o.push_str("<p>No motions.</p>");
    }
    for g in &doc.groups {
        o.push_str(&format!(
            "<section class=\"group group-{0}\" id=\"{0}\" aria-labelledby=\"h-{0}\"><h2 id=\"h-{0}\">{1}</h2>\n",
            g.group.as_str(),
            esc(&g.heading)
        ));
        let mut section: Option<&str> = None;
        for e in &g.entries {
            if e.section.as_deref() != section && e.section.is_some() {
                section = e.section.as_deref();
                o.push_str(&format!("<h3 class=\"section\">{}</h3>\n", esc(section.unwrap_or_default())));
            }
            o.push_str(&format!("<article class=\"entry\" data-item=\"{}\">", esc(&e.item)));
            let number = match e.kind {
                ItemKind::Amendment => format!("Amendment {}", esc(&e.item)),
                ItemKind::Rider => format!("Rider {}", esc(&e.item)),
                _ => esc(&e.item),
            };
            o.push_str(&format!("<p class=\"opening\"><span class=\"num\">{number}</span> "));
            if let Some(a) = &e.amends {
                o.push_str(&format!("<span class=\"amends\">to item {}</span> ", esc(a)));
            }
            if let Some(p) = &e.proposer_line {
                o.push_str(&format!("<span class=\"proposer\">{}</span> ", esc(p)));
            }
            o.push_str(&esc(&e.stem));
            if e.stem_as_amended {
                o.push_str(" <em class=\"amended\">(as amended)</em>");
            }
            o.push_str("</p>");
            if !e.parts.is_empty() {
                o.push_str("<ol class=\"parts\">");
                for p in &e.parts {
                    let lost = e.taken == TakenAs::Parts
                        && p.outcome.is_some_and(|x| x != Outcome::Carried && x != Outcome::CarriedAsReference);
                    o.push_str(&format!(
                        "<li class=\"part{}\"><span class=\"label\">{}</span> <span class=\"text\">{}</span>",
                        if lost { " not-carried" } else { "" },
                        esc(&p.label),
                        esc(&p.text)
                    ));
                    let marks = part_marks(p);
                    if !marks.is_empty() {
                        o.push_str(&format!(" <em class=\"amended\">{}</em>", esc(marks.trim())));
                    }
                    if let Some(line) = part_result_line(e, p) {
                        o.push_str(&format!("<span class=\"part-result\">{}</span>", esc(&line)));
                    }
                    o.push_str("</li>");
                }
                o.push_str("</ol>");
            }
            o.push_str(&format!("<p class=\"outcome\">{}</p>", esc(&outcome_line(e))));
            if !e.decisions.is_empty() {
                o.push_str("<ul class=\"decisions\">");
                for d in &e.decisions {
                    o.push_str(&format!("<li>{}</li>", d.html()));
                }
                o.push_str("</ul>");
            }
            o.push_str("</article>\n");
        }
        o.push_str("</section>\n");
    }
    if !doc.decisions.is_empty() {
        o.push_str(
            "<section class=\"group\" id=\"decisions\" aria-labelledby=\"h-decisions\">\
             <h2 id=\"h-decisions\">Amendments, riders and procedural motions</h2><ol class=\"decision-list\">",
        );
        for d in &doc.decisions {
            o.push_str(&format!("<li>{}</li>", d.html()));
        }
        o.push_str("</ol></section>\n");
    }
    o.push_str("<footer class=\"doc-foot\"><p>Percentages are of those voting for or against; abstentions are not counted.</p></footer>");
    o.push_str("</main></body></html>\n");
    o
}

/// The CSV header: one row per part (a motion without parts has one row, its stem as the text).
pub const CSV_HEADER: &str = "item,section,kind,proposer,stem,part,text,outcome,method,for,against,abstain,\
for_percent,against_percent,as_amended,added_by_rider,group,motion_outcome";

/// One row per part, in document order, each cell passed through `quote` (the service's CSV quoting,
/// which also defuses spreadsheet formulas). The item number is written bare when it is only letters
/// and digits.
pub fn csv_rows(doc: &Resolutions, quote: impl Fn(&str) -> String) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    let num = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
    let pct = |p: Option<f64>| p.map(|p| format!("{p:.1}")).unwrap_or_default();
    for g in &doc.groups {
        for e in &g.entries {
            let item = if !e.item.is_empty() && e.item.chars().all(|c| c.is_ascii_alphanumeric()) {
                e.item.clone()
            } else {
                quote(&e.item)
            };
            let motion_outcome = e.outcome_text.clone().unwrap_or_else(|| "NOT YET DECIDED".to_string());
            let no_parts = [PublishedPart {
                label: String::new(),
                text: e.stem.clone(),
                outcome: None,
                result: e.outcome_text.clone(),
                vote: e.vote,
                as_amended: e.stem_as_amended,
                added_by_rider: false,
            }];
            let parts: &[PublishedPart] = if e.parts.is_empty() { &no_parts } else { &e.parts };
            for p in parts {
                let counts = p.vote.and_then(|v| v.counts);
                let per = p.vote.and_then(|v| v.percentages);
                let method = match p.vote.map(|v| v.method) {
                    Some(Method::Electronic) => "electronic",
                    Some(Method::ShowOfHands) => "show_of_hands",
                    None => "",
                };
                let cells = [
                    item.clone(),
                    quote(e.section.as_deref().unwrap_or("")),
                    e.kind.as_str().to_string(),
                    quote(e.proposer.as_deref().unwrap_or("")),
                    quote(&e.stem),
                    quote(&p.label),
                    quote(&p.text),
                    quote(p.result.as_deref().unwrap_or("")),
                    method.to_string(),
                    num(counts.map(|c| c.for_votes)),
                    num(counts.map(|c| c.against)),
                    num(counts.map(|c| c.abstain)),
                    pct(per.map(|p| p.for_votes)),
                    pct(per.map(|p| p.against)),
                    (if p.as_amended { "yes" } else { "no" }).to_string(),
                    (if p.added_by_rider { "yes" } else { "no" }).to_string(),
                    g.group.as_str().to_string(),
                    quote(&motion_outcome),
                ];
                out.push_str(&cells.join(","));
                out.push('\n');
            }
        }
    }
    out
}
