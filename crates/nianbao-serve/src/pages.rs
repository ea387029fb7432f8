//! The pages, compiled in (maud): Chinese, or English when the server's language is (the
//! official table labels stay Chinese, as in the workbook), one embedded style sheet and a few lines of script
//! (the drop zone; everything works without it), printable, laid out for a 1366×768 screen.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use nianbao_format::{
    Kind, Lang, UnitEntry, UnitStatus, code_and_name, field_index, fields, format_value, minutes,
};
use nianbao_pipeline::date::Date;

use crate::store::{self, Record};
use crate::{App, MAX_UPLOAD, tr};

const STYLE: &str = r#"
:root{--ink:#1d2733;--muted:#5b6773;--line:#d5dbe1;--ok:#1b7f3b;--warn:#a35f00;--err:#b42318;--accent:#1f5fa8;--bg:#f4f6f8}
*{box-sizing:border-box}
body{margin:0;font:15px/1.6 "Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC","WenQuanYi Micro Hei",sans-serif;color:var(--ink);background:var(--bg)}
header.top{background:#fff;border-bottom:1px solid var(--line);padding:8px 24px;display:flex;justify-content:space-between;align-items:center;gap:16px}
header.top .app{font-weight:700;color:var(--accent)}
header.top form{margin:0}
main{max-width:1300px;margin:0 auto;padding:16px 24px 40px}
section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:14px 20px;margin:0 0 14px}
h1{font-size:21px;margin:0 0 6px}
h2{font-size:17px;margin:0 0 10px}
p{margin:4px 0}
a{color:var(--accent)}
.muted{color:var(--muted);font-size:13px}
.badge{display:inline-block;padding:0 10px;border-radius:10px;font-size:13px;font-weight:600;color:#fff;white-space:nowrap}
.b-ok{background:var(--ok)}.b-warn{background:var(--warn)}.b-err{background:var(--err)}.b-none{background:#8a949e}.b-pending{background:var(--accent)}
.facts{display:flex;flex-wrap:wrap;gap:8px 28px;margin:6px 0 0}
.facts div b{font-size:18px}
table.list{border-collapse:collapse;width:100%;font-size:14px}
table.list th,table.list td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
table.list th{background:#f0f2f5;font-weight:600;white-space:nowrap}
table.list td.num{text-align:right;font-variant-numeric:tabular-nums}
table.fixes td.cell{font-weight:700;color:var(--err)}
table.fixes td.sug{font-weight:700;color:var(--ok)}
.recon{margin:10px 0 0;padding:10px 14px;background:#fafbfc;border:1px solid var(--line);border-radius:4px;font-size:14px}
.recon div{white-space:pre-wrap}
.recon .pass{color:var(--ok)}
.recon .fail{color:var(--err);font-weight:600}
.recon .detail{padding-left:2em}
.recon .verdict{font-weight:700;margin-top:6px}
.recon .bad{color:var(--err);font-weight:600}
.refusal{border-left:4px solid var(--err);background:#fdf1f0;padding:8px 12px;margin:10px 0}
.notice{border-left:4px solid var(--warn);background:#fdf6ea;padding:8px 12px;margin:10px 0}
.done{border-left:4px solid var(--ok);background:#eef8f1;padding:8px 12px;margin:10px 0}
.drop{display:block;border:2px dashed #9aa7b4;border-radius:8px;padding:18px;text-align:center;background:#fafbfc;cursor:pointer}
.drop.over{border-color:var(--accent);background:#eef4fb}
.drop input{margin:8px auto 0;display:block}
.row{display:flex;gap:12px;align-items:center;flex-wrap:wrap;margin-top:10px}
button{font:inherit;padding:5px 18px;border-radius:5px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:#fff;color:var(--accent)}
button.warn{background:var(--err);border-color:var(--err)}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:14px}
table.official{border-collapse:collapse;width:100%;table-layout:fixed;font-size:12px;line-height:1.35}
table.official td{border:1px solid #9aa3ad;padding:2px 4px;text-align:center;vertical-align:middle}
table.official .t-heading{text-align:left;font-weight:700;border:none;padding:10px 0 4px;font-size:14px}
table.official .t-label{text-align:left}
table.official .t-value{text-align:right;font-variant-numeric:tabular-nums}
table.official .t-header{background:#f0f2f5}
table.official .t-block{background:#f7f8fa;font-weight:600;text-align:left}
table.official tr.gap td{border:none;height:6px;padding:0}
@media print{
  body{background:#fff;font-size:12px}
  header.top form,.noprint{display:none!important}
  main{padding:0;max-width:none}
  section{border:none;padding:0;margin:0 0 12px;break-inside:avoid-page}
  .official-section{break-before:page}
  a{color:inherit;text-decoration:none}
}
"#;

const SCRIPT: &str = r#"
document.querySelectorAll('.drop').forEach(function(z){
  var input=z.querySelector('input[type=file]'),form=z.closest('form'),shown=z.querySelector('.chosen');
  ['dragenter','dragover'].forEach(function(t){z.addEventListener(t,function(e){e.preventDefault();z.classList.add('over');});});
  ['dragleave','drop'].forEach(function(t){z.addEventListener(t,function(e){e.preventDefault();z.classList.remove('over');});});
  z.addEventListener('drop',function(e){if(e.dataTransfer.files.length){input.files=e.dataTransfer.files;shown.textContent='正在上传并检查：'+input.files[0].name+' …';form.submit();}});
  input.addEventListener('change',function(){shown.textContent=input.files.length?'已选择：'+input.files[0].name:'';});
  form.addEventListener('submit',function(){if(input.files.length){shown.textContent='正在上传并检查：'+input.files[0].name+' …';}});
});
"#;

/// The `html lang` of a page.
fn html_lang(lang: Lang) -> &'static str {
    tr(lang, "zh-CN", "en")
}

/// The script, its messages in `lang`.
fn script(lang: Lang) -> String {
    match lang {
        Lang::Zh => SCRIPT.to_string(),
        Lang::En => SCRIPT
            .replace("'正在上传并检查：'", "'Uploading and checking: '")
            .replace("'已选择：'", "'Chosen: '"),
    }
}

fn page(lang: Lang, title: &str, logout_csrf: Option<&str>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(html_lang(lang)) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) (tr(lang, " · 年报", " · nianbao")) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header.top {
                    span.app { (tr(lang, "年报 · 政府信息公开工作年度报告统计表", "nianbao · annual report on government information disclosure")) }
                    @if let Some(csrf) = logout_csrf {
                        form method="post" action={ "/logout?csrf=" (csrf) } {
                            button.secondary type="submit" { (tr(lang, "退出", "Log out")) }
                        }
                    }
                }
                main { (body) }
                script { (PreEscaped(script(lang))) }
            }
        }
    }
}

/// A page with one message and a way back.
pub fn message(lang: Lang, title: &str, text: &str, back: Option<&str>) -> Markup {
    page(
        lang,
        title,
        None,
        html! {
            section {
                h1 { (title) }
                p { (text) }
                @if let Some(b) = back { p { a href=(b) { (tr(lang, "返回", "Back")) } } }
            }
        },
    )
}

/// What a visitor without a session sees.
pub fn login_hint(lang: Lang) -> Markup {
    page(
        lang,
        tr(lang, "请用链接登录", "Please log in with your link"),
        None,
        html! {
            section {
                h1 { (tr(lang, "请用发给本单位的链接登录", "Please log in with the link sent to your unit")) }
                p { (tr(lang,
                    "本页面只对各报送单位和区政府办开放。请打开区政府办发给本单位的专用链接（形如 http://…/u/…），浏览器会记住登录状态。",
                    "This page is open only to the reporting units and the district office. Open the link the district office sent to your unit (like http://…/u/…); the browser remembers the login.")) }
                p.muted { (tr(lang,
                    "链接丢失或失效时，请联系区政府办重新发放。",
                    "If the link is lost or no longer works, ask the district office for a new one.")) }
            }
        },
    )
}

pub fn bad_link(lang: Lang) -> Markup {
    message(
        lang,
        tr(lang, "链接无效", "Invalid link"),
        tr(
            lang,
            "这个链接无效或已作废。请联系区政府办重新发放本单位的链接。",
            "This link is invalid or has been revoked. Ask the district office for a new link for your unit.",
        ),
        None,
    )
}

/// After a good link: on to the token-less address.
pub fn logged_in(lang: Lang) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(html_lang(lang)) {
            head {
                meta charset="utf-8";
                meta name="referrer" content="no-referrer";
                meta http-equiv="refresh" content="0;url=/";
                title { (tr(lang, "已登录 · 年报", "Logged in · nianbao")) }
            }
            body { p { (tr(lang, "已登录。", "Logged in. ")) a href="/" { (tr(lang, "继续", "Continue")) } } }
        }
    }
}

/// A unit's state as the pages show it.
pub struct UnitState {
    pub label: String,
    pub class: &'static str,
    pub entry: Option<UnitEntry>,
    pub records: Vec<Record>,
}

impl UnitState {
    pub fn of(app: &App, code: &str) -> UnitState {
        let entry = {
            let snap = app.snapshot.read().unwrap_or_else(|e| e.into_inner());
            snap.report
                .as_ref()
                .and_then(|r| r.units.iter().find(|u| u.unit == code).cloned())
        };
        let records = store::all(&store::unit_dir(&app.ws, code));
        let filed = entry
            .as_ref()
            .filter(|e| e.status != UnitStatus::Missing)
            .map(|e| e.status);
        let lang = app.lang;
        let (label, class) = match filed {
            Some(s) => (s.label(lang).to_string(), status_class(s.as_str())),
            None if !records.is_empty() => (pending(lang).to_string(), "b-pending"),
            None => (UnitStatus::Missing.label(lang).to_string(), "b-none"),
        };
        UnitState {
            label,
            class,
            entry,
            records,
        }
    }

    fn filed(&self) -> Option<&UnitEntry> {
        self.entry
            .as_ref()
            .filter(|e| e.status != UnitStatus::Missing)
    }

    /// The upload submitted last.
    pub fn submitted(&self) -> Option<&Record> {
        self.records
            .iter()
            .filter(|r| !r.submitted.is_empty())
            .max_by_key(|r| r.submitted_us)
    }

    fn latest(&self) -> Option<&Record> {
        self.records.last()
    }

    /// Uploaded after the last submission (or never submitted).
    fn newer_upload(&self) -> bool {
        match (self.latest(), self.submitted()) {
            (Some(l), Some(s)) => l.uploaded_us > s.submitted_us,
            (Some(_), None) => true,
            _ => false,
        }
    }
}

/// The state of a unit that uploaded but has not submitted.
fn pending(lang: Lang) -> &'static str {
    tr(lang, "已上传未提交", "uploaded, not submitted")
}

fn status_class(id: &str) -> &'static str {
    match id {
        "ok" | "explained" => "b-ok",
        "warnings" => "b-warn",
        "missing" => "b-none",
        _ => "b-err",
    }
}

fn verdict_label(lang: Lang, r: &Record) -> (String, &'static str) {
    match r.verdict.status.as_str() {
        "other_unit" => (
            tr(lang, "非本单位报表", "another unit's return").into(),
            "b-err",
        ),
        "failed" => (tr(lang, "无法读取", "cannot be read").into(), "b-err"),
        s => (UnitStatus::label_of(s, lang), status_class(s)),
    }
}

/// What the unit page shows.
pub struct UnitView<'a> {
    app: &'a App,
    code: &'a str,
    office: bool,
    csrf: String,
    state: UnitState,
}

impl<'a> UnitView<'a> {
    pub fn of(app: &'a App, code: &'a str, office: bool, csrf: String) -> UnitView<'a> {
        UnitView {
            app,
            code,
            office,
            csrf,
            state: UnitState::of(app, code),
        }
    }
}

fn recon_line(line: &str) -> Markup {
    let class = if line.starts_with('✓') {
        "pass"
    } else if line.starts_with('✗') {
        "fail"
    } else if line.starts_with("    ") {
        "detail"
    } else if line.starts_with("结论") || line.starts_with("verdict") {
        "verdict"
    } else if line.starts_with("无法读取")
        || line.starts_with("cannot read")
        || line.starts_with('[')
    {
        "bad"
    } else {
        ""
    };
    html! { div class=(class) { (line.trim_start()) } }
}

pub fn unit_page(v: &UnitView<'_>) -> Markup {
    let app = v.app;
    let unit = app.unit(v.code);
    let label = unit
        .map(|u| code_and_name(&u.code, &u.name))
        .unwrap_or_default();
    let base = format!("/unit/{}", v.code);
    let st = &v.state;
    let template = crate::routes::template_path(app, v.code).is_some();
    let returned = crate::routes::returned_path(app, v.code).is_some();
    let submitted = st.submitted();
    let lang = app.lang;
    let zh = lang == Lang::Zh;
    let body = html! {
        section {
            @if v.office { p.muted.noprint { a href="/office" { (tr(lang, "← 返回全区报送情况", "← Back to the district overview")) } } }
            @if zh {
                h1 { (label) " · " (app.ws.year) " 年政府信息公开工作年度报告统计表" }
            } @else {
                h1 { (label) " · annual report on government information disclosure, " (app.ws.year) }
            }
            div.facts {
                div { (tr(lang, "状态：", "Status: ")) span class={ "badge " (st.class) } { (st.label) } }
                @if let Some(s) = submitted {
                    div { (tr(lang, "最近提交：", "Last submitted: ")) (minutes(s.last_submitted().unwrap_or(""))) }
                }
                @if let Some(e) = st.filed() {
                    @if zh {
                        div { "错误 " b { (e.errors) } " 处，警告 " b { (e.warnings) } " 处" }
                    } @else {
                        div { "Errors: " b { (e.errors) } ", warnings: " b { (e.warnings) } }
                    }
                }
                @if let Some(l) = st.latest() {
                    div { (tr(lang, "最近上传：", "Last uploaded: ")) (minutes(l.last_uploaded())) }
                }
            }
            @if template || returned {
                p.row.noprint {
                    @if template { a href={ (base) "/template" } { (tr(lang, "下载本单位空白统计表", "Download your unit's blank form")) } }
                    @if returned { a href={ (base) "/returned" } { (tr(lang, "下载区政府办退回修改文件（标出错误单元格）", "Download the file returned by the district office (wrong cells marked)")) } }
                }
            }
        }
        section.noprint {
            h2 { (tr(lang, "上传报表", "Upload a return")) }
            form method="post" enctype="multipart/form-data" action={ (base) "/upload?csrf=" (v.csrf) } {
                label.drop {
                    (tr(lang, "把填好的统计表（.xlsx、.xls、.ods、.et）拖到这里，或点击选择文件", "Drop the filled-in form (.xlsx, .xls, .ods, .et) here, or click to choose a file"))
                    input type="file" name="file" accept=".xlsx,.xlsm,.xls,.ods,.et";
                    span.chosen.muted {}
                }
                div.row {
                    button type="submit" { (tr(lang, "上传并检查", "Upload and check")) }
                    @if zh {
                        span.muted { "上传后立即检查，不会自动提交；文件不超过 " (MAX_UPLOAD / 1024 / 1024) " MiB。" }
                    } @else {
                        span.muted { "Checked at once, not submitted automatically; at most " (MAX_UPLOAD / 1024 / 1024) " MiB." }
                    }
                }
            }
        }
        @if let Some(r) = st.latest() { (check_section(v, r, &base)) }
        @if st.records.len() > 1 || submitted.is_some() {
            section {
                h2 { (tr(lang, "上传记录", "Uploads")) }
                table.list {
                    thead { tr {
                        th { (tr(lang, "上传时间", "Uploaded")) } th { (tr(lang, "文件", "File")) }
                        th { (tr(lang, "检查结果", "Check")) } th { (tr(lang, "提交", "Submitted")) } th.noprint { "" }
                    } }
                    tbody {
                        @for r in st.records.iter().rev() {
                            @let (vl, vc) = verdict_label(lang, r);
                            tr {
                                td { (minutes(r.last_uploaded())) }
                                td { (r.original_name) }
                                td { span class={ "badge " (vc) } { (vl) } }
                                td { @for t in &r.submitted { (minutes(t)) br; } }
                                td.noprint { a href={ (base) "/uploads/" (r.sha256) "/file" } { (tr(lang, "下载", "Download")) } }
                            }
                        }
                    }
                }
            }
        }
    };
    page(lang, &label, Some(&v.csrf), body)
}

fn check_section(v: &UnitView<'_>, r: &Record, base: &str) -> Markup {
    let lang = v.app.lang;
    let zh = lang == Lang::Zh;
    let (vl, vc) = verdict_label(lang, r);
    let verdict = &r.verdict;
    let current = v
        .state
        .submitted()
        .is_some_and(|s| s.sha256 == r.sha256 && !v.state.newer_upload());
    html! {
        section #check {
            h2 { (tr(lang, "检查结果：", "Check of ")) (r.original_name) }
            @if zh {
                p.muted { (minutes(r.last_uploaded())) " 上传，" (r.size) " 字节" }
            } @else {
                p.muted { "uploaded " (minutes(r.last_uploaded())) ", " (r.size) " bytes" }
            }
            p {
                span class={ "badge " (vc) } { (vl) }
                @if verdict.submittable {
                    @if zh {
                        " 错误 " b { (verdict.errors) } " 处，警告 " b { (verdict.warnings) } " 处"
                    } @else {
                        " errors: " b { (verdict.errors) } ", warnings: " b { (verdict.warnings) }
                    }
                }
            }
            @if let Some((rz, re)) = &verdict.refusal { div.refusal { (if zh { rz } else { re }) } }
            @if !verdict.fixes.is_empty() {
                h2 { (tr(lang, "最可能需要修改的单元格", "Cells most likely to need correcting")) }
                table.list.fixes {
                    thead { tr {
                        th { (tr(lang, "单元格", "Cell")) } th { (tr(lang, "项目", "Item")) }
                        th { (tr(lang, "现填", "Filled in")) } th { (tr(lang, "应为", "Should be")) }
                    } }
                    tbody {
                        @for f in &verdict.fixes {
                            tr {
                                td.cell { (f.cell) }
                                td { (f.label) }
                                td.num { (f.value) }
                                td.sug.num { (f.suggested) @if f.tied { (tr(lang, "（可能之一）", " (one of several possibilities)")) } }
                            }
                        }
                    }
                }
            }
            div.recon {
                @for line in (if zh { &verdict.lines_zh } else { &verdict.lines_en }) { (recon_line(line)) }
            }
            div.row.noprint {
                @if verdict.annotated {
                    a href={ (base) "/uploads/" (r.sha256) "/annotated" } {
                        (tr(lang, "下载标注后的报表（错误单元格标红，附问题清单）", "Download the annotated return (wrong cells in red, with a list of problems)"))
                    }
                }
            }
            @if current {
                @if zh {
                    div.done #submitted { "此版本已提交（" (minutes(r.last_submitted().unwrap_or(""))) "），已计入全区汇总。如需更正，请上传新的版本。" }
                } @else {
                    div.done #submitted { "This version was submitted (" (minutes(r.last_submitted().unwrap_or(""))) ") and is in the district totals. To correct it, upload a new version." }
                }
            } @else if verdict.submittable {
                form.noprint method="post" action={ (base) "/submit?csrf=" (v.csrf) } {
                    input type="hidden" name="sha" value=(r.sha256);
                    @if verdict.errors > 0 {
                        @if zh {
                            div.notice { "本报表还有 " (verdict.errors) " 处错误。建议改正后重新上传；也可以照此提交，由区政府办决定。" }
                        } @else {
                            div.notice { "This return still has " (verdict.errors) " error(s). Better correct them and upload again; it can also be submitted as it is, for the district office to decide." }
                        }
                        button.warn type="submit" { (tr(lang, "仍然提交", "Submit anyway")) }
                    } @else {
                        button type="submit" { (tr(lang, "提交", "Submit")) }
                    }
                    span.muted { (tr(lang, " 提交后替换本单位之前提交的版本。", " Replaces the version your unit submitted before.")) }
                }
            }
        }
    }
}

fn changes_section(app: &App) -> Markup {
    let snap = app.snapshot.read().unwrap_or_else(|e| e.into_inner());
    let c = &snap.changes;
    let name = |code: &str| code_and_name(code, app.unit(code).map_or("", |u| u.name.as_str()));
    let lang = app.lang;
    let zh = lang == Lang::Zh;
    let list = |codes: &[String]| {
        codes
            .iter()
            .map(|c| name(c))
            .collect::<Vec<_>>()
            .join(tr(lang, "、", ", "))
    };
    // "新报送 3 个：…" / "newly filed (3): …"
    let counted = |zh_head: &str, en_head: &str, codes: &[String]| {
        if zh {
            format!("{zh_head} {} 个：{}", codes.len(), list(codes))
        } else {
            format!("{en_head} ({}): {}", codes.len(), list(codes))
        }
    };
    html! {
        section {
            h2 {
                (tr(lang, "自上次夜间汇总以来的变化", "Changes since the last nightly run"))
                @if let Some(t) = &c.since {
                    @if zh { span.muted { "（" (minutes(t)) " 以来）" } }
                    @else { span.muted { " (since " (minutes(t)) ")" } }
                }
            }
            @if c.is_empty() {
                p.muted { (tr(lang, "没有变化。", "No changes.")) }
            } @else {
                ul {
                    @for (codes, zh_head, en_head) in c.unit_lists() {
                        @if !codes.is_empty() { li { (counted(zh_head, en_head, codes)) } }
                    }
                    @for s in &c.status_changed {
                        li { (name(&s.unit)) (tr(lang, "：", ": ")) (UnitStatus::label_of(&s.from, lang)) " → " (UnitStatus::label_of(&s.to, lang)) }
                    }
                    @if !c.totals_changed.is_empty() {
                        li {
                            @if zh { "全区合计变化 " (c.totals_changed.len()) " 项：" }
                            @else { "district totals changed in " (c.totals_changed.len()) " items: " }
                            @for (i, t) in c.totals_changed.iter().take(12).enumerate() {
                                @let idx = field_index(&t.field);
                                @let kind = idx.map_or(Kind::Count, |i| fields()[i].kind);
                                @if i > 0 { (tr(lang, "；", "; ")) }
                                (idx.map_or_else(|| t.field.clone(), |i| fields()[i].label_zh()))
                                " " (format_value(kind, t.from)) " → " (format_value(kind, t.to))
                            }
                            @if c.totals_changed.len() > 12 { (tr(lang, "；等", "; …")) }
                        }
                    }
                }
            }
        }
    }
}

pub fn office_page(app: &App, csrf: &str) -> Markup {
    let states: Vec<(&nianbao_format::Unit, UnitState)> = app
        .roster
        .iter()
        .map(|u| (u, UnitState::of(app, &u.code)))
        .collect();
    let lang = app.lang;
    let zh = lang == Lang::Zh;
    let (report_at, error, coverage, totals) = {
        let snap = app.snapshot.read().unwrap_or_else(|e| e.into_inner());
        (
            snap.at.clone(),
            snap.error.as_ref().map(|m| m.get(lang).to_string()),
            snap.report.as_ref().map(|r| r.coverage.label(lang)),
            snap.report.as_ref().map(|r| r.totals.clone()),
        )
    };
    let count = |l: &str| states.iter().filter(|(_, s)| s.label == l).count();
    let filed = states.iter().filter(|(_, s)| s.filed().is_some()).count();
    let body = html! {
        section {
            @if zh {
                h1 { (app.ws.year) " 年政府信息公开工作年度报告 · 全区报送情况" }
            } @else {
                h1 { "Annual report on government information disclosure, " (app.ws.year) " · district overview" }
            }
            div.facts {
                @if zh { div { "应报 " b { (states.len()) } " 个单位" } }
                @else { div { "Units expected: " b { (states.len()) } } }
                div { (tr(lang, "已提交 ", "Submitted: ")) b { (filed) } }
                div { (tr(lang, "已上传未提交 ", "Uploaded, not submitted: ")) b { (count(pending(lang))) } }
                div { (tr(lang, "未报送 ", "Not filed: ")) b { (count(UnitStatus::Missing.label(lang))) } }
                @if let Some(c) = &coverage { div { (tr(lang, "计入汇总 ", "In the totals: ")) b { (c) } } }
                @if let Some(d) = app.ws.deadline {
                    @let left = d.days() - Date::today().days();
                    div {
                        @if zh {
                            @if left >= 0 { "距报送截止（" (d) "）还有 " b { (left) } " 天" }
                            @else { "已过报送截止（" (d) "）" b { (-left) } " 天" }
                        } @else {
                            @if left >= 0 { "Days to the deadline (" (d) "): " b { (left) } }
                            @else { "Days past the deadline (" (d) "): " b { (-left) } }
                        }
                    }
                }
            }
            p.muted { (tr(lang, "最近一次汇总：", "Last consolidation: ")) (minutes(&report_at)) }
            @if let Some(e) = &error { div.refusal { (tr(lang, "最近一次汇总未完成：", "The last consolidation did not finish: ")) (e) } }
            p.row.noprint {
                a href="/office/summary" { (tr(lang, "下载 汇总.xlsx", "Download 汇总.xlsx")) }
                a href="/office/report" { (tr(lang, "下载 report.json", "Download report.json")) }
            }
        }
        section {
            h2 { (tr(lang, "各单位", "Units")) }
            table.list {
                thead { tr {
                    th { (tr(lang, "代码", "Code")) } th { (tr(lang, "单位", "Unit")) } th { (tr(lang, "状态", "Status")) }
                    th { (tr(lang, "错误", "Errors")) } th { (tr(lang, "警告", "Warnings")) }
                    th { (tr(lang, "最近上传", "Last uploaded")) } th { (tr(lang, "最近提交", "Last submitted")) }
                    th.noprint { (tr(lang, "检查结果", "Check")) } th.noprint { (tr(lang, "退回文件", "Returned file")) }
                } }
                tbody {
                    @for (u, s) in &states {
                        tr {
                            td { (u.code) }
                            td { (u.name) }
                            td {
                                span class={ "badge " (s.class) } { (s.label) }
                                @if s.filed().is_some() && s.newer_upload() { " " span.muted { (tr(lang, "有新上传未提交", "newer upload not submitted")) } }
                            }
                            @match s.filed() {
                                Some(e) => { td.num { (e.errors) } td.num { (e.warnings) } }
                                None => { td.num { "—" } td.num { "—" } }
                            }
                            td { @if let Some(l) = s.latest() { (minutes(l.last_uploaded())) } }
                            td { @if let Some(x) = s.submitted() { (minutes(x.last_submitted().unwrap_or(""))) } }
                            td.noprint { @if !s.records.is_empty() || s.filed().is_some() { a href={ "/unit/" (u.code) } { (tr(lang, "查看", "View")) } } }
                            td.noprint { @if crate::routes::returned_path(app, &u.code).is_some() { a href={ "/unit/" (u.code) "/returned" } { (tr(lang, "下载", "Download")) } } }
                        }
                    }
                }
            }
        }
        (changes_section(app))
        section.official-section {
            h2 { (tr(lang, "全区合计（按计入汇总的单位）", "District totals (of the units in the totals)")) }
            @match &totals {
                Some(t) => { (crate::totals::official_tables(t)) }
                None => { p.muted { (tr(lang, "尚无可汇总的报表。", "No returns to total yet.")) } }
            }
        }
    };
    page(
        lang,
        tr(lang, "全区报送情况", "District overview"),
        Some(csrf),
        body,
    )
}
