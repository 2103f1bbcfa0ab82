//! `run --trace`: a flow's trace zip opened by Playwright's own trace tooling (the
//! `playwright trace` CLI of playwright-core, offline) — every action with its title in order,
//! the page's requests and console messages, the failure of a failed flow — and its Chrome
//! performance trace parsed by DevTools' trace engine (`@paulirish/trace_engine`) with the
//! actions as user-timing measures. Retention modes and the recorder's own errors too.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{browser, npm_tool, rt, site};
use webrunner::probes::trace::{TraceError, TraceRecorder};
use webrunner::run::{run_flows, RunOptions, RunOutcome};
use webrunner::settings::TraceMode;
use webrunner::{parse_flow, Flow, Settings};

const EVIDENCE: &str = r##"[
  ["WR_to_url", {"url": "{base}/pages/evidence"}],
  ["WR_element_click", {"css": "#go"}],
  ["WR_wait_for_condition", {"script": "return document.getElementById('done').textContent === 'fetched'"}],
  ["WR_assert_text", {"css": "#total", "text": "Total: 4"}]
]"##;

const PASSING: &str = r##"[
  ["WR_to_url", {"url": "{base}/pages/evidence"}],
  ["WR_assert_text", {"css": "#total", "text": "Total: 3"}]
]"##;

fn flow(name: &str, text: &str, base: &str, dir: &Path) -> Flow {
    let text = text.replace("{base}", base);
    let path = dir.join(name);
    std::fs::write(&path, &text).expect("write flow");
    let mut flow = parse_flow(&path.display().to_string(), &text).expect("flow");
    flow.path = Some(path);
    flow
}

/// Chromium records one performance trace at a time (a trace started while another runs
/// goes without one, saying so in its `notes.txt`): the traced runs of these tests, which
/// share one browser, take turns.
static ONE_TRACE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn run(flows: &[Flow], out: &Path, trace: TraceMode) -> RunOutcome {
    let _turn = ONE_TRACE_AT_A_TIME.lock().await;
    let settings = Settings {
        trace,
        action_timeout: std::time::Duration::from_secs(1),
        ..Settings::default()
    };
    let options = RunOptions {
        settings,
        out: Some(out.to_path_buf()),
        browser: Some(browser().await),
        ..RunOptions::default()
    };
    run_flows(flows, options).await.expect("run")
}

/// Runs `playwright trace <args>` in `cwd` (where `trace open` keeps its state).
fn playwright(modules: &Path, cwd: &Path, args: &[&str]) -> String {
    let out = Command::new(modules.join(".bin/playwright-core"))
        .arg("trace")
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run playwright-core");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "playwright trace {args:?}: {text}");
    text
}

fn zips(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    found.sort();
    found
}

/// The text of entry `name` of the zip at `zip`.
fn entry_text(zip: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
    text
}

/// Runs the evidence page's flow (its last action fails) traced into `dir`.
async fn traced_evidence(dir: &Path) -> (PathBuf, RunOutcome) {
    let base = site().await.base_url();
    let f = flow("evidence.json", EVIDENCE, &base, dir);
    let out = dir.join("out");
    let outcome = run(&[f], &out, TraceMode::On).await;
    (out.join("traces/evidence.zip"), outcome)
}

#[test]
fn playwright_reads_the_trace_of_a_failed_flow() {
    let Some(modules) = npm_tool("playwright-core", "1.65.2") else {
        return;
    };
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let (zip, outcome) = traced_evidence(dir.path()).await;
        assert_eq!(outcome.summary.failed, 1, "the last action fails");
        assert!(zip.is_file(), "{:?}", zips(&dir.path().join("out/traces")));
        let failed = outcome.records.last().unwrap();
        assert_eq!(
            failed.artifacts.trace.as_deref(),
            Some(zip.display().to_string().as_str())
        );

        let archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
        let frames = archive
            .file_names()
            .filter(|n| n.starts_with("resources/page@") && n.ends_with(".jpeg"))
            .count();
        assert!(frames >= 1, "a screencast frame at least");
        assert!(archive.file_names().any(|n| n.ends_with("-screenshot.png")));

        let cwd = tempfile::tempdir().unwrap();
        let open = playwright(&modules, cwd.path(), &["open", zip.to_str().unwrap()]);
        assert!(open.contains("Actions:      4"), "{open}");
        let actions = playwright(&modules, cwd.path(), &["actions"]);
        let titles: Vec<&str> = actions
            .lines()
            .filter_map(|l| {
                let l = l.trim_start();
                let (n, rest) = l.split_once(". ")?;
                n.parse::<u32>().ok()?;
                rest.split_whitespace().nth(1)
            })
            .collect();
        assert_eq!(
            titles,
            [
                "WR_to_url",
                "WR_element_click",
                "WR_wait_for_condition",
                "WR_assert_text"
            ],
            "{actions}"
        );
        assert!(actions.contains("css=#go"), "subtitles: {actions}");
        assert_eq!(
            actions.matches('✗').count(),
            1,
            "one failed action: {actions}"
        );

        let requests = playwright(&modules, cwd.path(), &["requests"]);
        for want in ["evidence", "status?code=404", "status?code=500"] {
            assert!(requests.contains(want), "{want} in {requests}");
        }
        assert!(
            requests.contains(" 404 ") && requests.contains(" 500 "),
            "{requests}"
        );

        let console = playwright(&modules, cwd.path(), &["console"]);
        for want in ["log-2", "info-3", "warn-4", "error-5", "thrown-6"] {
            assert!(console.contains(want), "{want} in {console}");
        }
        let errors = playwright(&modules, cwd.path(), &["errors"]);
        assert!(
            errors.contains("WR_assert_text") && errors.contains("Total: 4"),
            "{errors}"
        );
        playwright(&modules, cwd.path(), &["close"]);
    });
}

#[test]
fn retain_on_failure_keeps_only_the_failed_flows_trace() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let base = site().await.base_url();
        let failing = flow("failing.json", EVIDENCE, &base, dir.path());
        let passing = flow("passing.json", PASSING, &base, dir.path());
        let out = dir.path().join("out");
        let outcome = run(
            &[failing, passing.clone()],
            &out,
            TraceMode::RetainOnFailure,
        )
        .await;
        assert_eq!(outcome.summary.failed, 1);
        assert_eq!(zips(&out.join("traces")), [out.join("traces/failing.zip")]);

        let out_on = dir.path().join("on");
        run(&[passing.clone(), passing], &out_on, TraceMode::On).await;
        assert_eq!(
            zips(&out_on.join("traces")),
            [
                out_on.join("traces/passing-1.zip"),
                out_on.join("traces/passing.zip")
            ],
            "one zip per flow, never one over another"
        );

        let out_off = dir.path().join("off");
        let f = flow("failing.json", EVIDENCE, &base, dir.path());
        run(&[f], &out_off, TraceMode::Off).await;
        assert!(!out_off.join("traces").exists());
    });
}

#[test]
fn devtools_trace_engine_reads_the_chrome_trace_with_the_action_measures() {
    let Some(modules) = npm_tool("@paulirish/trace_engine", "0.0.65") else {
        return;
    };
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let (zip, _) = traced_evidence(dir.path()).await;
        let text = entry_text(&zip, "chrome-trace.json");
        let trace_file = dir.path().join("chrome-trace.json");
        std::fs::write(&trace_file, &text).unwrap();
        // The same trace is the last action's attachment.
        assert_eq!(entry_text(&zip, "resources/chrome-trace.json"), text);

        let engine = modules.join("@paulirish/trace_engine/analyze-trace.mjs");
        let script = r#"
const [file, engine] = process.argv.slice(1);
const { analyzeEvents } = await import(engine);
const json = JSON.parse((await import('node:fs')).readFileSync(file, 'utf8'));
const { parsedTrace } = await analyzeEvents(json.traceEvents ?? json);
const data = parsedTrace.data ?? parsedTrace;
console.log(JSON.stringify({
  measures: data.UserTimings.performanceMeasures.map(m => m.name),
  requests: data.NetworkRequests.byTime.map(r => r.args.data.url),
}));
"#;
        let run = Command::new("node")
            .args(["--input-type=module", "-e", script])
            .arg(&trace_file)
            .arg(&engine)
            .output()
            .expect("run node");
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "trace engine: {stdout}{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let parsed: serde_json::Value =
            serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap();
        let measures: Vec<&str> = parsed["measures"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m.as_str())
            .filter(|m| m.contains("WR_"))
            .collect();
        assert_eq!(
            measures,
            [
                "#0 WR_to_url",
                "#1 WR_element_click",
                "#2 WR_wait_for_condition",
                "#3 WR_assert_text"
            ]
        );
        let requests = parsed["requests"].to_string();
        assert!(requests.contains("/pages/evidence"), "{requests}");
    });
}

#[test]
fn the_recorders_own_errors_and_a_trace_without_a_browser() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let mut recorder = TraceRecorder::new(dir.path());
        assert!(matches!(
            recorder.open(None, " ").await,
            Err(TraceError::EmptyName)
        ));
        assert!(matches!(
            recorder.stop(&[]).await,
            Err(TraceError::NotRunning)
        ));
        recorder.open(None, "alone").await.unwrap();
        assert!(matches!(
            recorder.open(None, "again").await,
            Err(TraceError::AlreadyRunning(n)) if n == "alone"
        ));
        let path = recorder.stop(&[]).await.unwrap();
        assert_eq!(path, dir.path().join("alone.zip"));
        assert_eq!(recorder.written(), std::slice::from_ref(&path));
        let first = entry_text(&path, "trace.trace");
        let context: serde_json::Value =
            serde_json::from_str(first.lines().next().unwrap()).unwrap();
        assert_eq!(context["type"], "context-options");
        assert_eq!(context["version"], 8);
    });
}

#[test]
fn a_flow_whose_tab_crashed_still_leaves_its_trace() {
    rt().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let base = site().await.base_url();
        let text = r##"[
          ["WR_to_url", {"url": "{base}/pages/evidence"}],
          ["WR_execute_cdp_cmd", {"cmd": "Page.crash"}],
          ["WR_assert_title", {"title": "never"}]
        ]"##;
        let f = flow("crash.json", text, &base, dir.path());
        let out = dir.path().join("out");
        let outcome = run(&[f], &out, TraceMode::RetainOnFailure).await;
        assert!(outcome.summary.failed >= 1, "{:?}", outcome.records);
        let zip = out.join("traces/crash.zip");
        let text = entry_text(&zip, "trace.trace");
        let events: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let befores: Vec<&str> = events
            .iter()
            .filter(|e| e["type"] == "before")
            .filter_map(|e| e["method"].as_str())
            .collect();
        assert_eq!(befores[0], "WR_to_url");
        assert!(befores.contains(&"WR_execute_cdp_cmd"), "{befores:?}");
        assert!(
            events
                .iter()
                .any(|e| e["type"] == "after" && e["error"]["message"].is_string()),
            "the crash shows as an action's error: {text}"
        );
    });
}
