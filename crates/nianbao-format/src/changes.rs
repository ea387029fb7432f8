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
    pub fn is_empty(&self) -> bool {
        self.new_units.is_empty()
            && self.refiled_units.is_empty()
            && self.withdrawn_units.is_empty()
            && self.set_aside_units.is_empty()
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
