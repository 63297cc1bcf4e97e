//! The language of reports and the terminal summary: English or Korean.
//!
//! Messages are written in English in the code and looked up, by their
//! English text, in a gettext catalogue (`locales/ko.po`, the format
//! translators' tools read and write). A message the catalogue lacks is
//! shown in English rather than not at all. Placeholders are named,
//! `{scene}`, and filled after the lookup, so a translation may reorder
//! them. Object ids, scene names and figures pass through unchanged.
//!
//! One process writes one language: the command line sets it once
//! ([`set`]) before any output, so the many functions that format text need
//! not carry it.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

/// A language reports can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    /// The BCP 47 tag, for `<html lang>` and the PDF's metadata.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// The language of the environment's locale (`LC_ALL`, `LC_MESSAGES`,
    /// `LANG`, the first one set): Korean for `ko…`, else English.
    pub fn from_env() -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            .map_or(Lang::En, |l| {
                if l.to_ascii_lowercase().starts_with("ko") {
                    Lang::Ko
                } else {
                    Lang::En
                }
            })
    }
}

static CURRENT: AtomicU8 = AtomicU8::new(0);

/// Sets the language of everything written after.
pub fn set(lang: Lang) {
    CURRENT.store(lang as u8, Ordering::Relaxed);
}

/// The language being written.
pub fn current() -> Lang {
    match CURRENT.load(Ordering::Relaxed) {
        1 => Lang::Ko,
        _ => Lang::En,
    }
}

/// The Korean catalogue, read once.
fn korean() -> &'static HashMap<String, String> {
    static KO: OnceLock<HashMap<String, String>> = OnceLock::new();
    KO.get_or_init(|| parse_po(include_str!("../locales/ko.po")))
}

/// `msg` in the current language.
pub fn tr(msg: &str) -> String {
    match current() {
        Lang::En => msg.to_string(),
        Lang::Ko => korean()
            .get(msg)
            .cloned()
            .unwrap_or_else(|| msg.to_string()),
    }
}

/// `msg` in the current language with its `{name}` placeholders filled.
pub fn trf(msg: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = tr(msg);
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), &value.to_string());
    }
    out
}

/// Reads a gettext PO file: `msgid`/`msgstr` pairs, strings continued on
/// the following lines, `\"`, `\\` and `\n` escapes; comments and empty
/// translations are skipped.
pub fn parse_po(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let (mut id, mut value) = (None::<String>, None::<String>);
    let mut into_value = false;
    let mut finish = |id: &mut Option<String>, value: &mut Option<String>| {
        if let (Some(i), Some(v)) = (id.take(), value.take())
            && !i.is_empty()
            && !v.is_empty()
        {
            out.insert(i, v);
        }
    };
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("msgid ") {
            finish(&mut id, &mut value);
            id = Some(unquote(rest));
            into_value = false;
        } else if let Some(rest) = line.strip_prefix("msgstr ") {
            value = Some(unquote(rest));
            into_value = true;
        } else if line.starts_with('"') {
            let target = if into_value { &mut value } else { &mut id };
            if let Some(t) = target {
                t.push_str(&unquote(line));
            }
        }
    }
    finish(&mut id, &mut value);
    out
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    let s = s.strip_prefix('"').unwrap_or(s);
    let s = s.strip_suffix('"').unwrap_or(s);
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(s: &str) -> BTreeSet<String> {
        s.split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
            .collect()
    }

    #[test]
    fn reads_po_entries_with_continuations_and_escapes() {
        let po = "# comment\nmsgid \"\"\nmsgstr \"Content-Type: text/plain\"\n\n\
                  msgid \"A \\\"b\\\"\"\nmsgstr \"\"\n\"가 \"\n\"나\"\n\nmsgid \"untranslated\"\nmsgstr \"\"\n";
        let m = parse_po(po);
        assert_eq!(m.get("A \"b\"").map(String::as_str), Some("가 나"));
        assert!(!m.contains_key("untranslated") && !m.contains_key(""));
    }

    #[test]
    fn every_korean_message_keeps_its_placeholders() {
        let ko = korean();
        assert!(ko.len() > 50, "{} messages", ko.len());
        for (en, k) in ko {
            assert_eq!(placeholders(en), placeholders(k), "{en:?} → {k:?}");
        }
    }
}
