//! The shared report model: what reading, rules and consolidation produce and writing prints.

use std::fmt;

/// A message in the clerk's language, with its English twin (chosen by `--lang`).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Msg {
    pub zh: String,
    pub en: String,
}

impl Msg {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Msg {
        Msg {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// A system error in the clerk's words, the system's own text kept in parentheses:
/// "文件不存在（No such file or directory (os error 2)）".
pub fn io_error_msg(e: &std::io::Error) -> Msg {
    use std::io::ErrorKind as K;
    let (zh, en) = match e.kind() {
        K::NotFound => ("文件或文件夹不存在", "not found"),
        K::PermissionDenied => ("没有访问权限", "permission denied"),
        K::AlreadyExists => ("已存在", "already exists"),
        K::IsADirectory => ("这是文件夹，不是文件", "is a folder, not a file"),
        K::NotADirectory => ("不是文件夹", "not a folder"),
        K::ReadOnlyFilesystem => ("磁盘或共享文件夹只读", "read-only file system"),
        K::StorageFull | K::QuotaExceeded => ("磁盘空间不足", "no space left"),
        K::InvalidData | K::UnexpectedEof => ("文件内容不完整或已损坏", "incomplete or corrupt"),
        K::Interrupted => ("操作被中断", "interrupted"),
        K::TimedOut => ("操作超时", "timed out"),
        K::CrossesDevices => ("不能跨磁盘移动文件", "crosses devices"),
        K::DirectoryNotEmpty => ("文件夹不为空", "folder not empty"),
        K::InvalidFilename => (
            "文件名或路径过长或含有不允许的字符",
            "invalid or too long a name",
        ),
        _ => return Msg::new(format!("系统错误（{e}）"), e.to_string()),
    };
    Msg::new(format!("{zh}（{e}）"), format!("{en} ({e})"))
}

/// The language of everything a clerk reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// Where a value came from: sheet and A1 address.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct CellRef {
    /// Shared by every cell of the sheet: one allocation per sheet, not per value.
    pub sheet: std::sync::Arc<str>,
    /// Zero-based row and column.
    pub row: u32,
    pub col: u32,
}

impl CellRef {
    /// The A1 address without the sheet, e.g. "D24".
    pub fn a1(&self) -> String {
        format!("{}{}", column_name(self.col), self.row + 1)
    }
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}!{}", self.sheet, self.a1())
    }
}

/// Zero-based column index to letters: 0 → "A", 27 → "AB".
pub fn column_name(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        s.push(b'A' + r);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum Severity {
    Info,
    Warning,
    #[default]
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Severity::Info, Lang::Zh) => "提示",
            (Severity::Warning, Lang::Zh) => "警告",
            (Severity::Error, Lang::Zh) => "错误",
            (s, Lang::En) => s.as_str(),
        }
    }
}

/// One value of a return as read: the number (None when it could not be read), and its origin.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reading {
    /// The value in the field's unit (hundredths for amounts); None when unreadable.
    pub value: Option<i64>,
    /// The cell was blank (or "-", "无", …): the value is 0, but the unit did not type 0.
    pub blank: bool,
    pub cell: Option<CellRef>,
    /// The cell's text as the unit typed it, kept only for a value that could not be read
    /// (empty otherwise): what the messages and the annotated return show.
    pub raw: String,
}

/// A field of this year's return, or of last year's (the cross-year rules). Said as its id, with
/// `prior.` before last year's (`prior.t3.carried_forward.total`), in the JSON report too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldRef {
    /// The field's index in canonical order.
    pub index: usize,
    /// Last year's value of the field.
    pub prior: bool,
}

/// How a field of last year's return is named.
pub const PRIOR_PREFIX: &str = "prior.";

impl FieldRef {
    pub fn this_year(index: usize) -> FieldRef {
        FieldRef {
            index,
            prior: false,
        }
    }

    pub fn last_year(index: usize) -> FieldRef {
        FieldRef { index, prior: true }
    }

    /// This year's field index, None for last year's.
    pub fn this_years(self) -> Option<usize> {
        (!self.prior).then_some(self.index)
    }

    /// "t3.new.total", "prior.t3.carried_forward.total".
    pub fn id(self) -> String {
        let id = crate::fields()
            .get(self.index)
            .map_or("?", |f| f.id.as_str());
        if self.prior {
            format!("{PRIOR_PREFIX}{id}")
        } else {
            id.to_string()
        }
    }

    /// The reference an id names.
    pub fn parse(id: &str) -> Option<FieldRef> {
        match id.strip_prefix(PRIOR_PREFIX) {
            Some(rest) => crate::field_index(rest).map(FieldRef::last_year),
            None => crate::field_index(id).map(FieldRef::this_year),
        }
    }
}

impl fmt::Display for FieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id())
    }
}

impl serde::Serialize for FieldRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.id())
    }
}

impl<'de> serde::Deserialize<'de> for FieldRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<FieldRef, D::Error> {
        let id = String::deserialize(d)?;
        FieldRef::parse(&id).ok_or_else(|| serde::de::Error::custom(format!("unknown field {id}")))
    }
}

/// A cell that may be the one in error, with the value that would make the rules hold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Suspect {
    pub cell: Option<CellRef>,
    /// The field id.
    pub field: String,
    /// What the cell holds, in the field's unit (hundredths of 万元 for the amount).
    pub value: i64,
    /// What it would hold for the rules to pass, in the same unit.
    pub suggested: i64,
}

impl Suspect {
    /// The field's kind (a count unless the id names the amount).
    pub fn kind(&self) -> crate::Kind {
        crate::field_index(&self.field).map_or(crate::Kind::Count, |i| crate::fields()[i].kind)
    }

    /// The value held, as a clerk reads it ("264", "21147.95").
    pub fn value_text(&self) -> String {
        crate::format_value(self.kind(), self.value)
    }

    /// The value suggested, as a clerk reads it.
    pub fn suggested_text(&self) -> String {
        crate::format_value(self.kind(), self.suggested)
    }
}

/// A finding about a value, a rule or a file: read problems and rule violations alike.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Violation {
    /// Rule or problem id, e.g. `balance`, `t3.col_total`, `read.not_a_number`.
    pub rule: String,
    pub severity: Severity,
    pub fields: Vec<FieldRef>,
    pub cells: Vec<CellRef>,
    pub expected: Option<String>,
    pub actual: Option<String>,
    pub message: Msg,
    /// For a failed rule: the cells most likely wrong, best first (error localisation).
    pub suspects: Vec<Suspect>,
    /// Several repairs fit equally well: the suspects are candidates, not a verdict.
    pub suspects_tied: bool,
    /// For a violation of the district's totals: the units whose own values are off on the same
    /// check, with their part of the difference (signed like the district's: a unit that pulls
    /// the other way has a negative part).
    pub from_units: Vec<UnitShare>,
    /// The explanation (出错说明) the office accepted for this violation: it stays listed,
    /// marked 已说明, and no longer counts (not in the unit's errors or warnings, not in the exit
    /// status). None when not waived.
    #[serde(default)]
    pub waived: Option<Waived>,
    /// For a year-on-year warning: the field and its values this year and last year.
    #[serde(default)]
    pub year_on_year: Option<YearOnYear>,
}

/// What a year-on-year check compared: one field's value this year and last year (in the
/// field's unit: hundredths for the amount).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct YearOnYear {
    pub field: String,
    pub this_year: i64,
    pub last_year: i64,
}

impl Violation {
    /// Whether the violation counts: not waived.
    pub fn counts(&self) -> bool {
        self.waived.is_none()
    }
}

/// An explanation (出错说明) of the waiver file: the office accepts the warnings of a rule for a
/// unit (or its errors, for a rule the rule file marks `waivable`) until a date.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Waiver {
    /// Roster code (or the name found, without a roster).
    pub unit: String,
    /// The rule id, as in the violations (a rule of the rule file, or a problem id).
    pub rule: String,
    /// Why the office accepts it.
    pub reason: String,
    /// The last day it applies (YYYY-MM-DD); None: no end.
    pub expires: Option<String>,
    /// Its line in the waiver file.
    pub line: usize,
}

/// On a violation: the explanation that accepts it.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Waived {
    pub reason: String,
    /// The last day the explanation applies (YYYY-MM-DD); None: no end.
    pub expires: Option<String>,
}

/// What a run's explanations did.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct WaiverOutcome {
    /// The explanations that accepted at least one violation.
    pub applied: Vec<Waiver>,
    /// The explanations past their date: they no longer apply.
    pub expired: Vec<Waiver>,
    /// The explanations that matched no violation (the unit did not file, or passes that rule).
    pub unused: Vec<Waiver>,
}

impl WaiverOutcome {
    /// Whether there is anything to say (an explanation applied, expired or unused).
    pub fn is_empty(&self) -> bool {
        self.applied.is_empty() && self.expired.is_empty() && self.unused.is_empty()
    }
}

/// A unit's part in a district-level violation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnitShare {
    /// Roster code (or the name found, without a roster).
    pub unit: String,
    pub name: String,
    /// The unit's lhs − rhs of the check, in the field's unit, signed like the district's.
    pub diff: i64,
}

/// What became of a reporting unit in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum UnitStatus {
    Ok,
    Warnings,
    Errors,
    Failed,
    Missing,
    Duplicate,
    Unknown,
    /// Read, and every error or warning it had is explained (出错说明, accepted by the office).
    Explained,
}

impl UnitStatus {
    pub const ALL: [UnitStatus; 8] = [
        UnitStatus::Ok,
        UnitStatus::Warnings,
        UnitStatus::Errors,
        UnitStatus::Explained,
        UnitStatus::Failed,
        UnitStatus::Missing,
        UnitStatus::Duplicate,
        UnitStatus::Unknown,
    ];

    /// The label of a status id as the report stores it ("errors" → "有错误"); an unknown id as
    /// it is.
    pub fn label_of(id: &str, lang: Lang) -> String {
        UnitStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == id)
            .map_or_else(|| id.to_string(), |s| s.label(lang).to_string())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UnitStatus::Ok => "ok",
            UnitStatus::Warnings => "warnings",
            UnitStatus::Errors => "errors",
            UnitStatus::Failed => "failed",
            UnitStatus::Missing => "missing",
            UnitStatus::Duplicate => "duplicate",
            UnitStatus::Unknown => "unknown",
            UnitStatus::Explained => "explained",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.as_str(),
            Lang::Zh => match self {
                UnitStatus::Ok => "通过",
                UnitStatus::Warnings => "有警告",
                UnitStatus::Errors => "有错误",
                UnitStatus::Failed => "无法读取",
                UnitStatus::Missing => "未报送",
                UnitStatus::Duplicate => "重复报送",
                UnitStatus::Unknown => "名单外单位",
                UnitStatus::Explained => "已说明",
            },
        }
    }

    /// Whether a unit with this status counts in the district totals.
    pub fn in_totals(self) -> bool {
        matches!(
            self,
            UnitStatus::Ok | UnitStatus::Warnings | UnitStatus::Errors | UnitStatus::Explained
        )
    }
}

/// A roster entry: a unit expected to file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub kind: String,
}

/// One unit's line in the report.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct UnitEntry {
    /// Roster code, or the name found when there is no roster.
    pub unit: String,
    pub name: String,
    pub kind: Option<String>,
    /// The file(s) the unit's return came from (two or more when duplicated).
    pub files: Vec<String>,
    pub status: UnitStatus,
    /// The return's values with their provenance, when it was read and they are still needed:
    /// kept for a unit with errors or warnings (its messages and its annotated return), dropped
    /// for a clean one once the rules have run — [`UnitEntry::values`] has its numbers.
    pub readings: Option<Vec<Reading>>,
    /// The return's values, compact (8 bytes a field): what the totals, the per-unit sheet and
    /// the JSON report need. None when the return was not read.
    #[serde(default)]
    pub values: Option<UnitValues>,
    /// Whether the unit's values count in the district totals.
    pub in_totals: bool,
    pub errors: usize,
    pub warnings: usize,
    /// How many value cells were left blank (or "-", "无") rather than typed 0.
    pub blanks: usize,
    /// A note on how the unit was settled (e.g. which duplicate was taken).
    pub note: Option<Msg>,
}

/// A unit as a clerk reads it: "U05 亭林镇", or the one of them when code and name are the same
/// (no roster) or there is no name.
pub fn code_and_name(code: &str, name: &str) -> String {
    if name.is_empty() || name == code {
        code.to_string()
    } else {
        format!("{code} {name}")
    }
}

impl UnitEntry {
    /// "U05 亭林镇" (see [`code_and_name`]).
    pub fn label(&self) -> String {
        code_and_name(&self.unit, &self.name)
    }

    /// Whether the unit's return was read (it has values).
    pub fn was_read(&self) -> bool {
        self.values.is_some() || self.readings.is_some()
    }

    /// Field `i`'s value: None when unreadable or not read.
    pub fn value(&self, i: usize) -> Option<i64> {
        match (&self.values, &self.readings) {
            (Some(v), _) => v.get(i),
            (None, Some(r)) => r.get(i).and_then(|r| r.value),
            (None, None) => None,
        }
    }

    /// Whether field `i` was left blank (read as 0).
    pub fn is_blank(&self, i: usize) -> bool {
        match (&self.values, &self.readings) {
            (Some(v), _) => v.is_blank(i),
            (None, Some(r)) => r.get(i).is_some_and(|r| r.blank),
            (None, None) => false,
        }
    }
}

/// A unit's values in canonical field order, compact: the numbers, and one bit a field for
/// "could not be read" and for "left blank".
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnitValues {
    values: Vec<i64>,
    unreadable: Vec<u64>,
    blank: Vec<u64>,
}

impl UnitValues {
    pub fn from_readings(readings: &[Reading]) -> UnitValues {
        let words = readings.len().div_ceil(64);
        let mut v = UnitValues {
            values: Vec::with_capacity(readings.len()),
            unreadable: vec![0; words],
            blank: vec![0; words],
        };
        for (i, r) in readings.iter().enumerate() {
            v.values.push(r.value.unwrap_or(0));
            if r.value.is_none() {
                v.unreadable[i / 64] |= 1 << (i % 64);
            }
            if r.blank {
                v.blank[i / 64] |= 1 << (i % 64);
            }
        }
        v
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Field `i`'s value; None when it could not be read.
    pub fn get(&self, i: usize) -> Option<i64> {
        let bad = self
            .unreadable
            .get(i / 64)
            .is_none_or(|w| w & (1 << (i % 64)) != 0);
        if bad {
            None
        } else {
            self.values.get(i).copied()
        }
    }

    pub fn is_blank(&self, i: usize) -> bool {
        self.blank
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Every value in order (None where unreadable).
    pub fn iter(&self) -> impl Iterator<Item = Option<i64>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// The key the district's totals go by where a unit's code would stand (`UnitViolation.unit`,
/// the JSON report's `"unit"`).
pub const DISTRICT: &str = "district";

/// What a violation is about: the district's totals or one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Scope<'a> {
    District,
    Unit(&'a str),
}

impl UnitViolation {
    pub fn scope(&self) -> Scope<'_> {
        if self.unit == DISTRICT {
            Scope::District
        } else {
            Scope::Unit(&self.unit)
        }
    }
}

/// A violation with the unit and file it concerns.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct UnitViolation {
    /// Roster code, name found, or "district" for the totals.
    pub unit: String,
    pub file: Option<String>,
    pub violation: Violation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FileStatus {
    Ok,
    Failed,
    Skipped,
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Ok => "ok",
            FileStatus::Failed => "failed",
            FileStatus::Skipped => "skipped",
        }
    }
}

/// One input file's fate.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FileEntry {
    /// Path relative to the returns folder.
    pub file: String,
    pub status: FileStatus,
    pub unit: Option<String>,
    pub error: Option<Msg>,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Coverage {
    /// Units on the roster (or units found, without a roster).
    pub expected: usize,
    /// Units with at least one readable return.
    pub received: usize,
    /// Units whose values are in the totals.
    pub in_totals: usize,
    /// Roster codes with no return.
    pub missing: Vec<String>,
}

impl Coverage {
    /// "41/42 单位": how many units the totals stand for.
    pub fn label(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!("{}/{} 单位", self.in_totals, self.expected),
            Lang::En => format!("{}/{} units", self.in_totals, self.expected),
        }
    }
}

/// Everything a consolidation run found: what the workbook and the JSON report print.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Report {
    pub year: Option<i32>,
    pub units: Vec<UnitEntry>,
    /// District totals over the units in the totals, one per field.
    pub totals: Vec<i64>,
    pub violations: Vec<UnitViolation>,
    pub files: Vec<FileEntry>,
    pub coverage: Coverage,
    /// What the explanations (出错说明, `--waivers`) did; empty without them.
    #[serde(default)]
    pub waivers: WaiverOutcome,
}

impl Report {
    /// Error-severity violations that count (not explained).
    pub fn error_count(&self) -> usize {
        self.violations
            .iter()
            .filter(|v| v.violation.severity == Severity::Error && v.violation.counts())
            .count()
    }

    /// Whether the run found anything that makes exit status 1.
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
            || self.files.iter().any(|f| f.status == FileStatus::Failed)
            || self.units.iter().any(|u| {
                matches!(
                    u.status,
                    UnitStatus::Errors
                        | UnitStatus::Failed
                        | UnitStatus::Missing
                        | UnitStatus::Duplicate
                        | UnitStatus::Unknown
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explained_errors_do_not_count() {
        let error = |waived: Option<Waived>| UnitViolation {
            unit: "U01".into(),
            file: None,
            violation: Violation {
                rule: "balance".into(),
                waived,
                ..Default::default()
            },
        };
        let mut report = Report {
            year: None,
            units: vec![],
            totals: vec![],
            violations: vec![error(None)],
            files: vec![],
            coverage: Coverage::default(),
            waivers: WaiverOutcome::default(),
        };
        assert!(report.has_errors());
        report.violations = vec![error(Some(Waived::default()))];
        assert_eq!(report.error_count(), 0);
        assert!(!report.has_errors());
        // Reports stored before explanations existed still load.
        let mut old = serde_json::to_value(&report).unwrap();
        assert!(old.as_object_mut().unwrap().remove("waivers").is_some());
        let v = old["violations"][0]["violation"].as_object_mut().unwrap();
        assert!(v.remove("waived").is_some());
        let back: Report = serde_json::from_value(old).unwrap();
        assert_eq!(back.violations[0].violation.waived, None);
    }

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(16383), "XFD");
        let c = CellRef {
            sheet: "表三".into(),
            row: 23,
            col: 3,
        };
        assert_eq!(c.to_string(), "表三!D24");
    }
}
