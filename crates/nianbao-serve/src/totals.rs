//! The district totals in the official layout as an HTML table: nianbao-write's plan of tables
//! 二, 三 and 四 (the same data the 全区汇总 sheet is rendered from), one `<td>` per item with its
//! spans.

use maud::{Markup, html};
use nianbao_format::{fields, format_value};
use nianbao_write::plan::{self, Content, Item, Role};

fn class(role: Role) -> &'static str {
    match role {
        Role::Heading => "t-heading",
        Role::Block => "t-block",
        Role::Header => "t-header",
        Role::Label => "t-label",
        Role::Value => "t-value",
        _ => "t-note",
    }
}

/// The three tables with `totals` (canonical field order) in their value cells.
pub fn official_tables(totals: &[i64]) -> Markup {
    let plan = plan::tables(0);
    let cols = usize::from(plan.cols);
    let rows = plan.end as usize;
    // Which item starts at each cell, and which cells an item covers.
    let mut start: Vec<Option<&Item>> = vec![None; rows * cols];
    let mut covered = vec![false; rows * cols];
    for item in &plan.items {
        let (r0, c0) = (item.row as usize, usize::from(item.col));
        start[r0 * cols + c0] = Some(item);
        for r in r0..r0 + item.rows as usize {
            for c in c0..c0 + usize::from(item.cols) {
                if r < rows && c < cols {
                    covered[r * cols + c] = true;
                }
            }
        }
    }
    let text = |item: &Item| match &item.content {
        Content::Text(t) => t.clone(),
        Content::Field(i) => totals
            .get(*i)
            .map_or_else(String::new, |&v| format_value(fields()[*i].kind, v)),
    };
    html! {
        table.official {
            colgroup { @for _ in 0..cols { col; } }
            @for r in 0..rows {
                @let cells: Vec<(usize, Option<&Item>)> = (0..cols)
                    .filter(|c| start[r * cols + c].is_some() || !covered[r * cols + c])
                    .map(|c| (c, start[r * cols + c]))
                    .collect();
                @if cells.is_empty() {
                    tr {}
                } @else if cells.iter().any(|(_, i)| i.is_some()) {
                    tr {
                        @for (_, item) in &cells {
                            @match item {
                                Some(it) => {
                                    td class=(class(it.role)) rowspan=(it.rows) colspan=(it.cols)
                                        title=[match it.content { Content::Field(i) => Some(fields()[i].id.clone()), _ => None }] {
                                        (text(it))
                                    }
                                }
                                None => { td {} }
                            }
                        }
                    }
                } @else {
                    tr.gap { td colspan=(cols) {} }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_total_is_in_the_table() {
        let totals: Vec<i64> = (0..fields().len() as i64).map(|i| 1000 + i).collect();
        let page = official_tables(&totals).into_string();
        for (i, f) in fields().iter().enumerate() {
            let shown = format_value(f.kind, totals[i]);
            assert!(
                page.contains(&format!("title=\"{}\">{shown}<", f.id)),
                "{}",
                f.id
            );
        }
        assert!(page.contains("二、主动公开政府信息情况"));
    }
}
