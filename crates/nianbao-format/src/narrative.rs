//! The figures a published report's prose states about table 三 (the seed's "全区共受理政府信息公开
//! 申请 398 件…答复政府信息公开申请 390 件（含上年度结转申请 7 件，另有 15 件结转至下年度继续办理）"):
//! which field each one is, and the words that tell them apart. `nianbao publish` drafts the
//! sentences from these; the reader finds them in a report's prose and checks them against its
//! tables.

use crate::{Msg, T3_CARRIED_FORWARD, T3_CARRIED_OVER, T3_NEW, T3_TOTAL, T3_TOTAL_COL, t3_index};

/// A figure of the narrative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Applications received this year (受理/收到/新收): `t3.new.total`.
    Received,
    /// Applications answered (答复/办结): `t3.total.total`.
    Answered,
    /// Carried over from last year (上年度结转): `t3.carried_over.total`.
    CarriedOver,
    /// Carried forward to next year (结转至下年度): `t3.carried_forward.total`.
    CarriedForward,
}

impl Claim {
    pub const ALL: [Claim; 4] = [
        Claim::Received,
        Claim::Answered,
        Claim::CarriedOver,
        Claim::CarriedForward,
    ];

    /// The field the figure is, by index in [`crate::fields`].
    pub fn field(self) -> usize {
        let row = match self {
            Claim::Received => T3_NEW,
            Claim::Answered => T3_TOTAL,
            Claim::CarriedOver => T3_CARRIED_OVER,
            Claim::CarriedForward => T3_CARRIED_FORWARD,
        };
        t3_index(row, T3_TOTAL_COL)
    }

    /// What the figure counts, for messages.
    pub fn what(self) -> Msg {
        match self {
            Claim::Received => Msg::new("受理申请数", "applications received"),
            Claim::Answered => Msg::new("答复申请数", "applications answered"),
            Claim::CarriedOver => Msg::new("上年结转申请数", "applications carried over"),
            Claim::CarriedForward => Msg::new("结转下年度申请数", "applications carried forward"),
        }
    }

    /// Which figure a clause of a sentence about applications states, by its words: carried
    /// forward (结转 and 下年), carried over (结转 and 上年), answered (答复, 办结), received (受理,
    /// 收到, 新收).
    pub fn of_clause(clause: &str) -> Option<Claim> {
        let has = |w: &str| clause.contains(w);
        if has("结转") && (has("下年") || has("下一年")) {
            Some(Claim::CarriedForward)
        } else if has("结转") && has("上年") {
            Some(Claim::CarriedOver)
        } else if has("答复") || has("办结") {
            Some(Claim::Answered)
        } else if has("受理") || has("收到") || has("新收") {
            Some(Claim::Received)
        } else {
            None
        }
    }
}

/// The paragraph on applications in the seed's words, from the four figures (in [`Claim::ALL`]
/// order) and the year: "2023 年，全区共受理政府信息公开申请 398 件；答复政府信息公开申请 390 件
/// （含上年度结转申请 7 件，另有 15 件结转至下年度继续办理）。" `whole` is "全区" for a district.
pub fn applications_sentence(year: Option<i32>, whole: &str, figures: [i64; 4]) -> String {
    let [received, answered, over, forward] = figures;
    let when = year.map(|y| format!("{y} 年，")).unwrap_or_default();
    format!(
        "{when}{whole}共受理政府信息公开申请 {received} 件；答复政府信息公开申请 {answered} 件（含上年度结转申请 {over} 件，另有 {forward} 件结转至下年度继续办理）。"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_of_the_seed() {
        assert_eq!(
            Claim::of_clause("全区共受理政府信息公开申请 398 件"),
            Some(Claim::Received)
        );
        assert_eq!(
            Claim::of_clause("答复政府信息公开申请 390 件"),
            Some(Claim::Answered)
        );
        assert_eq!(
            Claim::of_clause("含上年度结转申请 7 件"),
            Some(Claim::CarriedOver)
        );
        assert_eq!(
            Claim::of_clause("另有 15 件结转至下年度继续办理"),
            Some(Claim::CarriedForward)
        );
        assert_eq!(Claim::of_clause("较上年度有所下降"), None);
        assert_eq!(crate::fields()[Claim::Received.field()].id, "t3.new.total");
        assert_eq!(
            crate::fields()[Claim::CarriedForward.field()].id,
            "t3.carried_forward.total"
        );
    }
}
