//! The generated parts of the documentation: tables produced from the code and
//! pasted between markers into `docs/*.md`. `pathsim docs` rewrites them; a test
//! fails when a committed copy differs from what the code produces, so the
//! documents cannot drift from the code.

use std::path::{Path, PathBuf};

/// One generated block: the document, its markers and the body between them.
pub struct Block {
    /// Path relative to the repository root.
    pub file: &'static str,
    pub begin: &'static str,
    pub end: &'static str,
    /// Regenerates the body.
    pub body: fn() -> String,
}

/// The line that opens the parameter appendix of docs/model.md.
pub const PARAMS_BEGIN: &str = "<!-- BEGIN GENERATED: pathsim params --markdown -->";

/// Every generated block in the documentation.
pub const BLOCKS: &[Block] = &[
    Block {
        file: "docs/model.md",
        begin: PARAMS_BEGIN,
        end: crate::interventions_doc::DOC_END,
        body: || crate::params::params_table(true),
    },
    Block {
        file: "docs/interventions.md",
        begin: crate::interventions_doc::DOC_BEGIN,
        end: crate::interventions_doc::DOC_END,
        body: || crate::interventions_doc::interventions_table(true),
    },
    Block {
        file: "docs/histories.md",
        begin: crate::microdata::DOC_BEGIN,
        end: crate::interventions_doc::DOC_END,
        body: crate::microdata::dictionary_markdown,
    },
];

/// `text` with the block between `begin` and `end` replaced by `body`, or an
/// error naming the missing marker.
pub fn splice(text: &str, begin: &str, end: &str, body: &str) -> Result<String, String> {
    let a = text
        .find(begin)
        .ok_or_else(|| format!("no line `{begin}`"))?
        + begin.len();
    let b = text[a..]
        .find(end)
        .map(|i| a + i)
        .ok_or_else(|| format!("no line `{end}` after `{begin}`"))?;
    Ok(format!(
        "{}\n{}\n{}",
        &text[..a],
        body.trim_matches('\n'),
        &text[b..]
    ))
}

/// Each document with generated blocks: (path, committed text, regenerated text).
pub fn regenerate(root: &Path) -> Result<Vec<(PathBuf, String, String)>, String> {
    let mut out: Vec<(PathBuf, String, String)> = Vec::new();
    for block in BLOCKS {
        let path = root.join(block.file);
        let idx = match out.iter().position(|(p, _, _)| *p == path) {
            Some(i) => i,
            None => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                out.push((path.clone(), text.clone(), text));
                out.len() - 1
            }
        };
        let new = splice(&out[idx].2, block.begin, block.end, &(block.body)())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        out[idx].2 = new;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_replaces_only_between_markers() {
        let text = "intro\n<!-- B -->\nold\nrows\n<!-- E -->\nafter\n";
        assert_eq!(
            splice(text, "<!-- B -->", "<!-- E -->", "new\n").unwrap(),
            "intro\n<!-- B -->\nnew\n<!-- E -->\nafter\n"
        );
        assert!(splice("no markers", "<!-- B -->", "<!-- E -->", "x").is_err());
    }

    #[test]
    fn committed_documents_equal_what_the_code_generates() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for (path, committed, generated) in regenerate(root).unwrap() {
            assert!(
                committed == generated,
                "{} is out of date: run `pathsim docs` and commit it",
                path.display()
            );
        }
    }

    #[test]
    fn the_parameter_appendix_shows_the_calibrated_treatment_effect() {
        let table = crate::params::params_table(true);
        let fitted = crate::parameter::fitted("treatment.offending_multiplier_in_treatment");
        let row = table
            .lines()
            .find(|l| l.starts_with("| `treatment.offending_multiplier_in_treatment` |"))
            .expect("a row for the treatment effect");
        assert!(
            row.contains(&format!("| {fitted} (fitted) | multiplier |")),
            "{row}"
        );
        assert!(
            row.contains("calibrated to nta_retained_2y_reduction"),
            "{row}"
        );
        assert!(row.contains("while in treatment"), "{row}");
    }
}
