//! The ids of what is found that is not a rule of the rule file: a value that cannot be read,
//! the layout of a return, the settlement of units. Every crate names them through these
//! constants; [`title`] gives what a clerk reads for each.

pub const NOT_A_NUMBER: &str = "value.not_a_number";
pub const NEGATIVE: &str = "value.negative";
pub const FRACTION: &str = "value.fraction";
pub const DECIMALS: &str = "value.decimals";
pub const TOO_LARGE: &str = "value.too_large";
pub const BOOLEAN: &str = "value.boolean";
pub const DATE: &str = "value.date";
pub const EXCEL_ERROR: &str = "value.excel_error";
pub const UNCACHED_FORMULA: &str = "value.uncached_formula";
/// Cells left blank (counted as 0): information, not an error.
pub const BLANK: &str = "value.blank";
/// A total left blank, taken as the sum of its parts: a warning.
pub const TOTAL_BLANK: &str = "total.blank";
pub const MISSING_UNIT: &str = "unit.missing";
pub const DUPLICATE_UNIT: &str = "unit.duplicate";
pub const UNKNOWN_UNIT: &str = "unit.unknown";
/// A return whose title names another year than the run's: kept out of the totals.
pub const WRONG_YEAR: &str = "file.wrong_year";
pub const MISSING_TABLE: &str = "layout.missing_table";
pub const MISSING_ROW: &str = "layout.missing_row";
pub const MISSING_COLUMN: &str = "layout.missing_column";
pub const DUPLICATE_ROW: &str = "layout.duplicate_row";
pub const DUPLICATE_COLUMN: &str = "layout.duplicate_column";
pub const UNKNOWN_ROW: &str = "layout.unknown_row";
/// A published report whose prose states a figure its tables do not hold: a warning.
pub const PROSE_MISMATCH: &str = "prose.mismatch";
/// A district's combined workbook, read as its return in a roll-up, whose totals leave out some
/// of its units: a warning.
pub const ROLLUP_INCOMPLETE: &str = "rollup.incomplete";
/// A district's combined workbook whose units include some with errors: a warning.
pub const ROLLUP_UNIT_ERRORS: &str = "rollup.unit_errors";

/// The prefix every value problem's id has: the value of its field could not be read.
pub const VALUE_PREFIX: &str = "value.";

/// Whether `id` says a value could not be read (not [`BLANK`], which is read as 0).
pub fn is_unreadable_value(id: &str) -> bool {
    id.starts_with(VALUE_PREFIX) && id != BLANK
}

/// Every problem id with its Chinese and English title.
pub const TITLES: &[(&str, &str, &str)] = &[
    (NOT_A_NUMBER, "数值单元格不是数字", "not a number"),
    (NEGATIVE, "数值为负数", "negative value"),
    (FRACTION, "件数不是整数", "count is not a whole number"),
    (
        DECIMALS,
        "金额超过两位小数",
        "amount with more than two decimals",
    ),
    (TOO_LARGE, "数值过大", "value too large"),
    (BOOLEAN, "填了逻辑值，不是数字", "a boolean, not a number"),
    (DATE, "填了日期，不是数字", "a date, not a number"),
    (EXCEL_ERROR, "公式错误值", "formula error value"),
    (
        UNCACHED_FORMULA,
        "公式没有计算结果",
        "formula without a stored result",
    ),
    (
        BLANK,
        "数值单元格留空（按 0 计）",
        "value cells left blank (counted as 0)",
    ),
    (
        TOTAL_BLANK,
        "总计栏空白（按各分项之和计）",
        "total left blank (taken as the sum of its parts)",
    ),
    (MISSING_UNIT, "未报送", "not filed"),
    (DUPLICATE_UNIT, "重复报送", "filed more than once"),
    (UNKNOWN_UNIT, "名单外单位", "not on the roster"),
    (WRONG_YEAR, "年份不符", "wrong year"),
    (MISSING_TABLE, "找不到统计表", "table not found"),
    (MISSING_ROW, "统计表缺少行", "row missing"),
    (MISSING_COLUMN, "统计表缺少列", "column missing"),
    (DUPLICATE_ROW, "统计表的行重复", "row appears twice"),
    (DUPLICATE_COLUMN, "统计表的列重复", "column appears twice"),
    (
        PROSE_MISMATCH,
        "正文所述数字与统计表不符",
        "the prose states another figure than the tables",
    ),
    (
        ROLLUP_INCOMPLETE,
        "下级汇总未计入全部单位",
        "the body's totals leave out some of its units",
    ),
    (
        ROLLUP_UNIT_ERRORS,
        "下级汇总中有单位报表有错误",
        "some units of the body have errors",
    ),
    (
        UNKNOWN_ROW,
        "统计表中有规定格式以外的行",
        "row not in the format",
    ),
];

/// The title of a problem id in the clerk's language, if it is one.
pub fn title(id: &str, lang: crate::Lang) -> Option<&'static str> {
    TITLES
        .iter()
        .find(|t| t.0 == id)
        .map(|&(_, zh, en)| match lang {
            crate::Lang::Zh => zh,
            crate::Lang::En => en,
        })
}
