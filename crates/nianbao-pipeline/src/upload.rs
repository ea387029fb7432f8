//! What the web page (`nianbao serve`) needs of a workspace besides its `run`: last year's file
//! of each unit (for the cross-year rules of an upload's check) and a submitted return placed in
//! the returns folder under the run's lock, replacing the unit's earlier files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::RunError;
use crate::cache::Cache;
use crate::discover::discover;
use crate::folder::load_prior;
use crate::load_roster;
use crate::outputs::write_atomic;
use crate::run::{Lock, RunFailure, now_rfc3339};
use crate::workspace::Workspace;

/// Where the returns a submission replaced are kept: `.nianbao/replaced/<unit>/`.
pub const REPLACED_DIR: &str = "replaced";

/// Last year's return of each unit (by roster code) with exactly one readable return, read
/// through the workspace's cache; empty without `prior`.
pub fn prior_files(ws: &Workspace) -> Result<HashMap<String, PathBuf>, RunError> {
    let Some(dir) = &ws.prior else {
        return Ok(HashMap::new());
    };
    let found = discover(dir)?;
    let roster = load_roster(Some(&ws.roster))?;
    let cache = Cache::new(ws.state_dir().join("cache"));
    let (prior, _) = load_prior(&found, roster.as_ref(), Some(&cache))?;
    Ok(prior
        .into_iter()
        .map(|(unit, p)| (unit, dir.join(p.file)))
        .collect())
}

/// Puts `bytes` into the returns folder as `name` and moves the unit's earlier files there
/// (`replaced`, relative to the returns folder, as the last consolidation attributed them) to
/// `.nianbao/replaced/<unit>/<time>_<name>`, all under the run's lock (waiting up to `wait`): a
/// run sees the unit's earlier files or its new one, never both or neither. Nothing is deleted.
/// Returns where the replaced files went.
pub fn place_return(
    ws: &Workspace,
    unit: &str,
    name: &str,
    bytes: &[u8],
    replaced: &[String],
    wait: Option<Duration>,
) -> Result<Vec<PathBuf>, RunFailure> {
    let plain = |s: &str| !s.is_empty() && !s.contains(['/', '\\']) && s != "." && s != "..";
    if !plain(unit) || !plain(name) {
        return Err(RunError::new(
            format!("不是文件名：{unit}/{name}"),
            format!("not a file name: {unit}/{name}"),
        )
        .into());
    }
    let _lock = Lock::take(&ws.state_dir(), wait)?;
    let target = ws.returns.join(name);
    let keep = ws.state_dir().join(REPLACED_DIR).join(unit);
    let stamp = now_rfc3339().replace(':', "");
    let mut moved = Vec::new();
    let earlier = replaced
        .iter()
        .map(|rel| ws.returns.join(rel))
        .chain(std::iter::once(target.clone()));
    for old in earlier {
        let inside = old
            .strip_prefix(&ws.returns)
            .is_ok_and(|r| !r.components().any(|c| c == std::path::Component::ParentDir));
        if !inside || !old.is_file() || moved.contains(&old) {
            continue;
        }
        std::fs::create_dir_all(&keep)
            .map_err(|e| RunError::io("无法创建文件夹", "cannot create folder", &keep, &e))?;
        let base = old
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let to = free_name(&keep, &format!("{stamp}_{base}"));
        std::fs::rename(&old, &to)
            .map_err(|e| RunError::io("无法移走原报表", "cannot move aside", &old, &e))?;
        moved.push(to);
    }
    write_atomic(&target, bytes)?;
    Ok(moved)
}

/// `dir/name`, or `dir/2_name`, `dir/3_name`… the first that does not exist.
fn free_name(dir: &Path, name: &str) -> PathBuf {
    let mut p = dir.join(name);
    let mut n = 2;
    while p.exists() {
        p = dir.join(format!("{n}_{name}"));
        n += 1;
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_placed_return_replaces_the_units_files_and_keeps_them() {
        let dir = std::env::temp_dir().join(format!("nianbao-place-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let roster = dir.join("roster.csv");
        std::fs::create_dir_all(&dir).unwrap_or_default();
        std::fs::write(&roster, "code,name,aliases,kind\nU01,甲镇,,town\n").unwrap_or_default();
        let ws = crate::workspace::init(&dir.join("ws"), 2023, &roster, None).expect("init");
        std::fs::write(ws.returns.join("甲镇.xlsx"), b"old").unwrap_or_default();
        std::fs::write(ws.returns.join("other.xlsx"), b"other").unwrap_or_default();
        let moved = place_return(
            &ws,
            "U01",
            "U01_甲镇_网上报送.xlsx",
            b"new",
            &["甲镇.xlsx".to_string()],
            None,
        )
        .map_err(|_| ())
        .expect("placed");
        assert_eq!(moved.len(), 1);
        assert_eq!(std::fs::read(&moved[0]).unwrap_or_default(), b"old");
        assert!(!ws.returns.join("甲镇.xlsx").exists());
        assert_eq!(
            std::fs::read(ws.returns.join("U01_甲镇_网上报送.xlsx")).unwrap_or_default(),
            b"new"
        );
        assert!(ws.returns.join("other.xlsx").exists());
        // Placed again: the first version is kept too.
        let moved = place_return(&ws, "U01", "U01_甲镇_网上报送.xlsx", b"newer", &[], None)
            .map_err(|_| ())
            .expect("placed");
        assert_eq!(std::fs::read(&moved[0]).unwrap_or_default(), b"new");
        assert!(place_return(&ws, "../x", "a.xlsx", b"", &[], None).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
