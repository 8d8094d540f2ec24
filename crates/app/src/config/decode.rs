//! Decode a YAML document into a typed config and report *every* problem, each with its path.
//!
//! serde stops at the first error. To report all of them, each leaf of the document is first
//! decoded alone (a document holding only that leaf; every config struct has `#[serde(default)]`,
//! so the rest falls back to defaults): every unknown key and wrong type shows up with its path.
//! The document is then decoded without the bad leaves, so that range validation still runs.

use serde::de::DeserializeOwned;
use serde_yaml::{Mapping, Value};

use super::Issue;

pub(crate) fn decode_all<T: DeserializeOwned>(doc: &Value, issues: &mut Vec<Issue>) -> Option<T> {
    let mut leaves = Vec::new();
    collect_leaves(doc, &mut Vec::new(), &mut leaves);
    let mut pruned = doc.clone();
    for (path, value) in leaves {
        let mini = wrap(&path, value.clone());
        if let Err(e) = serde_path_to_error::deserialize::<_, T>(mini) {
            issues.push(issue_from(&e, &path));
            // Without the bad leaf the rest still decodes, so range checks can run on it too
            // and the user hears about every problem in one go.
            remove_path(&mut pruned, &path);
        }
    }
    match serde_path_to_error::deserialize::<_, T>(pruned) {
        Ok(v) => Some(v),
        Err(e) => {
            issues.push(issue_from(&e, &[]));
            None
        }
    }
}

fn remove_path(doc: &mut Value, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        *doc = Value::Mapping(Mapping::new());
        return;
    };
    let mut cur = doc;
    for key in parents {
        match cur.get_mut(key.as_str()) {
            Some(next) => cur = next,
            None => return,
        }
    }
    if let Value::Mapping(m) = cur {
        m.remove(last.as_str());
    }
}

fn issue_from(e: &serde_path_to_error::Error<serde_yaml::Error>, leaf: &[String]) -> Issue {
    let path = e.path().to_string();
    let path = if path == "." || path.is_empty() {
        leaf.join(".")
    } else {
        path
    };
    Issue::new(path, e.inner().to_string())
}

fn collect_leaves<'a>(
    v: &'a Value,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, &'a Value)>,
) {
    match v {
        Value::Mapping(m) if !m.is_empty() && m.keys().all(|k| k.is_string()) => {
            for (k, child) in m {
                path.push(k.as_str().unwrap_or_default().to_owned());
                collect_leaves(child, path, out);
                path.pop();
            }
        }
        _ => out.push((path.clone(), v)),
    }
}

fn wrap(path: &[String], leaf: Value) -> Value {
    path.iter().rev().fold(leaf, |inner, key| {
        let mut m = Mapping::new();
        m.insert(Value::String(key.clone()), inner);
        Value::Mapping(m)
    })
}

/// Set `path` (dotted) in a YAML document, creating intermediate mappings.
pub(crate) fn set_path(doc: &mut Value, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        *doc = value;
        return;
    };
    let mut cur = doc;
    for key in parents {
        if !cur.is_mapping() {
            *cur = Value::Mapping(Mapping::new());
        }
        let Value::Mapping(m) = cur else { return };
        cur = m
            .entry(Value::String((*key).to_owned()))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
    }
    if !cur.is_mapping() {
        *cur = Value::Mapping(Mapping::new());
    }
    if let Value::Mapping(m) = cur {
        m.insert(Value::String((*last).to_owned()), value);
    }
}
