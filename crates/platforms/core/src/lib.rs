//! Shared webhook platform contract.
