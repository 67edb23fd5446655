//! The representative's view of the agenda: what is being taken now, what comes next, what is decided.

/// One motion of the agenda, as far as the running order needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgendaEntry {
    pub number: u32,
    /// It has an outcome.
    pub decided: bool,
}

/// Positions (in the agenda slice) of the motions being taken now, the one after, and the decided ones.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunningOrder {
    pub now: Vec<usize>,
    pub next: Option<usize>,
    pub decided: Vec<usize>,
}

/// Works out now / next / decided.
///
/// `current` are the motion numbers of the open poll (one motion, or the 'A' motions together); with no
/// poll open, the motion of the latest poll while it is still undecided (the chair is between its parts
/// or amendments). Next is the first undecided motion after the last one taken now, in agenda order (by
/// number); failing that, the first undecided one not taken now (the chair goes back to it).
pub fn running_order(agenda: &[AgendaEntry], current: &[u32]) -> RunningOrder {
    let mut order: Vec<usize> = (0..agenda.len()).collect();
    order.sort_by_key(|&i| agenda[i].number);
    let now: Vec<usize> = order.iter().copied().filter(|&i| current.contains(&agenda[i].number)).collect();
    let after = now.iter().map(|&i| agenda[i].number).max();
    let undecided_later = |i: &usize| {
        let e = agenda[*i];
        !e.decided && !now.contains(i) && after.is_none_or(|a| e.number > a)
    };
    let undecided_elsewhere = |i: &usize| !agenda[*i].decided && !now.contains(i);
    let next = order.iter().copied().find(undecided_later).or_else(|| order.iter().copied().find(undecided_elsewhere));
    let decided = order.iter().copied().filter(|&i| agenda[i].decided).collect();
    RunningOrder { now, next, decided }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(number: u32, decided: bool) -> AgendaEntry {
        AgendaEntry { number, decided }
    }

    #[test]
    fn now_next_and_decided() {
        let agenda = [e(3, false), e(1, true), e(2, false), e(4, false)];
        let r = running_order(&agenda, &[2]);
        assert_eq!(r.now, vec![2]);
        assert_eq!(r.next, Some(0), "motion 3 follows motion 2");
        assert_eq!(r.decided, vec![1]);
    }

    #[test]
    fn nothing_taken_means_the_first_undecided_is_next() {
        let agenda = [e(1, true), e(2, false), e(3, false)];
        let r = running_order(&agenda, &[]);
        assert!(r.now.is_empty());
        assert_eq!(r.next, Some(1));
    }

    #[test]
    fn the_a_motions_together_and_the_end_of_the_agenda() {
        let agenda = [e(1, false), e(5, false), e(6, false)];
        let r = running_order(&agenda, &[5, 6]);
        assert_eq!(r.now, vec![1, 2]);
        assert_eq!(r.next, Some(0), "nothing undecided comes after motion 6: back to motion 1");
        let r = running_order(&[e(5, false), e(6, false)], &[5, 6]);
        assert_eq!(r.next, None, "nothing else is undecided");
        let all_done = [e(1, true), e(2, true)];
        let r = running_order(&all_done, &[]);
        assert_eq!((r.now.len(), r.next, r.decided.len()), (0, None, 2));
        assert_eq!(running_order(&[], &[1]), RunningOrder::default());
    }

    #[test]
    fn a_current_number_not_on_the_agenda_is_ignored() {
        let agenda = [e(1, false)];
        let r = running_order(&agenda, &[9]);
        assert!(r.now.is_empty());
        assert_eq!(r.next, Some(0));
    }
}
