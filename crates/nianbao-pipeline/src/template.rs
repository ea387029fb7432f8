//! `nianbao template`: the blank return of every roster unit of a workspace (or of one), with
//! last year's values the rules determine filled in from the unit's return of last year, written
//! as one set into the workspace's `templates/` folder (or another).

use std::path::{Path, PathBuf};

use nianbao_format::{GENERATED_TEMPLATE, Unit, laid_values, mark_fingerprint, values_fingerprint};
use nianbao_write::{PriorReturn, TemplateSpec, template_bytes, template_file_name};

use crate::discover::discover;
use crate::folder::load_prior;
use crate::outputs::{self, Dest, OutputSet, Target};
use crate::workspace::Workspace;
use crate::{RunError, load_roster, load_rules};

/// The folder of a workspace the templates go to by default.
pub const TEMPLATES_DIR: &str = "templates";

/// What `template` is asked to do.
#[derive(Debug, Clone)]
pub struct TemplateRequest {
    /// The workspace (its year, roster, rules and last year's returns).
    pub workspace: PathBuf,
    /// One unit only: its roster code or name.
    pub unit: Option<String>,
    /// Where to write; None: the workspace's `templates/`.
    pub out: Option<PathBuf>,
}

/// One template written.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    pub code: String,
    pub name: String,
    /// File name in the output folder.
    pub file: String,
    /// Cells filled in from last year's return (0 without one).
    pub prefilled: usize,
    /// Whether the unit had a readable return last year.
    pub had_prior: bool,
}

/// What `template` did.
#[derive(Debug, Clone)]
pub struct TemplateOutcome {
    pub dir: PathBuf,
    pub year: i32,
    /// Whether the workspace names last year's returns.
    pub prior: bool,
    pub files: Vec<TemplateFile>,
}

/// The roster units asked for: all, or the one named by code or name.
fn units_asked<'a>(units: &'a [Unit], asked: Option<&str>) -> Result<Vec<&'a Unit>, RunError> {
    let Some(a) = asked.map(str::trim) else {
        return Ok(units.iter().collect());
    };
    units
        .iter()
        .find(|u| u.code == a)
        .or_else(|| units.iter().find(|u| u.name == a))
        .or_else(|| units.iter().find(|u| u.aliases.iter().any(|x| x == a)))
        .map(|u| vec![u])
        .ok_or_else(|| {
            RunError::new(
                format!("名单中没有单位 “{a}”（请用名单中的代码或名称）"),
                format!("no unit \"{a}\" on the roster (give its code or name)"),
            )
        })
}

/// Whether a file at `path` may be replaced: it is a template nobody filled in (its values are
/// those it was written with). A unit's filled template, or any other file, is never replaced.
fn untouched_template(path: &Path) -> bool {
    let Ok(ret) = nianbao_read::read_path(path) else {
        return false;
    };
    let Some(mark) = ret.generated.as_deref() else {
        return false;
    };
    mark.starts_with(GENERATED_TEMPLATE)
        && ret.problems.is_empty()
        && mark_fingerprint(mark) == Some(&values_fingerprint(laid_values(&ret.readings)))
}

/// Writes the templates as one set: every file checked before any is written, none replacing a
/// file that is not an untouched template, none into the workspace's returns folder.
pub fn write_templates(req: &TemplateRequest) -> Result<TemplateOutcome, RunError> {
    let ws = Workspace::open(&req.workspace)?;
    let roster = load_roster(Some(&ws.roster))?.unwrap_or_default();
    let rules = load_rules(ws.rules.as_deref())?;
    let units = units_asked(&roster.units, req.unit.as_deref())?;
    let given = req
        .out
        .clone()
        .unwrap_or_else(|| ws.root.join(TEMPLATES_DIR));
    let dir = outputs::resolve_folder(&given)?;
    if let Ok(returns) = std::fs::canonicalize(&ws.returns)
        && dir.starts_with(&returns)
    {
        return Err(RunError::new(
            format!(
                "空白报表不能写入报表文件夹 {}（会被当作各单位报送的空表汇总），请换一个文件夹",
                ws.returns.display()
            ),
            format!(
                "templates cannot go into the returns folder {} (they would be consolidated as blank returns): choose another folder",
                ws.returns.display()
            ),
        ));
    }
    let prior = match &ws.prior {
        Some(p) => load_prior(&discover(p)?, Some(&roster), None)?.0,
        None => Default::default(),
    };
    let mut set = OutputSet::default();
    set.add_folder(dir.clone());
    let mut files = Vec::new();
    for u in units {
        let file = template_file_name(&u.code, &u.name, ws.year);
        let path = dir.join(&file);
        let target = Target {
            given: given.join(&file),
            dest: Dest::File(path.clone()),
        };
        if path.exists() && !untouched_template(&path) {
            return Err(RunError::new(
                format!(
                    "{} 已存在，且不是未填写的空白报表（可能是单位已填写的报表），不覆盖；请先移走它或换一个文件夹",
                    target.given.display()
                ),
                format!(
                    "{} exists and is not an untouched template (perhaps a unit's filled-in return): not replaced; move it or choose another folder",
                    target.given.display()
                ),
            ));
        }
        let last = prior.get(&u.code);
        let spec = TemplateSpec {
            unit_name: &u.name,
            year: ws.year,
            rules: &rules,
            prior: last.map(|p| PriorReturn {
                file: &p.file,
                values: &p.values,
            }),
        };
        let bytes = template_bytes(&spec).map_err(|e| {
            let why = e.message();
            RunError::new(
                format!("无法生成 {} 的空白报表：{}", u.name, why.zh),
                format!("cannot build the template of {}: {}", u.name, why.en),
            )
        })?;
        set.add(&target, bytes);
        files.push(TemplateFile {
            code: u.code.clone(),
            name: u.name.clone(),
            file,
            prefilled: last.map_or(0, |p| nianbao_write::prefills(&rules, &p.values).len()),
            had_prior: last.is_some(),
        });
    }
    set.commit()?;
    Ok(TemplateOutcome {
        dir: given,
        year: ws.year,
        prior: ws.prior.is_some(),
        files,
    })
}
