//! A year's workspace: one folder holding everything about one year's consolidation, that every
//! command can be pointed at.
//!
//! ```text
//! 年报2023/
//!   nianbao.toml   year, roster, returns folder, prior, rules, waivers, deadline, outputs
//!   roster.csv     (copied in, normalised to UTF-8)
//!   returns/       where the units' files go
//!   waivers.csv    (created empty, with its header)
//!   out/           汇总.xlsx, report.json, 退回/ (annotated returns)
//!   .nianbao/      state: cache, last run, run log, lock
//! ```

use std::path::{Path, PathBuf};

use nianbao_consolidate::Prefer;
use nianbao_format::Lang;
use serde::Deserialize;

use crate::RunError;
use crate::date::Date;
use crate::folder::FolderRequest;

/// The workspace's configuration file.
pub const CONFIG_FILE: &str = "nianbao.toml";
/// The folder of the workspace's state (cache, last run, run log, lock).
pub const STATE_DIR: &str = ".nianbao";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    year: i32,
    name: Option<String>,
    roster: String,
    returns: String,
    prior: Option<String>,
    rules: Option<String>,
    waivers: Option<String>,
    deadline: Option<String>,
    output: Option<RawOutput>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    workbook: Option<String>,
    json: Option<String>,
    annotate: Option<String>,
    parquet: Option<String>,
    csv: Option<String>,
}

/// A workspace as its nianbao.toml describes it, every path resolved and checked.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub year: i32,
    /// The body whose year this is ("金山区"): named on 全区汇总 and in its marker, so that a
    /// city workspace whose roster lists it reads its 汇总.xlsx as its return.
    pub name: Option<String>,
    pub roster: PathBuf,
    pub returns: PathBuf,
    /// Last year's returns folder (a workspace's `returns`, or a folder), or last year's
    /// published report of the district (a file), if any.
    pub prior: Option<PathBuf>,
    pub rules: Option<PathBuf>,
    pub waivers: Option<PathBuf>,
    pub deadline: Option<Date>,
    pub workbook: PathBuf,
    pub json: PathBuf,
    pub annotate: PathBuf,
    /// The unit × field frame for analysts (Parquet, CSV), when asked for.
    pub parquet: Option<PathBuf>,
    pub csv: Option<PathBuf>,
}

fn config_error(root: &Path, zh: String, en: String) -> RunError {
    let file = root.join(CONFIG_FILE);
    RunError::new(
        format!("{} 有误：{zh}", file.display()),
        format!("{} is invalid: {en}", file.display()),
    )
}

impl Workspace {
    /// Opens the workspace in `dir`: an unknown key, a missing file or a bad value is refused
    /// naming the key.
    pub fn open(dir: &Path) -> Result<Workspace, RunError> {
        let file = dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&file).map_err(|e| {
            RunError::io(
                "不是年报工作区（无法读取配置文件）",
                "not a workspace (cannot read its configuration)",
                &file,
                &e,
            )
        })?;
        let raw: RawConfig = toml::from_str(&text)
            .map_err(|e| config_error(dir, e.message().to_string(), e.message().to_string()))?;
        let root = dir.to_path_buf();
        let at = |key: &str, rel: &str, folder: bool| -> Result<PathBuf, RunError> {
            let p = root.join(rel);
            let ok = if folder { p.is_dir() } else { p.is_file() };
            if ok {
                Ok(p)
            } else {
                Err(config_error(
                    &root,
                    format!(
                        "{key} 指向的{}不存在：{}",
                        if folder { "文件夹" } else { "文件" },
                        p.display()
                    ),
                    format!(
                        "{key} points to a missing {}: {}",
                        if folder { "folder" } else { "file" },
                        p.display()
                    ),
                ))
            }
        };
        let prior = match &raw.prior {
            None => None,
            // Last year's published report of the district (one file) is taken as it is.
            Some(rel) if root.join(rel).is_file() => Some(root.join(rel)),
            Some(rel) => {
                let p = at("prior", rel, true)?;
                // Last year's workspace stands for its returns folder.
                Some(match Workspace::open(&p) {
                    Ok(last) => last.returns,
                    Err(_) => p,
                })
            }
        };
        let deadline = match &raw.deadline {
            None => None,
            Some(d) => Some(Date::parse(d).ok_or_else(|| {
                config_error(
                    &root,
                    format!("deadline 不是日期（应为 2024-01-31 这样的写法）：{d}"),
                    format!("deadline is not a date (write 2024-01-31): {d}"),
                )
            })?),
        };
        let out = raw.output.unwrap_or_default();
        let output = |v: Option<String>, default: &str| root.join(v.as_deref().unwrap_or(default));
        Ok(Workspace {
            year: raw.year,
            name: raw.name.filter(|n| !n.trim().is_empty()),
            roster: at("roster", &raw.roster, false)?,
            returns: at("returns", &raw.returns, true)?,
            prior,
            rules: raw
                .rules
                .as_deref()
                .map(|r| at("rules", r, false))
                .transpose()?,
            waivers: raw
                .waivers
                .as_deref()
                .map(|w| at("waivers", w, false))
                .transpose()?,
            deadline,
            workbook: output(out.workbook, "out/汇总.xlsx"),
            json: output(out.json, "out/report.json"),
            annotate: output(out.annotate, "out/退回"),
            parquet: out.parquet.map(|p| root.join(p)),
            csv: out.csv.map(|p| root.join(p)),
            root,
        })
    }

    /// The output files a run writes (the annotated returns aside).
    pub fn output_files(&self) -> Vec<&Path> {
        [
            Some(&self.workbook),
            Some(&self.json),
            self.parquet.as_ref(),
            self.csv.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(PathBuf::as_path)
        .collect()
    }

    /// The folder of the workspace's state.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }

    /// What `consolidate` is asked to do for this workspace.
    pub fn folder_request(&self, lang: Lang) -> FolderRequest {
        FolderRequest {
            returns_dir: self.returns.clone(),
            roster: Some(self.roster.clone()),
            prior: self.prior.clone(),
            rules: self.rules.clone(),
            waivers: self.waivers.clone(),
            prefer: Prefer::Neither,
            year: Some(self.year),
            workbook: self.workbook.clone(),
            json: Some(self.json.clone()),
            annotate: Some(self.annotate.clone()),
            name: self.name.clone(),
            parquet: self.parquet.clone(),
            csv: self.csv.clone(),
            lang,
            cache: Some(self.state_dir().join("cache")),
        }
    }
}

/// The header of a new waiver file.
pub const WAIVERS_HEADER: &str = "unit,rule,reason,expires\n";

/// Creates a workspace for `year` in `dir` (which must not exist, or be empty), with the roster
/// copied in as UTF-8 CSV and last year's workspace or returns folder as `prior`.
pub fn init(
    dir: &Path,
    year: i32,
    roster: &Path,
    prior: Option<&Path>,
) -> Result<Workspace, RunError> {
    if let Ok(mut entries) = std::fs::read_dir(dir)
        && entries.next().is_some()
    {
        return Err(RunError::new(
            format!("文件夹已存在且不为空：{}", dir.display()),
            format!("the folder exists and is not empty: {}", dir.display()),
        ));
    }
    if !(2000..=2100).contains(&year) {
        return Err(RunError::new(
            format!("年份不对：{year}"),
            format!("not a year: {year}"),
        ));
    }
    let units = crate::load_roster(Some(roster))?
        .map(|r| r.units)
        .unwrap_or_default();
    let prior_rel = match prior {
        None => None,
        Some(p) => {
            let real = std::fs::canonicalize(p).map_err(|e| {
                RunError::io(
                    "无法打开上年工作区",
                    "cannot open last year's workspace",
                    p,
                    &e,
                )
            })?;
            // A folder (last year's workspace or returns), or a file: last year's published
            // report of the district.
            if !real.is_dir() && !real.is_file() {
                return Err(RunError::new(
                    format!("上年工作区不是文件夹：{}", p.display()),
                    format!("last year's workspace is not a folder: {}", p.display()),
                ));
            }
            Some(real)
        }
    };
    let mk = |p: &Path| {
        std::fs::create_dir_all(p)
            .map_err(|e| RunError::io("无法创建文件夹", "cannot create folder", p, &e))
    };
    mk(dir)?;
    for sub in ["returns", "out", STATE_DIR] {
        mk(&dir.join(sub))?;
    }
    let mut csv = String::from("code,name,aliases,kind\n");
    for u in &units {
        let field = |s: &str| {
            if s.contains([',', '"', '\n']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        csv.push_str(&format!(
            "{},{},{},{}\n",
            field(&u.code),
            field(&u.name),
            field(&u.aliases.join(";")),
            field(&u.kind)
        ));
    }
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(|e| RunError::io("无法写入", "cannot write", &p, &e))
    };
    write("roster.csv", &csv)?;
    write("waivers.csv", WAIVERS_HEADER)?;
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut toml = format!(
        "# nianbao 年报工作区：{year} 年。路径相对于本文件。\n\
         year = {year}\n\
         # name = \"金山区\"             # 本区名称：写入全区汇总的填报单位，供市级汇总读取\n\
         roster = \"roster.csv\"\n\
         returns = \"returns\"\n\
         waivers = \"waivers.csv\"\n"
    );
    match &prior_rel {
        Some(p) => toml.push_str(&format!("prior = {}\n", quote(&p.to_string_lossy()))),
        None => toml
            .push_str("# prior = \"../年报上年\"     # 上年工作区或上年报表文件夹（跨年度校验）\n"),
    }
    toml.push_str(
        "# rules = \"rules.toml\"       # 替换内置勾稽关系\n\
         # deadline = \"2024-01-31\"    # 报送截止日期\n\
         \n\
         [output]\n\
         workbook = \"out/汇总.xlsx\"\n\
         json = \"out/report.json\"\n\
         annotate = \"out/退回\"\n\
         # parquet = \"out/units.parquet\"  # 分单位数据表（供分析）\n\
         # csv = \"out/units.csv\"\n",
    );
    write(CONFIG_FILE, &toml)?;
    Workspace::open(dir)
}
