//! What changed since the last run of a workspace: what the nightly run reports in the morning.

use serde::{Deserialize, Serialize};

/// The differences between this run and the one before.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// When the previous run happened (RFC 3339, China time); None on a workspace's first run.
    pub since: Option<String>,
    /// Units that had sent nothing and now have a return.
    pub new_units: Vec<String>,
    /// Units whose files changed (a new version, another file).
    pub refiled_units: Vec<String>,
    /// Units that had a return and now have none.
    pub withdrawn_units: Vec<String>,
    /// Units with a file new since the last run that was not taken: a copy of the return
    /// counted (the same values, counted once), or an older one under `--prefer newest`.
    #[serde(default)]
    pub set_aside_units: Vec<String>,
    pub status_changed: Vec<StatusChange>,
    /// District totals that moved, in canonical field order.
    pub totals_changed: Vec<TotalChange>,
}

impl Changes {
    /// When the last run was, as a clerk reads it: "2024-01-05 02:00" (China time, as `since`).
    pub fn since_label(&self) -> Option<String> {
        self.since.as_deref().map(minutes)
    }

    /// The lists of units the news names, each with its heading (Chinese, English), in the
    /// order the front ends print them.
    pub fn unit_lists(&self) -> [(&[String], &'static str, &'static str); 4] {
        [
            (&self.new_units, "新报送", "newly filed"),
            (&self.refiled_units, "重新报送", "filed again"),
            (&self.withdrawn_units, "撤回", "withdrawn"),
            (
                &self.set_aside_units,
                "未采用的新文件",
                "new files not taken",
            ),
        ]
    }

    pub fn is_empty(&self) -> bool {
        self.unit_lists()
            .iter()
            .all(|(units, _, _)| units.is_empty())
            && self.status_changed.is_empty()
            && self.totals_changed.is_empty()
    }
}

/// A unit whose status changed ("errors" → "ok").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub unit: String,
    pub from: String,
    pub to: String,
}

/// A district total that moved, in the field's unit (hundredths for the amount).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotalChange {
    pub field: String,
    pub from: i64,
    pub to: i64,
}

/// "2024-01-05T02:00:13+08:00" → "2024-01-05 02:00": an RFC 3339 time to the minute, in its own
/// offset; anything else as it is.
pub fn minutes(t: &str) -> String {
    match t.get(..16) {
        Some(s) if s.as_bytes().get(10) == Some(&b'T') => s.replace('T', " "),
        _ => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_to_the_minute() {
        assert_eq!(minutes("2024-01-05T02:00:13+08:00"), "2024-01-05 02:00");
        assert_eq!(minutes("2024-01-05 02:00"), "2024-01-05 02:00");
        assert_eq!(minutes("昨天"), "昨天");
        let c = Changes {
            since: Some("2026-12-01T01:49:38+08:00".into()),
            ..Default::default()
        };
        assert_eq!(c.since_label().as_deref(), Some("2026-12-01 01:49"));
    }
}
