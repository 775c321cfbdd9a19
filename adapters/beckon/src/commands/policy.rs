//! `beckon policy check FILE` (OFF-07): which helper may do what, and which
//! entries can never work, with the same rules a machine applies.

use std::path::Path;

use beckon_core::policy::{explain_offer, EntryProblem, MachineSettings, Subject};

use crate::clock::unix_ms;
use crate::error::{code, Result};
use crate::home::Home;
use crate::policy_file::{level_words, load_file};
use crate::text::short_key;

pub fn check(file: &Path) -> Result<u8> {
    let policy = load_file(file)?;
    let home = Home::locate()?;
    let machine = crate::settings::load(&home).unwrap_or_default();
    let now = unix_ms();
    println!("Policy {}", file.display());
    println!("  default level: {}", level_words(policy.default_level));
    if policy.entries.is_empty() {
        println!("  it lists nobody: no helper can offer help under it");
    }
    // Explain with offered help on, so the policy itself is what is checked;
    // the machine's own switch is reported below.
    let on = MachineSettings {
        offered_help: true,
        ..machine
    };
    for (i, entry) in policy.entries.iter().enumerate() {
        let level = policy.effective_level(entry);
        let own = if entry.level.is_some() {
            ""
        } else {
            " (default)"
        };
        match entry.subject {
            Subject::Helper(key) => {
                let verdict = match explain_offer(&on, &policy, &key, None, now).decision {
                    Ok(a) if a.level == level => {
                        format!("may offer help: {}{own}", level_words(a.level))
                    }
                    Ok(a) => format!(
                        "may offer help: {} (an earlier entry for the same key decides)",
                        level_words(a.level)
                    ),
                    Err(r) => format!("refused: {r}"),
                };
                println!(
                    "  #{i} helper {:?} {}: {verdict}",
                    entry.name.as_str(),
                    short_key(&key)
                );
            }
            Subject::Group(key) => println!(
                "  #{i} group  {:?} {}: helpers it certifies may offer help: {}{own}",
                entry.name.as_str(),
                short_key(&key),
                level_words(level)
            ),
        }
    }
    let problems: Vec<(usize, EntryProblem)> = policy.problems().collect();
    for (i, p) in &problems {
        let name = policy
            .entries
            .get(*i)
            .map(|e| e.name.as_str())
            .unwrap_or("?");
        let text = match p {
            EntryProblem::InvalidGroupKey => {
                "the group key is not a valid Ed25519 key: no certificate can match it".to_string()
            }
            EntryProblem::InvalidHelperKey => {
                "the helper key can never be proven in a handshake: it admits nobody".to_string()
            }
            EntryProblem::Duplicate { first } => {
                format!("lists the same key as entry #{first}, which is the one that counts")
            }
        };
        println!("  problem with #{i} {name:?}: {text}");
    }
    if !machine.offered_help {
        println!(
            "  note: offered help is off on this machine; turn it on with \
             `beckon settings --offered-help on`"
        );
    }
    if problems.is_empty() {
        println!("  no problems found");
        Ok(0)
    } else {
        Ok(code::OTHER)
    }
}
