//! User-facing errors: what went wrong, where (file, line, column or object
//! id), and a hint. Every bad input ends here and exits with code 2.

use std::fmt;
use std::path::{Path, PathBuf};

/// Exit code for bad input.
pub const EXIT_USER_ERROR: i32 = 2;
/// Exit code for an internal error (a check inside the program failed: a
/// bug) or an environment that failed the program (standard output cannot
/// be written, no GPU for the view). 1 is `check`'s "violations found".
pub const EXIT_INTERNAL: i32 = 3;

/// A problem with the user's input, ready to print.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub message: String,
    pub file: Option<PathBuf>,
    /// 1-based line and column.
    pub position: Option<(usize, usize)>,
    /// The source line the position points into.
    pub source_line: Option<String>,
    pub object: Option<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            file: None,
            position: None,
            source_line: None,
            object: None,
            help: None,
        }
    }

    /// A problem with one object of the scene.
    pub fn object(id: &str, message: impl Into<String>) -> Self {
        Self {
            object: Some(id.to_string()),
            ..Self::new(message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Prefixes the message with where it happened ("--set b1.capacity=0: ...").
    pub fn with_context(mut self, context: impl std::fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    pub fn in_file(mut self, file: &Path) -> Self {
        if self.file.is_none() {
            self.file = Some(file.to_path_buf());
        }
        self
    }

    /// Points at a 1-based line and column of `text`.
    pub fn at(mut self, text: &str, line: usize, col: usize) -> Self {
        self.position = Some((line, col));
        self.source_line = text.lines().nth(line.saturating_sub(1)).map(str::to_string);
        self
    }

    /// Points at where the object's id is declared in `text`, if found.
    pub fn locate_object(self, text: &str) -> Self {
        let Some(id) = self.object.clone() else {
            return self;
        };
        if self.position.is_some() {
            return self;
        }
        let needle = format!("\"{id}\"");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if let Some(k) = code.find(&needle)
                && code[..k].trim_end().ends_with("id:")
            {
                return self.at(text, i + 1, k + 1);
            }
        }
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: ")?;
        if let Some(id) = &self.object {
            write!(f, "object \"{id}\": ")?;
        }
        writeln!(f, "{}", self.message)?;
        match (&self.file, self.position) {
            (Some(file), Some((line, col))) => {
                writeln!(f, "  --> {}:{line}:{col}", file.display())?
            }
            (Some(file), None) => writeln!(f, "  --> {}", file.display())?,
            (None, Some((line, col))) => writeln!(f, "  --> line {line}, column {col}")?,
            (None, None) => {}
        }
        if let (Some(src), Some((line, col))) = (&self.source_line, self.position) {
            let width = line.to_string().len();
            writeln!(f, "{:width$} |", "")?;
            writeln!(f, "{line} | {src}")?;
            let pad: String = src
                .chars()
                .take(col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            writeln!(f, "{:width$} | {pad}^", "")?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// The closest candidate to `word`, if any is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_points_at_the_column() {
        let text = "a\n  bad: 1\n";
        let d = Diagnostic::new("oops")
            .in_file(Path::new("x.ron"))
            .at(text, 2, 3);
        let s = d.to_string();
        assert!(s.contains("--> x.ron:2:3"), "{s}");
        assert!(s.contains("2 |   bad: 1\n  |   ^"), "{s}");
    }

    #[test]
    fn suggestions_catch_typos_only() {
        assert_eq!(
            did_you_mean("capacty", ["capacity", "cycle"]),
            Some("capacity")
        );
        assert_eq!(did_you_mean("zzz", ["capacity", "cycle"]), None);
    }
}
