//! Makes cargo rebuild the crate when a migration changes, because
//! `embed_migrations!` embeds the folder, and exports a hash of the migration files
//! as `CLIENTELA_MIGRATIONS_HASH`, which names the test template database.

use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    println!("cargo:rerun-if-changed={}", root.display());

    let mut files = Vec::new();
    collect_files(&root, &mut files);
    files.sort();

    // 64-bit FNV-1a over every file's relative path and contents: stable across
    // Rust versions, unlike `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let relative = file.strip_prefix(&root).unwrap_or(file);
        let contents = fs::read(file).unwrap_or_default();
        for byte in relative
            .to_string_lossy()
            .bytes()
            .chain([0])
            .chain(contents)
        {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=CLIENTELA_MIGRATIONS_HASH={hash:016x}");
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect_files(&path, files);
        } else {
            files.push(path);
        }
    }
}
