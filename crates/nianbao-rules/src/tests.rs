use super::*;
use nianbao_format::{FIELD_COUNT, field_index};

/// A balanced set of values built from a few "applications", so that every rule holds.
fn balanced() -> Vec<i64> {
    let mut v = vec![0i64; FIELD_COUNT];
    let mut add = |id: &str, n: i64| v[field_index(id).expect(id)] += n;
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
    v
}

#[test]
fn there_are_7_plus_7_plus_25_plus_3_checks() {
    let by = |r: &str| checks().iter().filter(|c| c.rule == r).count();
    assert_eq!(by("balance"), 7);
    assert_eq!(by("t3.result_sum"), 7);
    assert_eq!(by("t3.applicant_sum"), 25);
    assert_eq!(by("t4.group_sum"), 3);
    assert!(
        checks()
            .iter()
            .filter(|c| c.rule == "t3.result_sum")
            .all(|c| c.lhs.len() == 21)
    );
}

#[test]
fn balanced_values_pass_every_check() {
    assert_eq!(evaluate(&Values::from_totals(&balanced())), vec![]);
}

#[test]
fn each_rule_catches_its_own_break() {
    let rules_broken = |id: &str, delta: i64| {
        let mut v = balanced();
        v[field_index(id).expect(id)] += delta;
        let mut r: Vec<String> = evaluate(&Values::from_totals(&v))
            .into_iter()
            .map(|x| x.rule)
            .collect();
        r.sort();
        r
    };
    // carried_forward is in the balance rule and its row sum only.
    assert_eq!(
        rules_broken("t3.carried_forward.natural_person", 1),
        ["balance", "t3.applicant_sum"]
    );
    // a result cell: its column's result sum and its row's applicant sum.
    assert_eq!(
        rules_broken("t3.granted.commercial", 1),
        ["t3.applicant_sum", "t3.result_sum"]
    );
    // a total cell of the total row: balance and result sum of its column, applicant sum of its row.
    assert_eq!(
        rules_broken("t3.total.research", 1),
        ["balance", "t3.applicant_sum", "t3.result_sum"]
    );
    assert_eq!(rules_broken("t4.review.upheld", 1), ["t4.group_sum"]);
    assert_eq!(rules_broken("t2.fees.amount", 1), Vec::<String>::new());
}

#[test]
fn messages_carry_the_arithmetic_and_cells() {
    let mut readings: Vec<Reading> = balanced()
        .into_iter()
        .enumerate()
        .map(|(i, v)| Reading {
            value: Some(v),
            blank: false,
            cell: Some(CellRef {
                sheet: "表三".into(),
                row: i as u32,
                col: 3,
            }),
            raw: v.to_string(),
        })
        .collect();
    readings[field_index("t3.carried_forward.natural_person").unwrap()].value = Some(2);
    let v = evaluate(&Values::from_readings(&readings));
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
            .contains(&"t3.carried_forward.natural_person".to_string())
    );
}

#[test]
fn unreadable_values_skip_their_checks() {
    let mut readings: Vec<Reading> = balanced()
        .into_iter()
        .map(|v| Reading {
            value: Some(v),
            ..Default::default()
        })
        .collect();
    readings[field_index("t3.granted.natural_person").unwrap()].value = None;
    readings[field_index("t3.granted.total").unwrap()].value = Some(99);
    let rules: Vec<_> = evaluate(&Values::from_readings(&readings))
        .into_iter()
        .map(|v| v.rule)
        .collect();
    // granted.total = 99 breaks the total column's result sum and its own row sum, but the row
    // sum and natural_person's result sum touch the unreadable cell and are skipped.
    assert_eq!(rules, ["t3.result_sum"]);
}

#[test]
fn blank_totals_are_filled_from_their_parts_with_a_warning() {
    let mut readings: Vec<Reading> = balanced()
        .into_iter()
        .map(|v| Reading {
            value: Some(v),
            ..Default::default()
        })
        .collect();
    let row_total = field_index("t3.granted.total").unwrap();
    let corner = field_index("t3.total.total").unwrap();
    for i in [row_total, corner] {
        readings[i] = Reading {
            value: Some(0),
            blank: true,
            ..Default::default()
        };
    }
    let warnings = fill_blank_totals(&mut readings);
    assert_eq!(readings[row_total].value, Some(4));
    assert_eq!(readings[corner].value, Some(7));
    assert_eq!(warnings.len(), 2);
    assert!(
        warnings
            .iter()
            .all(|w| w.severity == Severity::Warning && w.rule == "total.blank")
    );
    assert_eq!(evaluate(&Values::from_readings(&readings)), vec![]);
}
