//! The offered-help policy file (OFF-02, OFF-03, OFF-07): TOML or JSON.
//!
//! ```toml
//! default_level = "view"          # "view" or "control"
//!
//! [[helpers]]
//! name = "Henk"
//! key = "<64 hex digits or 52 base32 characters>"  # from `beckon keygen`
//! level = "control"               # optional; else the default level
//!
//! [[groups]]
//! name = "Helpdesk"
//! key = "<the group's Ed25519 public key>"
//! ```
//!
//! The same in JSON: `{"default_level": "view", "helpers": [{"name": …,
//! "key": …, "level": …}], "groups": […]}`.

use std::path::{Path, PathBuf};

use beckon_core::policy::{Policy, Subject};
use beckon_core::reason::Level;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::home::{read_optional, Home};

/// Entries one policy may hold.
pub const POLICY_CAPACITY: usize = 64;

/// The policy type this app uses.
pub type AppPolicy = Policy<POLICY_CAPACITY>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    default_level: LevelName,
    #[serde(default)]
    helpers: Vec<EntryFile>,
    #[serde(default)]
    groups: Vec<EntryFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryFile {
    name: String,
    key: String,
    level: Option<LevelName>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
enum LevelName {
    #[default]
    #[serde(rename = "view", alias = "view-only", alias = "view_only")]
    View,
    #[serde(rename = "control")]
    Control,
}

impl From<LevelName> for Level {
    fn from(l: LevelName) -> Level {
        match l {
            LevelName::View => Level::ViewOnly,
            LevelName::Control => Level::Control,
        }
    }
}

/// A level in words.
pub fn level_words(level: Level) -> &'static str {
    match level {
        Level::ViewOnly => "view only",
        Level::Control => "view and control (the person still decides)",
    }
}

/// Parse a policy from text; `toml` picks the format.
pub fn parse(text: &str, toml_format: bool) -> Result<AppPolicy, String> {
    let file: PolicyFile = if toml_format {
        toml::from_str(text).map_err(|e| e.to_string())?
    } else {
        serde_json::from_str(text).map_err(|e| e.to_string())?
    };
    let mut policy = AppPolicy::new(file.default_level.into());
    let all = file
        .helpers
        .iter()
        .map(|e| (e, true))
        .chain(file.groups.iter().map(|e| (e, false)));
    for (entry, is_helper) in all {
        let key = crate::text::parse_key(&entry.key)
            .map_err(|e| format!("entry {:?}: {e}", entry.name))?;
        let subject = if is_helper {
            Subject::Helper(key)
        } else {
            Subject::Group(key)
        };
        let new = beckon_core::policy::PolicyEntry {
            subject,
            name: heapless::String::try_from(entry.name.as_str())
                .map_err(|_| format!("entry {:?}: the name is too long", entry.name))?,
            level: entry.level.map(Level::from),
        };
        // Pushed as written, duplicates included, so `problems` can show them.
        policy
            .entries
            .push(new)
            .map_err(|_| format!("too many entries: at most {POLICY_CAPACITY}"))?;
    }
    Ok(policy)
}

/// Read a policy file; `.toml` files are TOML, everything else JSON.
pub fn load_file(path: &Path) -> Result<AppPolicy> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    let text = String::from_utf8(bytes).map_err(|_| Error::Corrupt {
        path: path.to_path_buf(),
        detail: "not UTF-8 text".into(),
    })?;
    let is_toml = path.extension().is_some_and(|e| e == "toml");
    parse(&text, is_toml).map_err(|detail| Error::Corrupt {
        path: path.to_path_buf(),
        detail,
    })
}

/// The machine's policy file, if there is one: `policy.toml`, else
/// `policy.json` in the data directory.
pub fn machine_policy_path(home: &Home) -> Option<PathBuf> {
    ["policy.toml", "policy.json"]
        .into_iter()
        .map(|n| home.file(n))
        .find(|p| p.exists())
}

/// The machine's policy as it is now (OFF-04); empty when there is none.
pub fn load_machine(home: &Home) -> Result<AppPolicy> {
    match machine_policy_path(home) {
        Some(path) => {
            // Read once, so a file replaced mid-read is never half seen.
            if read_optional(&path)?.is_none() {
                return Ok(AppPolicy::new(Level::ViewOnly));
            }
            load_file(&path)
        }
        None => Ok(AppPolicy::new(Level::ViewOnly)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_json_agree() {
        let k = hex::encode([9u8; 32]);
        let t = format!(
            "default_level = \"control\"\n[[helpers]]\nname = \"Henk\"\nkey = \"{k}\"\nlevel = \"view\"\n"
        );
        let j = format!(
            r#"{{"default_level":"control","helpers":[{{"name":"Henk","key":"{k}","level":"view"}}]}}"#
        );
        let a = parse(&t, true).unwrap();
        let b = parse(&j, false).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.entries[0].level, Some(Level::ViewOnly));
        assert_eq!(a.default_level, Level::Control);
    }

    #[test]
    fn bad_policies_are_refused_with_the_entry_named() {
        let e = parse("[[helpers]]\nname = \"X\"\nkey = \"zz\"\n", true).unwrap_err();
        assert!(e.contains("\"X\""), "{e}");
        assert!(parse("colour = 1", true).is_err());
    }
}
