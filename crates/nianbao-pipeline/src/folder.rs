//! `consolidate` a folder: check the outputs, find and read the returns, load last year,
//! consolidate, and write the workbook, the JSON report and the annotated returns as one set.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use nianbao_consolidate::{FrameFormat, Options, Prefer, Prior, Roster, write_frame};
use nianbao_format::{
    Changes, FileEntry, FileStatus, GENERATED_ANNOTATED, Lang, Msg, Report, UnitStatus,
    WaiverOutcome,
};
use nianbao_rules::RuleSet;
use nianbao_write::{WriteOptions, annotated_file_name, write_json_report, write_workbook};

use crate::cache::{Cache, KeptParts, sha256_hex};
use crate::discover::{Discovery, discover};
use crate::outputs::{self, Fill, Kind, OutputSet, Target};
use crate::read::{Assess, Progress, Silent, read_all};
use crate::{RunError, annotated_bytes, consolidate_failed, load_roster_hashed, load_rules_hashed};

/// What `consolidate` is asked to do.
#[derive(Debug, Clone)]
pub struct FolderRequest {
    pub returns_dir: PathBuf,
    pub roster: Option<PathBuf>,
    /// Last year's returns folder, for the cross-year rules per unit; or last year's published
    /// report of the district (one file: a page, its text, a Word file, a 汇总.xlsx), for the
    /// cross-year rules on the totals.
    pub prior: Option<PathBuf>,
    pub rules: Option<PathBuf>,
    /// The waiver file (出错说明, CSV): explanations the office accepted, applied after the
    /// consolidation; an input, like the roster and the rules.
    pub waivers: Option<PathBuf>,
    pub prefer: Prefer,
    /// The year consolidated; None: the year most returns name. Returns of another year are
    /// kept out of the totals.
    pub year: Option<i32>,
    /// The combined workbook (.xlsx).
    pub workbook: PathBuf,
    /// The JSON report; `-` is standard output.
    pub json: Option<PathBuf>,
    /// The folder for the annotated returns of units with errors.
    pub annotate: Option<PathBuf>,
    /// The name of the body consolidated (a district: "金山区"): 全区汇总's title and 填报单位,
    /// so that its city reads the workbook as the district's return.
    pub name: Option<String>,
    /// The unit × field frame for analysts, as Parquet.
    pub parquet: Option<PathBuf>,
    /// The same frame as CSV (UTF-8 with a byte-order mark).
    pub csv: Option<PathBuf>,
    pub lang: Lang,
    /// Read through the cache in this folder (the workspace's `.nianbao/cache`): files whose
    /// bytes were read before are not read again.
    pub cache: Option<PathBuf>,
}

/// What a consolidation did.
#[derive(Debug)]
pub struct FolderOutcome {
    pub report: Report,
    /// Annotated returns written (file names in the annotate folder).
    pub annotated: Vec<String>,
    /// Annotated returns of earlier runs removed because their unit no longer has errors (or
    /// no longer sends the same file).
    pub stale_removed: Vec<String>,
    /// Annotated returns not written: a file of the same name is there that nianbao did not
    /// write, or whose values were edited since (a unit's correction); it is left as it is.
    pub left_alone: Vec<String>,
    /// What the explanations did (the same as `report.waivers`).
    pub waivers: WaiverOutcome,
}

/// The checked output locations of a run.
struct Planned {
    workbook: Target,
    json: Option<Target>,
    /// The frame's exports: Parquet, CSV.
    parquet: Option<Target>,
    csv: Option<Target>,
    annotate: Option<PathBuf>,
    /// Where the returns are (an annotated return may need its file read again).
    returns_dir: PathBuf,
}

impl Planned {
    /// The output files (the annotated returns aside).
    fn files(&self) -> impl Iterator<Item = &Target> {
        std::iter::once(&self.workbook)
            .chain(&self.json)
            .chain(&self.parquet)
            .chain(&self.csv)
    }
}

fn plan(req: &FolderRequest) -> Result<Planned, RunError> {
    // The JSON report and the frame's exports may also go to a stream.
    let data = |p: &Option<PathBuf>| {
        p.as_deref()
            .map(|p| outputs::resolve(p, Kind::Json))
            .transpose()
    };
    let planned = Planned {
        workbook: outputs::resolve(&req.workbook, Kind::Workbook)?,
        json: data(&req.json)?,
        parquet: data(&req.parquet)?,
        csv: data(&req.csv)?,
        annotate: req
            .annotate
            .as_deref()
            .map(outputs::resolve_folder)
            .transpose()?,
        returns_dir: req.returns_dir.clone(),
    };
    outputs::refuse_same_twice(&planned.files().collect::<Vec<_>>())?;
    Ok(planned)
}

/// Refuses any output that is an input: the roster, the rule file, or a return (this year's or
/// last year's) that nianbao did not write itself.
fn refuse_inputs(planned: &Planned, fixed: &[&Path], found: &[&Discovery]) -> Result<(), RunError> {
    for t in planned.files() {
        for input in fixed {
            outputs::refuse_input(t, input)?;
        }
    }
    // Each file looked at once, not once per output (2,000 returns, four outputs).
    let targets: Vec<_> = planned
        .files()
        .filter_map(|t| Some((t, outputs::file_id(t.file()?)?)))
        .collect();
    if targets.is_empty() {
        return Ok(());
    }
    for f in found
        .iter()
        .flat_map(|d| &d.files)
        .filter(|f| f.spreadsheet)
    {
        let Some(id) = outputs::file_id(&f.path) else {
            continue;
        };
        for (t, _) in targets.iter().filter(|(_, tid)| *tid == id) {
            if !is_ours(&f.path) {
                outputs::refuse_input(t, &f.path)?;
            }
        }
    }
    Ok(())
}

/// Whether a file carries nianbao's marker of an output (an earlier output, safe to replace);
/// a template is a return form, not such an output.
fn is_ours(path: &Path) -> bool {
    std::fs::read(path)
        .ok()
        .and_then(|b| nianbao_read::generated_mark(&b))
        .is_some_and(|m| !nianbao_format::mark_is_return(&m))
}

/// Last year's values by unit key.
type PriorValues = HashMap<String, Prior>;

/// Last year's returns by unit key, read from last year's folder; with their content hashes
/// when read through a cache.
pub(crate) fn load_prior(
    found: &Discovery,
    roster: Option<&Roster>,
    cache: Option<&Cache>,
) -> Result<(PriorValues, BTreeMap<String, String>), RunError> {
    let sheets: Vec<_> = found.files.iter().filter(|f| f.spreadsheet).collect();
    let read = read_all(&sheets, &Silent, cache, None, roster);
    let report = nianbao_consolidate::consolidate(read.inputs, roster, &Options::default())
        .map_err(consolidate_failed)?
        .report;
    Ok((prior_of(report), read.hashes))
}

/// Last year given as one file, the district's published report (or its 汇总.xlsx): its values
/// for the cross-year rules on this year's totals, and its content hash.
fn load_prior_file(path: &Path) -> Result<(Prior, BTreeMap<String, String>), RunError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ret = nianbao_read::read_path(path).map_err(|e| {
        RunError::new(
            format!("无法读取上年报告 {}：{}", path.display(), e.message.zh),
            format!(
                "cannot read last year's report {}: {}",
                path.display(),
                e.message.en
            ),
        )
    })?;
    let mut hashes = BTreeMap::new();
    if let Ok((_, sha)) = crate::cache::read_hashed(path) {
        hashes.insert(name.clone(), sha);
    }
    let values = ret.readings.iter().map(|r| r.value).collect();
    Ok((Prior { file: name, values }, hashes))
}

/// The values of every unit with exactly one readable return, with its file.
pub fn prior_of(report: Report) -> HashMap<String, Prior> {
    report
        .units
        .into_iter()
        .filter(|u| u.status.in_totals())
        .filter_map(|u| {
            let file = u.files.first().cloned().unwrap_or_default();
            let values = u.values?.iter().collect();
            Some((u.unit, Prior { file, values }))
        })
        .collect()
}

/// The hash of everything a return's assessment depends on besides its file (see
/// [`crate::cache::assessment_key`]): the roster and the rule file (`settings`), the year, and
/// last year's returns, whose values the cross-year rules compare with. The built-in rules and
/// the code are the build's, which the cache's assessments are kept for alone.
fn assessment_context(
    settings: &str,
    year: Option<i32>,
    prior_hashes: &BTreeMap<String, String>,
) -> String {
    let mut text = format!("{settings}year {year:?}\n");
    for (rel, sha) in prior_hashes {
        text.push_str(&format!("prior {rel}\t{sha}\n"));
    }
    sha256_hex(text.as_bytes())
}

/// Consolidates a folder of returns and writes the outputs as one set.
pub fn consolidate_folder(
    req: &FolderRequest,
    progress: &dyn Progress,
) -> Result<FolderOutcome, RunError> {
    prepare(req, progress)?.write()
}

/// A consolidation done and not written yet: its report, and what writing it takes.
pub struct Prepared {
    pub report: Report,
    /// Content hashes of this year's files (relative path → SHA-256), when read through a cache.
    pub hashes: BTreeMap<String, String>,
    /// The same of last year's files.
    pub prior_hashes: BTreeMap<String, String>,
    /// Files answered from the cache and read fresh.
    pub cached: usize,
    pub fresh: usize,
    planned: Planned,
    rules: RuleSet,
    lang: Lang,
    name: Option<String>,
    /// The workbook's deflated parts kept in the cache, when read through one.
    kept_parts: Option<std::sync::Arc<KeptParts>>,
}

/// Checks the outputs, reads and consolidates: everything but writing.
pub fn prepare(req: &FolderRequest, progress: &dyn Progress) -> Result<Prepared, RunError> {
    let planned = plan(req)?;
    let roster = load_roster_hashed(req.roster.as_deref())?;
    let (rules, rules_sha) = load_rules_hashed(req.rules.as_deref())?;
    // The hashes of the very bytes the roster and the rules were read from.
    let settings = format!(
        "roster {:?}\nrules {rules_sha:?}\n",
        roster.as_ref().map(|(_, sha)| sha)
    );
    let roster = roster.map(|(r, _)| r);
    let waivers = req
        .waivers
        .as_deref()
        .map(|p| crate::waivers::load(p, &rules, roster.as_ref()))
        .transpose()?;
    let found = discover(&req.returns_dir)?;
    // Last year as one file (the district's published report) or as a folder of returns.
    let prior_file = req.prior.as_deref().filter(|p| p.is_file());
    let prior_found = match prior_file {
        Some(_) => None,
        None => req.prior.as_deref().map(discover).transpose()?,
    };
    let fixed: Vec<&Path> = req
        .roster
        .iter()
        .chain(&req.rules)
        .chain(&req.waivers)
        .map(PathBuf::as_path)
        .chain(prior_file)
        .collect();
    let all_found: Vec<&Discovery> = std::iter::once(&found).chain(&prior_found).collect();
    refuse_inputs(&planned, &fixed, &all_found)?;

    let cache = req.cache.as_ref().map(|d| Cache::new(d.clone()));
    let (prior, mut prior_hashes) = match &prior_found {
        Some(p) => load_prior(p, roster.as_ref(), cache.as_ref())?,
        None => Default::default(),
    };
    let prior_district = match prior_file {
        Some(p) => {
            let (prior, hashes) = load_prior_file(p)?;
            prior_hashes.extend(hashes);
            Some(prior)
        }
        None => None,
    };
    let opts = Options {
        prefer: req.prefer,
        rules,
        prior,
        prior_district,
        year: req.year,
        keep_readings: false,
    };
    let sheets: Vec<_> = found.files.iter().filter(|f| f.spreadsheet).collect();
    let check = |input: &mut nianbao_consolidate::Input| {
        nianbao_consolidate::assess_input(input, roster.as_ref(), &opts)
    };
    let context = assessment_context(&settings, req.year, &prior_hashes);
    let assess = Assess {
        check: &check,
        context: &context,
    };
    let read = read_all(
        &sheets,
        progress,
        cache.as_ref(),
        Some(assess),
        roster.as_ref(),
    );
    let hashes = read.hashes;
    let (inputs, own_outputs) = (read.inputs, read.ours);
    if inputs.is_empty() {
        return Err(RunError::new(
            format!("未找到任何报表文件：{}", req.returns_dir.display()),
            format!("no return found in {}", req.returns_dir.display()),
        ));
    }
    let mut report = nianbao_consolidate::consolidate(inputs, roster.as_ref(), &opts)
        .map_err(consolidate_failed)?
        .report;
    if let Some(waivers) = &waivers {
        crate::waivers::apply(&mut report, waivers, crate::date::Date::today());
    }
    report.files.extend(own_outputs);
    for f in found.files.iter().filter(|f| !f.spreadsheet) {
        report.files.push(FileEntry {
            file: f.rel.clone(),
            status: FileStatus::Skipped,
            unit: None,
            error: Some(Msg::new(
                "不是表格文件（.xlsx/.xls/.ods）或年报（.html/.txt/.docx），已跳过",
                "not a spreadsheet (.xlsx/.xls/.ods) or a report (.html/.txt/.docx); skipped",
            )),
        });
    }
    for (dir, why) in &found.unreadable {
        report.files.push(FileEntry {
            file: dir.clone(),
            status: FileStatus::Failed,
            unit: None,
            error: Some(why.clone()),
        });
    }
    report.files.sort_by(|x, y| x.file.cmp(&y.file));
    let (cached, fresh) = cache.as_ref().map_or((0, 0), Cache::counts);
    if let Some(cache) = &cache {
        cache.save();
    }
    Ok(Prepared {
        report,
        hashes,
        prior_hashes,
        cached,
        fresh,
        planned,
        rules: opts.rules,
        lang: req.lang,
        name: req.name.clone(),
        kept_parts: req
            .cache
            .as_deref()
            .and_then(KeptParts::new)
            .map(std::sync::Arc::new),
    })
}

impl Prepared {
    /// Writes the workbook, the JSON report and the annotated returns as one set.
    pub fn write(self) -> Result<FolderOutcome, RunError> {
        self.write_with(None, None)
    }

    /// The same, with what changed since the workspace's last run (sheet 变化, JSON `changes`)
    /// and the deadline (date, passed).
    pub fn write_with_changes(
        self,
        changes: Changes,
        deadline: Option<(String, bool)>,
    ) -> Result<FolderOutcome, RunError> {
        self.write_with(Some(changes), deadline)
    }

    fn write_with(
        self,
        changes: Option<Changes>,
        deadline: Option<(String, bool)>,
    ) -> Result<FolderOutcome, RunError> {
        let wopts = WriteOptions {
            lang: self.lang,
            year: self.report.year,
            // The rules the run checked, so that messages and titles are rendered from them.
            rules: Some(std::sync::Arc::new(self.rules)),
            changes,
            deadline,
            district: self.name,
            memo: self
                .kept_parts
                .clone()
                .map(|k| k as std::sync::Arc<dyn nianbao_write::DeflateMemo>),
        };
        let written = write_outputs(self.report, &self.planned, &wopts);
        if let Some(kept) = &self.kept_parts {
            kept.save();
        }
        written
    }
}

fn write_outputs(
    report: Report,
    planned: &Planned,
    wopts: &WriteOptions,
) -> Result<FolderOutcome, RunError> {
    let mut set = OutputSet::default();
    // The workbook and the JSON report are written at the same time, a thread each.
    let mut written: Vec<(&Target, Fill<'_>)> = vec![(
        &planned.workbook,
        Box::new(|out: &mut (dyn std::io::Write + Send)| {
            write_workbook(&report, wopts, out).map_err(|e| {
                RunError::new(
                    format!("生成汇总工作簿失败：{}", e.message().zh),
                    format!("cannot build the workbook: {}", e.message().en),
                )
            })
        }),
    )];
    if let Some(json) = &planned.json {
        written.push((
            json,
            Box::new(|out: &mut (dyn std::io::Write + Send)| {
                write_json_report(&report, wopts, out).map_err(|e| {
                    RunError::new(
                        format!("无法写入 JSON 报告：{e}"),
                        format!("cannot write the JSON report: {e}"),
                    )
                })
            }),
        ));
    }
    // The analysts' frame, as Parquet and CSV, on threads of their own too.
    for (target, format) in [
        (&planned.parquet, FrameFormat::Parquet),
        (&planned.csv, FrameFormat::Csv),
    ] {
        if let Some(target) = target {
            let report = &report;
            written.push((
                target,
                Box::new(move |out: &mut (dyn std::io::Write + Send)| {
                    write_frame(&report.units, report.year, format, out).map_err(|e| {
                        RunError::new(
                            format!("无法写出分单位数据表：{e}"),
                            format!("cannot write the unit frame: {e}"),
                        )
                    })
                }),
            ));
        }
    }
    set.add_written_together(written)?;
    let mut annotated = Vec::new();
    let mut left_alone = Vec::new();
    if let Some(dir) = &planned.annotate {
        set.add_folder(dir.clone());
        let by_unit = crate::violations_by_unit(&report);
        for u in report
            .units
            .iter()
            .filter(|u| u.status == UnitStatus::Errors)
        {
            let name = annotated_file_name(u);
            let path = dir.join(&name);
            let target = Target {
                given: path.clone(),
                dest: outputs::Dest::File(path.clone()),
            };
            // A file of that name nianbao did not write, or whose values were edited since (a
            // unit's correction, perhaps a return of this run): left as it is, and said so.
            if path.exists() && !is_ours(&path) {
                left_alone.push(name);
                continue;
            }
            let own = by_unit.get(u.unit.as_str()).map_or(&[][..], Vec::as_slice);
            // A unit whose error was known only after every return was read (another year)
            // kept no readings: its file is read again.
            let reread;
            let unit = match (&u.readings, u.files.first()) {
                (None, Some(file)) => {
                    let mut again = u.clone();
                    again.readings = nianbao_read::read_path(&planned.returns_dir.join(file))
                        .ok()
                        .map(|r| r.readings);
                    reread = again;
                    &reread
                }
                _ => u,
            };
            if unit.readings.is_none() {
                continue;
            }
            set.add(&target, annotated_bytes(unit, own, wopts)?);
            annotated.push(target);
        }
    }
    let all: Vec<&Target> = planned.files().chain(&annotated).collect();
    outputs::refuse_same_twice(&all)?;
    let annotated: Vec<String> = annotated
        .iter()
        .filter_map(|t| t.given.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    set.commit()?;
    let stale_removed = match &planned.annotate {
        Some(dir) => remove_stale_annotated(dir, &annotated),
        None => Vec::new(),
    };
    Ok(FolderOutcome {
        waivers: report.waivers.clone(),
        report,
        annotated,
        stale_removed,
        left_alone,
    })
}

/// Removes the annotated returns an earlier run left in `dir` that this run did not write
/// again (their unit has no errors now), as long as nobody changed them: a 退回 file whose
/// values were edited is a unit's correction and stays.
fn remove_stale_annotated(dir: &Path, written: &[String]) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if written.contains(&name) || !name.to_ascii_lowercase().ends_with(".xlsx") {
            continue;
        }
        let path = e.path();
        let Ok(ret) = nianbao_read::read_path(&path) else {
            continue;
        };
        let annotated = ret
            .generated
            .as_deref()
            .is_some_and(|m| m.starts_with(GENERATED_ANNOTATED));
        if annotated
            && crate::read::own_output(ret.generated.as_deref(), &ret.readings).is_some()
            && std::fs::remove_file(&path).is_ok()
        {
            removed.push(name);
        }
    }
    removed.sort();
    removed
}
