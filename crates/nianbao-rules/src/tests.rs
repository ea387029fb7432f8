use super::*;
use nianbao_format::FieldRef;
use nianbao_format::{FIELD_COUNT, T3_CARRIED_OVER, T3_NEW, field_index, t3_index};

fn rules() -> &'static RuleSet {
    RuleSet::builtin()
}

fn idx(id: &str) -> usize {
    field_index(id).unwrap_or_else(|| panic!("{id}"))
}

/// A balanced set of values built from a few "applications", so that every rule holds.
fn balanced() -> Vec<i64> {
    let mut v = vec![0i64; FIELD_COUNT];
    let mut add = |id: &str, n: i64| v[idx(id)] += n;
    // column natural_person: 5 new + 1 carried over = 4 granted + 1 third_party + 1 forward
    for (row, n) in [
        ("new", 5),
        ("carried_over", 1),
        ("granted", 4),
        ("withheld.third_party", 1),
        ("total", 5),
        ("carried_forward", 1),
    ] {
        add(&format!("t3.{row}.natural_person"), n);
        add(&format!("t3.{row}.total"), n);
    }
    for (row, n) in [("new", 2), ("other.other", 2), ("total", 2)] {
        add(&format!("t3.{row}.commercial"), n);
        add(&format!("t3.{row}.total"), n);
    }
    add("t4.suit_direct.pending", 1);
    add("t4.suit_direct.total", 1);
    add("t2.fees.amount", 70395);
    add("t2.normative_docs.issued", 3);
    add("t2.normative_docs.repealed", 1);
    add("t2.normative_docs.in_force", 12);
    v
}

fn readings(values: &[i64]) -> Vec<Reading> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| Reading {
            value: Some(v),
            blank: false,
            cell: Some(CellRef {
                sheet: "表三".into(),
                row: i as u32,
                col: 3,
            }),
            raw: v.to_string(),
        })
        .collect()
}

fn broken(changes: &[(&str, i64)]) -> Vec<i64> {
    let mut v = balanced();
    for (id, d) in changes {
        v[idx(id)] += d;
    }
    v
}

fn rules_broken(v: &[i64]) -> Vec<String> {
    let mut r: Vec<String> = evaluate(rules(), &Values::from_totals(v))
        .into_iter()
        .map(|x| x.rule)
        .collect();
    r.sort();
    r
}

#[test]
fn the_builtin_file_expands_to_the_format_checks() {
    let by = |r: &str| rules().checks.iter().filter(|c| c.rule == r).count();
    assert_eq!(by("balance"), 7);
    assert_eq!(by("t3.result_sum"), 7);
    assert_eq!(by("t3.applicant_sum"), 25);
    assert_eq!(by("t4.group_sum"), 3);
    assert_eq!(by("prior.carried_over"), 7);
    assert_eq!(by("prior.in_force"), 2);
    assert!(
        rules()
            .checks
            .iter()
            .filter(|c| c.rule == "t3.result_sum")
            .all(|c| c.lhs.len() == 21 && c.is_total)
    );
    assert!(
        rules()
            .checks
            .iter()
            .filter(|c| c.rule == "balance")
            .all(|c| !c.is_total)
    );
    let warn = rules()
        .rules
        .iter()
        .find(|r| r.id == "prior.in_force")
        .unwrap();
    assert_eq!(warn.severity, Severity::Warning);
    assert!(warn.cross_year);
}

#[test]
fn balanced_values_pass_every_check() {
    assert_eq!(evaluate(rules(), &Values::from_totals(&balanced())), vec![]);
}

#[test]
fn each_rule_catches_its_own_break() {
    assert_eq!(
        rules_broken(&broken(&[("t3.carried_forward.natural_person", 1)])),
        ["balance", "t3.applicant_sum"]
    );
    assert_eq!(
        rules_broken(&broken(&[("t3.granted.commercial", 1)])),
        ["t3.applicant_sum", "t3.result_sum"]
    );
    assert_eq!(
        rules_broken(&broken(&[("t3.total.research", 1)])),
        ["balance", "t3.applicant_sum", "t3.result_sum"]
    );
    assert_eq!(
        rules_broken(&broken(&[("t4.review.upheld", 1)])),
        ["t4.group_sum"]
    );
    assert_eq!(
        rules_broken(&broken(&[("t2.fees.amount", 1)])),
        Vec::<String>::new()
    );
}

#[test]
fn messages_carry_the_arithmetic_and_cells() {
    let mut r = readings(&balanced());
    r[idx("t3.carried_forward.natural_person")].value = Some(2);
    let v = evaluate(rules(), &Values::from_readings(&r));
    let balance = v
        .iter()
        .find(|x| x.rule == "balance")
        .expect("balance violation");
    let new = t3_index(T3_NEW, 0) + 1;
    let over = t3_index(T3_CARRIED_OVER, 0) + 1;
    assert!(
        balance.message.zh.starts_with(&format!(
            "表三 自然人列：新收 D{new}=5 + 上年结转 D{over}=1 = 6 ≠ 办理结果总计"
        )),
        "{}",
        balance.message.zh
    );
    assert!(
        balance.message.zh.ends_with("= 7（差 1）"),
        "{}",
        balance.message.zh
    );
    assert_eq!(balance.expected.as_deref(), Some("6"));
    assert_eq!(balance.actual.as_deref(), Some("7"));
    assert_eq!(balance.cells.len(), 4);
    assert!(
        balance
            .fields
            .contains(&FieldRef::parse("t3.carried_forward.natural_person").unwrap())
    );
}

#[test]
fn unreadable_values_skip_their_checks() {
    let mut r = readings(&balanced());
    r[idx("t3.granted.natural_person")].value = None;
    r[idx("t3.granted.total")].value = Some(99);
    let rules_hit: Vec<_> = evaluate(rules(), &Values::from_readings(&r))
        .into_iter()
        .map(|v| v.rule)
        .collect();
    // granted.total = 99 breaks the total column's result sum; the granted row's sum and the
    // natural_person column's result sum touch the unreadable cell and are skipped.
    assert_eq!(rules_hit, ["t3.result_sum"]);
}

#[test]
fn blank_totals_are_filled_from_their_parts_with_a_warning() {
    let mut r = readings(&balanced());
    let row_total = idx("t3.granted.total");
    let corner = idx("t3.total.total");
    for i in [row_total, corner] {
        r[i] = Reading {
            value: Some(0),
            blank: true,
            ..Default::default()
        };
    }
    let warnings = fill_blank_totals(rules(), &mut r);
    assert_eq!(r[row_total].value, Some(4));
    assert_eq!(r[corner].value, Some(7));
    assert_eq!(warnings.len(), 2);
    assert!(
        warnings
            .iter()
            .all(|w| w.severity == Severity::Warning && w.rule == "total.blank")
    );
    assert_eq!(evaluate(rules(), &Values::from_readings(&r)), vec![]);
}

// ---- across years ---------------------------------------------------------------------------

#[test]
fn cross_year_rules_need_last_year_and_compare_with_it() {
    let this = balanced();
    assert!(
        evaluate(rules(), &Values::from_totals(&this)).is_empty(),
        "skipped without last year"
    );
    let mut last: Vec<Option<i64>> = vec![Some(0); FIELD_COUNT];
    last[idx("t3.carried_forward.natural_person")] = Some(1);
    last[idx("t3.carried_forward.total")] = Some(1);
    last[idx("t2.normative_docs.in_force")] = Some(10); // 10 + 3 − 1 = 12
    assert!(
        evaluate(
            rules(),
            &Values::from_totals(&this).with_prior(last.clone())
        )
        .is_empty()
    );

    last[idx("t3.carried_forward.natural_person")] = Some(2);
    last[idx("t2.normative_docs.in_force")] = Some(11);
    let v = evaluate(rules(), &Values::from_totals(&this).with_prior(last));
    let ids: Vec<(&str, Severity)> = v.iter().map(|v| (v.rule.as_str(), v.severity)).collect();
    assert_eq!(
        ids,
        [
            ("prior.carried_over", Severity::Error),
            ("prior.in_force", Severity::Warning)
        ]
    );
    assert!(
        v[0].message.zh.contains("上年结转下年度=2"),
        "{}",
        v[0].message.zh
    );
    assert!(
        v[0].fields
            .contains(&FieldRef::parse("prior.t3.carried_forward.natural_person").unwrap())
    );
}

// ---- rule files -----------------------------------------------------------------------------

#[test]
fn a_rule_file_states_one_line_per_family() {
    let text = r#"
[sets]
col = ["natural_person", "total"]

[[rule]]
id = "mine"
zh = "新收不超过总计"
en = "new at most total"
for = { c = "col" }
check = "t3.new.$c <= t3.total.$c + t3.carried_forward.$c"
tolerance = 1
"#;
    let set = RuleSet::parse(text).expect("valid");
    assert_eq!(set.checks.len(), 2);
    assert_eq!(set.checks[0].op, Op::Le);
    let mut v = balanced();
    assert!(evaluate(&set, &Values::from_totals(&v)).is_empty());
    v[idx("t3.new.natural_person")] += 2; // 7 > 5 + 1 by 1: within tolerance
    assert!(evaluate(&set, &Values::from_totals(&v)).is_empty());
    v[idx("t3.new.natural_person")] += 1;
    assert_eq!(evaluate(&set, &Values::from_totals(&v)).len(), 1);
}

#[test]
fn an_error_rule_may_be_marked_waivable() {
    let text = r#"
[[rule]]
id = "strict"
zh = "甲"
en = "a"
check = "t3.new.total = t3.total.total"

[[rule]]
id = "lenient"
zh = "乙"
en = "b"
waivable = true
check = "t3.new.total = t3.total.total"
"#;
    let set = RuleSet::parse(text).expect("valid");
    let waivable: Vec<(&str, bool)> = set
        .rules
        .iter()
        .map(|r| (r.id.as_str(), r.waivable))
        .collect();
    assert_eq!(waivable, [("strict", false), ("lenient", true)]);
    assert!(rules().rules.iter().all(|r| !r.waivable));
    let bad = "[[rule]]\nid = \"x\"\nzh = \"\"\nen = \"\"\nwaivable = \"yes\"\ncheck = \"t3.new.total = 1\"\n";
    assert_eq!(RuleSet::parse(bad).expect_err("a string").line, 5);
}

#[test]
fn rule_file_errors_name_the_line() {
    let cases = [
        (
            "[[rule]]\nid = \"x\"\nzh = \"\"\nen = \"\"\ncheck = \"t3.new.nobody = t3.total.total\"\n",
            5,
            "未知字段",
        ),
        (
            "[[rule]]\nid = \"x\"\nzh = \"\"\nen = \"\"\nfor = { c = \"nope\" }\ncheck = \"t3.new.$c = 0\"\n",
            1,
            "未定义的集合",
        ),
        (
            "[[rule]]\nid = \"x\"\nzh = \"\"\nen = \"\"\n\ncheck = \"t3.new.$c = t3.total.$c\"\n",
            6,
            "未绑定的变量",
        ),
        (
            "[[rule]]\nid = \"x\"\nzh = \"\"\nen = \"\"\ncheck = \"t3.new.total\"\n",
            5,
            "缺少",
        ),
        (
            "[[rule]]\nid = \"x\"\nseverity = \"fatal\"\nzh = \"\"\nen = \"\"\ncheck = \"t3.new.total = 1\"\n",
            1,
            "severity",
        ),
        (
            "[[rule]]\nid = \"x\"\nzh = \"\"\nen = \"\"\nbogus = 1\ncheck = \"t3.new.total = t3.total.total\"\n",
            5,
            "bogus",
        ),
        ("[[rule]\nid = 1\n", 1, ""),
    ];
    for (text, line, words) in cases {
        let err = RuleSet::parse(text).expect_err(text);
        assert_eq!(err.line, line, "{text}: {err}");
        assert!(err.reason.zh.contains(words), "{text}: {err}");
    }
}

// ---- error localisation ---------------------------------------------------------------------

fn top(values: &[i64]) -> Vec<Repair> {
    localise(rules(), &Values::from_totals(values))
}

#[test]
fn one_cell_where_a_row_and_a_column_rule_cross() {
    let v = broken(&[("t3.granted.natural_person", 3)]);
    let repairs = top(&v);
    assert_eq!(repairs.len(), 1, "{repairs:?}");
    assert!(!repairs[0].tied);
    assert_eq!(
        repairs[0].changes,
        [Change {
            field: idx("t3.granted.natural_person"),
            value: 7,
            suggested: 4
        }]
    );
}

#[test]
fn a_total_that_disagrees_with_its_parts_is_suspected_first() {
    // Only the review group's sum fails: any of its five cells could fix it; the total first.
    let v = broken(&[("t4.review.total", 2)]);
    let repairs = top(&v);
    assert_eq!(repairs[0].changes[0].field, idx("t4.review.total"));
    assert_eq!(repairs[0].changes[0].suggested, 0);
    assert!(!repairs[0].tied, "the total stands apart from its parts");
    assert!(repairs.len() >= 5);
    assert!(
        repairs[1..].iter().all(|r| r.tied),
        "the four parts fit equally"
    );
}

#[test]
fn the_crossing_cell_of_a_row_and_a_balance_rule() {
    let v = broken(&[
        ("t4.suit_direct.upheld", 1),
        ("t4.suit_direct.corrected", -1),
    ]);
    assert!(top(&v).is_empty(), "that return balances");
    // carried_forward.commercial breaks the commercial balance and the carried_forward row sum.
    let repairs = top(&broken(&[("t3.carried_forward.commercial", 1)]));
    assert_eq!(
        repairs[0].changes,
        [Change {
            field: idx("t3.carried_forward.commercial"),
            value: 1,
            suggested: 0
        }]
    );
    assert!(!repairs[0].tied);
}

#[test]
fn equally_good_repairs_are_said_to_be_ambiguous() {
    let set = RuleSet::parse(
        "[[rule]]\nid = \"pair\"\nzh = \"两项之和为 1\"\nen = \"sum is 1\"\ncheck = \"t4.review.upheld + t4.review.corrected = t4.review.total\"\n",
    )
    .unwrap();
    let mut r = readings(&broken(&[("t4.review.total", 1)]));
    r[idx("t4.review.upheld")].value = Some(1);
    r[idx("t4.review.corrected")].value = Some(1);
    // 1 + 1 ≠ 1: the total is suspected first (it is the sum's total), the two parts tie.
    let repairs = localise(&set, &Values::from_readings(&r));
    assert_eq!(repairs.len(), 3);
    assert_eq!(repairs[0].changes[0].field, idx("t4.review.total"));
    assert!(!repairs[0].tied && repairs[1].tied && repairs[2].tied);
    // Two cells that must be equal and are not: either could be wrong; say so.
    let set = RuleSet::parse(
        "[[rule]]\nid = \"pair\"\nzh = \"两项相等\"\nen = \"equal\"\ncheck = \"t4.review.upheld = t4.review.corrected\"\n",
    )
    .unwrap();
    r[idx("t4.review.corrected")].value = Some(2);
    let v = check_unit(&set, &Values::from_readings(&r));
    assert_eq!(v.len(), 1);
    assert!(v[0].suspects_tied, "{v:?}");
    assert!(
        v[0].message.zh.contains("多种修正同样可能"),
        "{}",
        v[0].message.zh
    );
}

#[test]
fn two_cells_when_no_single_cell_explains_everything() {
    // One application moved from carried over to new: both rows' sums fail, no single cell
    // mends them without breaking the balance; the pair does.
    let v = broken(&[
        ("t3.new.natural_person", 1),
        ("t3.carried_over.natural_person", -1),
    ]);
    let repairs = top(&v);
    assert!(!repairs.is_empty());
    assert!(repairs.iter().all(|r| r.changes.len() == 2), "{repairs:?}");
    // The two row totals moved together fit as well, and totals are suspected first.
    let fields: Vec<usize> = repairs[0].changes.iter().map(|c| c.field).collect();
    assert_eq!(
        fields,
        [idx("t3.new.total"), idx("t3.carried_over.total")],
        "{repairs:?}"
    );
    assert!(repairs.iter().any(|r| r.changes
        == [
            Change {
                field: idx("t3.new.natural_person"),
                value: 6,
                suggested: 5
            },
            Change {
                field: idx("t3.carried_over.natural_person"),
                value: 0,
                suggested: 1
            },
        ]));
}

#[test]
fn independent_errors_are_localised_separately() {
    let v = broken(&[("t3.granted.natural_person", 2), ("t4.review.upheld", 1)]);
    let repairs = top(&v);
    let singles: Vec<usize> = repairs
        .iter()
        .filter(|r| !r.tied)
        .flat_map(|r| r.changes.iter().map(|c| c.field))
        .collect();
    assert!(
        singles.contains(&idx("t3.granted.natural_person")),
        "{repairs:?}"
    );
    assert!(singles.contains(&idx("t4.review.total")), "{repairs:?}");
}

#[test]
fn check_unit_names_the_cell_most_likely_wrong() {
    let mut r = readings(&balanced());
    r[idx("t3.new.natural_person")].value = Some(6);
    let v = check_unit(rules(), &Values::from_readings(&r));
    assert!(!v.is_empty());
    let cell = r[idx("t3.new.natural_person")].cell.clone().unwrap().a1();
    for x in &v {
        assert_eq!(x.suspects.first().map(|s| s.suggested), Some(5), "{x:?}");
        assert!(
            x.message
                .zh
                .contains(&format!("最可能出错：{cell}，应为 5")),
            "{}",
            x.message.zh
        );
    }
}

#[test]
fn a_two_cell_repair_names_on_each_rule_only_its_own_cells() {
    // One application moved from carried over to new: the two row sums fail, each mended by
    // one cell of the pair; neither rule's message names a cell outside it.
    let v = broken(&[
        ("t3.new.natural_person", 1),
        ("t3.carried_over.natural_person", -1),
    ]);
    let found = check_unit(rules(), &Values::from_readings(&readings(&v)));
    assert!(!found.is_empty());
    for x in &found {
        assert!(!x.suspects.is_empty(), "{x:?}");
        for s in &x.suspects {
            assert!(
                x.fields.contains(&FieldRef::parse(&s.field).unwrap()),
                "{} names {}",
                x.rule,
                s.field
            );
        }
    }
}

// ---- year on year ---------------------------------------------------------------------------

/// The year-on-year warnings of `now` against `last` (every other field 0 in both years).
fn yoy_of(rules: &RuleSet, changes: &[(&str, i64, i64)]) -> Vec<Violation> {
    let (mut now, mut last) = (vec![Some(0); FIELD_COUNT], vec![Some(0); FIELD_COUNT]);
    for &(id, n, l) in changes {
        now[idx(id)] = Some(n);
        last[idx(id)] = Some(l);
    }
    year_on_year(rules, &Values::from_values(now).with_prior(last))
}

fn messages(v: &[Violation]) -> Vec<&str> {
    v.iter().map(|v| v.message.zh.as_str()).collect()
}

#[test]
fn a_jump_beyond_the_factor_above_the_floor_is_a_warning() {
    let r = rules();
    let found = yoy_of(r, &[("t3.new.natural_person", 264, 31)]);
    assert_eq!(
        messages(&found),
        vec!["表三 本年新收 自然人：本年 264，上年 31（×8.5）"]
    );
    let v = &found[0];
    assert_eq!((v.rule.as_str(), v.severity), ("yoy.t3", Severity::Warning));
    assert_eq!(
        v.fields,
        vec![
            FieldRef::this_year(idx("t3.new.natural_person")),
            FieldRef {
                index: idx("t3.new.natural_person"),
                prior: true
            }
        ]
    );
    let y = v.year_on_year.as_ref().unwrap();
    assert_eq!(
        (y.field.as_str(), y.this_year, y.last_year),
        ("t3.new.natural_person", 264, 31)
    );
    assert_eq!(
        v.message.en,
        "t3.new.natural_person: this year 264, last year 31 (×8.5)"
    );
    // Shrinking counts too, and a year of 0.
    assert_eq!(
        messages(&yoy_of(r, &[("t4.review.total", 3, 40)])),
        vec!["表四 行政复议 总计：本年 3，上年 40（÷13.3）"]
    );
    assert_eq!(
        messages(&yoy_of(r, &[("t2.licensing.decisions", 25, 0)])),
        vec!["表二 行政许可 本年处理决定数量：本年 25，上年 0（上年为 0）"]
    );
    assert_eq!(
        messages(&yoy_of(r, &[("t3.total.total", 0, 30)])),
        vec!["表三 办理结果 总计：本年 0，上年 30（本年为 0）"]
    );
}

#[test]
fn below_the_floor_or_within_the_factor_is_not() {
    let r = rules();
    // The larger value under 20: small numbers jump by chance.
    assert!(yoy_of(r, &[("t3.new.natural_person", 19, 1)]).is_empty());
    assert_eq!(yoy_of(r, &[("t3.new.natural_person", 20, 1)]).len(), 1);
    // Exactly 5 times is not more than 5 times.
    assert!(yoy_of(r, &[("t3.new.natural_person", 100, 20)]).is_empty());
    assert_eq!(yoy_of(r, &[("t3.new.natural_person", 101, 20)]).len(), 1);
    // A field no family names.
    assert!(yoy_of(r, &[("t3.granted.research", 500, 1)]).is_empty());
    // The amount's floor is 20 万元.
    assert!(yoy_of(r, &[("t2.fees.amount", 1999, 0)]).is_empty());
    assert_eq!(
        messages(&yoy_of(r, &[("t2.fees.amount", 2000, 100)])),
        vec!["表二 行政事业性收费 本年收费金额（单位：万元）：本年 20.00，上年 1.00（×20.0）"]
    );
    // Without last year's values, or with an unreadable one, nothing.
    let mut now = vec![Some(0); FIELD_COUNT];
    now[idx("t3.new.natural_person")] = Some(500);
    assert!(year_on_year(r, &Values::from_values(now.clone())).is_empty());
    let mut last = vec![Some(0); FIELD_COUNT];
    last[idx("t3.new.natural_person")] = None;
    assert!(year_on_year(r, &Values::from_values(now).with_prior(last)).is_empty());
}

#[test]
fn check_unit_reports_year_on_year_with_the_balance_rules() {
    let now = balanced();
    let mut last: Vec<Option<i64>> = now.iter().map(|&v| Some(v)).collect();
    last[idx("t3.carried_forward.natural_person")] = Some(1);
    last[idx("t3.carried_forward.total")] = Some(1);
    last[idx("t2.normative_docs.in_force")] = Some(10);
    let mut now = now;
    now[idx("t2.penalty.decisions")] = 120;
    last[idx("t2.penalty.decisions")] = Some(12);
    let values: Vec<Option<i64>> = now.iter().map(|&v| Some(v)).collect();
    let found = check_unit(rules(), &Values::from_values(values).with_prior(last));
    let rules_found: Vec<&str> = found.iter().map(|v| v.rule.as_str()).collect();
    assert_eq!(rules_found, vec!["yoy.t2"], "{found:#?}");
    assert!(found[0].suspects.is_empty());
}

#[test]
fn yoy_families_are_checked_like_rules() {
    let base = "[sets]\ncols = [\"natural_person\", \"total\"]\n";
    let ok = RuleSet::parse(&format!(
        "{base}[[yoy]]\nid = \"y\"\nzh = \"同比\"\nen = \"yoy\"\nfields = [\"t3.new.[cols]\", \"t3.new.total\"]\n"
    ))
    .unwrap();
    assert_eq!(ok.yoy.len(), 2, "a field named twice is checked once");
    assert_eq!((ok.yoy[0].factor, ok.yoy[0].floor), (500, 20));
    assert!(ok.rules[0].cross_year);
    let amount = RuleSet::parse(
        "[[yoy]]\nid = \"y\"\nzh = \"z\"\nen = \"e\"\nfields = [\"t2.fees.amount\"]\nfactor = 2.5\nfloor = 10\n",
    )
    .unwrap();
    assert_eq!((amount.yoy[0].factor, amount.yoy[0].floor), (250, 1000));
    for (bad, why) in [
        ("fields = [\"t3.new.nobody\"]", "未知字段"),
        ("fields = [\"prior.t3.new.total\"]", "prior."),
        ("fields = [\"t3.new.total\"]\nfactor = 1", "factor"),
        ("fields = [\"t3.new.total\"]\nfloor = -1", "floor"),
        (
            "fields = [\"t3.new.total\"]\nseverity = \"info\"",
            "severity",
        ),
        ("fields = [\"t3.new.[nothing]\"]", "未定义的集合"),
    ] {
        let text = format!("[[yoy]]\nid = \"y\"\nzh = \"z\"\nen = \"e\"\n{bad}\n");
        let e = RuleSet::parse(&text).unwrap_err();
        assert!(e.reason.zh.contains(why), "{bad}: {e:?}");
        assert!(e.line >= 1 && e.line <= 6, "{bad}: line {}", e.line);
    }
    let twice = "[[rule]]\nid = \"y\"\nzh = \"z\"\nen = \"e\"\ncheck = \"t3.new.total = t3.new.total\"\n[[yoy]]\nid = \"y\"\nzh = \"z\"\nen = \"e\"\nfields = [\"t3.new.total\"]\n";
    assert!(
        RuleSet::parse(twice)
            .unwrap_err()
            .reason
            .zh
            .contains("重复")
    );
}
