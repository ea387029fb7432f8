//! The national return format (国办公开办函〔2021〕30号): tables, rows, columns, official labels,
//! canonical field ids, label normalisation and exact 万元 amounts. Pure data, no IO.

mod amount;
mod changes;
mod label;
mod model;
pub mod narrative;
pub mod problem;

pub use amount::{DecimalError, MAX_VALUE, format_amount, parse_decimal};
pub use changes::{Changes, StatusChange, TotalChange, minutes};
pub use label::{fold_width, is_invisible, normalize_label, strip_enumerator};
pub use model::*;

use std::sync::OnceLock;

/// The custom document property (docProps/custom.xml) that every workbook nianbao writes carries,
/// with the kind of output as its value ([`GENERATED_SUMMARY`], [`GENERATED_ANNOTATED`],
/// [`GENERATED_TEMPLATE`]). A file carrying it is never read as a return, whatever its name or
/// folder: it is listed as skipped (本工具生成的文件) — except a template, which is a return form
/// ([`mark_is_return`]), and an annotated return whose values a unit changed.
pub const GENERATED_PROPERTY: &str = "nianbao-generated";
/// [`GENERATED_PROPERTY`]'s value in the combined workbook (汇总.xlsx).
pub const GENERATED_SUMMARY: &str = "summary";
/// How the combined workbook of a named body (a district, `name` in its workspace) carries that
/// name after [`GENERATED_SUMMARY`]: `summary;unit=金山区`. Such a workbook is the district's
/// return in its city's roll-up: read as a return where the roster lists the name.
pub const SUMMARY_UNIT: &str = ";unit=";

/// What a named body's combined workbook says of its totals ([`summary_mark`]): how many units
/// they count, of how many, and how many of those units have errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SummaryCounts {
    pub counted: usize,
    pub of: usize,
    pub with_errors: usize,
}

/// The [`GENERATED_PROPERTY`] value of a combined workbook, naming the body consolidated if any,
/// with what its totals count: `summary;unit=金山区;counted=41;of=42;errors=1`.
pub fn summary_mark(name: Option<&str>, counts: SummaryCounts) -> String {
    match name {
        Some(n) if !n.trim().is_empty() => format!(
            "{GENERATED_SUMMARY}{SUMMARY_UNIT}{};counted={};of={};errors={}",
            n.trim().replace(';', "；"),
            counts.counted,
            counts.of,
            counts.with_errors
        ),
        _ => GENERATED_SUMMARY.to_string(),
    }
}

/// The body a combined workbook's marker names (`summary;unit=金山区;…` → 金山区).
pub fn summary_unit(mark: &str) -> Option<&str> {
    mark.strip_prefix(GENERATED_SUMMARY)?
        .strip_prefix(SUMMARY_UNIT)
        .and_then(|rest| rest.split(';').next())
        .filter(|n| !n.is_empty())
}

/// What a named body's marker says of its totals; None for a marker without the counts (a
/// workbook of an earlier version).
pub fn summary_counts(mark: &str) -> Option<SummaryCounts> {
    summary_unit(mark)?;
    let field = |key: &str| -> Option<usize> {
        mark.split(';')
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))?
            .parse()
            .ok()
    };
    Some(SummaryCounts {
        counted: field("counted")?,
        of: field("of")?,
        with_errors: field("errors")?,
    })
}

/// [`GENERATED_PROPERTY`]'s value in an annotated return sent back to a unit (退回修改).
pub const GENERATED_ANNOTATED: &str = "annotated";
/// [`GENERATED_PROPERTY`]'s value in a blank return a unit fills in (`nianbao template`), with
/// the fingerprint of the values it was written with ([`template_mark`]): filled in or not, it is
/// a return; the fingerprint tells an untouched template (safe to write again) from a filled one.
pub const GENERATED_TEMPLATE: &str = "template";

/// Whether a workbook with this marker value is a return all the same (a template).
pub fn mark_is_return(mark: &str) -> bool {
    mark == GENERATED_TEMPLATE || mark.starts_with("template;")
}

/// The [`GENERATED_PROPERTY`] value of a template laying these values (None: a blank cell).
pub fn template_mark(values: &[Option<i64>]) -> String {
    format!(
        "{GENERATED_TEMPLATE};values={}",
        values_fingerprint(values.iter().map(|v| Some(v.unwrap_or(0))))
    )
}

/// The fingerprint a marker value carries (`…;values=<fingerprint>`), if any.
pub fn mark_fingerprint(mark: &str) -> Option<&str> {
    mark.split_once(";values=").map(|(_, f)| f)
}

/// A fingerprint of a return's values (FNV-1a over the values in canonical field order, an
/// unreadable value hashed apart from every number), as 16 hex digits. An annotated return
/// carries it in its [`GENERATED_PROPERTY`] (`annotated;values=…`): a 退回 file read back with
/// the same values is our own output, one whose values changed is a unit's correction and is
/// read as a return.
pub fn values_fingerprint(values: impl IntoIterator<Item = Option<i64>>) -> String {
    let mut h = Fnv::new();
    for v in values {
        match v {
            Some(n) => {
                h.eat(&[1]);
                h.eat(&n.to_le_bytes());
            }
            None => h.eat(&[0]),
        }
    }
    h.hex()
}

/// The fingerprint of a text nianbao wrote (a published page), to tell it untouched from edited.
pub fn text_fingerprint(text: &str) -> String {
    let mut h = Fnv::new();
    h.eat(text.as_bytes());
    h.hex()
}

/// FNV-1a, 64 bits: the fingerprints of what nianbao wrote (not a defence against forgery).
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn eat(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// The values as a written workbook lays them: a blank cell stays blank whatever was inferred
/// for it (a blank total filled from its parts), so it reads back as 0.
pub fn laid_values(readings: &[Reading]) -> impl Iterator<Item = Option<i64>> + '_ {
    readings
        .iter()
        .map(|r| if r.blank { Some(0) } else { r.value })
}

/// The [`GENERATED_PROPERTY`] value of an annotated return laying these readings.
pub fn annotated_mark(readings: &[Reading]) -> String {
    format!(
        "{GENERATED_ANNOTATED};values={}",
        values_fingerprint(laid_values(readings))
    )
}

/// The title of a return's sheet, after the unit and the year
/// ("2022年政府信息公开工作年度报告统计表").
pub const FORM_TITLE: &str = "政府信息公开工作年度报告统计表";
/// The label of the line naming the unit that filed the return ("填报单位：区教育局").
pub const UNIT_LABEL: &str = "填报单位";

/// The three statistical tables of a return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// 二、主动公开政府信息情况
    T2,
    /// 三、收到和处理政府信息公开申请情况
    T3,
    /// 四、政府信息公开行政复议、行政诉讼情况
    T4,
}

impl Table {
    pub const ALL: [Table; 3] = [Table::T2, Table::T3, Table::T4];

    /// The official heading, as printed in the annual report.
    pub fn title(self) -> &'static str {
        match self {
            Table::T2 => "二、主动公开政府信息情况",
            Table::T3 => "三、收到和处理政府信息公开申请情况",
            Table::T4 => "四、政府信息公开行政复议、行政诉讼情况",
        }
    }

    pub fn short_zh(self) -> &'static str {
        match self {
            Table::T2 => "表二",
            Table::T3 => "表三",
            Table::T4 => "表四",
        }
    }

    pub fn short_en(self) -> &'static str {
        match self {
            Table::T2 => "table 2",
            Table::T3 => "table 3",
            Table::T4 => "table 4",
        }
    }
}

/// How a field's value is stored: every value is an `i64`; amounts are in hundredths of 万元.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A whole, non-negative count.
    Count,
    /// 万元 with at most two decimals, stored as integer hundredths (21147.95 → 2114795).
    Amount,
}

/// One field of the format: its canonical id, where it sits and how it is labelled.
#[derive(Debug, Clone)]
pub struct Field {
    /// Position in [`fields()`], also the column order of every per-unit table.
    pub index: usize,
    /// Canonical id, e.g. `t3.withheld.third_party.total`.
    pub id: String,
    pub table: Table,
    pub kind: Kind,
    /// Index of the row within its table (table 4: the group).
    pub row: usize,
    /// Index of the column within its table (table 4: the result).
    pub col: usize,
    /// The row's label as the official format prints it, group prefix joined with " › ".
    pub row_label: String,
    /// The column's label as the official format prints it.
    pub col_label: &'static str,
}

impl Field {
    /// A short Chinese name a clerk recognises, e.g. "表三 保护第三方合法权益 › 总计".
    pub fn label_zh(&self) -> String {
        format!(
            "{} {} › {}",
            self.table.short_zh(),
            self.row_label,
            self.col_label
        )
    }
}

/// A row of table 2 and the columns it has.
pub struct T2Row {
    pub id: &'static str,
    pub label: &'static str,
    /// The block heading, e.g. 第二十条第（一）项.
    pub block: &'static str,
    pub cols: &'static [(&'static str, &'static str)],
}

/// A value column of table 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct T2Col {
    pub id: &'static str,
    /// The column's header as the official format prints it.
    pub label: &'static str,
    /// The words that identify the header once normalised: a header cell names the column when
    /// it contains them (returns often drop 本年 and the unit).
    pub key: &'static str,
}

const ISSUED: T2Col = T2Col {
    id: "issued",
    label: "本年制发件数",
    key: "本年制发件数",
};
const REPEALED: T2Col = T2Col {
    id: "repealed",
    label: "本年废止件数",
    key: "本年废止件数",
};
const IN_FORCE: T2Col = T2Col {
    id: "in_force",
    label: "现行有效件数",
    key: "现行有效件数",
};
const DECISIONS: T2Col = T2Col {
    id: "decisions",
    label: "本年处理决定数量",
    key: "处理决定数量",
};
const AMOUNT: T2Col = T2Col {
    id: "amount",
    label: "本年收费金额（单位：万元）",
    key: "收费金额",
};

/// Every value column of table 2, in the order the rows use them.
pub const T2_COLS: &[T2Col] = &[ISSUED, REPEALED, IN_FORCE, DECISIONS, AMOUNT];

/// The table 2 column with this id.
pub fn t2_col(id: &str) -> Option<&'static T2Col> {
    T2_COLS.iter().find(|c| c.id == id)
}

const T2_DOC_COLS: &[(&str, &str)] = &[
    (ISSUED.id, ISSUED.label),
    (REPEALED.id, REPEALED.label),
    (IN_FORCE.id, IN_FORCE.label),
];
const T2_DECISION_COLS: &[(&str, &str)] = &[(DECISIONS.id, DECISIONS.label)];
const T2_FEE_COLS: &[(&str, &str)] = &[(AMOUNT.id, AMOUNT.label)];

/// The header of table 2's label column.
pub const T2_LABEL_HEADER: &str = "信息内容";

pub const T2_ROWS: &[T2Row] = &[
    T2Row {
        id: "regulations",
        label: "规章",
        block: "第二十条第（一）项",
        cols: T2_DOC_COLS,
    },
    T2Row {
        id: "normative_docs",
        label: "行政规范性文件",
        block: "第二十条第（一）项",
        cols: T2_DOC_COLS,
    },
    T2Row {
        id: "licensing",
        label: "行政许可",
        block: "第二十条第（五）项",
        cols: T2_DECISION_COLS,
    },
    T2Row {
        id: "penalty",
        label: "行政处罚",
        block: "第二十条第（六）项",
        cols: T2_DECISION_COLS,
    },
    T2Row {
        id: "coercion",
        label: "行政强制",
        block: "第二十条第（六）项",
        cols: T2_DECISION_COLS,
    },
    T2Row {
        id: "fees",
        label: "行政事业性收费",
        block: "第二十条第（八）项",
        cols: T2_FEE_COLS,
    },
];

/// Table 3 columns: (id, official label, parent band label if any).
pub const T3_COLS: &[(&str, &str, Option<&str>)] = &[
    ("natural_person", "自然人", None),
    ("commercial", "商业企业", Some("法人或其他组织")),
    ("research", "科研机构", Some("法人或其他组织")),
    ("social_welfare", "社会公益组织", Some("法人或其他组织")),
    ("legal_service", "法律服务机构", Some("法人或其他组织")),
    ("other_org", "其他", Some("法人或其他组织")),
    ("total", "总计", None),
];

/// Index of the 总计 column of table 3.
pub const T3_TOTAL_COL: usize = 6;

/// The columns of table 3 whose labels are short words found inside other labels (其他, 总计):
/// a header names one of them only when it is that word whole.
pub const T3_EXACT_COLS: &[&str] = &["other_org", "total"];

/// The band over table 3's value columns.
pub const T3_BAND: &str = "申请人情况";
/// The note in the corner of table 3, over its label columns.
pub const T3_CORNER: &str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";

/// A row of table 3.
pub struct T3Row {
    pub id: &'static str,
    /// The group the row belongs to (三、本年度办理结果 › （三）不予公开), if any.
    pub group: Option<&'static str>,
    pub subgroup: Option<&'static str>,
    /// The row's own official label.
    pub label: &'static str,
    /// The words that identify the row once enumerators and spacing are removed.
    pub key: &'static str,
    /// Whether `key` must equal the whole normalised label (short, ambiguous words).
    pub exact: bool,
}

/// The group of table 3's result rows, and its subgroups.
pub const T3_GROUP_RESULTS: &str = "三、本年度办理结果";
pub const T3_SUBGROUP_WITHHELD: &str = "（三）不予公开";
pub const T3_SUBGROUP_UNAVAILABLE: &str = "（四）无法提供";
pub const T3_SUBGROUP_NOT_PROCESSED: &str = "（五）不予处理";
pub const T3_SUBGROUP_OTHER: &str = "（六）其他处理";

const RESULTS: Option<&str> = Some(T3_GROUP_RESULTS);
const WITHHELD: Option<&str> = Some(T3_SUBGROUP_WITHHELD);
const UNAVAILABLE: Option<&str> = Some(T3_SUBGROUP_UNAVAILABLE);
const NOT_PROCESSED: Option<&str> = Some(T3_SUBGROUP_NOT_PROCESSED);
const OTHER: Option<&str> = Some(T3_SUBGROUP_OTHER);

macro_rules! t3row {
    ($id:expr, $g:expr, $s:expr, $label:expr, $key:expr, $exact:expr) => {
        T3Row {
            id: $id,
            group: $g,
            subgroup: $s,
            label: $label,
            key: $key,
            exact: $exact,
        }
    };
}

pub const T3_ROWS: &[T3Row] = &[
    t3row!(
        "new",
        None,
        None,
        "一、本年新收政府信息公开申请数量",
        "本年新收政府信息公开申请数量",
        false
    ),
    t3row!(
        "carried_over",
        None,
        None,
        "二、上年结转政府信息公开申请数量",
        "上年结转政府信息公开申请数量",
        false
    ),
    t3row!("granted", RESULTS, None, "（一）予以公开", "予以公开", true),
    t3row!(
        "partly_granted",
        RESULTS,
        None,
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "部分公开",
        false
    ),
    t3row!(
        "withheld.state_secret",
        RESULTS,
        WITHHELD,
        "1.属于国家秘密",
        "属于国家秘密",
        false
    ),
    t3row!(
        "withheld.prohibited_by_law",
        RESULTS,
        WITHHELD,
        "2.其他法律行政法规禁止公开",
        "其他法律行政法规禁止公开",
        false
    ),
    t3row!(
        "withheld.three_securities",
        RESULTS,
        WITHHELD,
        "3.危及“三安全一稳定”",
        "危及三安全一稳定",
        false
    ),
    t3row!(
        "withheld.third_party",
        RESULTS,
        WITHHELD,
        "4.保护第三方合法权益",
        "保护第三方合法权益",
        false
    ),
    t3row!(
        "withheld.internal_affairs",
        RESULTS,
        WITHHELD,
        "5.属于三类内部事务信息",
        "属于三类内部事务信息",
        false
    ),
    t3row!(
        "withheld.process_info",
        RESULTS,
        WITHHELD,
        "6.属于四类过程性信息",
        "属于四类过程性信息",
        false
    ),
    t3row!(
        "withheld.enforcement_file",
        RESULTS,
        WITHHELD,
        "7.属于行政执法案卷",
        "属于行政执法案卷",
        false
    ),
    t3row!(
        "withheld.query_matter",
        RESULTS,
        WITHHELD,
        "8.属于行政查询事项",
        "属于行政查询事项",
        false
    ),
    t3row!(
        "unavailable.not_held",
        RESULTS,
        UNAVAILABLE,
        "1.本机关不掌握相关政府信息",
        "本机关不掌握相关政府信息",
        false
    ),
    t3row!(
        "unavailable.needs_creation",
        RESULTS,
        UNAVAILABLE,
        "2.没有现成信息需要另行制作",
        "没有现成信息需要另行制作",
        false
    ),
    t3row!(
        "unavailable.still_unclear",
        RESULTS,
        UNAVAILABLE,
        "3.补正后申请内容仍不明确",
        "补正后申请内容仍不明确",
        false
    ),
    t3row!(
        "not_processed.petition",
        RESULTS,
        NOT_PROCESSED,
        "1.信访举报投诉类申请",
        "信访举报投诉类申请",
        false
    ),
    t3row!(
        "not_processed.repeated",
        RESULTS,
        NOT_PROCESSED,
        "2.重复申请",
        "重复申请",
        true
    ),
    t3row!(
        "not_processed.publication",
        RESULTS,
        NOT_PROCESSED,
        "3.要求提供公开出版物",
        "要求提供公开出版物",
        false
    ),
    t3row!(
        "not_processed.excessive",
        RESULTS,
        NOT_PROCESSED,
        "4.无正当理由大量反复申请",
        "无正当理由大量反复申请",
        false
    ),
    t3row!(
        "not_processed.confirmation",
        RESULTS,
        NOT_PROCESSED,
        "5.要求行政机关确认或重新出具已获取信息",
        "要求行政机关确认或重新出具已获取信息",
        false
    ),
    t3row!(
        "other.no_supplement",
        RESULTS,
        OTHER,
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "申请人无正当理由逾期不补正",
        false
    ),
    t3row!(
        "other.fee_unpaid",
        RESULTS,
        OTHER,
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "申请人逾期未按收费通知要求缴纳费用",
        false
    ),
    t3row!("other.other", RESULTS, OTHER, "3.其他", "其他", true),
    t3row!("total", RESULTS, None, "（七）总计", "总计", true),
    t3row!(
        "carried_forward",
        None,
        None,
        "四、结转下年度继续办理",
        "结转下年度继续办理",
        false
    ),
];

/// Row indices within [`T3_ROWS`] that the balance rules name.
pub const T3_NEW: usize = 0;
pub const T3_CARRIED_OVER: usize = 1;
/// The result rows, granted … other.other.
pub const T3_RESULT_ROWS: std::ops::Range<usize> = 2..23;
pub const T3_TOTAL: usize = 23;
pub const T3_CARRIED_FORWARD: usize = 24;

/// The group headings of table 3's body that are not rows of their own.
pub const T3_GROUP_KEYS: &[&str] = &[
    "本年度办理结果",
    "不予公开",
    "无法提供",
    "不予处理",
    "其他处理",
];

/// Table 4 groups: (id, label, parent band).
pub const T4_GROUPS: &[(&str, &str, Option<&str>)] = &[
    ("review", "行政复议", None),
    ("suit_direct", "未经复议直接起诉", Some("行政诉讼")),
    ("suit_after_review", "复议后起诉", Some("行政诉讼")),
];

/// Table 4 results: (id, label as printed).
pub const T4_RESULTS: &[(&str, &str)] = &[
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
];

/// Index of the 总计 result of table 4.
pub const T4_TOTAL: usize = 4;

/// Table 4's results as some returns print them (维持 for 结果维持), by [`T4_RESULTS`] index.
pub const T4_RESULT_SHORT: &[&str] = &["维持", "纠正", "其他", "未审结", "合计"];

/// The number of fields of a return: 10 + 175 + 15.
pub const FIELD_COUNT: usize = 200;

/// Every field of the format, in canonical order (table 2, table 3 row-major, table 4 group-major).
pub fn fields() -> &'static [Field] {
    static FIELDS: OnceLock<Vec<Field>> = OnceLock::new();
    FIELDS.get_or_init(build_fields)
}

fn build_fields() -> Vec<Field> {
    let mut out = Vec::with_capacity(FIELD_COUNT);
    let mut push = |id: String, table, kind, row, col, row_label: String, col_label| {
        let index = out.len();
        out.push(Field {
            index,
            id,
            table,
            kind,
            row,
            col,
            row_label,
            col_label,
        });
    };
    for (r, row) in T2_ROWS.iter().enumerate() {
        for (c, (cid, clabel)) in row.cols.iter().enumerate() {
            let kind = if row.id == "fees" {
                Kind::Amount
            } else {
                Kind::Count
            };
            push(
                format!("t2.{}.{}", row.id, cid),
                Table::T2,
                kind,
                r,
                c,
                row.label.to_string(),
                *clabel,
            );
        }
    }
    for (r, row) in T3_ROWS.iter().enumerate() {
        let row_label = t3_row_label(row);
        for (c, (cid, clabel, _)) in T3_COLS.iter().enumerate() {
            push(
                format!("t3.{}.{}", row.id, cid),
                Table::T3,
                Kind::Count,
                r,
                c,
                row_label.clone(),
                *clabel,
            );
        }
    }
    for (g, (gid, glabel, _)) in T4_GROUPS.iter().enumerate() {
        for (c, (rid, rlabel)) in T4_RESULTS.iter().enumerate() {
            push(
                format!("t4.{gid}.{rid}"),
                Table::T4,
                Kind::Count,
                g,
                c,
                glabel.to_string(),
                *rlabel,
            );
        }
    }
    debug_assert_eq!(out.len(), FIELD_COUNT);
    out
}

fn t3_row_label(row: &T3Row) -> String {
    match row.subgroup {
        Some(s) => format!("{} › {}", s, row.label),
        None => row.label.to_string(),
    }
}

/// The index of a field id, e.g. `field_index("t2.fees.amount") == Some(9)`.
pub fn field_index(id: &str) -> Option<usize> {
    use std::collections::HashMap;
    static INDEX: OnceLock<HashMap<&'static str, usize>> = OnceLock::new();
    INDEX
        .get_or_init(|| fields().iter().map(|f| (f.id.as_str(), f.index)).collect())
        .get(id)
        .copied()
}

/// Index of the table 2 field at (row, col).
pub fn t2_index(row: usize, col: usize) -> usize {
    T2_ROWS[..row].iter().map(|r| r.cols.len()).sum::<usize>() + col
}

/// Index of the table 3 field at (row, col).
pub fn t3_index(row: usize, col: usize) -> usize {
    10 + row * T3_COLS.len() + col
}

/// Index of the table 4 field at (group, result).
pub fn t4_index(group: usize, result: usize) -> usize {
    10 + 175 + group * T4_RESULTS.len() + result
}

/// The index of `t2.fees.amount`, the one amount of the format.
pub const FEES_AMOUNT: usize = 9;

/// Formats a stored value for people and JSON: counts as integers, amounts with two decimals.
pub fn format_value(kind: Kind, v: i64) -> String {
    match kind {
        Kind::Count => v.to_string(),
        Kind::Amount => format_amount(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_summary_mark_carries_its_name_and_counts() {
        let counts = SummaryCounts {
            counted: 41,
            of: 42,
            with_errors: 1,
        };
        let mark = summary_mark(Some(" 金山区 "), counts);
        assert_eq!(mark, "summary;unit=金山区;counted=41;of=42;errors=1");
        assert_eq!(summary_unit(&mark), Some("金山区"));
        assert_eq!(summary_counts(&mark), Some(counts));
        // An earlier version's mark: the name, no counts.
        assert_eq!(summary_unit("summary;unit=松江区"), Some("松江区"));
        assert_eq!(summary_counts("summary;unit=松江区"), None);
        assert_eq!(summary_mark(None, counts), GENERATED_SUMMARY);
        assert_eq!(summary_unit(GENERATED_SUMMARY), None);
        assert_eq!(
            summary_counts("summary;unit=甲;counted=x;of=2;errors=0"),
            None
        );
        assert_eq!(
            summary_unit(&summary_mark(Some("甲;乙"), counts)),
            Some("甲；乙")
        );
    }

    #[test]
    fn there_are_200_distinct_field_ids() {
        let f = fields();
        assert_eq!(f.len(), FIELD_COUNT);
        let ids: std::collections::HashSet<_> = f.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids.len(), FIELD_COUNT);
    }

    #[test]
    fn index_helpers_agree_with_ids() {
        assert_eq!(fields()[t2_index(1, 2)].id, "t2.normative_docs.in_force");
        assert_eq!(fields()[FEES_AMOUNT].id, "t2.fees.amount");
        assert_eq!(fields()[FEES_AMOUNT].kind, Kind::Amount);
        assert_eq!(fields()[t3_index(7, 6)].id, "t3.withheld.third_party.total");
        assert_eq!(
            fields()[t3_index(T3_TOTAL, T3_TOTAL_COL)].id,
            "t3.total.total"
        );
        assert_eq!(fields()[t4_index(1, 3)].id, "t4.suit_direct.pending");
        assert_eq!(field_index("t3.new.natural_person"), Some(t3_index(0, 0)));
        assert_eq!(field_index("t3.nope"), None);
        assert_eq!(T3_RESULT_ROWS.len(), 21);
        assert_eq!(T3_ROWS[T3_CARRIED_FORWARD].id, "carried_forward");
    }

    #[test]
    fn label_tables_agree() {
        for row in T2_ROWS {
            for (id, label) in row.cols {
                let col = t2_col(id).expect("a table 2 column");
                assert_eq!(col.label, *label);
                assert!(normalize_label(col.label).contains(col.key), "{id}");
            }
        }
        assert!(
            T2_COLS
                .iter()
                .all(|c| T2_ROWS.iter().any(|r| r.cols.iter().any(|x| x.0 == c.id)))
        );
        for id in T3_EXACT_COLS {
            assert!(T3_COLS.iter().any(|c| c.0 == *id), "{id}");
        }
        assert_eq!(T4_RESULT_SHORT.len(), T4_RESULTS.len());
        // Every group heading of table 3's body is one of the keys that are not rows.
        for row in T3_ROWS {
            for g in row.group.iter().chain(&row.subgroup) {
                let key = normalize_label(g);
                assert!(T3_GROUP_KEYS.contains(&strip_enumerator(&key)), "{g}");
            }
        }
    }
}
