//! Who filed the return and for which year, as the return itself says.

use crate::grid::{Content, Grid};

/// Labels of the unit's name; the name follows in the same cell or the next one.
const UNIT_KEYS: &[&str] = &[
    nianbao_format::UNIT_LABEL,
    "报送单位",
    "填报机关",
    "单位名称",
];
/// Labels that are also column headers elsewhere (分单位明细): only "单位名称：…" counts.
const NEEDS_COLON: &[&str] = &["单位名称"];

/// The unit named in a cell such as "填报单位：上海市金山区教育局", or in the cell after
/// "填报单位：".
pub fn unit_name(grids: &[Grid]) -> Option<String> {
    for g in grids {
        for c in g.texts() {
            let Content::Text(text) = &c.content else {
                continue;
            };
            let Some(key) = UNIT_KEYS.iter().find(|k| c.key.starts_with(**k)) else {
                continue;
            };
            if NEEDS_COLON.contains(key) && !text.contains(['：', ':']) {
                continue;
            }
            let after = text
                .split_once(['：', ':'])
                .map(|(_, a)| a)
                .unwrap_or_else(|| text.trim().strip_prefix(key).unwrap_or(""));
            let name = clean_name(after);
            if !name.is_empty() {
                return Some(name);
            }
            let next =
                g.row(c.row)
                    .iter()
                    .filter(|n| n.col > c.col)
                    .find_map(|n| match &n.content {
                        Content::Text(t) if !clean_name(t).is_empty() => Some(clean_name(t)),
                        _ => None,
                    });
            if next.is_some() {
                return next;
            }
        }
    }
    None
}

/// Trims spaces and trailing "（盖章）"-style remarks, and anything after a second label
/// ("填报人：…", "日期：…") in the same cell.
fn clean_name(s: &str) -> String {
    let s = s.trim_matches(|c: char| c.is_whitespace());
    let s = s.split(|c: char| c.is_whitespace()).next().unwrap_or("");
    let s = s.split(['（', '(']).next().unwrap_or("");
    s.trim_matches(|c: char| c.is_whitespace() || c == '：' || c == ':')
        .to_string()
}

/// The report year: from a title cell ("2022年政府信息公开工作年度报告统计表"), else from
/// `file_name`, else from any early cell that is not a date line ("填报日期：2023年1月").
pub fn year(grids: &[Grid], file_name: &str) -> Option<i32> {
    let early = || grids.iter().flat_map(|g| g.texts().take(20));
    let is_title = |k: &str| {
        ["年度报告", "年报", "统计表", "公开工作"]
            .iter()
            .any(|w| k.contains(w))
    };
    let is_date = |k: &str| {
        ["日期", "时间", "填报人", "报送"]
            .iter()
            .any(|w| k.contains(w))
    };
    early()
        .filter(|c| is_title(&c.key) && !is_date(&c.key))
        .find_map(|c| year_in(&c.content.raw()))
        .or_else(|| year_in(file_name))
        .or_else(|| {
            early()
                .filter(|c| !is_date(&c.key))
                .find_map(|c| year_in(&c.content.raw()))
        })
}

fn year_in(s: &str) -> Option<i32> {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(5).find_map(|w| {
        let digits: String = w[..4].iter().collect();
        (w[4] == '年' && digits.starts_with("20") && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::cell;

    fn grid(cells: &[(u32, u32, &str)]) -> Grid {
        Grid::new(
            "S".into(),
            false,
            cells
                .iter()
                .map(|(r, c, t)| cell(*r, *c, Content::Text((*t).into()), None))
                .collect(),
        )
    }

    #[test]
    fn names_in_one_cell_or_the_next() {
        assert_eq!(
            unit_name(&[grid(&[(0, 0, "填报单位：上海市金山区教育局")])]).as_deref(),
            Some("上海市金山区教育局")
        );
        assert_eq!(
            unit_name(&[grid(&[(0, 0, "填报单位:"), (0, 2, " 朱泾镇 ")])]).as_deref(),
            Some("朱泾镇")
        );
        assert_eq!(
            unit_name(&[grid(&[(
                0,
                0,
                "填报单位：区教育局（盖章）  填报日期：2023年1月"
            )])])
            .as_deref(),
            Some("区教育局")
        );
        assert_eq!(unit_name(&[grid(&[(0, 0, "自然人")])]), None);
        assert_eq!(
            unit_name(&[grid(&[(0, 0, "单位名称"), (0, 1, "状态")])]),
            None
        );
        assert_eq!(
            unit_name(&[grid(&[(0, 0, "单位名称：朱泾镇")])]).as_deref(),
            Some("朱泾镇")
        );
    }

    #[test]
    fn years() {
        assert_eq!(
            year(
                &[grid(&[(0, 0, "2022年政府信息公开工作年度报告统计表")])],
                "x.xlsx"
            ),
            Some(2022)
        );
        assert_eq!(year(&[], "朱泾镇2021年报.xls"), Some(2021));
        assert_eq!(year(&[], "report.xls"), None);
        let dated = grid(&[
            (0, 0, "填报日期：2023年1月10日"),
            (1, 0, "2022年政府信息公开工作年度报告统计表"),
        ]);
        assert_eq!(year(&[dated], "x.xlsx"), Some(2022));
        assert_eq!(
            year(&[grid(&[(0, 0, "填报日期：2023年1月10日")])], "x.xlsx"),
            None
        );
    }
}
