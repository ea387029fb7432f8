//! Link tokens: one per roster unit and one for the office, 128 random bits each, given out once
//! as a link and kept only as SHA-256 hashes in `.nianbao/tokens.csv`; a presented token is
//! compared with every hash in constant time.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use nianbao_pipeline::RunError;
use nianbao_pipeline::outputs::write_atomic;
use nianbao_pipeline::workspace::Workspace;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The token file, in the workspace's state folder.
pub const TOKENS_FILE: &str = "tokens.csv";
/// Who the office's token belongs to.
pub const OFFICE: &str = "office";
const HEADER: &str = "who,sha256,issued\n";

/// Who a request is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// The district office: sees every unit.
    Office,
    /// One unit, by roster code: sees only itself.
    Unit(String),
}

/// A fresh token: 16 random bytes as 32 hex digits.
pub fn new_token() -> Result<String, RunError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        RunError::new(
            format!("无法取得随机数：{e}"),
            format!("no random numbers: {e}"),
        )
    })?;
    Ok(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a token.
pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The CSRF token of a session: derived from its link token, never the token itself.
pub fn csrf_of(token: &str) -> String {
    hex(&Sha256::digest(format!("nianbao-csrf\0{token}").as_bytes()))
}

/// Where a workspace keeps its token hashes.
pub fn tokens_path(ws: &Workspace) -> PathBuf {
    ws.state_dir().join(TOKENS_FILE)
}

/// The hashes of the valid tokens, by whom they belong to.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    entries: Vec<(String, [u8; 32], String)>,
    /// The file's modification time when read (to see that `--rotate` changed it).
    pub modified: Option<SystemTime>,
}

fn bad_file(path: &Path, line: usize) -> RunError {
    RunError::new(
        format!("令牌文件第 {line} 行有误：{}", path.display()),
        format!(
            "the token file is invalid at line {line}: {}",
            path.display()
        ),
    )
}

impl Tokens {
    /// Reads the token file; a missing file is no tokens.
    pub fn load(path: &Path) -> Result<Tokens, RunError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Tokens::default()),
            Err(e) => return Err(RunError::io("无法读取", "cannot read", path, &e)),
        };
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let mut parts = line.split(',');
            let (Some(who), Some(h), issued) = (parts.next(), parts.next(), parts.next()) else {
                return Err(bad_file(path, i + 1));
            };
            let mut hash = [0u8; 32];
            if h.len() != 64 {
                return Err(bad_file(path, i + 1));
            }
            for (k, b) in hash.iter_mut().enumerate() {
                *b = u8::from_str_radix(&h[2 * k..2 * k + 2], 16)
                    .map_err(|_| bad_file(path, i + 1))?;
            }
            entries.push((who.to_string(), hash, issued.unwrap_or("").to_string()));
        }
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        Ok(Tokens { entries, modified })
    }

    /// Whether any token was issued.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whose token this is. Every stored hash is compared, each in constant time, whatever
    /// matched before.
    pub fn who(&self, token: &str) -> Option<Role> {
        let presented = hash(token);
        let mut found: Option<&str> = None;
        for (who, h, _) in &self.entries {
            if bool::from(h.ct_eq(&presented)) {
                found = Some(who);
            }
        }
        found.map(|w| {
            if w == OFFICE {
                Role::Office
            } else {
                Role::Unit(w.to_string())
            }
        })
    }

    fn save(&self, path: &Path) -> Result<(), RunError> {
        let mut text = String::from(HEADER);
        for (who, h, issued) in &self.entries {
            text.push_str(&format!("{who},{},{issued}\n", hex(h)));
        }
        write_atomic(path, text.as_bytes())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        Ok(())
    }

    fn issue(&mut self, who: &str) -> Result<String, RunError> {
        let token = new_token()?;
        self.entries.retain(|(w, _, _)| w != who);
        self.entries.push((
            who.to_string(),
            hash(&token),
            nianbao_pipeline::run::now_rfc3339(),
        ));
        Ok(token)
    }
}

/// Issues one token per roster unit and one for the office; returns (who, token) in roster
/// order, the office last. Refused when tokens were issued already (use [`rotate`]).
pub fn init_tokens(ws: &Workspace) -> Result<Vec<(String, String)>, RunError> {
    let path = tokens_path(ws);
    let mut tokens = Tokens::load(&path)?;
    if !tokens.is_empty() {
        return Err(RunError::new(
            format!(
                "已经发放过链接（{}）；要给一个单位换新链接，请用 --rotate 单位代码",
                path.display()
            ),
            format!(
                "links were issued already ({}); to give one unit a new link use --rotate CODE",
                path.display()
            ),
        ));
    }
    let roster = nianbao_pipeline::load_roster(Some(&ws.roster))?.unwrap_or_default();
    let mut out = Vec::new();
    for u in &roster.units {
        if u.code == OFFICE {
            return Err(RunError::new(
                format!("名单中的单位代码不能是 {OFFICE}"),
                format!("a roster code cannot be {OFFICE}"),
            ));
        }
        out.push((u.code.clone(), tokens.issue(&u.code)?));
    }
    out.push((OFFICE.to_string(), tokens.issue(OFFICE)?));
    tokens.save(&path)?;
    Ok(out)
}

/// Issues a new token for one unit (or `office`); the old one stops working.
pub fn rotate(ws: &Workspace, who: &str) -> Result<String, RunError> {
    let roster = nianbao_pipeline::load_roster(Some(&ws.roster))?.unwrap_or_default();
    if who != OFFICE && !roster.units.iter().any(|u| u.code == who) {
        return Err(RunError::new(
            format!("名单中没有代码为 {who} 的单位"),
            format!("no unit with the code {who} on the roster"),
        ));
    }
    let path = tokens_path(ws);
    let mut tokens = Tokens::load(&path)?;
    let token = tokens.issue(who)?;
    tokens.save(&path)?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_matched_by_hash() {
        let a = new_token().unwrap_or_default();
        let b = new_token().unwrap_or_default();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        let t = Tokens {
            entries: vec![
                ("U01".into(), hash(&a), String::new()),
                (OFFICE.into(), hash(&b), String::new()),
            ],
            modified: None,
        };
        assert_eq!(t.who(&a), Some(Role::Unit("U01".into())));
        assert_eq!(t.who(&b), Some(Role::Office));
        assert_eq!(t.who("x"), None);
        assert_eq!(t.who(&a[..31]), None);
        assert_ne!(csrf_of(&a), csrf_of(&b));
        assert_ne!(csrf_of(&a), a);
    }
}
