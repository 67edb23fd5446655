//! The crate's modules import one another in one direction only (see the crate documentation): this test
//! reads their source and fails when a module uses one listed after it in `ORDER`, which is how an import
//! loop (such as `chain` ↔ `verify` before this was a crate) would come back.
#![allow(clippy::unwrap_used)]

use std::path::Path;

/// Each module may use only the modules before it.
const ORDER: [&str; 12] =
    ["canonical", "strict", "typed", "chain", "sign", "record", "v2", "error", "report", "checks", "stream", "verify"];

/// The modules named in the non-test code of one source file, by `crate::NAME` or (outside a submodule's
/// own folder) `super::NAME`. Comment lines are left out, so a doc link is not an import.
fn used(text: &str, in_submodule: bool) -> Vec<&'static str> {
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let code: Vec<&str> = code.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
    let code = code.join("\n");
    let mut found = Vec::new();
    for m in ORDER {
        let by_crate = format!("crate::{m}");
        let by_super = format!("super::{m}");
        let names = |pat: &str| {
            code.match_indices(pat).any(|(i, _)| {
                let after = code[i + pat.len()..].chars().next();
                !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        };
        if names(&by_crate) || (!in_submodule && names(&by_super)) {
            found.push(m);
        }
    }
    found
}

#[test]
fn modules_import_only_modules_before_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for (i, m) in ORDER.iter().enumerate() {
        files.push((i, *m, src.join(format!("{m}.rs")), false));
        if let Ok(dir) = std::fs::read_dir(src.join(m)) {
            for f in dir {
                files.push((i, *m, f.unwrap().path(), true));
            }
        }
    }
    let mut wrong = Vec::new();
    for (i, m, path, in_submodule) in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for other in used(&text, in_submodule) {
            let j = ORDER.iter().position(|o| *o == other).unwrap();
            if j >= i && other != m {
                wrong.push(format!("{} uses `{other}`, which comes after `{m}`", path.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_backward_import_is_seen() {
    assert_eq!(used("use crate::verify::VerifyError;\n", false), ["verify"]);
    assert_eq!(used("use super::verify::VerifyError;\n", false), ["verify"]);
    assert_eq!(used("use super::verify::X;\n", true), Vec::<&str>::new());
    assert_eq!(used("/// see [`crate::verify::verify`]\nfn f() {}\n", false), Vec::<&str>::new());
    assert_eq!(used("fn f() {}\n#[cfg(test)]\nmod tests { use crate::verify::verify; }\n", false), Vec::<&str>::new());
    assert_eq!(used("use crate::v2x::Y;\n", false), Vec::<&str>::new());
}
