//! A deterministic report generator for the tests.

use nianbao_format::{
    CellRef, Coverage, FEES_AMOUNT, FIELD_COUNT, FileEntry, FileStatus, Kind, Msg, Reading, Report,
    Severity, UnitEntry, UnitStatus, UnitViolation, Violation, fields, t3_index,
};

/// xorshift64*: small, deterministic, good enough to vary test values.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in lo..=hi.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

/// 200 varied, non-zero totals; the amount is 21147.95 万元.
pub fn varied_totals(seed: u64) -> Vec<i64> {
    let mut rng = Rng::new(seed);
    let mut totals: Vec<i64> = fields()
        .iter()
        .map(|f| match f.kind {
            Kind::Count => rng.range(1, 60_000),
            Kind::Amount => rng.range(1, 9_999_999),
        })
        .collect();
    totals[FEES_AMOUNT] = 2_114_795;
    totals
}

/// A report whose totals are `totals` and that has no units (the summary sheet only needs the
/// totals).
pub fn totals_report(totals: Vec<i64>) -> Report {
    Report {
        year: Some(2022),
        units: vec![],
        totals,
        violations: vec![],
        files: vec![],
        coverage: Coverage {
            expected: 42,
            received: 42,
            in_totals: 41,
            missing: vec![],
        },
        waivers: Default::default(),
    }
}

fn reading(sheet: &str, i: usize, value: Option<i64>, blank: bool, raw: &str) -> Reading {
    Reading {
        value,
        blank,
        cell: Some(CellRef {
            sheet: sheet.into(),
            row: i as u32,
            col: 3,
        }),
        raw: raw.into(),
    }
}

/// Readings with varied values, some left blank (0).
fn readings(rng: &mut Rng) -> Vec<Reading> {
    fields()
        .iter()
        .map(|f| {
            if rng.range(0, 9) == 0 {
                return reading("表", f.index, Some(0), true, "");
            }
            let v = match f.kind {
                Kind::Count => rng.range(0, 500),
                Kind::Amount => rng.range(0, 99_999),
            };
            reading("表", f.index, Some(v), false, &v.to_string())
        })
        .collect()
}

/// The index of the unreadable field of unit U04 and of the filled-in blank total of U02.
pub const UNREADABLE: usize = 17;
pub fn filled_total() -> usize {
    t3_index(0, 6)
}

fn unit(
    code: &str,
    name: &str,
    status: UnitStatus,
    in_totals: bool,
    readings: Option<Vec<Reading>>,
    files: &[&str],
) -> UnitEntry {
    let blanks = readings
        .as_ref()
        .map_or(0, |r| r.iter().filter(|r| r.blank).count());
    UnitEntry {
        unit: code.into(),
        name: name.into(),
        kind: Some(
            if name.ends_with('镇') {
                "town"
            } else {
                "department"
            }
            .into(),
        ),
        files: files.iter().map(|f| f.to_string()).collect(),
        status,
        readings,
        values: None,
        in_totals,
        errors: usize::from(status == UnitStatus::Errors),
        warnings: usize::from(status == UnitStatus::Warnings),
        blanks,
        note: (!in_totals).then(|| Msg::new("未计入汇总", "not in the totals")),
    }
}

/// A district of six units: in the totals U01, U02 and U06; not in them U03 (missing), U04
/// (an unreadable value) and U05 (duplicate). In report order the units in the totals are not
/// contiguous.
pub fn district(seed: u64) -> Report {
    let mut rng = Rng::new(seed);
    let mut r2 = readings(&mut rng);
    // A blank total that the rules filled in: blank, but not 0.
    r2[filled_total()] = reading("表三", 5, Some(42), true, "");
    let mut r4 = readings(&mut rng);
    r4[UNREADABLE] = reading("表三", 7, None, false, "约10");
    let units = vec![
        unit(
            "U01",
            "石化街道",
            UnitStatus::Ok,
            true,
            Some(readings(&mut rng)),
            &["石化街道.xlsx"],
        ),
        unit(
            "U02",
            "朱泾镇",
            UnitStatus::Warnings,
            true,
            Some(r2),
            &["朱泾镇.xls"],
        ),
        unit("U03", "枫泾镇", UnitStatus::Missing, false, None, &[]),
        unit(
            "U04",
            "张堰镇",
            UnitStatus::Errors,
            false,
            Some(r4),
            &["张堰镇.xlsx"],
        ),
        unit(
            "U05",
            "区教育局",
            UnitStatus::Duplicate,
            false,
            Some(readings(&mut rng)),
            &["教育局1.xlsx", "教育局2.xlsx"],
        ),
        unit(
            "U06",
            "区发展和改革委员会",
            UnitStatus::Ok,
            true,
            Some(readings(&mut rng)),
            &["发改委.ods"],
        ),
    ];
    let mut totals = vec![0i64; FIELD_COUNT];
    for u in units.iter().filter(|u| u.in_totals) {
        for (t, r) in totals
            .iter_mut()
            .zip(u.readings.as_ref().into_iter().flatten())
        {
            *t += r.value.unwrap_or(0);
        }
    }
    let violations = vec![
        UnitViolation {
            unit: "U04".into(),
            file: Some("张堰镇.xlsx".into()),
            violation: Violation {
                rule: "value.not_a_number".into(),
                severity: Severity::Error,
                fields: vec![nianbao_format::FieldRef::this_year(UNREADABLE)],
                cells: vec![CellRef {
                    sheet: "表三".into(),
                    row: 7,
                    col: 3,
                }],
                expected: None,
                actual: Some("约10".into()),
                message: Msg::new("“约10”不是数字", "\"约10\" is not a number"),
                ..Default::default()
            },
        },
        UnitViolation {
            unit: "U02".into(),
            file: Some("朱泾镇.xls".into()),
            violation: Violation {
                rule: "total.blank".into(),
                severity: Severity::Warning,
                fields: vec![nianbao_format::FieldRef::this_year(filled_total())],
                cells: vec![CellRef {
                    sheet: "表三".into(),
                    row: 5,
                    col: 3,
                }],
                expected: Some("42".into()),
                actual: None,
                message: Msg::new("总计栏空白，按各分项之和计为 42", "blank total taken as 42"),
                ..Default::default()
            },
        },
        UnitViolation {
            unit: "U03".into(),
            file: None,
            violation: Violation {
                rule: "unit.missing".into(),
                severity: Severity::Error,
                fields: vec![],
                cells: vec![],
                expected: None,
                actual: None,
                message: Msg::new("枫泾镇 未报送年报", "枫泾镇 has not filed"),
                ..Default::default()
            },
        },
        UnitViolation {
            unit: "district".into(),
            file: None,
            violation: Violation {
                rule: "balance".into(),
                severity: Severity::Info,
                fields: ["t3.new.total", "t3.total.total"]
                    .iter()
                    .map(|f| nianbao_format::FieldRef::parse(f).expect("a field id"))
                    .collect(),
                cells: vec![],
                expected: Some("1".into()),
                actual: Some("2".into()),
                message: Msg::new("全区提示", "district note"),
                ..Default::default()
            },
        },
    ];
    let files = vec![
        file("石化街道.xlsx", FileStatus::Ok, Some("U01"), None),
        file("朱泾镇.xls", FileStatus::Ok, Some("U02"), None),
        file("张堰镇.xlsx", FileStatus::Ok, Some("U04"), None),
        file("教育局1.xlsx", FileStatus::Ok, Some("U05"), None),
        file("教育局2.xlsx", FileStatus::Ok, Some("U05"), None),
        file("发改委.ods", FileStatus::Ok, Some("U06"), None),
        file(
            "说明.docx",
            FileStatus::Failed,
            None,
            Some(Msg::new("这是 Word 文档", "a Word document")),
        ),
    ];
    Report {
        year: Some(2022),
        units,
        totals,
        violations,
        files,
        coverage: Coverage {
            expected: 6,
            received: 5,
            in_totals: 3,
            missing: vec!["U03".into()],
        },
        waivers: Default::default(),
    }
}

fn file(name: &str, status: FileStatus, unit: Option<&str>, error: Option<Msg>) -> FileEntry {
    FileEntry {
        file: name.into(),
        status,
        unit: unit.map(Into::into),
        error,
    }
}
