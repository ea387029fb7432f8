//! The words a clerk reads for the ids the code uses: a rule's or a problem's title, a field's
//! label.

use nianbao_format::{Lang, T3_COLS, T3_ROWS, T4_GROUPS, Table, field_index, fields};
use nianbao_rules::RuleSet;

/// The title of a rule or problem id: the rule's description from the rule set, the problem's
/// title, or the id itself when neither knows it.
pub fn rule_title(id: &str, rules: &RuleSet, lang: Lang) -> String {
    if let Some(r) = rules.rules.iter().find(|r| r.id == id) {
        return r.description.get(lang).to_string();
    }
    if let Some(title) = nianbao_format::problem::title(id, lang) {
        return title.to_string();
    }
    id.to_string()
}

/// An official label without its leading enumerator ("一、", "（三）", "4.").
fn bare(label: &str) -> &str {
    nianbao_format::strip_enumerator(label)
}

fn without_note(label: &str) -> &str {
    match label.find('（') {
        Some(i) if i > 0 && label.ends_with('）') => &label[..i],
        _ => label,
    }
}

/// A field's label in the clerk's words, from the official labels: "表三 依申请公开
/// 本年新收政府信息公开申请数量 自然人", "表四 复议诉讼 行政诉讼 复议后起诉 尚未审结". In English, the
/// id spelled out ("table 3: new › natural person"). Last year's value ("prior." ids) says so; an
/// unknown id is shown as it is.
pub fn field_label(id: &str, lang: Lang) -> String {
    if let Some(rest) = id.strip_prefix(nianbao_format::PRIOR_PREFIX) {
        let label = field_label(rest, lang);
        return match lang {
            Lang::Zh => format!("上年报表 {label}"),
            Lang::En => format!("last year's {label}"),
        };
    }
    let Some(i) = field_index(id) else {
        return id.to_string();
    };
    let f = &fields()[i];
    if lang == Lang::En {
        let words = id
            .split_once('.')
            .map_or(id, |(_, rest)| rest)
            .replace('.', " › ")
            .replace('_', " ");
        return format!("{}: {words}", f.table.short_en());
    }
    let mut parts: Vec<&str> = vec![f.table.short_zh()];
    match f.table {
        Table::T2 => {
            parts.push("主动公开");
            parts.push(f.row_label.as_str());
            parts.push(f.col_label);
        }
        Table::T3 => {
            parts.push("依申请公开");
            let row = &T3_ROWS[f.row];
            match (row.group, row.subgroup) {
                // "（七）总计": the total of the results.
                (Some(_), None) if row.id == "total" => parts.push("办理结果总计"),
                (Some(_), None) => {
                    parts.push("办理结果");
                    parts.push(without_note(bare(row.label)));
                }
                (_, Some(sg)) => {
                    parts.push(bare(sg));
                    parts.push(without_note(bare(row.label)));
                }
                (None, None) => parts.push(without_note(bare(row.label))),
            }
            if let Some(parent) = T3_COLS[f.col].2 {
                parts.push(parent);
            }
            parts.push(f.col_label);
        }
        Table::T4 => {
            parts.push("复议诉讼");
            if let Some(parent) = T4_GROUPS[f.row].2 {
                parts.push(parent);
            }
            parts.push(T4_GROUPS[f.row].1);
            parts.push(f.col_label);
        }
    }
    parts.join(" ")
}

/// The labels of a list of field ids for one cell: each on its own line, at most `max` of them
/// and then how many more.
pub fn field_labels(ids: &[String], max: usize, lang: Lang) -> String {
    let mut lines: Vec<String> = ids.iter().take(max).map(|f| field_label(f, lang)).collect();
    if ids.len() > max {
        lines.push(match lang {
            Lang::Zh => format!("……共 {} 项", ids.len()),
            Lang::En => format!("… {} in all", ids.len()),
        });
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_labelled_with_the_official_words() {
        let zh = |id: &str| field_label(id, Lang::Zh);
        assert_eq!(
            zh("t3.new.natural_person"),
            "表三 依申请公开 本年新收政府信息公开申请数量 自然人"
        );
        assert_eq!(
            zh("t3.withheld.third_party.total"),
            "表三 依申请公开 不予公开 保护第三方合法权益 总计"
        );
        assert_eq!(
            zh("t3.partly_granted.commercial"),
            "表三 依申请公开 办理结果 部分公开 法人或其他组织 商业企业"
        );
        assert_eq!(
            zh("t3.total.other_org"),
            "表三 依申请公开 办理结果总计 法人或其他组织 其他"
        );
        assert_eq!(
            zh("t3.carried_forward.total"),
            "表三 依申请公开 结转下年度继续办理 总计"
        );
        assert_eq!(
            zh("t2.regulations.issued"),
            "表二 主动公开 规章 本年制发件数"
        );
        assert_eq!(
            zh("t4.suit_after_review.pending"),
            "表四 复议诉讼 行政诉讼 复议后起诉 尚未审结"
        );
        assert_eq!(zh("t4.review.upheld"), "表四 复议诉讼 行政复议 结果维持");
        assert_eq!(
            zh("prior.t3.carried_forward.natural_person"),
            "上年报表 表三 依申请公开 结转下年度继续办理 自然人"
        );
        assert_eq!(zh("t9.nothing"), "t9.nothing");
        assert_eq!(
            field_label("t3.withheld.third_party.total", Lang::En),
            "table 3: withheld › third party › total"
        );
    }

    #[test]
    fn every_field_has_a_chinese_label_without_ids() {
        for f in fields() {
            let l = field_label(&f.id, Lang::Zh);
            assert!(!l.contains('.') && !l.contains('_'), "{}: {l}", f.id);
            for part in l.split(' ') {
                assert_eq!(bare(part), part, "{}: {l}", f.id);
            }
        }
    }

    #[test]
    fn rules_and_problems_have_chinese_titles() {
        let rules = RuleSet::builtin();
        for r in &rules.rules {
            let t = rule_title(&r.id, rules, Lang::Zh);
            assert_eq!(t, r.description.zh);
        }
        for (id, zh, en) in nianbao_format::problem::TITLES {
            assert_eq!(rule_title(id, rules, Lang::Zh), *zh);
            assert_eq!(rule_title(id, rules, Lang::En), *en);
        }
        assert_eq!(rule_title("mine", rules, Lang::Zh), "mine");
    }

    #[test]
    fn long_lists_of_labels_are_cut() {
        let ids: Vec<String> = fields().iter().take(9).map(|f| f.id.clone()).collect();
        let text = field_labels(&ids, 3, Lang::Zh);
        assert_eq!(text.lines().count(), 4);
        assert!(text.ends_with("……共 9 项"), "{text}");
    }
}
