//! The record.

use super::*;

pub fn motion_record(view: &MotionView) -> procedure::MotionRecord {
    let parts_taken = view.taken_as == Some(TakenAs::Parts);
    procedure::MotionRecord {
        number: u32::try_from(view.number).ok().filter(|n| n.to_string() == view.item),
        item: (view.item != view.number.to_string()).then(|| view.item.clone()),
        voided: view.voided_polls.iter().map(|v| format!("{} — void: {}", v.question, v.reason)).collect(),
        proposer: view.proposer.clone(),
        agenda_committee: view.agenda_committee,
        stem: view.stem.clone(),
        parts: view
            .parts
            .iter()
            .map(|p| procedure::RecordPart {
                label: p.label.clone(),
                text: p.text.clone(),
                outcome: if parts_taken { p.outcome } else { None },
                qualifier: p.qualifier,
                counts: p.counts,
            })
            .collect(),
        taken: view.taken_as.unwrap_or(TakenAs::Whole),
        whole_outcome: view.outcome,
        whole_qualifier: view.qualifier,
        whole_counts: view.counts,
        outcome_text: view.outcome_text.clone(),
    }
}
