//! Error localisation (Fellegi–Holt): the fewest cells whose change makes every failing check of
//! a unit hold. The checks are few and linear, so one- and two-cell repairs are searched
//! exhaustively.

use std::collections::BTreeSet;

use crate::{Check, Op, RuleSet, Values};

/// One cell of a repair: its field, its value and the value that makes the rules hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: usize,
    pub value: i64,
    pub suggested: i64,
}

/// A set of cell changes that makes every check hold, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    pub changes: Vec<Change>,
    /// Another repair of the same size and standing fits equally well.
    pub tied: bool,
}

/// Repairs of one or two cells for the failing checks, best first: fewer cells first, then a
/// total that disagrees with its parts before the parts. Failing checks that share no cell are
/// independent errors and are localised separately. Empty when every check holds or no repair of
/// two cells or fewer exists.
pub fn localise(rules: &RuleSet, values: &Values<'_>) -> Vec<Repair> {
    let checks: Vec<(&Check, i64)> = rules
        .checks
        .iter()
        .filter(|c| c.op == Op::Eq && c.tolerance == 0)
        .filter_map(|c| values.residual(c).map(|r| (c, r)))
        .collect();
    let failing: Vec<usize> = (0..checks.len()).filter(|&i| checks[i].1 != 0).collect();
    let mut out = Vec::new();
    for component in components(&checks, &failing) {
        out.extend(localise_component(&checks, &component, values));
    }
    out
}

fn fields_of(c: &Check) -> impl Iterator<Item = usize> + '_ {
    c.lhs
        .iter()
        .chain(&c.rhs)
        .filter(|t| !t.prior)
        .map(|t| t.field)
}

/// Groups failing checks whose cells are linked: two failing checks belong together when one
/// check (failing or not) touches a cell of each, since a repair of one may then break or mend
/// the other. Errors in unlinked parts of a return are localised separately.
fn components(checks: &[(&Check, i64)], failing: &[usize]) -> Vec<Vec<usize>> {
    let neighbourhood = |fs: &BTreeSet<usize>| -> BTreeSet<usize> {
        checks
            .iter()
            .filter(|(c, _)| fields_of(c).any(|f| fs.contains(&f)))
            .flat_map(|(c, _)| fields_of(c))
            .collect()
    };
    // (fields of the group's failing checks, every field of a check touching them, members)
    let mut groups: Vec<(BTreeSet<usize>, BTreeSet<usize>, Vec<usize>)> = Vec::new();
    for &i in failing {
        let fs: BTreeSet<usize> = fields_of(checks[i].0).collect();
        let ns = neighbourhood(&fs);
        let (joined, rest): (Vec<_>, Vec<_>) = groups
            .into_iter()
            .partition(|(_, n, _)| !n.is_disjoint(&fs));
        let mut merged = (fs, ns, vec![i]);
        for (f, n, members) in joined {
            merged.0.extend(f);
            merged.1.extend(n);
            merged.2.extend(members);
        }
        groups = rest;
        groups.push(merged);
    }
    groups
        .into_iter()
        .map(|(_, _, mut m)| {
            m.sort_unstable();
            m
        })
        .collect()
}

fn localise_component(
    checks: &[(&Check, i64)],
    must_fix: &[usize],
    values: &Values<'_>,
) -> Vec<Repair> {
    let candidates: BTreeSet<usize> = must_fix
        .iter()
        .flat_map(|&i| fields_of(checks[i].0))
        .filter(|&f| values.values.get(f).copied().flatten().is_some())
        .collect();
    let value = |f: usize| values.values[f].unwrap_or(0);
    // Totals of failing total-checks: suspected before their parts.
    let totals: BTreeSet<usize> = must_fix
        .iter()
        .filter(|&&i| checks[i].0.is_total)
        .map(|&i| checks[i].0.rhs[0].field)
        .collect();

    let mut ranked: Vec<((usize, u8), Repair)> = Vec::new();
    for &f in &candidates {
        if let Some(d) = solve_one(checks, must_fix, f) {
            let suggested = value(f) + d;
            if suggested >= 0 {
                let standing = u8::from(!totals.contains(&f));
                ranked.push((
                    (1, standing),
                    Repair {
                        changes: vec![Change {
                            field: f,
                            value: value(f),
                            suggested,
                        }],
                        tied: false,
                    },
                ));
            }
        }
    }
    if ranked.is_empty() {
        let cand: Vec<usize> = candidates.iter().copied().collect();
        for (i, &f) in cand.iter().enumerate() {
            for &g in &cand[i + 1..] {
                let Some((df, dg)) = solve_two(checks, must_fix, f, g) else {
                    continue;
                };
                let (sf, sg) = (value(f) + df, value(g) + dg);
                if sf >= 0 && sg >= 0 {
                    let standing = u8::from(!totals.contains(&f)) + u8::from(!totals.contains(&g));
                    ranked.push((
                        (2, standing),
                        Repair {
                            changes: vec![
                                Change {
                                    field: f,
                                    value: value(f),
                                    suggested: sf,
                                },
                                Change {
                                    field: g,
                                    value: value(g),
                                    suggested: sg,
                                },
                            ],
                            tied: false,
                        },
                    ));
                }
            }
        }
    }
    ranked.sort_by_key(|(k, _)| *k);
    let keys: Vec<(usize, u8)> = ranked.iter().map(|(k, _)| *k).collect();
    ranked
        .into_iter()
        .map(|(k, mut r)| {
            r.tied = keys.iter().filter(|&&x| x == k).count() > 1;
            r
        })
        .collect()
}

/// The change of `f` alone that fixes the checks in `must_fix` and breaks no other check.
fn solve_one(checks: &[(&Check, i64)], must_fix: &[usize], f: usize) -> Option<i64> {
    let mut delta: Option<i64> = None;
    for (i, (c, r)) in checks.iter().enumerate() {
        let a = c.coefficient(f);
        if a == 0 {
            if must_fix.contains(&i) {
                return None;
            }
            continue;
        }
        if r % a != 0 {
            return None;
        }
        let d = -r / a;
        if delta.is_some_and(|x| x != d) {
            return None;
        }
        delta = Some(d);
    }
    delta.filter(|&d| d != 0)
}

/// The changes of `f` and `g` together that fix the checks in `must_fix` and break no other
/// check, when there is exactly one.
fn solve_two(
    checks: &[(&Check, i64)],
    must_fix: &[usize],
    f: usize,
    g: usize,
) -> Option<(i64, i64)> {
    let mut eqs: Vec<(i64, i64, i64)> = Vec::new(); // a·δf + b·δg = c
    for (i, (chk, r)) in checks.iter().enumerate() {
        let (a, b) = (chk.coefficient(f), chk.coefficient(g));
        if a == 0 && b == 0 {
            if must_fix.contains(&i) {
                return None;
            }
            continue;
        }
        eqs.push((a, b, -r));
    }
    // Two independent equations fix the solution (Cramer's rule); check it against all.
    let (e1, e2) = eqs.iter().enumerate().find_map(|(i, e1)| {
        eqs[i + 1..]
            .iter()
            .find(|e2| e1.0 * e2.1 - e1.1 * e2.0 != 0)
            .map(|e2| (*e1, *e2))
    })?;
    let det = e1.0 * e2.1 - e1.1 * e2.0;
    let nf = e1.2 * e2.1 - e1.1 * e2.2;
    let ng = e1.0 * e2.2 - e1.2 * e2.0;
    if nf % det != 0 || ng % det != 0 {
        return None;
    }
    let (df, dg) = (nf / det, ng / det);
    if df == 0 || dg == 0 || eqs.iter().any(|(a, b, c)| a * df + b * dg != *c) {
        return None;
    }
    Some((df, dg))
}
