//! The roster: which units must file, and the names they go by.

use std::collections::HashMap;

use nianbao_format::{Msg, Unit, normalize_label};

/// Why a roster file cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RosterError {
    #[error("名单格式错误（第 {line} 行）：{}", reason.zh)]
    Invalid { line: usize, reason: Msg },
}

impl RosterError {
    /// "名单格式错误（第 3 行）：…" / "roster, line 3: …".
    pub fn message(&self) -> Msg {
        let RosterError::Invalid { line, reason } = self;
        Msg::new(
            format!("名单格式错误（第 {line} 行）：{}", reason.zh),
            format!("roster, line {line}: {}", reason.en),
        )
    }
}

fn invalid(line: usize, zh: impl Into<String>, en: impl Into<String>) -> RosterError {
    RosterError::Invalid {
        line,
        reason: Msg::new(zh, en),
    }
}

/// The units expected to file, in roster order.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    pub units: Vec<Unit>,
    /// The lengths in chars of the normalised names and aliases, longest first, each once.
    lengths: Vec<usize>,
    /// The unit of each normalised name or alias. A text names the units whose names are
    /// among its substrings of those lengths: a lookup per substring, not a search for every
    /// name (a file path against a roster of 10,000 units: no 10^8 substring searches).
    exact: HashMap<String, usize>,
}

/// How a text names a roster unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameMatch {
    Unit(usize),
    /// Names of several units fit equally well.
    Ambiguous(Vec<usize>),
    None,
}

impl Roster {
    /// Parses `code,name,aliases,kind` CSV (UTF-8, optional BOM); aliases are `;`-separated.
    pub fn from_csv(text: &str) -> Result<Roster, RosterError> {
        let rows = csv_rows(text).map_err(|(line, e)| {
            invalid(
                line,
                format!("无法读取此行：{e}"),
                format!("cannot read the line: {e}"),
            )
        })?;
        Roster::from_rows(rows)
    }

    /// Parses a roster file's bytes as CSV text: UTF-8 (with or without BOM), UTF-16 with its
    /// BOM, else GB18030/GBK (what Excel on a Chinese Windows saves).
    pub fn from_csv_bytes(bytes: &[u8]) -> Result<Roster, RosterError> {
        Roster::from_csv(&nianbao_read::decode_text(bytes))
    }

    /// A roster from a table's rows (1-based line numbers): a header row naming the columns in
    /// Chinese or English (代码/code, 名称/name, 别名/aliases, 类型/kind; 单位代码 and 单位名称 too),
    /// then one unit a row. `kind` is free text (a city's roster lists districts).
    pub fn from_rows(rows: Vec<(usize, Vec<String>)>) -> Result<Roster, RosterError> {
        let mut rows = rows.into_iter();
        let Some((_, headers)) = rows.next() else {
            return Err(invalid(1, "名单为空", "the roster is empty"));
        };
        let col = |names: &[&str]| {
            headers.iter().position(|h| {
                let h = h.trim().trim_start_matches('\u{FEFF}');
                names.iter().any(|n| h.eq_ignore_ascii_case(n))
            })
        };
        let (Some(c_code), Some(c_name)) = (
            col(&["code", "代码", "单位代码", "编码"]),
            col(&["name", "名称", "单位名称", "单位"]),
        ) else {
            return Err(invalid(
                1,
                "表头须为 code,name,aliases,kind（或 代码,名称,别名,类型）",
                "the header must be code,name,aliases,kind (or 代码,名称,别名,类型)",
            ));
        };
        let c_aliases = col(&["aliases", "别名", "简称"]);
        let c_kind = col(&["kind", "类型", "类别"]);
        let mut units: Vec<Unit> = Vec::new();
        let mut lines: Vec<usize> = Vec::new();
        // Unit index by code, for the duplicate check (a search per line was quadratic).
        let mut by_code: HashMap<String, usize> = HashMap::new();
        for (line, rec) in rows {
            let get = |c: Option<usize>| {
                c.and_then(|c| rec.get(c))
                    .map_or("", |s| s.as_str())
                    .trim()
                    .to_string()
            };
            let code = get(Some(c_code));
            let name = get(Some(c_name));
            if code.is_empty() && name.is_empty() {
                continue;
            }
            if code.is_empty() || name.is_empty() {
                return Err(invalid(
                    line,
                    "code 和 name 不能为空",
                    "code and name cannot be empty",
                ));
            }
            if let Some(&k) = by_code.get(&code) {
                return Err(invalid(
                    line,
                    format!("单位代码 {code} 重复（第 {} 行已有）", lines[k]),
                    format!("unit code {code} appears twice (line {} has it)", lines[k]),
                ));
            }
            let aliases = get(c_aliases)
                .split([';', '；', '、'])
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(String::from)
                .collect();
            by_code.insert(code.clone(), units.len());
            units.push(Unit {
                code,
                name,
                aliases,
                kind: get(c_kind),
            });
            lines.push(line);
        }
        Roster::new(units).map_err(|(unit, reason)| RosterError::Invalid {
            line: lines.get(unit).copied().unwrap_or(0),
            reason,
        })
    }

    /// A roster from units; fails when one name or alias belongs to two units (the index of
    /// the second of them, and why).
    pub fn new(units: Vec<Unit>) -> Result<Roster, (usize, Msg)> {
        let mut lengths: Vec<usize> = Vec::new();
        let mut exact: HashMap<String, usize> = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            for n in std::iter::once(&u.name).chain(&u.aliases) {
                let key = normalize_label(n);
                if key.is_empty() {
                    continue;
                }
                match exact.get(&key) {
                    Some(&j) if j != i => {
                        return Err((
                            i,
                            Msg::new(
                                format!("名称“{n}”同时属于 {} 和 {}", units[j].code, u.code),
                                format!(
                                    "the name \"{n}\" belongs to both {} and {}",
                                    units[j].code, u.code
                                ),
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        exact.insert(key.clone(), i);
                    }
                }
                lengths.push(key.chars().count());
            }
        }
        lengths.sort_unstable_by(|a, b| b.cmp(a));
        lengths.dedup();
        Ok(Roster {
            units,
            lengths,
            exact,
        })
    }

    /// The unit a text (a 填报单位 cell, a file path) names: the longest name or alias it
    /// contains wins; two units tied at that length is ambiguous.
    pub fn match_name(&self, text: &str) -> NameMatch {
        let text = normalize_label(text);
        // A text that is a name: no other name of that length fits, and no longer one can.
        if let Some(&i) = self.exact.get(&text) {
            return NameMatch::Unit(i);
        }
        // Where each char starts (and the end): the substrings of n chars are bounds[k..k+n].
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(at, _)| at)
            .chain([text.len()])
            .collect();
        let text_len = bounds.len() - 1;
        let mut hits: Vec<(&str, usize)> = Vec::new();
        for &len in self.lengths.iter().filter(|&&len| len <= text_len) {
            hits.extend((0..=text_len - len).filter_map(|k| {
                let key = &text[bounds[k]..bounds[k + len]];
                self.exact.get(key).map(|&unit| (key, unit))
            }));
            if !hits.is_empty() {
                break;
            }
        }
        // Tied units in the order of their names.
        hits.sort_unstable();
        let mut units: Vec<usize> = Vec::new();
        for (_, unit) in hits {
            if !units.contains(&unit) {
                units.push(unit);
            }
        }
        let hits = units;
        match hits.len() {
            0 => NameMatch::None,
            1 => NameMatch::Unit(hits[0]),
            _ => NameMatch::Ambiguous(hits),
        }
    }
}

/// The rows of a table file (a roster, a waiver file): a workbook's first sheet, else CSV text
/// in whatever encoding Excel saved ([`nianbao_read::decode_text`]). A problem gives its line
/// (0: the file as a whole, a workbook that cannot be read) and why.
pub fn table_rows(bytes: &[u8]) -> Result<Vec<nianbao_read::Row>, (usize, Msg)> {
    use nianbao_read::Format;
    match nianbao_read::sniff(bytes) {
        Format::Xlsx | Format::Xls | Format::Ods => {
            nianbao_read::first_sheet_rows(bytes).map_err(|e| (0, e.message))
        }
        _ => csv_rows(&nianbao_read::decode_text(bytes)).map_err(|(line, e)| {
            (
                line,
                Msg::new(
                    format!("无法读取此行：{e}"),
                    format!("cannot read the line: {e}"),
                ),
            )
        }),
    }
}

/// CSV text (a BOM dropped) as rows numbered by their line in the file, blank lines counted;
/// a line that cannot be read gives its number and the reader's reason. Rosters and waiver
/// files alike.
pub fn csv_rows(text: &str) -> Result<Vec<nianbao_read::Row>, (usize, String)> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let bytes = text.as_bytes();
    let mut rows = Vec::new();
    // Line breaks counted up to `counted` so far: records come in order, each counts only the
    // bytes since the last (counting from the start each time was quadratic).
    let (mut counted, mut breaks) = (0usize, 0usize);
    for rec in rdr.records() {
        let rec =
            rec.map_err(|e| (e.position().map_or(0, |p| p.line() as usize), e.to_string()))?;
        let line = rec.position().map_or(rows.len() + 1, |p| {
            let mut at = (p.byte() as usize).min(bytes.len());
            // The reader's record may start on the blank lines before it.
            while at < bytes.len() && matches!(bytes[at], b'\n' | b'\r') {
                at += 1;
            }
            if at < counted {
                (counted, breaks) = (0, 0);
            }
            breaks += bytes[counted..at].iter().filter(|&&b| b == b'\n').count();
            counted = at;
            1 + breaks
        });
        rows.push((line, rec.iter().map(String::from).collect()));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "code,name,aliases,kind\nU01,石化街道,石化;金山区石化街道,town\nU14,金山区教育局,区教育局;教育局;上海市金山区教育局,department\nU15,金山区政府办公室,区政府办公室,department\n";

    #[test]
    fn parses_and_matches_longest_name() {
        let r = Roster::from_csv(CSV).unwrap();
        assert_eq!(r.units.len(), 3);
        assert_eq!(
            r.units[1].aliases,
            ["区教育局", "教育局", "上海市金山区教育局"]
        );
        assert_eq!(r.match_name("上海市金山区教育局"), NameMatch::Unit(1));
        assert_eq!(
            r.match_name("returns/U14_区教育局_2022年报"),
            NameMatch::Unit(1)
        );
        assert_eq!(r.match_name("石化 街道"), NameMatch::Unit(0));
        assert_eq!(r.match_name("区政府办公室"), NameMatch::Unit(2));
        assert_eq!(r.match_name("朱泾镇"), NameMatch::None);
        assert_eq!(r.match_name("石化_教育局"), NameMatch::Unit(1));
        assert_eq!(
            r.match_name("石化街道_区教育局"),
            NameMatch::Ambiguous(vec![1, 0])
        );
    }

    /// The definition match_name implements by lookups: the longest names and aliases the text
    /// contains, their units in the order of those names.
    fn searched(r: &Roster, text: &str) -> NameMatch {
        let text = normalize_label(text);
        let mut names: Vec<(usize, String, usize)> = r
            .units
            .iter()
            .enumerate()
            .flat_map(|(i, u)| {
                std::iter::once(&u.name)
                    .chain(&u.aliases)
                    .map(move |n| (i, n))
            })
            .map(|(i, n)| (normalize_label(n), i))
            .filter(|(key, _)| !key.is_empty() && text.contains(key.as_str()))
            .map(|(key, i)| (key.chars().count(), key, i))
            .collect();
        let longest = names.iter().map(|n| n.0).max();
        names.retain(|n| Some(n.0) == longest);
        names.sort();
        let mut units: Vec<usize> = Vec::new();
        for (_, _, i) in names {
            if !units.contains(&i) {
                units.push(i);
            }
        }
        match units.len() {
            0 => NameMatch::None,
            1 => NameMatch::Unit(units[0]),
            _ => NameMatch::Ambiguous(units),
        }
    }

    #[test]
    fn matching_by_lookups_finds_what_searching_every_name_finds() {
        let r = Roster::from_csv(CSV).unwrap();
        let parts = [
            "",
            "石化",
            "街道",
            "石化街道",
            "金山区",
            "教育局",
            "区教育局",
            "政府办公室",
            "_",
            "2022年报",
            "上海市",
            "Ｕ14",
            " ",
        ];
        let mut texts = 0;
        for a in parts {
            for b in parts {
                for c in parts {
                    let text = format!("{a}{b}{c}");
                    assert_eq!(r.match_name(&text), searched(&r, &text), "{text}");
                    texts += 1;
                }
            }
        }
        assert_eq!(texts, parts.len().pow(3));
    }

    #[test]
    fn rejects_bad_rosters() {
        assert!(Roster::from_csv("a,b\n1,2\n").is_err());
        assert!(Roster::from_csv("code,name,aliases,kind\nU1,甲,,town\nU1,乙,,town\n").is_err());
        assert!(
            Roster::from_csv("code,name,aliases,kind\nU1,甲,丙,town\nU2,乙,丙,town\n").is_err()
        );
        assert!(Roster::from_csv("code,name,aliases,kind\nU1,甲,,city\n").is_ok());
        assert!(Roster::from_csv("\u{FEFF}code,name,aliases,kind\nU1,甲,,\n").is_ok());
    }
}
