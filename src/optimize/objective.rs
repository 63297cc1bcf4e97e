//! What an optimisation seeks and what it must respect: objectives and
//! constraints written as short linear expressions over the figures of a
//! run (`good_per_hour`, `max: npv`, `min: 20000*welders.count + 500*wip`,
//! `good_per_hour >= 15`).
//!
//! A name in an expression is one of:
//! - a KPI key of `compare` and `sweep` ([`crate::experiment::KPIS`]);
//! - `wip`: mean parts in the system;
//! - `investment`: what the design costs to build over the scene as given
//!   (`--cost`), net of the scene's subsidy;
//! - `npv`: the design's net present value against the scene as given,
//!   over the investment's life (needs the scene's `economics`);
//! - `payback`: the years until the same cash flows pay the investment
//!   back, restricted to the life (a replication that does not pay back
//!   counts as the whole life, so the mean stays defined and honest);
//! - a decision variable's path (`welders.count`): its value in the design.

use crate::error::Diagnostic;
use crate::experiment::KPIS;

/// A name an expression can use, resolved once.
#[derive(Clone, Debug, PartialEq)]
pub enum Term {
    /// Index into [`crate::experiment::KPIS`].
    Kpi(usize),
    Wip,
    Investment,
    Npv,
    /// Years to pay back, restricted to the life: a replication that does
    /// not pay back within it counts as the whole life.
    Payback,
    /// Index of a decision variable.
    Variable(usize),
}

/// `Σ coefficient × term`, to be made as large or as small as possible.
#[derive(Clone, Debug)]
pub struct Expr {
    /// As the user wrote it (without `max:`/`min:`).
    pub text: String,
    pub terms: Vec<(f64, Term)>,
}

/// An objective: an expression and its direction.
#[derive(Clone, Debug)]
pub struct Objective {
    pub expr: Expr,
    pub maximise: bool,
    /// The unit of a single-KPI objective ("parts/h"); empty otherwise.
    pub unit: &'static str,
}

/// A constraint `expr >= limit` or `expr <= limit`, judged on the mean.
#[derive(Clone, Debug)]
pub struct Constraint {
    pub expr: Expr,
    pub at_least: bool,
    pub limit: f64,
    pub text: String,
}

impl Constraint {
    /// How far a value is on the wrong side of the limit (0 when met).
    pub fn violation(&self, value: f64) -> f64 {
        let gap = if self.at_least {
            self.limit - value
        } else {
            value - self.limit
        };
        if value.is_nan() {
            f64::INFINITY
        } else {
            gap.max(0.0)
        }
    }
}

fn names_help(variables: &[String]) -> String {
    let mut names: Vec<&str> = KPIS.iter().map(|k| k.key).collect();
    names.extend(["wip", "investment", "npv", "payback"]);
    names.extend(variables.iter().map(String::as_str));
    format!("names: {}", names.join(", "))
}

fn term(name: &str, variables: &[String], whole: &str) -> Result<Term, Diagnostic> {
    if let Some(i) = KPIS.iter().position(|k| k.key == name) {
        return Ok(Term::Kpi(i));
    }
    if let Some(i) = variables.iter().position(|v| v == name) {
        return Ok(Term::Variable(i));
    }
    match name {
        "wip" => Ok(Term::Wip),
        "investment" => Ok(Term::Investment),
        "npv" => Ok(Term::Npv),
        "payback" => Ok(Term::Payback),
        _ => {
            let mut known: Vec<&str> = KPIS.iter().map(|k| k.key).collect();
            known.extend(["wip", "investment", "npv", "payback"]);
            known.extend(variables.iter().map(String::as_str));
            let d = Diagnostic::new(format!("\"{whole}\": there is no figure \"{name}\""));
            Err(
                match crate::error::did_you_mean(name, known.iter().copied()) {
                    Some(s) => d.with_help(format!("did you mean \"{s}\"?")),
                    None => d.with_help(names_help(variables)),
                },
            )
        }
    }
}

/// Parses `a*name + name - b*name`.
pub fn parse_expr(text: &str, variables: &[String]) -> Result<Expr, Diagnostic> {
    let bad = |what: String| {
        Diagnostic::new(format!("\"{text}\": {what}"))
            .with_help("write e.g. good_per_hour, or 20000*welders.count + 500*wip")
    };
    let mut terms = Vec::new();
    // Split on + and − that start a term (not the sign of an exponent).
    let mut pieces: Vec<(f64, String)> = Vec::new();
    let mut sign = 1.0;
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let exponent = i > 0 && matches!(chars[i - 1], 'e' | 'E') && {
            let before: String = current.trim().to_string();
            before.len() > 1 && before[..before.len() - 1].parse::<f64>().is_ok()
        };
        if (c == '+' || c == '-') && !exponent {
            if !current.trim().is_empty() {
                pieces.push((sign, std::mem::take(&mut current)));
            } else if !pieces.is_empty() || i > 0 && !current.is_empty() {
                return Err(bad("two signs in a row".into()));
            }
            sign = if c == '-' { -1.0 } else { 1.0 };
        } else {
            current.push(c);
        }
    }
    if current.trim().is_empty() {
        return Err(bad("an expression ends with a name or a number".into()));
    }
    pieces.push((sign, current));
    for (sign, piece) in pieces {
        let piece = piece.trim();
        let (coefficient, name) = match piece.split_once('*') {
            Some((c, n)) => {
                let c: f64 = c
                    .trim()
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite())
                    .ok_or_else(|| bad(format!("\"{}\" is not a number", c.trim())))?;
                (c, n.trim())
            }
            None => (1.0, piece),
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(bad(format!("\"{piece}\" is not number*name")));
        }
        terms.push((sign * coefficient, term(name, variables, text)?));
    }
    Ok(Expr {
        text: text.trim().to_string(),
        terms,
    })
}

/// Parses an objective: `[max:|min:] expression`. A single KPI, `npv` or
/// `investment` has a natural direction; a longer expression must say.
pub fn parse_objective(text: &str, variables: &[String]) -> Result<Objective, Diagnostic> {
    let t = text.trim();
    let (direction, rest) = if let Some(r) = t.strip_prefix("max:") {
        (Some(true), r)
    } else if let Some(r) = t.strip_prefix("min:") {
        (Some(false), r)
    } else {
        (None, t)
    };
    let expr = parse_expr(rest, variables)?;
    let single = match expr.terms.as_slice() {
        [(c, term)] if *c > 0.0 => Some(term.clone()),
        _ => None,
    };
    let natural = match &single {
        Some(Term::Kpi(i)) => Some(KPIS[*i].higher_is_better),
        Some(Term::Npv) => Some(true),
        Some(Term::Investment | Term::Wip | Term::Payback) => Some(false),
        _ => None,
    };
    let maximise = direction.or(natural).ok_or_else(|| {
        Diagnostic::new(format!(
            "--objective \"{t}\": say whether to make it large or small"
        ))
        .with_help(format!("write --objective \"max: {t}\" or \"min: {t}\""))
    })?;
    let unit = match (&single, expr.terms.as_slice()) {
        (Some(Term::Kpi(i)), [(c, _)]) if *c == 1.0 => KPIS[*i].unit,
        (Some(Term::Wip), [(c, _)]) if *c == 1.0 => "parts",
        (Some(Term::Payback), [(c, _)]) if *c == 1.0 => "years",
        _ => "",
    };
    Ok(Objective {
        expr,
        maximise,
        unit,
    })
}

/// Parses `expression >= number` or `expression <= number`.
pub fn parse_constraint(text: &str, variables: &[String]) -> Result<Constraint, Diagnostic> {
    let (left, at_least, right) = if let Some((l, r)) = text.split_once(">=") {
        (l, true, r)
    } else if let Some((l, r)) = text.split_once("<=") {
        (l, false, r)
    } else {
        return Err(
            Diagnostic::new(format!("--constraint \"{text}\" has no >= or <="))
                .with_help("write e.g. --constraint \"good_per_hour >= 15\""),
        );
    };
    let limit: f64 = right
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| {
            Diagnostic::new(format!(
                "--constraint \"{text}\": \"{}\" is not a number",
                right.trim()
            ))
        })?;
    Ok(Constraint {
        expr: parse_expr(left, variables)?,
        at_least,
        limit,
        text: text.trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vec<String> {
        vec!["welders.count".into(), "b1.capacity".into()]
    }

    #[test]
    fn expressions_name_kpis_variables_and_money() {
        let e = parse_expr("20000*welders.count + 500*wip - 1e3*b1.capacity", &vars()).unwrap();
        assert_eq!(
            e.terms,
            vec![
                (20000.0, Term::Variable(0)),
                (500.0, Term::Wip),
                (-1000.0, Term::Variable(1))
            ]
        );
        let o = parse_objective("good_per_hour", &vars()).unwrap();
        assert!(o.maximise);
        assert_eq!(o.unit, "parts/h");
        assert!(!parse_objective("lead_time", &vars()).unwrap().maximise);
        assert!(parse_objective("npv", &vars()).unwrap().maximise);
        assert!(!parse_objective("min: npv", &vars()).unwrap().maximise);
        let c = parse_constraint("good_per_hour >= 15", &vars()).unwrap();
        assert!(c.at_least && c.limit == 15.0);
        assert_eq!(c.violation(14.0), 1.0);
        assert_eq!(c.violation(16.0), 0.0);
    }

    #[test]
    fn bad_expressions_say_why() {
        let e = parse_objective("20*welders.count + wip", &vars()).unwrap_err();
        assert!(e.message.contains("large or small"), "{}", e.message);
        let e = parse_expr("good_per_hours", &vars()).unwrap_err();
        assert!(e.help.as_deref().unwrap().contains("good_per_hour"));
        assert!(parse_constraint("good_per_hour > 15", &vars()).is_err());
        assert!(parse_constraint("good_per_hour >= lots", &vars()).is_err());
        assert!(parse_expr("x*wip", &vars()).is_err());
        assert!(parse_expr("wip +", &vars()).is_err());
    }
}
