//! The flows of `examples/python_style/`, written in the Python WebRunner's own command
//! vocabulary (its command and parameter names, test objects saved with `WR_SaveTestObject`,
//! action chains run by `WR_perform`), run by webrunner against the demo site. Every action
//! must pass, and with it every check the flow makes (`WR_element_assert`,
//! `WR_check_current_webdriver`). The same files pass in the Python WebRunner itself:
//! `flows_pass_in_the_python_webrunner` runs them there.

mod common;

use std::path::{Path, PathBuf};

use common::{executor, rt, site};
use webrunner::{parse_flow, Executor, Settings, Status};

/// An executor whose actions may take up to 30 s: the machine running the tests is shared
/// and busy, and the executor cuts an action at its time-out (what a test proves never
/// depends on it). A flow's own `WR_implicitly_wait` still sets its element waits.
async fn roomy_executor() -> Executor {
    let mut ex = executor().await;
    ex.set_settings(Settings {
        action_timeout: std::time::Duration::from_secs(30),
        ..Settings::default()
    });
    ex
}

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
        let mut ex = roomy_executor().await;
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
/// the same demo site: proves they are written the way that runner reads them.
#[test]
fn flows_pass_in_the_python_webrunner() {
    if !common::python_webrunner_available() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let base = rt().block_on(async { site().await.base_url() });
    let mut flows: Vec<PathBuf> = std::fs::read_dir(flows_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    flows.sort();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/py/run_flows.py");
    let output = std::process::Command::new("python3")
        .arg(script)
        .args(["--base", &base, "--out"])
        .arg(out.path())
        .args(&flows)
        .output()
        .expect("run python3");
    assert!(
        output.status.success(),
        "some flows failed in the Python WebRunner:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// Runs an inline flow in webrunner's own vocabulary (what already runs today) against the
/// demo site and fails naming every action that did not pass.
fn run_native(name: &str, flow: &str) -> Vec<webrunner::Record> {
    rt().block_on(async {
        let base = site().await.base_url();
        let flow = parse_flow(name, &flow.replace("{base}", &base)).unwrap();
        let mut ex = roomy_executor().await;
        let records = ex.run_flow(&flow).await.to_vec();
        ex.shutdown().await;
        for r in &records {
            assert_eq!(
                r.status,
                Status::Passed,
                "{name}: action {} {} failed: {:?}",
                r.index,
                r.command,
                r.error
            );
        }
        records
    })
}

/// The index links every interaction page, and each page has the title its flows check.
#[test]
fn interaction_pages_are_linked_from_the_index() {
    let records = run_native(
        "index",
        r#"[["WR_to_url", ["{base}/"]],
            ["WR_execute_script", ["return [...document.querySelectorAll('#interaction-pages a')].map(a => a.getAttribute('href'))"]]]"#,
    );
    let links: Vec<String> = serde_json::from_value(records[1].result.clone()).unwrap();
    assert_eq!(
        links,
        [
            "/form", "/hover", "/frame", "/windows", "/dialogs", "/timing", "/drag", "/keys",
            "/storage"
        ]
    );
    let titles = [
        "Form",
        "Hover menu",
        "Frames",
        "Windows",
        "Dialogs",
        "Timing",
        "Drag and drop",
        "Keys",
        "Storage",
    ];
    let mut flow = Vec::new();
    for (link, title) in links.iter().zip(titles) {
        flow.push(serde_json::json!([
            "WR_to_url",
            [format!("{{base}}{link}")]
        ]));
        flow.push(serde_json::json!(["WR_assert_title", [title]]));
    }
    run_native("titles", &serde_json::Value::Array(flow).to_string());
}

/// The form page reports every kind of field it was given, the chosen file's name and size
/// included.
#[test]
fn form_page_shows_what_was_submitted() {
    run_native(
        "form",
        r##"[["WR_to_url", ["{base}/form"]],
            ["WR_element_input", {"css": "#full-name", "text": "Ada"}],
            ["WR_element_input", {"css": "[placeholder='you@example.org']", "text": "ada@example.org"}],
            ["WR_execute_script", ["document.getElementById('country').value = 'jp'"]],
            ["WR_element_click", {"css": "#gift"}],
            ["WR_element_click", {"css": "#newsletter"}],
            ["WR_element_click", {"css": "#size-l"}],
            ["WR_execute_script", ["const dt = new DataTransfer(); dt.items.add(new File(['hello'], 'note.txt')); const f = document.getElementById('attachment'); f.files = dt.files; f.dispatchEvent(new Event('change'))"]],
            ["WR_assert_text", {"css": "#file-info", "text": "note.txt (5 bytes)", "exact": true}],
            ["WR_element_click", {"by_text": "Submit order"}],
            ["WR_assert_text", {"css": "#submitted", "exact": true,
              "text": "full_name=Ada; email=ada@example.org; country=jp; extras=gift; size=L; attachment=note.txt; comments="}]]"##,
    );
}

/// The submenu shows only while the real pointer is over its parent.
#[test]
fn hover_menu_opens_under_the_pointer() {
    let records = run_native(
        "hover",
        r##"[["WR_to_url", ["{base}/hover"]],
            ["WR_execute_script", ["return getComputedStyle(document.getElementById('menu-teapots').closest('.submenu')).display"]],
            ["WR_element_click", {"css": "#menu-products"}],
            ["WR_assert_text", {"css": "#hover-state", "text": "hovering Products", "exact": true}],
            ["WR_assert_visible", {"css": "#menu-teapots"}],
            ["WR_element_click", {"css": "#menu-teapots"}],
            ["WR_assert_text", {"css": "#menu-choice", "text": "You chose Teapots", "exact": true}]]"##,
    );
    assert_eq!(records[1].result, serde_json::json!("none"));
}

/// The late button appears, the overlay goes away, and each then takes a click.
#[test]
fn timing_page_buttons_become_clickable() {
    run_native(
        "timing",
        r##"[["WR_to_url", ["{base}/timing"]],
            ["WR_explicit_wait", {"css": "#late-button", "condition": "visible", "timeout": 20}],
            ["WR_element_click", {"css": "#late-button"}],
            ["WR_assert_text", {"css": "#timing-result", "text": "late button clicked", "exact": true}],
            ["WR_explicit_wait", {"css": "#fade-overlay", "condition": "absent", "timeout": 20}],
            ["WR_element_click", {"css": "#covered-button"}],
            ["WR_assert_text", {"css": "#timing-result", "text": "covered button clicked", "exact": true}]]"##,
    );
}

/// The frame's form writes into its own page and into its same-origin parent.
#[test]
fn frame_page_form_reaches_its_parent() {
    run_native(
        "frame",
        r##"[["WR_to_url", ["{base}/frame"]],
            ["WR_wait_for_condition", ["const d = document.getElementById('inner-frame').contentDocument; return d && d.getElementById('inner-send')"]],
            ["WR_execute_script", ["const d = document.getElementById('inner-frame').contentDocument; d.getElementById('inner-name').value = 'Grace'; d.getElementById('inner-send').click()"]],
            ["WR_assert_text", {"css": "#outer-status", "text": "the frame sent Grace", "exact": true}],
            ["WR_execute_script", ["return document.getElementById('inner-frame').contentDocument.getElementById('inner-result').textContent"]]]"##,
    );
}

/// The storage page shows what its buttons stored, and the cookie is a real one.
#[test]
fn storage_page_shows_storage_and_cookies() {
    let records = run_native(
        "storage",
        r##"[["WR_to_url", ["{base}/storage"]],
            ["WR_assert_text", {"css": "#local-view", "text": "(empty)", "exact": true}],
            ["WR_element_click", {"css": "#save-local"}],
            ["WR_element_click", {"css": "#save-session"}],
            ["WR_element_click", {"css": "#set-cookie"}],
            ["WR_assert_text", {"css": "#local-view", "text": "theme=dark", "exact": true}],
            ["WR_assert_text", {"css": "#session-view", "text": "visit=1", "exact": true}],
            ["WR_assert_text", {"css": "#cookie-view", "text": "flavour=oat", "exact": true}],
            ["WR_get_cookies"],
            ["WR_element_click", {"css": "#clear-all"}],
            ["WR_assert_text", {"css": "#cookie-view", "text": "(empty)", "exact": true}]]"##,
    );
    let cookies = records[8].result.to_string();
    assert!(cookies.contains("flavour"), "{cookies}");
}
