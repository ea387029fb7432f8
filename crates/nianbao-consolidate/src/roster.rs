//! The roster: which units must file, and the names they go by.

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
    /// (normalised name or alias, unit index), longest first.
    names: Vec<(String, usize)>,
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
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| {
                invalid(
                    1,
                    format!("无法读取表头：{e}"),
                    format!("cannot read the header: {e}"),
                )
            })?
            .clone();
        let col = |name: &str| headers.iter().position(|h| h.trim() == name);
        let (Some(c_code), Some(c_name)) = (col("code"), col("name")) else {
            return Err(invalid(
                1,
                "表头须为 code,name,aliases,kind",
                "the header must be code,name,aliases,kind",
            ));
        };
        let (c_aliases, c_kind) = (col("aliases"), col("kind"));
        let mut units: Vec<Unit> = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = i + 2;
            let rec = rec.map_err(|e| {
                invalid(
                    line,
                    format!("无法读取此行：{e}"),
                    format!("cannot read the line: {e}"),
                )
            })?;
            let get =
                |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("").trim().to_string();
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
            if units.iter().any(|u| u.code == code) {
                return Err(invalid(
                    line,
                    format!("单位代码 {code} 重复"),
                    format!("unit code {code} appears twice"),
                ));
            }
            let aliases = get(c_aliases)
                .split([';', '；'])
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(String::from)
                .collect();
            let kind = get(c_kind);
            if !kind.is_empty() && kind != "town" && kind != "department" {
                return Err(invalid(
                    line,
                    format!("kind 应为 town 或 department，而不是 {kind}"),
                    format!("kind must be town or department, not {kind}"),
                ));
            }
            units.push(Unit {
                code,
                name,
                aliases,
                kind,
            });
        }
        Roster::new(units).map_err(|reason| RosterError::Invalid { line: 0, reason })
    }

    /// A roster from units; fails when one name or alias belongs to two units.
    pub fn new(units: Vec<Unit>) -> Result<Roster, Msg> {
        let mut names: Vec<(String, usize)> = Vec::new();
        for (i, u) in units.iter().enumerate() {
            for n in std::iter::once(&u.name).chain(&u.aliases) {
                let key = normalize_label(n);
                if key.is_empty() {
                    continue;
                }
                if let Some((_, j)) = names.iter().find(|(k, j)| *k == key && *j != i) {
                    return Err(Msg::new(
                        format!("名称“{n}”同时属于 {} 和 {}", units[*j].code, u.code),
                        format!(
                            "the name \"{n}\" belongs to both {} and {}",
                            units[*j].code, u.code
                        ),
                    ));
                }
                names.push((key, i));
            }
        }
        names.sort_by(|a, b| {
            b.0.chars()
                .count()
                .cmp(&a.0.chars().count())
                .then(a.0.cmp(&b.0))
        });
        names.dedup();
        Ok(Roster { units, names })
    }

    /// The unit a text (a 填报单位 cell, a file path) names: the longest name or alias it
    /// contains wins; two units tied at that length is ambiguous.
    pub fn match_name(&self, text: &str) -> NameMatch {
        let text = normalize_label(text);
        let mut best: Option<usize> = None;
        let mut hits: Vec<usize> = Vec::new();
        for (key, unit) in &self.names {
            let len = key.chars().count();
            if best.is_some_and(|b| len < b) {
                break;
            }
            if text.contains(key.as_str()) {
                best = Some(len);
                if !hits.contains(unit) {
                    hits.push(*unit);
                }
            }
        }
        match hits.len() {
            0 => NameMatch::None,
            1 => NameMatch::Unit(hits[0]),
            _ => NameMatch::Ambiguous(hits),
        }
    }
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

    #[test]
    fn rejects_bad_rosters() {
        assert!(Roster::from_csv("a,b\n1,2\n").is_err());
        assert!(Roster::from_csv("code,name,aliases,kind\nU1,甲,,town\nU1,乙,,town\n").is_err());
        assert!(
            Roster::from_csv("code,name,aliases,kind\nU1,甲,丙,town\nU2,乙,丙,town\n").is_err()
        );
        assert!(Roster::from_csv("code,name,aliases,kind\nU1,甲,,city\n").is_err());
        assert!(Roster::from_csv("\u{FEFF}code,name,aliases,kind\nU1,甲,,\n").is_ok());
    }
}
