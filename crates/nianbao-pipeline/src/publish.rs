//! `publish`: the district's tables as the annual report prints them, from a workspace's last
//! run (its JSON report), a folder of returns (consolidated here, nothing else written) or a
//! workbook (a 汇总.xlsx's `全区汇总`, or any return or published report), written as one set:
//! the page, the fragment for a website's editor and the Markdown.

use std::path::{Path, PathBuf};

use nianbao_consolidate::Options;
use nianbao_format::{FIELD_COUNT, Kind, Lang, fields, parse_decimal};
use nianbao_write::{Publication, Published};

use crate::outputs::{self, OutputSet, Target};
use crate::workspace::{CONFIG_FILE, Workspace};
use crate::{RunError, consolidate_failed};

/// The files `publish` writes into its folder.
pub const PAGE_FILE: &str = "统计表.html";
pub const FRAGMENT_FILE: &str = "统计表-网站编辑器.html";
pub const MARKDOWN_FILE: &str = "统计表.md";

/// What `publish` is asked to do.
#[derive(Debug, Clone)]
pub struct PublishRequest {
    /// A workspace, a folder of returns, or one file (汇总.xlsx, a return, a published report).
    pub source: PathBuf,
    /// The folder to write into; None: the workspace's `out/`, else the current folder.
    pub out: Option<PathBuf>,
    /// The district's name in the title; None: the name the source gives, if any.
    pub name: Option<String>,
    /// The roster a folder of returns is consolidated against (who is expected: the coverage
    /// the forms state). Without it the units found are the units expected.
    pub roster: Option<PathBuf>,
    pub lang: Lang,
}

/// Where the totals came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The last run of a workspace (its JSON report).
    Workspace(PathBuf),
    /// A folder of returns, consolidated for this.
    Folder,
    /// One file read as a return.
    File,
}

/// What was published.
#[derive(Debug)]
pub struct PublishOutcome {
    pub source: Source,
    pub year: Option<i32>,
    /// Units in the totals and units expected, when the source says.
    pub coverage: Option<(usize, usize)>,
    pub totals: Vec<i64>,
    pub published: Published,
    /// The files written, in the order page, fragment, Markdown.
    pub written: Vec<PathBuf>,
}

/// The totals a source stands for.
struct Totals {
    source: Source,
    values: Vec<i64>,
    year: Option<i32>,
    name: Option<String>,
    coverage: Option<(usize, usize)>,
}

/// Publishes the tables of `req.source` into `req.out`.
pub fn publish(req: &PublishRequest) -> Result<PublishOutcome, RunError> {
    let meta = std::fs::metadata(&req.source).map_err(|e| {
        RunError::io(
            "无法打开要发布的来源",
            "cannot open the source",
            &req.source,
            &e,
        )
    })?;
    let workspace = (meta.is_dir() && req.source.join(CONFIG_FILE).is_file())
        .then(|| Workspace::open(&req.source))
        .transpose()?;
    let out_dir = match (&req.out, &workspace) {
        (Some(d), _) => d.clone(),
        (None, Some(ws)) => ws
            .json
            .parent()
            .map_or_else(|| ws.root.join("out"), Path::to_path_buf),
        (None, None) => PathBuf::from("."),
    };
    let dir = outputs::resolve_folder(&out_dir)?;
    let targets: Vec<Target> = [PAGE_FILE, FRAGMENT_FILE, MARKDOWN_FILE]
        .iter()
        .map(|f| outputs::resolve(&dir.join(f), outputs::Kind::Json))
        .collect::<Result<_, _>>()?;
    for t in &targets {
        outputs::refuse_input(t, &req.source)?;
        if let Some(r) = &req.roster {
            outputs::refuse_input(t, r)?;
        }
        refuse_edited(&t.given)?;
    }
    if req.roster.is_some() && (workspace.is_some() || !meta.is_dir()) {
        return Err(RunError::new(
            "--roster 只用于发布一个报表文件夹（工作区用其自己的名单，汇总工作簿已写明覆盖范围）",
            "--roster is for a folder of returns only (a workspace has its roster, a workbook states its coverage)",
        ));
    }
    let totals = match &workspace {
        Some(ws) => from_workspace(ws)?,
        None if meta.is_dir() => from_folder(&req.source, req.roster.as_deref())?,
        None => from_file(&req.source)?,
    };
    let name = req.name.clone().or(totals.name.clone());
    let published = nianbao_write::publish(&Publication {
        totals: &totals.values,
        year: totals.year,
        name: name.as_deref(),
        coverage: totals.coverage,
        lang: req.lang,
    })
    .map_err(|e| {
        RunError::new(
            format!("无法生成发布表格：{}", e.message().zh),
            format!("cannot render the tables: {}", e.message().en),
        )
    })?;
    let mut set = OutputSet::default();
    let bodies = [
        published.page.clone(),
        published.fragment.clone(),
        published.markdown.clone(),
    ];
    for (t, body) in targets.iter().zip(bodies) {
        set.add(t, body.into_bytes());
    }
    set.commit()?;
    Ok(PublishOutcome {
        source: totals.source,
        year: totals.year,
        coverage: totals.coverage,
        totals: totals.values,
        published,
        written: targets.iter().map(|t| t.given.clone()).collect(),
    })
}

/// Refuses to write over a file that is not a form `publish` wrote, exactly as it wrote it: a
/// page edited by hand (or someone's own file of that name) is never lost.
fn refuse_edited(path: &Path) -> Result<(), RunError> {
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(()); // not there (or a folder, which the commit refuses)
    };
    if nianbao_write::is_untouched_publication(&String::from_utf8_lossy(&bytes)) {
        return Ok(());
    }
    Err(RunError::new(
        format!(
            "{} 已存在，且不是本工具上次生成的原样文件（可能已手工修改），不覆盖：请改名或移走后再发布",
            path.display()
        ),
        format!(
            "{} exists and is not as nianbao last wrote it (edited by hand?); not overwritten: rename or move it, then publish again",
            path.display()
        ),
    ))
}

/// The last run of a workspace, from its JSON report.
fn from_workspace(ws: &Workspace) -> Result<Totals, RunError> {
    let bytes = std::fs::read(&ws.json).map_err(|e| {
        RunError::io(
            "工作区尚无汇总结果（请先运行 nianbao run）",
            "the workspace has no results yet (run nianbao run first)",
            &ws.json,
            &e,
        )
    })?;
    let bad = |why: &str| {
        RunError::new(
            format!("{} 不是有效的汇总报告：{why}", ws.json.display()),
            format!("{} is not a valid JSON report: {why}", ws.json.display()),
        )
    };
    let json: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| bad(&e.to_string()))?;
    let values = totals_of(&json["totals"]).map_err(|why| bad(&why))?;
    let coverage = match (
        json["coverage"]["in_totals"].as_u64(),
        json["coverage"]["expected"].as_u64(),
    ) {
        (Some(i), Some(e)) => Some((i as usize, e as usize)),
        _ => None,
    };
    Ok(Totals {
        source: Source::Workspace(ws.json.clone()),
        values,
        year: json["year"]
            .as_i64()
            .and_then(|y| i32::try_from(y).ok())
            .or(Some(ws.year)),
        name: ws.name.clone(),
        coverage,
    })
}

/// The 200 totals of a JSON report's `totals` map (counts as integers, the amount as a
/// two-decimal string).
fn totals_of(map: &serde_json::Value) -> Result<Vec<i64>, String> {
    fields()
        .iter()
        .map(|f| {
            let v = &map[f.id.as_str()];
            let parsed = match (f.kind, v) {
                (Kind::Count, serde_json::Value::Number(n)) => n.as_i64(),
                (Kind::Amount, serde_json::Value::String(s)) => parse_decimal(s, 2).ok(),
                _ => None,
            };
            parsed.ok_or_else(|| format!("totals.{} = {v}", f.id))
        })
        .collect()
}

/// A folder of returns, consolidated against the roster if given (else the units found are the
/// units expected).
fn from_folder(dir: &Path, roster: Option<&Path>) -> Result<Totals, RunError> {
    let roster = crate::load_roster(roster)?;
    let found = crate::discover(dir)?;
    let files: Vec<_> = found.files.iter().filter(|f| f.spreadsheet).collect();
    let read = crate::read_all(&files, &crate::Silent, None, None, roster.as_ref());
    if read.inputs.is_empty() {
        return Err(RunError::new(
            format!("未找到任何报表文件：{}", dir.display()),
            format!("no return found in {}", dir.display()),
        ));
    }
    let report =
        nianbao_consolidate::consolidate(read.inputs, roster.as_ref(), &Options::default())
            .map_err(consolidate_failed)?
            .report;
    Ok(Totals {
        source: Source::Folder,
        coverage: Some((report.coverage.in_totals, report.coverage.expected)),
        year: report.year,
        values: report.totals,
        name: None,
    })
}

/// One file read as a return: a 汇总.xlsx's `全区汇总` (its title gives the coverage), a return,
/// or a published report. Every value must have been read.
fn from_file(path: &Path) -> Result<Totals, RunError> {
    let ret = nianbao_read::read_path(path).map_err(|e| {
        RunError::new(
            format!("无法读取 {}：{}", path.display(), e.message.zh),
            format!("cannot read {}: {}", path.display(), e.message.en),
        )
    })?;
    let unread: Vec<&str> = ret
        .problems
        .iter()
        .filter(|p| p.severity == nianbao_format::Severity::Error)
        .map(|p| p.message.zh.as_str())
        .take(3)
        .collect();
    let values: Option<Vec<i64>> = ret.readings.iter().map(|r| r.value).collect();
    let values = match values {
        Some(v) if v.len() == FIELD_COUNT && unread.is_empty() => v,
        _ => {
            return Err(RunError::new(
                format!(
                    "{} 中有数值未能读取，不能发布：{}",
                    path.display(),
                    unread.join("；")
                ),
                format!(
                    "{} has values that could not be read; nothing published",
                    path.display()
                ),
            ));
        }
    };
    let coverage = std::fs::read(path)
        .ok()
        .and_then(|b| nianbao_read::first_sheet_rows(&b).ok())
        .and_then(|rows| {
            rows.first()
                .and_then(|(_, cells)| coverage_in(&cells.join("")))
        });
    Ok(Totals {
        source: Source::File,
        values,
        year: ret.year,
        name: ret.unit_name,
        coverage,
    })
}

/// "（汇总：38/42 单位）" in a 全区汇总 title: (38, 42).
fn coverage_in(title: &str) -> Option<(usize, usize)> {
    let rest = title.split("汇总：").nth(1)?;
    let (a, b) = rest.split_once('/')?;
    let n: String = b.chars().take_while(char::is_ascii_digit).collect();
    Some((a.trim().parse().ok()?, n.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_from_a_summary_title() {
        assert_eq!(
            coverage_in("金山区2022年政府信息公开工作年度报告统计表（汇总：38/42 单位）"),
            Some((38, 42))
        );
        assert_eq!(coverage_in("2022年政府信息公开工作年度报告统计表"), None);
    }

    #[test]
    fn totals_of_a_json_report() {
        let mut map = serde_json::Map::new();
        for f in fields() {
            let v = match f.kind {
                Kind::Count => serde_json::json!(3),
                Kind::Amount => serde_json::json!("21147.95"),
            };
            map.insert(f.id.clone(), v);
        }
        let got = totals_of(&serde_json::Value::Object(map.clone())).unwrap();
        assert_eq!(got[nianbao_format::FEES_AMOUNT], 2_114_795);
        assert_eq!(got[0], 3);
        map.insert(fields()[0].id.clone(), serde_json::json!("x"));
        assert!(totals_of(&serde_json::Value::Object(map)).is_err());
    }
}
