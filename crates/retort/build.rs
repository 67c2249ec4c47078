// Test servers the developer said to skip. A test that needs a server either talks to it
// or shows as ignored: it never passes without it. `RETORT_TEST_SKIP=postgres,mysql`
// sets `retort_skip_postgres` / `retort_skip_mysql`, which mark those tests `ignore`
// (`mysql-tls`: only the test that starts a MariaDB with TLS of its own; `mysql` implies
// it); under `CI=true` nothing is skipped. crates/retort-cli/build.rs includes this file,
// so both crates read the variable alike. (Plain comments: an included file may not hold
// inner doc comments.)

fn main() {
    println!("cargo:rerun-if-env-changed=RETORT_TEST_SKIP");
    println!("cargo:rerun-if-env-changed=CI");
    for name in ["postgres", "mysql", "mysql_tls"] {
        println!("cargo:rustc-check-cfg=cfg(retort_skip_{name})");
    }
    let Ok(list) = std::env::var("RETORT_TEST_SKIP") else {
        return;
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        println!("cargo:warning=RETORT_TEST_SKIP={list} is ignored under CI=true: every server test runs");
        return;
    }
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let names: &[&str] = match item.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => &["postgres"],
            "mysql" | "mariadb" => &["mysql", "mysql_tls"],
            "mysql-tls" | "mysql_tls" => &["mysql_tls"],
            other => panic!(
                "RETORT_TEST_SKIP: unknown database `{other}` (expected postgres, mysql, mysql-tls)"
            ),
        };
        for name in names {
            println!("cargo:rustc-cfg=retort_skip_{name}");
        }
    }
}
