//! Every requirement ID in `docs/requirements.md` has an end-to-end
//! scenario in `host-sim/tests/` that names it, unless the list says it is
//! proven elsewhere and where.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const PREFIXES: [&str; 5] = ["inv", "ses", "off", "net", "l10n"];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host-sim sits in the repository")
        .to_path_buf()
}

/// `(id, proven_by)` for every table row of the list.
fn listed_ids(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let id = *cells.get(1)?;
            let where_ = *cells.get(3)?;
            let (prefix, number) = id.split_once('-')?;
            let known = PREFIXES.contains(&prefix.to_ascii_lowercase().as_str());
            (known && number.chars().all(|c| c.is_ascii_digit()))
                .then(|| (id.to_string(), where_.to_string()))
        })
        .collect()
}

/// IDs a test function's name proves: after a prefix token, every
/// two-digit token (`inv_01_08_…` proves INV-01 and INV-08).
fn ids_named_by(test: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut prefix: Option<&str> = None;
    for token in test.split('_') {
        if PREFIXES.contains(&token) {
            prefix = Some(token);
        } else if let (Some(p), true) = (
            prefix,
            token.len() == 2 && token.chars().all(|c| c.is_ascii_digit()),
        ) {
            ids.push(format!("{}-{token}", p.to_ascii_uppercase()));
        } else {
            prefix = None;
        }
    }
    ids
}

/// Names of `#[test]` functions in the `.rs` files of a folder.
fn test_names(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return names;
    };
    let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    for file in files {
        if file.extension().is_some_and(|e| e == "rs") {
            let text = fs::read_to_string(&file).expect("readable test file");
            let mut after_test_attr = false;
            for line in text.lines() {
                let line = line.trim();
                if line.starts_with("#[test]") {
                    after_test_attr = true;
                } else if after_test_attr {
                    if let Some(rest) = line.strip_prefix("fn ") {
                        let name: String = rest
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        names.push(name);
                        after_test_attr = false;
                    }
                }
            }
        }
    }
    names
}

#[test]
fn every_requirement_has_a_scenario_or_says_where_it_is_proven() {
    let root = repo_root();
    let list = fs::read_to_string(root.join("docs/requirements.md")).expect("docs/requirements.md");
    let ids = listed_ids(&list);
    assert!(
        ids.len() >= 30,
        "the list looks truncated: {} IDs",
        ids.len()
    );

    let mut proven: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in test_names(&root.join("host-sim/tests")) {
        for id in ids_named_by(&name) {
            proven.entry(id).or_default().push(name.clone());
        }
    }

    let mut missing = Vec::new();
    let mut elsewhere = Vec::new();
    let mut by_scenario = 0;
    for (id, where_) in &ids {
        let has = proven.contains_key(id);
        if where_.starts_with("elsewhere:") {
            assert!(
                where_.len() > "elsewhere: ".len() + 5,
                "{id} is proven elsewhere but the list does not say where"
            );
            elsewhere.push(id.clone());
        } else if has {
            by_scenario += 1;
        } else {
            missing.push(id.clone());
        }
    }
    println!(
        "{} requirement IDs: {} proven by host-sim scenarios, {} elsewhere ({})",
        ids.len(),
        by_scenario,
        elsewhere.len(),
        elsewhere.join(", ")
    );
    assert!(
        missing.is_empty(),
        "no scenario names these IDs: {missing:?}"
    );

    // A scenario must not name an ID the list does not have (a typo).
    let known: BTreeSet<&str> = ids.iter().map(|(id, _)| id.as_str()).collect();
    for (id, tests) in &proven {
        assert!(
            known.contains(id.as_str()),
            "{tests:?} name unknown ID {id}"
        );
    }
}

#[test]
fn the_list_mirrors_the_shared_requirements_when_they_are_at_hand() {
    // The shared folder sits beside the repository on a developer's machine;
    // a clean clone in CI may not have it.
    let root = repo_root();
    let Ok(shared) = fs::read_to_string(root.join("../shared/REQUIREMENTS.md")) else {
        println!("shared/REQUIREMENTS.md is not beside the repository; skipped");
        return;
    };
    let list = fs::read_to_string(root.join("docs/requirements.md")).expect("docs/requirements.md");
    let ours: BTreeSet<String> = listed_ids(&list).into_iter().map(|(id, _)| id).collect();
    let theirs: BTreeSet<String> = shared
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| {
            w.split_once('-').is_some_and(|(p, n)| {
                PREFIXES.contains(&p.to_ascii_lowercase().as_str())
                    && n.len() == 2
                    && n.chars().all(|c| c.is_ascii_digit())
            })
        })
        .map(str::to_string)
        .collect();
    assert_eq!(ours, theirs);
}

#[test]
fn test_names_prove_each_number_after_a_prefix() {
    assert_eq!(
        ids_named_by("inv_01_08_invitation_with_password"),
        ["INV-01", "INV-08"]
    );
    assert_eq!(ids_named_by("ses_04_05_esc"), ["SES-04", "SES-05"]);
    assert_eq!(ids_named_by("l10n_02_german"), ["L10N-02"]);
    assert!(ids_named_by("same_seed_same_bytes").is_empty());
    assert_eq!(ids_named_by("off_01_then_net_03"), ["OFF-01", "NET-03"]);
}
