//! Turns the statements captured for two sales into a pgbench script that runs
//! the same statements for any other sale, and the values each sale needs.
//!
//! Comparing the two captures shows which parameters depend on the sale. A
//! parameter that differs is rebuilt from a template: the first sale's value with
//! its tokens (see [`SaleTokens`]) and the ids the server made for it marked.
//! Times the server took from its clock stay as in the first sale. A template
//! must reproduce the second sale's value from the second sale's tokens and ids,
//! or the build fails, so a value the replay would get wrong is never guessed.
//!
//! Every parameter becomes a pgbench variable read from the `bench_sale_values`
//! row of the sale (one extra statement per sale), so the replay sends values
//! the way Clientela does: as parameters of prepared statements.

use std::collections::HashMap;
use std::fmt::Write as _;

use anyhow::{Context, Result, bail, ensure};
use uuid::Uuid;

use super::capture::Statement;
use super::payload::SaleTokens;

/// Table that contains one row of parameter values per replayed sale.
pub const VALUES_TABLE: &str = "bench_sale_values";

/// The pgbench script of one sale, and how to make the values of each sale.
#[derive(Debug)]
pub struct Replay {
    /// The pgbench script; it expects the variables `first`, `clients` and `i`.
    pub script: String,
    /// The statements one sale runs, without the one that reads the values.
    pub statements: usize,
    /// The ids the server makes for each sale.
    pub server_ids: usize,
    slots: Vec<Slot>,
}

/// How to build one parameter value of a sale.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Slot {
    parts: Vec<Part>,
    /// The value is `bytea` in PostgreSQL's hex form; the template is of the
    /// decoded text.
    hex: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    /// The sale's token at this index of [`SaleTokens::in_order`].
    Token(usize),
    /// The sale's server-made id with this number.
    Id(usize),
}

impl Replay {
    /// Builds the replay from the statements of two sales with different tokens.
    pub fn build(
        first: &[Statement],
        first_tokens: &SaleTokens,
        second: &[Statement],
        second_tokens: &SaleTokens,
    ) -> Result<Self> {
        ensure!(!first.is_empty(), "no statement was captured for the sale");
        ensure!(
            first.len() == second.len(),
            "two sales ran {} and {} statements; the replay needs the same path for each sale",
            first.len(),
            second.len()
        );
        for (index, (a, b)) in first.iter().zip(second).enumerate() {
            ensure!(
                a.sql == b.sql && a.params.len() == b.params.len(),
                "statement {} differs between two sales:\n{}\n---\n{}",
                index + 1,
                a.sql,
                b.sql
            );
        }
        let (first_ids, second_ids) = server_ids(first, first_tokens, second)?;

        let mut slots = Vec::new();
        let mut script = String::new();
        for (a, b) in first.iter().zip(second) {
            let mut replaced = Vec::with_capacity(a.params.len());
            for (position, (value, other)) in a.params.iter().zip(&b.params).enumerate() {
                let Some(value) = value else {
                    ensure!(
                        other.is_none(),
                        "parameter ${} of {:?} is NULL for one sale only",
                        position + 1,
                        a.sql
                    );
                    replaced.push("NULL".to_owned());
                    continue;
                };
                let other = other.as_deref().with_context(|| {
                    format!(
                        "parameter ${} of {:?} is NULL for one sale only",
                        position + 1,
                        a.sql
                    )
                })?;
                let slot = Slot::from_value(value, first_tokens, &first_ids);
                let rebuilt = slot.render(second_tokens, &second_ids);
                if mask_times(&decoded(&rebuilt)) != mask_times(&decoded(other)) {
                    bail!(
                        "parameter ${} of {:?} changes between two sales in a way the replay \
                         cannot rebuild:\n{}\n---\n{}",
                        position + 1,
                        a.sql,
                        clip(value),
                        clip(other)
                    );
                }
                slots.push(slot);
                replaced.push(format!(":v{}", slots.len()));
            }
            let _ = writeln!(script, "{};", substitute(&a.sql, &replaced)?);
        }

        let columns: Vec<String> = (1..=slots.len()).map(|k| format!("v{k}")).collect();
        let header = format!(
            "-- Written by clientela-bench from the statements clientela serve ran for one sale.\n\
             \\set n :first + :client_id + :clients * :i\n\
             \\set i :i + 1\n\
             SELECT {} FROM {VALUES_TABLE} WHERE n = :n \\gset\n",
            columns.join(", ")
        );
        Ok(Self {
            script: header + &script,
            statements: first.len(),
            server_ids: first_ids.len(),
            slots,
        })
    }

    /// Returns the names of the value columns, in order.
    pub fn columns(&self) -> Vec<String> {
        (1..=self.slots.len()).map(|k| format!("v{k}")).collect()
    }

    /// Returns the parameter values of the sale with these tokens, with fresh ids.
    pub fn values(&self, tokens: &SaleTokens) -> Vec<String> {
        let ids: Vec<String> = (0..self.server_ids)
            .map(|_| Uuid::now_v7().to_string())
            .collect();
        self.slots
            .iter()
            .map(|slot| slot.render(tokens, &ids))
            .collect()
    }
}

impl Slot {
    fn from_value(value: &str, tokens: &SaleTokens, ids: &[String]) -> Self {
        match hex_text(value) {
            Some(text) => Self {
                parts: template(&text, tokens, ids),
                hex: true,
            },
            None => Self {
                parts: template(value, tokens, ids),
                hex: false,
            },
        }
    }

    fn render(&self, tokens: &SaleTokens, ids: &[String]) -> String {
        let order = tokens.in_order();
        let mut text = String::new();
        for part in &self.parts {
            match part {
                Part::Text(literal) => text.push_str(literal),
                Part::Token(index) => text.push_str(order[*index]),
                Part::Id(index) => text.push_str(&ids[*index]),
            }
        }
        if self.hex {
            let mut hex = String::with_capacity(2 + text.len() * 2);
            hex.push_str("\\x");
            for byte in text.bytes() {
                let _ = write!(hex, "{byte:02x}");
            }
            hex
        } else {
            text
        }
    }
}

/// Collects, in order of first use, the UUIDs that differ between the two sales
/// and carry no token: the ids the server made. Returns them for both sales.
fn server_ids(
    first: &[Statement],
    first_tokens: &SaleTokens,
    second: &[Statement],
) -> Result<(Vec<String>, Vec<String>)> {
    let mut pairs: HashMap<&str, &str> = HashMap::new();
    let mut first_ids = Vec::new();
    let mut second_ids = Vec::new();
    let params = first
        .iter()
        .zip(second)
        .flat_map(|(a, b)| a.params.iter().zip(&b.params));
    for (a, b) in params {
        let (Some(a), Some(b)) = (a.as_deref(), b.as_deref()) else {
            continue;
        };
        let made_by_server = a != b
            && Uuid::try_parse(a).is_ok()
            && !first_tokens
                .in_order()
                .iter()
                .any(|token| a.contains(token));
        if !made_by_server {
            continue;
        }
        match pairs.get(a) {
            Some(paired) => ensure!(
                *paired == b,
                "server id {a} of one sale stands for two ids of another"
            ),
            None => {
                pairs.insert(a, b);
                first_ids.push(a.to_owned());
                second_ids.push(b.to_owned());
            }
        }
    }
    Ok((first_ids, second_ids))
}

/// Splits `text` into literal text, tokens and ids.
fn template(text: &str, tokens: &SaleTokens, ids: &[String]) -> Vec<Part> {
    let order = tokens.in_order();
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let found = ids
            .iter()
            .position(|id| rest.starts_with(id.as_str()))
            .map(|index| (Part::Id(index), ids[index].len()))
            .or_else(|| {
                order
                    .iter()
                    .position(|token| rest.starts_with(token))
                    .map(|index| (Part::Token(index), order[index].len()))
            });
        match found {
            Some((part, length)) => {
                if !literal.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut literal)));
                }
                parts.push(part);
                rest = &rest[length..];
            }
            None => {
                literal.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if !literal.is_empty() {
        parts.push(Part::Text(literal));
    }
    parts
}

/// Replaces the placeholders `$1`, `$2`… of `sql` with `values`, and refuses
/// text that pgbench would read as a variable of its own.
fn substitute(sql: &str, values: &[String]) -> Result<String> {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut previous = ' ';
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            let mut number = String::new();
            while let Some(digit) = chars.next_if(char::is_ascii_digit) {
                number.push(digit);
            }
            let index: usize = number.parse()?;
            let value = values.get(index.wrapping_sub(1)).with_context(|| {
                format!("{sql:?} uses ${index} but has {} parameters", values.len())
            })?;
            out.push_str(value);
            previous = '0';
            continue;
        }
        if c == ':'
            && previous != ':'
            && chars
                .peek()
                .is_some_and(|next| next.is_alphabetic() || *next == '_')
        {
            bail!("{sql:?} has ':' before a name, which pgbench would read as a variable");
        }
        out.push(c);
        previous = c;
    }
    Ok(out)
}

/// Returns the text of a `\x…` bytea value, or `None` for any other value.
fn hex_text(value: &str) -> Option<String> {
    let hex = value.strip_prefix("\\x")?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(hex.get(at..at + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// Returns the text of a bytea value, or the value itself.
fn decoded(value: &str) -> String {
    hex_text(value).unwrap_or_else(|| value.to_owned())
}

/// Replaces every timestamp (`2026-12-04 22:44:00.97+00`, `2026-12-04T22:44:00Z`)
/// with one marker character.
fn mask_times(text: &str) -> String {
    const SHAPE: &[u8] = b"dddd-dd-dd?dd:dd:dd";
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < bytes.len() {
        let matches = bytes.len() - at >= SHAPE.len()
            && SHAPE
                .iter()
                .zip(&bytes[at..])
                .all(|(shape, byte)| match shape {
                    b'd' => byte.is_ascii_digit(),
                    b'?' => *byte == b' ' || *byte == b'T',
                    other => other == byte,
                });
        if !matches {
            let c = text[at..].chars().next().unwrap_or(' ');
            out.push(c);
            at += c.len_utf8().max(1);
            continue;
        }
        at += SHAPE.len();
        let skip = |at: &mut usize, accept: fn(u8) -> bool| {
            while *at < bytes.len() && accept(bytes[*at]) {
                *at += 1;
            }
        };
        skip(&mut at, |b| b == b'.' || b.is_ascii_digit());
        skip(&mut at, |b| {
            matches!(b, b'+' | b'-' | b':' | b'Z') || b.is_ascii_digit()
        });
        out.push('\u{1}');
    }
    out
}

/// Shortens a value for an error message.
fn clip(value: &str) -> String {
    const LIMIT: usize = 400;
    match value.char_indices().nth(LIMIT) {
        Some((end, _)) => format!("{}…", &value[..end]),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(sql: &str, params: &[Option<&str>]) -> Statement {
        Statement {
            sql: sql.to_owned(),
            params: params.iter().map(|p| p.map(str::to_owned)).collect(),
        }
    }

    fn sale(n: u64, client: &str, at: &str) -> Vec<Statement> {
        let tokens = SaleTokens::of(n);
        let email = format!("comprador.{}@example.com", tokens.number);
        let body: String = format!("{{\"doc\":\"{}\"}}", tokens.cpf)
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect();
        vec![
            statement("BEGIN", &[]),
            statement(
                "INSERT INTO clients (id, email, at, note) VALUES ($1, $2, $3, $4)",
                &[Some(client), Some(&email), Some(at), None],
            ),
            statement(
                "INSERT INTO events (client_id, body, kind) VALUES ($1, $2, $3::text)",
                &[Some(client), Some(&format!("\\x{body}")), Some("sale")],
            ),
            statement("COMMIT", &[]),
        ]
    }

    const ID_A: &str = "01a2433a-8f4d-75ec-a605-f0e6246a4722";
    const ID_B: &str = "01a2433a-9999-75ec-a605-f0e6246a4722";

    #[test]
    fn replay_rebuilds_tokens_ids_and_bytea() {
        let first = sale(90_000_001, ID_A, "2026-12-04 22:44:00.972516+00");
        let second = sale(90_000_002, ID_B, "2026-12-04 22:44:01.1+00");
        let replay = Replay::build(
            &first,
            &SaleTokens::of(90_000_001),
            &second,
            &SaleTokens::of(90_000_002),
        )
        .expect("builds");
        assert_eq!(replay.statements, 4);
        assert_eq!(replay.server_ids, 1);
        assert!(
            replay.script.contains(
                "INSERT INTO clients (id, email, at, note) VALUES (:v1, :v2, :v3, NULL);"
            )
        );
        assert!(replay.script.contains("VALUES (:v4, :v5, :v6::text);"));
        assert!(
            replay
                .script
                .contains("FROM bench_sale_values WHERE n = :n \\gset")
        );

        let values = replay.values(&SaleTokens::of(7));
        assert_eq!(values[0], values[3], "one id is used twice");
        assert_ne!(values[0], ID_A);
        assert_eq!(values[1], "comprador.00000007@example.com");
        assert_eq!(values[2], "2026-12-04 22:44:00.972516+00");
        let tokens = SaleTokens::of(7);
        assert_eq!(
            decoded(&values[4]),
            format!("{{\"doc\":\"{}\"}}", tokens.cpf)
        );
        assert_eq!(values[5], "sale");
    }

    #[test]
    fn replay_rejects_unrebuildable_value() {
        let first = vec![statement("SELECT $1", &[Some("abc")])];
        let second = vec![statement("SELECT $1", &[Some("xyz")])];
        let error = Replay::build(&first, &SaleTokens::of(1), &second, &SaleTokens::of(2))
            .expect_err("refused");
        assert!(error.to_string().contains("cannot rebuild"), "{error}");
    }

    #[test]
    fn replay_rejects_different_paths() {
        let first = vec![statement("SELECT 1", &[])];
        let second = vec![statement("SELECT 2", &[])];
        assert!(Replay::build(&first, &SaleTokens::of(1), &second, &SaleTokens::of(2)).is_err());
    }

    #[test]
    fn substitute_refuses_pgbench_variables_and_keeps_casts() {
        let values = vec![":v1".to_owned()];
        assert_eq!(
            substitute("SELECT $1::text[]", &values).expect("ok"),
            "SELECT :v1::text[]"
        );
        assert!(substitute("SELECT ':name'", &[]).is_err());
        assert!(substitute("SELECT $2", &values).is_err());
    }

    #[test]
    fn times_are_masked_in_both_forms() {
        assert_eq!(
            mask_times("a 2026-12-04 22:44:00.972516+00 b 2026-12-04T22:44:00Z c"),
            "a \u{1} b \u{1} c"
        );
        assert_eq!(mask_times("no time 2026-12"), "no time 2026-12");
    }
}
