//! Bulk loading through `psql`'s `\copy`, which streams CSV from our stdin into
//! PostgreSQL's COPY without a client library.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// One CSV field, written so that PostgreSQL's CSV COPY reads back the same value.
pub enum Field<'a> {
    Null,
    Text(&'a str),
    Uuid(Uuid),
    Int(i64),
    Bool(bool),
    Time(OffsetDateTime),
}

impl<'a> From<Option<&'a str>> for Field<'a> {
    fn from(value: Option<&'a str>) -> Self {
        value.map_or(Field::Null, Field::Text)
    }
}

impl From<Option<OffsetDateTime>> for Field<'_> {
    fn from(value: Option<OffsetDateTime>) -> Self {
        value.map_or(Field::Null, Field::Time)
    }
}

impl From<Option<Uuid>> for Field<'_> {
    fn from(value: Option<Uuid>) -> Self {
        value.map_or(Field::Null, Field::Uuid)
    }
}

/// Writes one CSV record. An unquoted empty field is NULL to COPY, so every text
/// is quoted, which keeps the empty string distinct from NULL.
pub fn write_record(out: &mut dyn Write, fields: &[Field<'_>]) -> Result<()> {
    for (position, field) in fields.iter().enumerate() {
        if position > 0 {
            out.write_all(b",")?;
        }
        match field {
            Field::Null => {}
            Field::Text(text) => {
                out.write_all(b"\"")?;
                out.write_all(text.replace('"', "\"\"").as_bytes())?;
                out.write_all(b"\"")?;
            }
            Field::Uuid(uuid) => write!(out, "{uuid}")?,
            Field::Int(value) => write!(out, "{value}")?,
            Field::Bool(value) => out.write_all(if *value { b"t" } else { b"f" })?,
            Field::Time(at) => out.write_all(at.format(&Rfc3339)?.as_bytes())?,
        }
    }
    out.write_all(b"\n")?;
    Ok(())
}

/// Streams the records that `write_rows` writes into `table(columns)` with
/// `\copy ... FROM STDIN`, in one transaction, and returns the number of rows the
/// server reported.
pub fn copy_into(
    psql: &Path,
    database_url: &str,
    table: &str,
    columns: &[&str],
    write_rows: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<u64> {
    let copy = format!(
        "\\copy {table} ({}) FROM STDIN WITH (FORMAT csv)",
        columns.join(", ")
    );
    let mut child = Command::new(psql)
        .arg("--no-psqlrc")
        .args(["--set", "ON_ERROR_STOP=1", "--command"])
        .arg(&copy)
        .arg(database_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("failed to start {}", psql.display()))?;

    let stdin = child.stdin.take().context("psql has no stdin")?;
    let mut writer = BufWriter::with_capacity(1 << 20, stdin);
    let written = write_rows(&mut writer).and_then(|()| Ok(writer.flush()?));
    // Closing stdin ends the COPY; psql then reports the row count.
    drop(writer);
    let output = child
        .wait_with_output()
        .context("failed to wait for psql")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("psql {copy} failed ({}): {}", output.status, stderr.trim());
    }
    written.with_context(|| format!("failed to write rows to psql for {table}"))?;

    let stdout = String::from_utf8_lossy(&output.stdout);
    parse_copy_count(&stdout)
        .with_context(|| format!("psql printed no row count for {table}: {stdout:?} {stderr:?}"))
}

/// Reads the row count from psql's `COPY 1000000` line.
fn parse_copy_count(stdout: &str) -> Option<u64> {
    stdout
        .lines()
        .find_map(|line| line.trim().strip_prefix("COPY "))
        .and_then(|count| count.trim().parse().ok())
}

/// Runs SQL with psql and returns what it printed in unaligned, tuples-only form.
pub fn psql_query(psql: &Path, database_url: &str, sql: &str) -> Result<String> {
    let output = Command::new(psql)
        .arg("--no-psqlrc")
        .args([
            "--set",
            "ON_ERROR_STOP=1",
            "--quiet",
            "--no-align",
            "--tuples-only",
        ])
        .args(["--command", sql])
        .arg(database_url)
        .output()
        .with_context(|| format!("failed to start {}", psql.display()))?;
    if !output.status.success() {
        bail!(
            "psql failed ({}) on {sql:?}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn record(fields: &[Field<'_>]) -> String {
        let mut out = Vec::new();
        write_record(&mut out, fields).expect("writing to a Vec cannot fail");
        String::from_utf8(out).expect("records are UTF-8")
    }

    #[test]
    fn record_quotes_text_and_leaves_null_empty() {
        let line = record(&[
            Field::Text("Ana D'Ávila"),
            Field::Null,
            Field::Text(""),
            Field::Int(-5),
            Field::Bool(true),
        ]);
        assert_eq!(line, "\"Ana D'Ávila\",,\"\",-5,t\n");
    }

    #[test]
    fn record_doubles_quotes() {
        assert_eq!(
            record(&[Field::Text("say \"oi\", ok")]),
            "\"say \"\"oi\"\", ok\"\n"
        );
    }

    #[test]
    fn record_writes_times_in_rfc3339() {
        let line = record(&[Field::Time(datetime!(2025-01-02 03:04:05 UTC))]);
        assert_eq!(line, "2025-01-02T03:04:05Z\n");
    }

    #[test]
    fn copy_count_from_psql_output() {
        assert_eq!(parse_copy_count("COPY 1000000\n"), Some(1_000_000));
        assert_eq!(parse_copy_count(""), None);
    }
}
