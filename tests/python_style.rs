//! The flows of `examples/python_style/`, written in the Python WebRunner's own command
//! vocabulary (its command and parameter names, test objects saved with `WR_SaveTestObject`,
//! action chains run by `WR_perform`), run by webrunner against the demo site. Every action
//! must pass, and with it every check the flow makes (`WR_element_assert`,
//! `WR_check_current_webdriver`). The same files pass in the Python WebRunner itself:
//! `flows_pass_in_the_python_webrunner` runs them there when asked (`--ignored`).

mod common;

use std::path::{Path, PathBuf};

use common::{executor, rt, site};
use webrunner::{parse_flow, Status};

fn flows_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/python_style")
}

/// The flow file's text with `{base}`, `{files}` and `{out}` filled in.
fn flow_text(name: &str, base: &str, out: &Path) -> String {
    let path = flows_dir().join(format!("{name}.json"));
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.replace("{base}", base)
        .replace("{files}", &flows_dir().display().to_string())
        .replace("{out}", &out.display().to_string())
}

/// Runs one flow in its own tab and fails naming every action that did not pass.
fn run_flow_file(name: &str) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    rt().block_on(async {
        let base = site().await.base_url();
        let flow = parse_flow(&format!("{name}.json"), &flow_text(name, &base, out.path()))
            .unwrap_or_else(|e| panic!("{name}.json does not parse: {e}"));
        let mut ex = executor().await;
        let records = ex.run_flow(&flow).await.to_vec();
        ex.shutdown().await;
        assert_eq!(
            records.len(),
            flow.actions.len(),
            "{name}: every action has a record"
        );
        let failed: Vec<String> = records
            .iter()
            .filter(|r| r.status != Status::Passed)
            .map(|r| {
                format!(
                    "  action {} {} {:?}: {}",
                    r.index,
                    r.command,
                    r.kwargs,
                    r.error.as_deref().unwrap_or("(no error)")
                )
            })
            .collect();
        assert!(
            failed.is_empty(),
            "{name}.json: {} of {} actions did not pass:\n{}",
            failed.len(),
            records.len(),
            failed.join("\n")
        );
    });
    out
}

macro_rules! flow_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run_flow_file(stringify!($name));
            }
        )*
        const FLOWS: &[&str] = &[$(stringify!($name)),*];
    };
}

flow_tests!(
    action_chains,
    dialogs,
    file_upload,
    form_fill,
    hover_menu,
    iframe,
    keys,
    locators,
    navigation,
    new_tab,
    select_and_check,
    storage_cookies,
    waits,
);

/// The screenshot flow also leaves real PNG files where it said.
#[test]
fn screenshots() {
    let out = run_flow_file("screenshots");
    for file in ["form.png", "order-form.png"] {
        let bytes = std::fs::read(out.path().join(file))
            .unwrap_or_else(|e| panic!("screenshots.json did not write {file}: {e}"));
        assert!(
            bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{file} is not a PNG"
        );
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let info = decoder.read_info().unwrap().info().clone();
        assert!(info.width > 0 && info.height > 0, "{file} is empty");
    }
}

/// Every flow of the folder has its test above (a new file cannot be forgotten).
#[test]
fn every_flow_file_is_tested() {
    let mut on_disk: Vec<String> = std::fs::read_dir(flows_dir())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".json").map(str::to_string)
        })
        .collect();
    on_disk.sort();
    let mut tested: Vec<String> = FLOWS.iter().map(|s| s.to_string()).collect();
    tested.push("screenshots".into());
    tested.sort();
    assert_eq!(on_disk, tested);
}

/// The same flows through the Python WebRunner (`je_web_runner`, Selenium, chromedriver) on
/// the same demo site: proves they are written the way that runner reads them. Needs the
/// reference package, so it runs only when asked:
/// `cargo test --test python_style -- --ignored`.
#[test]
#[ignore = "needs the Python WebRunner (pip install je_web_runner) and chromedriver"]
fn flows_pass_in_the_python_webrunner() {
    let out = tempfile::tempdir().unwrap();
    let base = rt().block_on(async { site().await.base_url() });
    let mut flows: Vec<PathBuf> = std::fs::read_dir(flows_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    flows.sort();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/py/run_flows.py");
    let status = std::process::Command::new("python3")
        .arg(script)
        .args(["--base", &base, "--out"])
        .arg(out.path())
        .args(&flows)
        .status()
        .expect("run python3");
    assert!(
        status.success(),
        "some flows failed in the Python WebRunner (see above)"
    );
}
