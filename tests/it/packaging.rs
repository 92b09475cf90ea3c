//! What a new user meets before running anything: the licence matches Cargo.toml, the
//! README points only at files in the repository, and completions and a man page come from
//! the command definitions.

use crate::support::*;

fn repo(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn the_licence_files_match_cargo_toml() {
    let manifest = std::fs::read_to_string(repo("Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
    let notice = std::fs::read_to_string(repo("LICENSE")).unwrap();
    assert!(notice.contains("MIT") && notice.contains("Apache License, Version 2.0"));
    assert!(std::fs::read_to_string(repo("LICENSE-MIT"))
        .unwrap()
        .contains("Permission is hereby granted"));
    assert!(std::fs::read_to_string(repo("LICENSE-APACHE"))
        .unwrap()
        .contains("TERMS AND CONDITIONS"));
}

#[test]
fn the_readme_points_only_at_files_in_the_repository() {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    assert!(!readme.contains("../"), "nothing outside the repository");
    // Markdown links to relative paths.
    for part in readme.split("](").skip(1) {
        let target = part.split(')').next().unwrap();
        if target.starts_with("http") || target.starts_with('#') {
            continue;
        }
        assert!(
            repo(target).exists(),
            "README links to {target}, which is not in the repository"
        );
    }
    // Paths named in code spans that look like the repository's files.
    for span in readme.split('`').skip(1).step_by(2) {
        let looks_like_ours = [
            "src/", "tests/", "bench/", "benches/", "demo/", "systemd/", ".ci/", "fuzz/",
        ]
        .iter()
        .any(|p| span.starts_with(p))
            && !span.contains(' ')
            && !span.contains('<')
            && !span.contains('*');
        // What the fuzzer writes, which the README describes as ignored by git.
        let generated = span.starts_with("fuzz/corpus") || span.starts_with("fuzz/artifacts");
        if looks_like_ours && !generated {
            assert!(
                repo(span.trim_end_matches('/')).exists(),
                "README names {span}, which is not in the repository"
            );
        }
    }
}

#[test]
fn completions_and_the_man_page_come_from_the_command_definitions() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run_ok(&["completions", shell]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("showfeed") && text.contains("poll") && text.contains("listen"),
            "{shell}"
        );
    }
    let out = run_ok(&["man"]);
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH showfeed 1"), "a roff man page");
    assert!(
        page.contains("completions") && page.contains("\\-\\-listen"),
        "{page}"
    );
}
