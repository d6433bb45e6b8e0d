//! The module structure: no dependency cycles between top-level modules.
//!
//! A module depends on another when its source (outside its `#[cfg(test)]`
//! tests) names `crate::other`. The layers this keeps, from the bottom:
//! foundations (calendar, rng, error, history), the model (params, pathway
//! stages, engine, metrics, studies), the work built on it (run, output, report,
//! sweep, calibrate, lesson), and the command layer (`app`) on top, which alone
//! sees the command line. With no cycle between top-level modules there can be
//! none between submodules of different folders either.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module -> modules it names, with one file that names each.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

/// Source with the trailing `#[cfg(test)]` part removed (test modules may use
/// anything; they are not part of the dependency structure).
fn non_test(text: &str) -> &str {
    match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    }
}

fn crate_refs(text: &str) -> BTreeSet<String> {
    // Comments (doc links included) are not dependencies.
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        // `pathsim::crate::` cannot occur; skip identifiers ending in "crate".
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c, d::{e, f}}`: the first name of each top-level item.
            let mut depth = 0;
            let mut at_item_start = true;
            let mut name = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        if !name.is_empty() {
                            out.insert(std::mem::take(&mut name));
                        }
                        at_item_start = true;
                    }
                    c if at_item_start && (c.is_alphanumeric() || c == '_') => name.push(c),
                    _ if !name.is_empty() => {
                        out.insert(std::mem::take(&mut name));
                        at_item_start = false;
                    }
                    _ => {}
                }
            }
            if !name.is_empty() {
                out.insert(name);
            }
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut g = Graph::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap();
            let top = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string();
            if top == "lib" || top == "main" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let node = g.entry(top.clone()).or_default();
            for dep in crate_refs(non_test(&text)) {
                if dep != top {
                    node.entry(dep).or_insert_with(|| rel.display().to_string());
                }
            }
        }
    }
    // Only edges to real modules.
    let names: BTreeSet<String> = g.keys().cloned().collect();
    for deps in g.values_mut() {
        deps.retain(|d, _| names.contains(d));
    }
    g
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(g: &Graph) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        on: BTreeSet<&'a str>,
        stack: Vec<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        let i = t.index.len();
        t.index.insert(v, i);
        t.low.insert(v, i);
        t.stack.push(v);
        t.on.insert(v);
        for w in t.g[v].keys() {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = t.stack.pop().unwrap();
                t.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        on: BTreeSet::new(),
        stack: Vec::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn no_dependency_cycles_between_top_level_modules() {
    let g = graph();
    let found = cycles(&g);
    let mut msg = String::new();
    for comp in &found {
        msg.push_str(&format!("cycle among {{{}}}:\n", comp.join(", ")));
        for a in comp {
            for (b, file) in &g[a] {
                if comp.contains(b) {
                    msg.push_str(&format!("  {a} -> {b}  (src/{file})\n"));
                }
            }
        }
    }
    assert!(found.is_empty(), "module dependency cycles:\n{msg}");
}

#[test]
fn the_cycle_finder_finds_a_known_cycle() {
    let mut g = Graph::new();
    let edge = |g: &mut Graph, a: &str, b: &str| {
        g.entry(a.into())
            .or_default()
            .insert(b.into(), format!("{a}.rs"));
        g.entry(b.into()).or_default();
    };
    edge(&mut g, "a", "b");
    edge(&mut g, "b", "c");
    edge(&mut g, "c", "a");
    edge(&mut g, "c", "d");
    edge(&mut g, "d", "e");
    assert_eq!(
        cycles(&g),
        vec![vec!["a".to_string(), "b".into(), "c".into()]]
    );
}

#[test]
fn crate_paths_are_read_from_source() {
    let refs = crate_refs(
        "use crate::engine::Model;\nlet x = crate::metrics::M::ARRESTS;\n\
         use crate::{output, scenario::{self, load}, run};",
    );
    assert_eq!(
        refs.into_iter().collect::<Vec<_>>(),
        vec![
            "engine".to_string(),
            "metrics".into(),
            "output".into(),
            "run".into(),
            "scenario".into()
        ]
    );
    assert_eq!(
        non_test("a\n#[cfg(test)]\nmod tests { use crate::x; }"),
        "a\n"
    );
}

#[test]
fn only_the_command_layer_sees_the_command_line() {
    let g = graph();
    let users: Vec<&String> = g
        .iter()
        .filter(|(m, deps)| m.as_str() != "app" && deps.contains_key("app"))
        .map(|(m, _)| m)
        .collect();
    assert!(
        users.is_empty(),
        "modules importing the command layer: {users:?}"
    );
}
