//! The district's tables 二, 三 and 四 as the annual report prints them: an HTML fragment for a
//! website's editor (inline styles only, no scripts), a standalone HTML page that prints on A4
//! (embedded CSS, no external assets), the same as Markdown (headers flattened, "申请人情况 ›
//! 自然人"), and the report's sentences on applications drafted from the totals.
//!
//! Every form renders the official layout of [`crate::plan`] — the one `全区汇总` renders — so
//! the sections, labels, merged headers and the order of rows and columns are the workbook's.
//! Each table keeps only the grid columns its cells start or end on (table 二: 信息内容 and its
//! three value columns; table 三: three label columns and seven values; table 四: fifteen).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use nianbao_format::narrative::{Claim, applications_sentence};
use nianbao_format::{FIELD_COUNT, Lang, fields, format_value};

use crate::WriteError;
use crate::plan::{Content, Item, Role, tables};

/// The marker on the pages nianbao writes (`<meta name=… content=…>`; the fragment's wrapper has
/// it as `data-nianbao-generated`): such a page found among returns is not read as one.
pub const PUBLISHED_MARK: &str = "published";

/// What is published: the totals and what they stand for.
#[derive(Debug, Clone)]
pub struct Publication<'a> {
    /// The 200 district totals in canonical order (the amount in hundredths).
    pub totals: &'a [i64],
    pub year: Option<i32>,
    /// The district's name, before the year in the title ("金山区 2022 年…").
    pub name: Option<&'a str>,
    /// Units in the totals and units expected; stated when not every unit is in.
    pub coverage: Option<(usize, usize)>,
    /// Language of the notes around the tables (the tables are the official Chinese).
    pub lang: Lang,
}

/// The published forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// To paste into a website's editor.
    pub fragment: String,
    /// A page of its own that prints on A4.
    pub page: String,
    pub markdown: String,
    /// The report's sentence on applications (一、总体情况（二）依申请公开方面).
    pub narrative: String,
}

/// One table of the plan: its heading and its items, on compacted columns.
struct Section {
    heading: String,
    /// (row within the table, first compact column, rows spanned, compact columns spanned, item).
    cells: Vec<(u32, usize, u32, usize, Item)>,
    rows: u32,
}

/// Splits the plan of the three tables into one section per heading, each on the columns its
/// cells use.
fn sections() -> Vec<Section> {
    let plan = tables(0);
    let mut out: Vec<(String, u32, Vec<Item>)> = Vec::new();
    for item in plan.items {
        match (&item.role, &item.content) {
            (Role::Heading, Content::Text(t)) => out.push((t.clone(), item.row + 1, Vec::new())),
            _ => {
                if let Some(last) = out.last_mut() {
                    last.2.push(item);
                }
            }
        }
    }
    out.into_iter()
        .map(|(heading, first_row, items)| {
            let edges: BTreeSet<u16> = items.iter().flat_map(|i| [i.col, i.col + i.cols]).collect();
            let edges: Vec<u16> = edges.into_iter().collect();
            let at = |c: u16| edges.iter().position(|&e| e == c).unwrap_or(0);
            let rows = items
                .iter()
                .map(|i| i.row + i.rows - first_row)
                .max()
                .unwrap_or(0);
            let cells = items
                .into_iter()
                .map(|i| {
                    let c0 = at(i.col);
                    let c1 = at(i.col + i.cols);
                    (i.row - first_row, c0, i.rows, c1 - c0, i)
                })
                .collect();
            Section {
                heading,
                cells,
                rows,
            }
        })
        .collect()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// What an item shows: its text, or its field's total as the report prints it (no thousands
/// separators; the amount with two decimals).
fn shown(item: &Item, totals: &[i64]) -> String {
    match &item.content {
        Content::Text(t) => t.clone(),
        Content::Field(i) => format_value(fields()[*i].kind, totals[*i]),
    }
}

/// How the HTML forms style cells: inline (the fragment) or by class (the page).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Styling {
    Inline,
    Classes,
}

const CELL_STYLE: &str = "border:1px solid #000;padding:3px 4px;text-align:center;vertical-align:middle;font-size:10.5pt;line-height:1.4;";
const HEADING_STYLE: &str = "font-weight:bold;font-size:12pt;margin:12px 0 6px;";
const TABLE_STYLE: &str = "border-collapse:collapse;width:100%;margin:0 0 12px;";

fn role_class(role: Role) -> &'static str {
    match role {
        Role::Header => "h",
        Role::Block => "b",
        Role::Label => "l",
        Role::Value => "v",
        _ => "",
    }
}

fn role_style(role: Role) -> &'static str {
    match role {
        Role::Header => "font-weight:bold;",
        Role::Block => "font-weight:bold;text-align:left;",
        Role::Label => "text-align:left;",
        _ => "",
    }
}

/// One section as an HTML table.
fn html_table(s: &Section, totals: &[i64], styling: Styling, out: &mut String) {
    match styling {
        Styling::Inline => {
            let _ = writeln!(
                out,
                "<p style=\"{HEADING_STYLE}\">{}</p>",
                escape(&s.heading)
            );
            let _ = writeln!(
                out,
                "<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\" style=\"{TABLE_STYLE}\">"
            );
        }
        Styling::Classes => {
            let _ = writeln!(out, "<h2>{}</h2>", escape(&s.heading));
            let _ = writeln!(out, "<table>");
        }
    }
    // Value columns share 42 % of the width (at most 15 % each); label columns take the rest.
    let value_cols: BTreeSet<usize> = s
        .cells
        .iter()
        .filter(|c| c.4.role == Role::Value)
        .flat_map(|c| c.1..c.1 + c.3)
        .collect();
    let cols = s.cells.iter().map(|c| c.1 + c.3).max().unwrap_or(0);
    let width = (42 / value_cols.len().max(1)).clamp(4, 15);
    out.push_str("<colgroup>");
    for c in 0..cols {
        if value_cols.contains(&c) {
            let _ = write!(out, "<col style=\"width:{width}%\">");
        } else {
            out.push_str("<col>");
        }
    }
    out.push_str("</colgroup>\n");
    for r in 0..s.rows {
        out.push_str("<tr>");
        let mut row: Vec<&(u32, usize, u32, usize, Item)> =
            s.cells.iter().filter(|c| c.0 == r).collect();
        row.sort_by_key(|c| c.1);
        for (_, _, rows, cols, item) in row {
            out.push_str("<td");
            if *rows > 1 {
                let _ = write!(out, " rowspan=\"{rows}\"");
            }
            if *cols > 1 {
                let _ = write!(out, " colspan=\"{cols}\"");
            }
            match styling {
                Styling::Inline => {
                    let _ = write!(out, " style=\"{CELL_STYLE}{}\"", role_style(item.role));
                }
                Styling::Classes => {
                    let _ = write!(out, " class=\"{}\"", role_class(item.role));
                }
            }
            let _ = write!(out, ">{}</td>", escape(&shown(item, totals)));
        }
        out.push_str("</tr>\n");
    }
    let _ = writeln!(out, "</table>");
}

/// "注：本表为 38/42 单位的合计。" when not every unit is in the totals.
fn coverage_note(p: &Publication<'_>) -> Option<String> {
    let (in_totals, expected) = p.coverage?;
    if in_totals >= expected {
        return None;
    }
    let label = nianbao_format::Coverage {
        expected,
        received: in_totals,
        in_totals,
        missing: Vec::new(),
    }
    .label(p.lang);
    Some(match p.lang {
        Lang::Zh => format!(
            "注：本表数据为 {label}的合计，尚有 {} 个单位未计入。",
            expected - in_totals
        ),
        Lang::En => format!(
            "Note: these tables total {label}; {} units are not in them yet.",
            expected - in_totals
        ),
    })
}

/// The report's title: "金山区 2022 年政府信息公开工作年度报告".
fn title(p: &Publication<'_>) -> String {
    let name = p.name.map(|n| format!("{n} ")).unwrap_or_default();
    let year = p.year.map(|y| format!("{y} 年")).unwrap_or_default();
    format!("{name}{year}政府信息公开工作年度报告")
}

/// The sentence on applications, from the totals.
pub fn narrative(p: &Publication<'_>) -> String {
    let figures = Claim::ALL.map(|c| p.totals[c.field()]);
    let whole = if p.name.is_some() { "全区" } else { "" };
    applications_sentence(p.year, whole, figures)
}

const PAGE_CSS: &str = "@page { size: A4 portrait; margin: 16mm 14mm; }
body { font-family: \"SimSun\", \"Songti SC\", \"Noto Serif CJK SC\", \"Source Han Serif SC\", serif; font-size: 10.5pt; color: #000; max-width: 182mm; margin: 0 auto; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 10px; }
h2 { font-size: 12pt; margin: 14px 0 6px; page-break-after: avoid; break-after: avoid; }
p { margin: 4px 0; line-height: 1.6; }
p.note { font-size: 9pt; }
p.draft { text-indent: 2em; }
table { border-collapse: collapse; width: 100%; margin: 0 0 10px; page-break-inside: avoid; break-inside: avoid; }
tr { page-break-inside: avoid; break-inside: avoid; }
td { border: 1px solid #000; padding: 2px 3px; text-align: center; vertical-align: middle; line-height: 1.35; }
td.h { font-weight: bold; }
td.b { font-weight: bold; text-align: left; }
td.l { text-align: left; }
td.v { white-space: nowrap; }
@media screen { body { padding: 16px; } }
";

/// What follows the mark in a published form: the fingerprint of the form as written with the
/// bare mark (`"published;fingerprint=…"`).
const FINGERPRINT: &str = ";fingerprint=";

/// A published form with its fingerprint in its mark: its first `"published"`.
fn sealed(text: String) -> String {
    let fp = nianbao_format::text_fingerprint(&text);
    text.replacen(
        &format!("\"{PUBLISHED_MARK}\""),
        &format!("\"{PUBLISHED_MARK}{FINGERPRINT}{fp}\""),
        1,
    )
}

/// Whether a file's text is a published form exactly as nianbao wrote it: `publish` writes over
/// such a file only, never over one edited by hand (or not nianbao's, or of a version that did
/// not fingerprint its forms).
pub fn is_untouched_publication(text: &str) -> bool {
    let open = format!("\"{PUBLISHED_MARK}{FINGERPRINT}");
    let Some(at) = text.find(&open) else {
        return false;
    };
    let rest = &text[at + open.len()..];
    let Some(end) = rest.find('"') else {
        return false;
    };
    let bare = format!("{}\"{PUBLISHED_MARK}\"{}", &text[..at], &rest[end + 1..]);
    nianbao_format::text_fingerprint(&bare) == rest[..end]
}

/// Renders the three tables in every published form.
pub fn publish(p: &Publication<'_>) -> Result<Published, WriteError> {
    if p.totals.len() != FIELD_COUNT {
        return Err(WriteError::Totals {
            found: p.totals.len(),
            expected: FIELD_COUNT,
        });
    }
    let secs = sections();
    let note = coverage_note(p);
    let narrative = narrative(p);

    let mut fragment = format!(
        "<div data-nianbao-generated=\"{PUBLISHED_MARK}\" style=\"font-family:SimSun,serif;\">\n"
    );
    if let Some(n) = &note {
        let _ = writeln!(fragment, "<p style=\"font-size:9pt;\">{}</p>", escape(n));
    }
    for s in &secs {
        html_table(s, p.totals, Styling::Inline, &mut fragment);
    }
    fragment.push_str("</div>\n");

    let title = title(p);
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"{}\" content=\"{PUBLISHED_MARK}\">\n<title>{}</title>\n<style>\n{PAGE_CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        nianbao_format::GENERATED_PROPERTY,
        escape(&title),
        escape(&title)
    );
    let draft_label = match p.lang {
        Lang::Zh => "依申请公开情况（正文草稿，数字取自下列表格）：",
        Lang::En => "Applications (draft sentence, figures from the tables below):",
    };
    let _ = writeln!(
        page,
        "<p class=\"note\">{}</p>\n<p class=\"draft\">{}</p>",
        escape(draft_label),
        escape(&narrative)
    );
    if let Some(n) = &note {
        let _ = writeln!(page, "<p class=\"note\">{}</p>", escape(n));
    }
    for s in &secs {
        html_table(s, p.totals, Styling::Classes, &mut page);
    }
    page.push_str("</body>\n</html>\n");

    let mut markdown = format!("# {title}\n\n{narrative}\n\n");
    if let Some(n) = &note {
        let _ = writeln!(markdown, "> {n}\n");
    }
    for s in &secs {
        markdown_table(s, p.totals, &mut markdown);
    }
    let _ = writeln!(
        markdown,
        "<!-- {}=\"{PUBLISHED_MARK}\" -->",
        nianbao_format::GENERATED_PROPERTY
    );
    Ok(Published {
        fragment: sealed(fragment),
        page: sealed(page),
        markdown: sealed(markdown),
        narrative,
    })
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The texts of the items of `role` covering (row, col), top to bottom then left to right,
/// without repeats.
fn covering(
    cells: &[(u32, usize, u32, usize, Item)],
    role: Role,
    r: impl Fn(u32, u32) -> bool,
    c: impl Fn(usize, usize) -> bool,
) -> Vec<&str> {
    let mut found: Vec<(u32, usize, &str)> = cells
        .iter()
        .filter(|x| x.4.role == role && r(x.0, x.2) && c(x.1, x.3))
        .filter_map(|x| match &x.4.content {
            Content::Text(t) => Some((x.0, x.1, t.as_str())),
            Content::Field(_) => None,
        })
        .collect();
    found.sort_by_key(|&(r, c, _)| (r, c));
    let mut out: Vec<&str> = Vec::new();
    for (_, _, t) in found {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// One section as Markdown tables: table 二 one per block (its heading in bold), tables 三 and 四
/// one each; merged headers flattened into "上级 › 下级".
fn markdown_table(s: &Section, totals: &[i64], out: &mut String) {
    let _ = writeln!(out, "## {}\n", s.heading);
    // Block rows split the section (table 二); each part is one table.
    let mut starts: Vec<u32> = s
        .cells
        .iter()
        .filter(|c| c.4.role == Role::Block)
        .map(|c| c.0)
        .collect();
    if starts.is_empty() {
        starts.push(0);
    }
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(s.rows);
        let part: Vec<(u32, usize, u32, usize, Item)> = s
            .cells
            .iter()
            .filter(|c| c.0 >= start && c.0 < end)
            .cloned()
            .collect();
        if let Some(block) = part.iter().find(|c| c.4.role == Role::Block) {
            let _ = writeln!(out, "**{}**\n", shown(&block.4, totals));
        }
        let value_cols: BTreeSet<usize> = part
            .iter()
            .filter(|c| c.4.role == Role::Value)
            .flat_map(|c| c.1..c.1 + c.3)
            .collect();
        let value_starts: Vec<usize> = {
            let mut v: Vec<usize> = part
                .iter()
                .filter(|c| c.4.role == Role::Value)
                .map(|c| c.1)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let first_value = value_cols.iter().next().copied().unwrap_or(usize::MAX);
        let body_rows: BTreeSet<u32> = part
            .iter()
            .filter(|c| c.4.role == Role::Value)
            .map(|c| c.0)
            .collect();
        let label_header = covering(&part, Role::Header, |_, _| true, |c0, _| c0 < first_value);
        let mut header: Vec<String> = Vec::new();
        if first_value > 0 {
            header.push(label_header.join(" › "));
        }
        for &vc in &value_starts {
            let over = covering(
                &part,
                Role::Header,
                |_, _| true,
                |c0, n| c0 <= vc && vc < c0 + n,
            );
            header.push(over.join(" › "));
        }
        let _ = writeln!(
            out,
            "| {} |",
            header
                .iter()
                .map(|h| md_cell(h))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(
            out,
            "|{}",
            header
                .iter()
                .enumerate()
                .map(|(i, _)| if i == 0 && first_value > 0 {
                    " --- |"
                } else {
                    " ---: |"
                })
                .collect::<String>()
        );
        for &r in &body_rows {
            let mut line: Vec<String> = Vec::new();
            if first_value > 0 {
                let labels = covering(
                    &part,
                    Role::Label,
                    |r0, n| r0 <= r && r < r0 + n,
                    |c0, _| c0 < first_value,
                );
                line.push(labels.join(" › "));
            }
            for &vc in &value_starts {
                let v = part
                    .iter()
                    .find(|c| c.0 == r && c.1 == vc && c.4.role == Role::Value)
                    .map(|c| shown(&c.4, totals))
                    .unwrap_or_default();
                line.push(v);
            }
            let _ = writeln!(
                out,
                "| {} |",
                line.iter()
                    .map(|h| md_cell(h))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals() -> Vec<i64> {
        (0..FIELD_COUNT as i64).collect()
    }

    #[test]
    fn tables_keep_the_columns_their_cells_use() {
        let secs = sections();
        let cols = |s: &Section| s.cells.iter().map(|c| c.1 + c.3).max().unwrap_or(0);
        assert_eq!(secs.len(), 3);
        assert_eq!(secs[0].heading, "二、主动公开政府信息情况");
        assert_eq!(cols(&secs[0]), 4, "信息内容 and three value columns");
        assert_eq!(cols(&secs[1]), 10, "three label columns and seven values");
        assert_eq!(cols(&secs[2]), 15);
    }

    #[test]
    fn every_form_is_known_untouched_and_an_edit_is_not() {
        let t = totals();
        let p = publish(&Publication {
            totals: &t,
            year: Some(2022),
            name: Some("金山区"),
            coverage: None,
            lang: Lang::Zh,
        })
        .unwrap();
        for form in [&p.page, &p.fragment, &p.markdown] {
            assert!(is_untouched_publication(form), "{form}");
            assert!(form.contains("\"published;fingerprint="));
            // One character changed anywhere: edited.
            for at in [form.len() / 3, form.len() / 2, form.len() - 2] {
                let at = (at..form.len())
                    .find(|&k| form.is_char_boundary(k))
                    .unwrap();
                let mut edited = form.clone();
                edited.insert(at, 'x');
                assert!(!is_untouched_publication(&edited), "edited at {at}");
            }
            // A form without its fingerprint (an earlier version's) cannot be told untouched.
            let bare = form.replacen(";fingerprint=", ";fingerprint=0", 1);
            assert!(!is_untouched_publication(&bare));
        }
        assert!(!is_untouched_publication("<meta content=\"published\">"));
        assert!(!is_untouched_publication("# 我的统计表"));
    }

    #[test]
    fn markdown_flattens_headers() {
        let t = totals();
        let p = publish(&Publication {
            totals: &t,
            year: Some(2022),
            name: Some("金山区"),
            coverage: Some((38, 42)),
            lang: Lang::Zh,
        })
        .unwrap();
        assert!(
            p.markdown
                .contains("申请人情况 › 法人或其他组织 › 商业企业"),
            "{}",
            p.markdown
        );
        assert!(
            p.markdown
                .contains("行政诉讼 › 未经复议直接起诉 › 结果维持")
        );
        assert!(
            p.markdown
                .contains("三、本年度办理结果 › （三）不予公开 › 1.属于国家秘密")
        );
        assert!(p.markdown.contains("**第二十条第（一）项**"));
        assert!(p.markdown.contains("38/42 单位"));
        assert!(p.page.contains("38/42 单位"));
        assert!(p.fragment.contains("38/42 单位"));
        // The amount, in hundredths, prints with two decimals.
        assert!(p.markdown.contains("| 0.09 |"), "{}", p.markdown);
        assert!(!p.fragment.contains("<script") && !p.page.contains("<script"));
        assert!(!p.fragment.contains("<style") && !p.fragment.contains("class="));
        let complete = publish(&Publication {
            coverage: Some((42, 42)),
            ..Publication {
                totals: &t,
                year: Some(2022),
                name: None,
                coverage: None,
                lang: Lang::Zh,
            }
        })
        .unwrap();
        assert!(!complete.page.contains("单位的合计"));
    }
}
