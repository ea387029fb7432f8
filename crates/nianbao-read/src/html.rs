//! A published report as an HTML page (or a fragment pasted from a website's editor): a small,
//! tolerant tokenizer — unclosed tags, entities, attributes with or without quotes — enough to
//! take out every `<table>`'s rows and cells with their `rowspan`/`colspan`, and the text around
//! the tables paragraph by paragraph. Scripts, styles and comments are skipped.

use crate::load::MAX_CELLS;
use crate::report::{DocCell, Document, lay_out, table_name};
use crate::{FileError, MAX_FILE_SIZE};

/// The marker nianbao puts on the pages it writes (`<meta name="nianbao-generated"
/// content="published">`, or the attribute `data-nianbao-generated` on a fragment's wrapper).
const MARKER: &str = "nianbao-generated";

/// Whether bytes look like an HTML page or fragment holding a table.
pub(crate) fn is_html(head: &str) -> bool {
    let lower = head.to_ascii_lowercase();
    lower.contains("<table")
}

#[derive(Debug, PartialEq)]
enum Token {
    Text(String),
    /// A start tag: lower-case name and attributes (lower-case names, decoded values).
    Start(String, Vec<(String, String)>),
    End(String),
}

/// Splits HTML into text and tags. Never fails: what is not a tag is text.
fn tokenize(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(body) = rest.strip_prefix("<!--") {
            rest = body.find("-->").map_or("", |e| &body[e + 3..]);
            continue;
        }
        let gt = match tag_end(rest) {
            TagEnd::At(gt) => gt,
            TagEnd::NotATag => {
                text.push('<');
                rest = &rest[1..];
                continue;
            }
            TagEnd::Never => break,
        };
        let inner = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = inner.starts_with('/');
        let inner = inner.trim_start_matches('/');
        let name_len = inner
            .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .unwrap_or(inner.len());
        let name = inner[..name_len].to_ascii_lowercase();
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            // "<!DOCTYPE", "<?xml", "< 5": not an element
            if !inner.starts_with(['!', '?']) {
                text.push('<');
                text.push_str(inner);
                text.push('>');
            }
            continue;
        }
        if !text.is_empty() {
            out.push(Token::Text(decode_entities(&std::mem::take(&mut text))));
        }
        if closing {
            out.push(Token::End(name));
            continue;
        }
        let attrs = attributes(&inner[name_len..]);
        if name == "script" || name == "style" {
            rest = after_closing(rest, &name);
            continue;
        }
        out.push(Token::Start(name, attrs));
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(Token::Text(decode_entities(&text)));
    }
    out
}

/// What follows the closing tag `</name…>` (any case) in `s`; nothing when there is none.
fn after_closing<'a>(s: &'a str, name: &str) -> &'a str {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(i) = s[from..].find("</") {
        let at = from + i + 2;
        let end = at + name.len();
        if end <= bytes.len() && bytes[at..end].eq_ignore_ascii_case(name.as_bytes()) {
            return s[end..].find('>').map_or("", |g| &s[end + g + 1..]);
        }
        from = at;
    }
    ""
}

enum TagEnd {
    At(usize),
    /// Another '<' comes first: this one is text.
    NotATag,
    /// No '>' follows: the rest is text.
    Never,
}

/// Where the tag at the start of `s` ends: the index of its '>' outside quoted values.
fn tag_end(s: &str) -> TagEnd {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if i > 1 => quote = Some(c),
            (None, '>') => return TagEnd::At(i),
            (None, '<') => return TagEnd::NotATag,
            _ => {}
        }
    }
    TagEnd::Never
}

/// `name=value`, `name="value"`, `name='value'` or a bare `name`.
fn attributes(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '/') {
            i += 1;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' && chars[i] != '/' {
            i += 1;
        }
        let name: String = chars[start..i]
            .iter()
            .collect::<String>()
            .to_ascii_lowercase();
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
                let q = chars[i];
                i += 1;
                let vs = i;
                while i < chars.len() && chars[i] != q {
                    i += 1;
                }
                value = chars[vs..i].iter().collect();
                i += 1;
            } else {
                let vs = i;
                while i < chars.len() && !chars[i].is_whitespace() {
                    i += 1;
                }
                value = chars[vs..i].iter().collect();
            }
        }
        if !name.is_empty() {
            out.push((name, decode_entities(&value)));
        } else if i == start {
            i += 1;
        }
    }
    out
}

/// Named entities a report's page uses; others stay as written.
const ENTITIES: &[(&str, &str)] = &[
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", "\u{a0}"),
    ("ensp", "\u{2002}"),
    ("emsp", "\u{2003}"),
    ("thinsp", "\u{2009}"),
    ("ldquo", "“"),
    ("rdquo", "”"),
    ("lsquo", "‘"),
    ("rsquo", "’"),
    ("mdash", "—"),
    ("ndash", "–"),
    ("hellip", "…"),
    ("middot", "·"),
    ("times", "×"),
    ("rsaquo", "›"),
];

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .map(|(i, _)| i);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let ch = if let Some(num) = name.strip_prefix('#') {
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse::<u32>().ok(),
                };
                code.and_then(char::from_u32).map(String::from)
            } else {
                ENTITIES
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            };
            ch.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push_str(&c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Elements after which text starts a new line (paragraph or cell line).
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "section"
            | "article"
            | "title"
            | "caption"
            | "header"
            | "footer"
            | "blockquote"
            | "pre"
            | "hr"
    )
}

fn span(attrs: &[(String, String)], name: &str) -> u32 {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, v)| {
            let digits: String = v.trim().chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u32>().ok()
        })
        .unwrap_or(1)
        .max(1)
}

/// One table being read: its rows, the current row and cell.
#[derive(Default)]
struct Open {
    rows: Vec<Vec<DocCell>>,
    row: Option<Vec<DocCell>>,
    cell: Option<DocCell>,
}

impl Open {
    fn close_cell(&mut self) {
        if let Some(mut c) = self.cell.take() {
            c.text = squeeze(&c.text);
            self.row.get_or_insert_with(Vec::new).push(c);
        }
    }

    fn close_row(&mut self) {
        self.close_cell();
        if let Some(r) = self.row.take() {
            self.rows.push(r);
        }
    }
}

/// Collapses runs of spaces (a cell's text as a browser shows it), keeping line breaks as one
/// space.
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads a page's tables and prose.
pub(crate) fn read(bytes: &[u8]) -> Result<Document, FileError> {
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(crate::report::too_many_cells());
    }
    let text = crate::text::decode_text(bytes);
    let mut doc = Document::default();
    let mut stack: Vec<Open> = Vec::new();
    let mut tables: Vec<Vec<Vec<DocCell>>> = Vec::new();
    let mut para = String::new();
    let mut cells = 0usize;
    let flush = |para: &mut String, prose: &mut Vec<String>| {
        let p = squeeze(para);
        if !p.is_empty() {
            prose.push(p);
        }
        para.clear();
    };
    for token in tokenize(&text) {
        match token {
            Token::Text(t) => match stack.last_mut() {
                Some(open) => {
                    if let Some(c) = open.cell.as_mut() {
                        c.text.push_str(&t);
                    }
                }
                None => para.push_str(&t),
            },
            Token::Start(name, attrs) => {
                if name == "meta" && attrs.iter().any(|(n, v)| n == "name" && v == MARKER) {
                    doc.generated = attrs
                        .iter()
                        .find(|(n, _)| n == "content")
                        .map(|(_, v)| v.clone());
                }
                if let Some((_, v)) = attrs.iter().find(|(n, _)| n == "data-nianbao-generated") {
                    doc.generated = Some(v.clone());
                }
                match name.as_str() {
                    "table" => {
                        if stack.is_empty() {
                            flush(&mut para, &mut doc.prose);
                        }
                        stack.push(Open::default());
                    }
                    "tr" => {
                        if let Some(open) = stack.last_mut() {
                            open.close_row();
                            open.row = Some(Vec::new());
                        }
                    }
                    "td" | "th" => {
                        if let Some(open) = stack.last_mut() {
                            open.close_cell();
                            cells += 1;
                            if cells > MAX_CELLS {
                                return Err(crate::report::too_many_cells());
                            }
                            open.cell = Some(DocCell {
                                text: String::new(),
                                rowspan: span(&attrs, "rowspan"),
                                colspan: span(&attrs, "colspan"),
                            });
                        }
                    }
                    n if is_block(n) => match stack.last_mut() {
                        Some(open) => {
                            if let Some(c) = open.cell.as_mut() {
                                c.text.push('\n');
                            }
                        }
                        None => flush(&mut para, &mut doc.prose),
                    },
                    _ => {}
                }
            }
            Token::End(name) => match name.as_str() {
                "table" => {
                    if let Some(mut open) = stack.pop() {
                        open.close_row();
                        tables.push(open.rows);
                    }
                }
                "tr" => {
                    if let Some(open) = stack.last_mut() {
                        open.close_row();
                    }
                }
                "td" | "th" => {
                    if let Some(open) = stack.last_mut() {
                        open.close_cell();
                    }
                }
                n if is_block(n) && stack.is_empty() => flush(&mut para, &mut doc.prose),
                _ => {}
            },
        }
    }
    while let Some(mut open) = stack.pop() {
        open.close_row();
        tables.push(open.rows);
    }
    flush(&mut para, &mut doc.prose);
    let mut budget = MAX_CELLS;
    for (i, rows) in tables.iter().enumerate() {
        doc.grids
            .push(lay_out(table_name(i + 1), rows, &mut budget)?);
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_attributes_and_entities() {
        let t = tokenize(
            "<P class=x>a&amp;b&nbsp;&#x4E00;&#19968;&bogus; c<td colspan=2 rowspan='3' nowrap>x<!-- y --></td><script>if (a<b) {}</script>z",
        );
        assert_eq!(
            t[0],
            Token::Start("p".into(), vec![("class".into(), "x".into())])
        );
        assert_eq!(t[1], Token::Text("a&b\u{a0}一一&bogus; c".into()));
        assert_eq!(
            t[2],
            Token::Start(
                "td".into(),
                vec![
                    ("colspan".into(), "2".into()),
                    ("rowspan".into(), "3".into()),
                    ("nowrap".into(), String::new())
                ]
            )
        );
        assert_eq!(t[3], Token::Text("x".into()));
        assert_eq!(t[4], Token::End("td".into()));
        assert_eq!(t[5], Token::Text("z".into()));
    }

    #[test]
    fn unclosed_cells_and_rows_are_closed_by_the_next() {
        let doc = read(
            "<h1>金山区 2022 年政府信息公开工作年度报告</h1><table><tr><th rowspan=2>a<th colspan=2>b<tr><td>c<td>d</table><p>after".as_bytes(),
        )
        .unwrap();
        assert_eq!(
            doc.prose,
            vec!["金山区 2022 年政府信息公开工作年度报告", "after"]
        );
        let g = &doc.grids[0];
        assert_eq!(&*g.sheet, "表格1");
        assert_eq!(g.get(0, 1).map(|c| c.content.raw()).as_deref(), Some("b"));
        assert_eq!(g.get(1, 1).map(|c| c.content.raw()).as_deref(), Some("c"));
        assert_eq!(g.get(1, 2).map(|c| c.content.raw()).as_deref(), Some("d"));
    }

    #[test]
    fn the_marker_is_found() {
        let doc = read(br#"<html><head><meta name="nianbao-generated" content="published"></head><table></table>"#).unwrap();
        assert_eq!(doc.generated.as_deref(), Some("published"));
    }

    #[test]
    fn a_lone_angle_bracket_is_text() {
        let doc =
            read("<p>a < b and c > d</p><table><tr><td>1 <2</td></tr></table>".as_bytes()).unwrap();
        assert_eq!(doc.prose, vec!["a < b and c > d"]);
    }
}
