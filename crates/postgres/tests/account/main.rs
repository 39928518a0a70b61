//! Tests of the members-app account adapters (sessions, link tokens, login
//! throttle, access log) against a real server. Each test creates its own
//! database from the migrated template; set `TEST_DATABASE_URL` to the server,
//! such as `postgres://postgres@127.0.0.1:55432/postgres`.

mod emails;
mod logins;
mod passwords;
mod sessions;
mod support;
mod throttle;
