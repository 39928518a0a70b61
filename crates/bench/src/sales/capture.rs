//! Captures the SQL statements that Clientela runs for one request, with their
//! parameters, from PostgreSQL's own statement log.
//!
//! While a capture runs, the server logs every statement (`log_statement = all`)
//! with a line prefix that names the session's application, so the lines of
//! `clientela serve` are distinguished from the benchmark's own psql calls. The
//! log is the cluster's stderr log file.

use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};

use crate::copy::psql_query;

/// Start of every log line during a capture; `%a` is the application name.
const PREFIX_START: &str = "@@capture ";
const PREFIX_END: &str = "@@ ";
/// The application name `clientela serve` connects with.
const SERVER_APPLICATION: &str = "clientela";

/// Time a configuration reload takes to reach every session; PostgreSQL gives
/// no signal when it has.
const RELOAD_SETTLE: Duration = Duration::from_millis(500);

/// One statement as the server ran it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The text with `$1`, `$2`… placeholders.
    pub sql: String,
    /// The parameters as the server logged them; `None` is SQL NULL.
    pub params: Vec<Option<String>>,
}

/// Location of the statement log, and the psql connection that changes the
/// server's settings.
pub struct StatementLog<'a> {
    pub psql: &'a Path,
    pub database_url: &'a str,
    /// The cluster's log file, as `pg_ctl --log` writes it.
    pub file: &'a Path,
}

impl StatementLog<'_> {
    /// Turns statement logging on, runs `work`, turns it off again and returns
    /// the statements `clientela serve` ran meanwhile.
    pub fn capture(&self, work: impl FnOnce() -> Result<()>) -> Result<Vec<Statement>> {
        let start = fs::metadata(self.file)
            .with_context(|| format!("cannot read the PostgreSQL log {}", self.file.display()))?
            .len();
        self.set_logging(true)?;
        let worked = work();
        let reset = self.set_logging(false);
        worked?;
        reset?;

        let mut file = fs::File::open(self.file)
            .with_context(|| format!("cannot open {}", self.file.display()))?;
        file.seek(SeekFrom::Start(start))?;
        let mut text = String::new();
        file.read_to_string(&mut text)
            .with_context(|| format!("cannot read {}", self.file.display()))?;
        parse_log(&text)
    }

    fn set_logging(&self, on: bool) -> Result<()> {
        let prefix = format!("{PREFIX_START}%a{PREFIX_END}");
        let settings = if on {
            vec![
                "ALTER SYSTEM SET log_statement = 'all'".to_owned(),
                format!("ALTER SYSTEM SET log_line_prefix = '{prefix}'"),
            ]
        } else {
            vec![
                "ALTER SYSTEM RESET log_statement".to_owned(),
                "ALTER SYSTEM RESET log_line_prefix".to_owned(),
            ]
        };
        // ALTER SYSTEM refuses to run inside a transaction, and psql runs the
        // statements of one --command in one.
        for sql in settings
            .iter()
            .map(String::as_str)
            .chain(["SELECT pg_reload_conf()"])
        {
            psql_query(self.psql, self.database_url, sql)
                .context("failed to change the statement log settings (this needs a superuser)")?;
        }
        thread::sleep(RELOAD_SETTLE);
        Ok(())
    }
}

/// Reads the statements of `clientela serve` from log text written with the
/// capture prefix. Continuation lines of a multi-line message start with a tab.
fn parse_log(text: &str) -> Result<Vec<Statement>> {
    let mut entries: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix(PREFIX_START) {
            let Some((application, message)) = rest.split_once(PREFIX_END) else {
                continue;
            };
            entries.push((application.to_owned(), message.to_owned()));
        } else if let Some(continued) = line.strip_prefix('\t')
            && let Some((_, message)) = entries.last_mut()
        {
            message.push('\n');
            message.push_str(continued);
        }
    }

    let mut statements: Vec<Statement> = Vec::new();
    for (application, message) in entries {
        if application != SERVER_APPLICATION {
            continue;
        }
        if let Some(sql) = statement_text(&message) {
            statements.push(Statement {
                sql: sql.to_owned(),
                params: Vec::new(),
            });
        } else if let Some(list) = message.strip_prefix("DETAIL:  parameters: ") {
            let last = statements
                .last_mut()
                .context("the log has parameters before any statement")?;
            ensure!(
                last.params.is_empty(),
                "the log has two parameter lists for one statement"
            );
            last.params = parse_parameters(list)?;
        }
    }
    Ok(statements)
}

/// Returns the SQL of a `statement:` or `execute NAME:` log message.
fn statement_text(message: &str) -> Option<&str> {
    if let Some(sql) = message.strip_prefix("LOG:  statement: ") {
        return Some(sql);
    }
    let rest = message.strip_prefix("LOG:  execute ")?;
    rest.split_once(": ").map(|(_, sql)| sql)
}

/// Parses `$1 = 'text', $2 = NULL, …` as PostgreSQL logs parameters, where a
/// quote inside a value is doubled.
fn parse_parameters(list: &str) -> Result<Vec<Option<String>>> {
    let mut params = Vec::new();
    let mut rest = list;
    while !rest.is_empty() {
        let expected = format!("${} = ", params.len() + 1);
        rest = rest
            .strip_prefix(expected.as_str())
            .with_context(|| format!("expected {expected:?} in the parameter list {list:?}"))?;
        if let Some(after) = rest.strip_prefix("NULL") {
            params.push(None);
            rest = after;
        } else if let Some(after) = rest.strip_prefix('\'') {
            let (value, after) = quoted_value(after)
                .with_context(|| format!("unterminated parameter in {list:?}"))?;
            params.push(Some(value));
            rest = after;
        } else {
            bail!("unexpected parameter value in {list:?}");
        }
        rest = rest.strip_prefix(", ").unwrap_or(rest);
    }
    Ok(params)
}

/// Splits `text''s rest', …` after an opening quote into the unquoted value and
/// what follows the closing quote.
fn quoted_value(after_quote: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = after_quote.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        if c != '\'' {
            value.push(c);
            continue;
        }
        if let Some((_, '\'')) = chars.peek() {
            value.push('\'');
            chars.next();
            continue;
        }
        return Some((value, &after_quote[index + 1..]));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_with_null_and_doubled_quotes() {
        let params = parse_parameters("$1 = 'it''s', $2 = NULL, $3 = 'a, b'").expect("parses");
        assert_eq!(
            params,
            vec![Some("it's".to_owned()), None, Some("a, b".to_owned())]
        );
    }

    #[test]
    fn parameters_out_of_order_are_refused() {
        assert!(parse_parameters("$2 = 'x'").is_err());
        assert!(parse_parameters("$1 = 'open").is_err());
    }

    #[test]
    fn parse_log_keeps_server_statements() {
        let log = "\
@@capture psql@@ LOG:  statement: SELECT pg_reload_conf()
@@capture clientela@@ LOG:  statement: BEGIN
@@capture clientela@@ LOG:  execute s3: SELECT a
\tFROM t WHERE b = $1
@@capture clientela@@ DETAIL:  parameters: $1 = 'two
\tlines'
2026-01-01 00:00:00 UTC [7] LOG:  checkpoint starting
@@capture clientela@@ LOG:  execute <unnamed>: UPDATE t SET a = $1
@@capture clientela@@ DETAIL:  parameters: $1 = NULL
@@capture @@ LOG:  received SIGHUP, reloading configuration files
";
        let statements = parse_log(log).expect("parses");
        assert_eq!(
            statements,
            vec![
                Statement {
                    sql: "BEGIN".to_owned(),
                    params: vec![]
                },
                Statement {
                    sql: "SELECT a\nFROM t WHERE b = $1".to_owned(),
                    params: vec![Some("two\nlines".to_owned())]
                },
                Statement {
                    sql: "UPDATE t SET a = $1".to_owned(),
                    params: vec![None]
                },
            ]
        );
    }
}
