//! The options beyond the seed: multiset matching, URL normalisation, timing and size
//! thresholds, JSONP, and the text table.

mod support;

use serde_json::{json, Value};
use support::har_of;
use webrunner_har::{
    diff_har, diff_har_with, read_har, render_table, DiffOptions, HarDiffError, MatchMode,
};

fn entry(method: &str, url: &str, status: i64) -> Value {
    json!({"request": {"method": method, "url": url}, "response": {"status": status}})
}

fn timed(url: &str, time: f64, wait: f64, size: i64) -> Value {
    json!({
        "request": {"method": "GET", "url": url},
        "response": {"status": 200, "content": {"size": size, "text": "xx"}, "bodySize": 1},
        "time": time,
        "timings": {"send": 0, "wait": wait, "receive": 1},
    })
}

fn report_json(left: &Value, right: &Value, options: &DiffOptions) -> Value {
    serde_json::to_value(diff_har_with(left, right, options).unwrap()).unwrap()
}

fn multiset() -> DiffOptions {
    DiffOptions {
        match_mode: MatchMode::Multiset,
        ..DiffOptions::default()
    }
}

#[test]
fn default_options_serialise_exactly_like_the_seed_result() {
    let left = har_of(vec![entry("GET", "/a", 200), entry("GET", "/b", 200)]);
    let right = har_of(vec![entry("GET", "/a", 500), entry("GET", "/c", 200)]);
    let seed = serde_json::to_value(diff_har(&left, &right).unwrap()).unwrap();
    assert_eq!(report_json(&left, &right, &DiffOptions::default()), seed);
    assert_eq!(seed.as_object().unwrap().len(), 3);
}

#[test]
fn multiset_reports_a_repeated_request_that_disappeared() {
    let left = har_of(vec![
        entry("GET", "/x", 200),
        entry("GET", "/y", 200),
        entry("GET", "/x", 200),
        entry("GET", "/x", 200),
    ]);
    let right = har_of(vec![
        entry("GET", "/x", 200),
        entry("GET", "/y", 200),
        entry("GET", "/x", 200),
    ]);
    // The seed's key match sees no difference…
    assert!(diff_har(&left, &right).unwrap().is_empty());
    // …the multiset match reports the third GET /x.
    assert_eq!(
        report_json(&left, &right, &multiset()),
        json!({"added": [], "removed": [{"method": "GET", "url": "/x", "status": 200, "occurrence": 3}], "changed": []})
    );
    assert_eq!(
        report_json(&right, &left, &multiset())["added"],
        json!([{"method": "GET", "url": "/x", "status": 200, "occurrence": 3}])
    );
}

#[test]
fn multiset_pairs_occurrences_in_order_and_lists_follow_file_order() {
    let left = har_of(vec![
        entry("GET", "/x", 200),
        entry("GET", "/x", 200),
        entry("GET", "/z", 200),
        entry("POST", "/p", 200),
    ]);
    let right = har_of(vec![
        entry("POST", "/p", 201),
        entry("GET", "/x", 200),
        entry("GET", "/n", 200),
        entry("GET", "/x", 503),
        entry("GET", "/n", 200),
    ]);
    assert_eq!(
        report_json(&left, &right, &multiset()),
        json!({
            "added": [
                {"method": "GET", "url": "/n", "status": 200, "occurrence": 1},
                {"method": "GET", "url": "/n", "status": 200, "occurrence": 2},
            ],
            "removed": [{"method": "GET", "url": "/z", "status": 200, "occurrence": 1}],
            "changed": [
                {"method": "GET", "url": "/x", "left_status": 200, "right_status": 503, "occurrence": 2},
                {"method": "POST", "url": "/p", "left_status": 200, "right_status": 201, "occurrence": 1},
            ],
        })
    );
}

#[test]
fn ignored_query_parameters_do_not_make_requests_differ() {
    let left = har_of(vec![
        entry("GET", "https://h/app.js?v=1&ts=111", 200),
        entry("GET", "https://h/api?id=1&ts=5", 200),
    ]);
    let right = har_of(vec![
        entry("GET", "https://h/app.js?ts=222&v=1", 200),
        entry("GET", "https://h/api?id=2&ts=6", 200),
    ]);
    let options = DiffOptions {
        ignore_query: vec!["ts".to_owned()],
        ..DiffOptions::default()
    };
    assert_eq!(
        report_json(&left, &right, &options),
        json!({
            "added": [{"method": "GET", "url": "https://h/api?id=2", "status": 200}],
            "removed": [{"method": "GET", "url": "https://h/api?id=1", "status": 200}],
            "changed": [],
        })
    );
    let all = DiffOptions {
        ignore_query: vec!["*".to_owned()],
        ..DiffOptions::default()
    };
    assert_eq!(
        report_json(&left, &right, &all),
        json!({"added": [], "removed": [], "changed": []})
    );
}

#[test]
fn ignore_host_compares_staging_with_production() {
    let staging = har_of(vec![
        entry("GET", "https://staging.example.com/", 200),
        entry("GET", "https://staging.example.com/api/me", 200),
    ]);
    let production = har_of(vec![
        entry("GET", "https://www.example.com/", 200),
        entry("GET", "https://www.example.com/api/me", 401),
    ]);
    let options = DiffOptions {
        ignore_host: true,
        ..DiffOptions::default()
    };
    assert_eq!(
        report_json(&staging, &production, &options),
        json!({"added": [], "removed": [], "changed": [{"method": "GET", "url": "/api/me", "left_status": 200, "right_status": 401}]})
    );
    assert_eq!(
        report_json(&staging, &production, &DiffOptions::default())["added"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn timing_threshold_reports_requests_that_grew_beyond_it() {
    let left = har_of(vec![
        timed("/total", 100.0, 50.0, 10),
        timed("/wait", 100.0, 20.0, 10),
        timed("/ok", 100.0, 50.0, 10),
        timed("/zero", 0.0, 0.0, 10),
    ]);
    let right = har_of(vec![
        timed("/total", 160.0, 50.0, 10),
        timed("/wait", 100.0, 30.0, 10),
        timed("/ok", 110.0, 54.0, 10),
        timed("/zero", 500.0, 400.0, 10),
    ]);
    let options = DiffOptions {
        timing_threshold_pct: Some(20.0),
        ..DiffOptions::default()
    };
    let report = report_json(&left, &right, &options);
    assert_eq!(
        report["slower"],
        json!([
            {"method": "GET", "url": "/total", "left_time_ms": 100.0, "right_time_ms": 160.0, "left_wait_ms": 50.0, "right_wait_ms": 50.0, "growth_pct": 60.0},
            {"method": "GET", "url": "/wait", "left_time_ms": 100.0, "right_time_ms": 100.0, "left_wait_ms": 20.0, "right_wait_ms": 30.0, "growth_pct": 50.0},
        ])
    );
    assert!(report.get("resized").is_none());
    assert!(diff_har_with(&left, &right, &options)
        .unwrap()
        .has_changes());
    let lenient = DiffOptions {
        timing_threshold_pct: Some(100.0),
        ..DiffOptions::default()
    };
    let report = diff_har_with(&left, &right, &lenient).unwrap();
    assert_eq!(report.slower, Some(vec![]));
    assert!(!report.has_changes());
}

#[test]
fn total_time_falls_back_to_the_sum_of_timings() {
    let without_time = |wait: f64| json!({"request": {"url": "/t"}, "timings": {"blocked": -1, "send": 1, "wait": wait, "receive": 1}});
    let left = har_of(vec![without_time(8.0)]);
    let right = har_of(vec![without_time(18.0)]);
    let options = DiffOptions {
        timing_threshold_pct: Some(50.0),
        ..DiffOptions::default()
    };
    let slower = &report_json(&left, &right, &options)["slower"][0];
    assert_eq!(
        (
            slower["left_time_ms"].clone(),
            slower["right_time_ms"].clone()
        ),
        (json!(10.0), json!(20.0))
    );
}

#[test]
fn size_threshold_reports_size_changes_either_way() {
    let left = har_of(vec![
        timed("/grew", 1.0, 1.0, 1000),
        timed("/shrank", 1.0, 1.0, 1000),
        timed("/same", 1.0, 1.0, 1000),
        timed("/small", 1.0, 1.0, 1000),
        timed("/new", 1.0, 1.0, 0),
    ]);
    let right = har_of(vec![
        timed("/grew", 1.0, 1.0, 1500),
        timed("/shrank", 1.0, 1.0, 400),
        timed("/same", 1.0, 1.0, 1000),
        timed("/small", 1.0, 1.0, 1040),
        timed("/new", 1.0, 1.0, 10),
    ]);
    let options = DiffOptions {
        size_threshold_pct: Some(5.0),
        ..DiffOptions::default()
    };
    assert_eq!(
        report_json(&left, &right, &options)["resized"],
        json!([
            {"method": "GET", "url": "/grew", "left_size": 1000.0, "right_size": 1500.0, "change_pct": 50.0},
            {"method": "GET", "url": "/shrank", "left_size": 1000.0, "right_size": 400.0, "change_pct": -60.0},
            {"method": "GET", "url": "/new", "left_size": 0.0, "right_size": 10.0, "change_pct": null},
        ])
    );
    let any = DiffOptions {
        size_threshold_pct: Some(0.0),
        ..DiffOptions::default()
    };
    assert_eq!(
        report_json(&left, &right, &any)["resized"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn jsonp_is_unwrapped_when_allowed() {
    let options = DiffOptions {
        allow_jsonp: true,
        ..DiffOptions::default()
    };
    let text = "\u{feff}  onInputData ( {\"log\": {\"entries\": [{\"request\": {\"url\": \"/j\"}}]}} ) ;\n";
    let index = read_har(text.as_bytes(), "j.harp", &options).unwrap();
    assert_eq!((index.entries(), index.keys()), (1, 1));
    assert!(matches!(
        read_har(text.as_bytes(), "j.harp", &DiffOptions::default()),
        Err(HarDiffError::Jsonp { .. })
    ));
    for bad in [
        "cb({\"log\": {}}",
        "cb({\"log\": {}}) x",
        "cb({\"log\": {}}];",
    ] {
        let err = read_har(bad.as_bytes(), "j.harp", &options).unwrap_err();
        assert!(
            matches!(err, HarDiffError::JsonpSuffix { .. }),
            "{bad}: {err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("j.harp: JSONP wrapper not closed"),
            "{err}"
        );
    }
}

#[test]
fn jsonp_syntax_errors_point_into_the_original_text() {
    let options = DiffOptions {
        allow_jsonp: true,
        ..DiffOptions::default()
    };
    let text = "callback(\n{\"log\": {\"entries\": [{\"request\": ]}}\n);";
    match read_har(text.as_bytes(), "x.harp", &options).unwrap_err() {
        HarDiffError::Json { line, column, .. } => assert_eq!((line, column), (2, 34)),
        other => panic!("{other:?}"),
    }
    let text = "cb({\"log\": tru});";
    match read_har(text.as_bytes(), "x.harp", &options).unwrap_err() {
        HarDiffError::Json { line, column, .. } => assert_eq!((line, column), (1, 15)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn table_lists_each_kind_of_change_and_a_summary() {
    let left = har_of(vec![
        entry("GET", "https://h/gone", 200),
        entry("GET", "https://h/flip", 200),
        timed("https://h/slow", 10.0, 5.0, 100),
    ]);
    let right = har_of(vec![
        entry("GET", "https://h/flip", 404),
        entry("PUT", "https://h/new", 201),
        timed("https://h/slow", 30.0, 25.0, 100),
    ]);
    let options = DiffOptions {
        timing_threshold_pct: Some(10.0),
        ..DiffOptions::default()
    };
    let text = render_table(&diff_har_with(&left, &right, &options).unwrap());
    for needle in [
        "Added (1)",
        "201     PUT     https://h/new",
        "Removed (1)",
        "200     GET     https://h/gone",
        "Status changed (1)",
        "200   404    GET     https://h/flip",
        "Slower (1, ms)",
        "+400.0%",
        "1 added, 1 removed, 1 status changed, 1 slower",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    let same = render_table(&diff_har_with(&left, &left, &DiffOptions::default()).unwrap());
    assert!(
        same.contains("0 added, 0 removed, 0 status changed — no differences"),
        "{same}"
    );
    assert!(!same.contains("Added"));
}
