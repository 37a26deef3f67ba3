//! `ecert verify` keeps a trust-list rollback floor: the highest sequence accepted per pinned root, in a state
//! file. Older lists are refused (exit 2) unless `--allow-rollback`; newer ones raise the floor; a state
//! directory that cannot be written only warns.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{demo, ecert, ecert_cmd, stderr};

/// 2026-11-23 23:59 China time (after every signing time of the demo's samples).
const AT: &str = "@1795449540";

/// A trust list of the demo's PKI with this sequence (written once per test binary).
fn list(sequence: u64) -> PathBuf {
    let dir = demo().parent().unwrap().join("floor-lists");
    let path = dir.join(format!("seq-{sequence}.json"));
    if !path.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let tmp = dir.join(format!("seq-{sequence}.tmp-{:?}", std::thread::current().id()));
        let pki = demo().join("pki");
        let seq = sequence.to_string();
        let o =
            ecert(&["trust-list", "--pki", pki.to_str().unwrap(), "--out", tmp.to_str().unwrap(), "--sequence", &seq]);
        assert!(o.status.success(), "trust-list: {}", stderr(&o));
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

fn root_key_id() -> String {
    let pem = std::fs::read_to_string(demo().join("root-spki.pem")).unwrap();
    ecert_format::trust_list::key_id_of_spki(&ecert_pki::key::spki_der_from_pem(&pem).unwrap())
}

/// `ecert verify` of a valid sample under the list with `sequence`, with `extra` flags.
fn verify(sequence: u64, extra: &[&str]) -> Output {
    let mut c = ecert_cmd();
    c.args(["verify", "--trust-list"]).arg(list(sequence));
    c.arg("--root").arg(demo().join("root-spki.pem")).args(["--at", AT]).args(extra);
    c.arg(demo().join("samples/valid-style1.pdf")).output().unwrap()
}

/// The floor recorded for the demo's root, from the state file's `<root key id> <sequence>` line.
fn recorded(state: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(state).ok()?;
    let id = root_key_id();
    text.lines().find_map(|l| l.strip_prefix(&format!("{id} "))).map(|s| s.trim().parse().unwrap())
}

#[test]
fn floor_rises_refuses_rollback_and_can_be_overridden() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("floor");
    let s = state.to_str().unwrap();
    let o = verify(5, &["--state-file", s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(recorded(&state), Some(5));

    let o = verify(4, &["--state-file", s]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("回滚") && err.contains("rollback") && err.contains("TRUST_LIST_ROLLBACK"), "{err}");
    assert!(err.contains("序号 4") && err.contains("序号 5"), "{err}");
    assert!(err.contains("(sequence 4)") && err.contains("(sequence 5)"), "{err}");
    assert!(err.contains("--allow-rollback"), "{err}");
    assert!(o.stdout.is_empty(), "no verdict under a refused list");
    assert_eq!(recorded(&state), Some(5), "a refused list leaves the floor");

    let o = verify(4, &["--state-file", s, "--allow-rollback"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(recorded(&state), Some(5), "an allowed rollback does not lower the floor");

    let o = verify(5, &["--state-file", s]);
    assert_eq!(o.status.code(), Some(0), "the floor itself is accepted: {}", stderr(&o));
    let o = verify(6, &["--state-file", s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(recorded(&state), Some(6));
    assert_eq!(verify(5, &["--state-file", s]).status.code(), Some(2));
}

#[test]
fn each_root_has_its_own_floor() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("floor");
    let s = state.to_str().unwrap();
    assert_eq!(verify(7, &["--state-file", s]).status.code(), Some(0));
    // The demo's second (untrusted) PKI: its own root, its first list. Not a rollback of the first root's 7.
    let other = dir.path().join("other.json");
    let pki = demo().join("untrusted-pki");
    let o = ecert(&["trust-list", "--pki", pki.to_str().unwrap(), "--out", other.to_str().unwrap(), "--sequence", "1"]);
    assert!(o.status.success(), "trust-list: {}", stderr(&o));
    let o = ecert_cmd()
        .args(["verify", "--state-file", s, "--at", AT, "--trust-list"])
        .arg(&other)
        .arg("--root")
        .arg(pki.join("root/spki.pem"))
        .arg(demo().join("samples/valid-style1.pdf"))
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(recorded(&state), Some(7));
    assert_eq!(std::fs::read_to_string(&state).unwrap().lines().filter(|l| !l.starts_with('#')).count(), 2);
}

#[test]
fn default_state_file_is_under_xdg_state_home_else_home() {
    let dir = tempfile::tempdir().unwrap();
    let xdg = dir.path().join("xdg");
    let home = dir.path().join("home");
    let run = |seq: u64, xdg: Option<&Path>| {
        let mut c = ecert_cmd();
        c.env("HOME", &home);
        match xdg {
            Some(x) => c.env("XDG_STATE_HOME", x),
            None => c.env_remove("XDG_STATE_HOME"),
        };
        c.args(["verify", "--trust-list"]).arg(list(seq));
        c.arg("--root").arg(demo().join("root-spki.pem")).args(["--at", AT]);
        c.arg(demo().join("samples/valid-style1.pdf")).output().unwrap()
    };
    assert_eq!(run(3, Some(&xdg)).status.code(), Some(0));
    assert_eq!(recorded(&xdg.join("ecert/trust-list-floor")), Some(3));
    assert!(!home.exists());
    assert_eq!(run(2, None).status.code(), Some(0), "the HOME floor is separate");
    assert_eq!(recorded(&home.join(".local/state/ecert/trust-list-floor")), Some(2));
    assert_eq!(run(2, Some(&xdg)).status.code(), Some(2), "below the XDG floor of 3");
}

#[test]
fn unwritable_state_only_warns() {
    let dir = tempfile::tempdir().unwrap();
    // A regular file where the state directory should be: no directory can be created there (even as root).
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"").unwrap();
    let state = blocker.join("ecert/floor");
    let o = verify(5, &["--state-file", state.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("warning") && err.contains("cannot record trust-list sequence 5"), "{err}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("VALID"));

    // An unreadable (here: malformed) state file warns too, and is replaced by the next update.
    let state = dir.path().join("floor");
    std::fs::write(&state, "not a floor\n").unwrap();
    let o = verify(5, &["--state-file", state.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("malformed state file"), "{}", stderr(&o));
    assert_eq!(recorded(&state), Some(5));
}
