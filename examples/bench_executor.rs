//! Executor overhead per action: N no-op actions through the real run loop (records with
//! their tries kept, no sink attached). Prints microseconds per action.
//! Usage: cargo run --release --example bench_executor -- [N]

use serde_json::{json, Value};

/// The allocator the `webrunner` binary runs with, so the figure is the program's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use webrunner::executor::{handler, CommandDoc, Kind, Param};
use webrunner::{Action, Executor};

const NOOP: CommandDoc = CommandDoc::new(
    "bench",
    "does nothing",
    &[Param::opt("value", Kind::Any, "returned as given")],
    "its argument",
);

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut ex = Executor::new();
    ex.registry_mut().register(
        "WR_noop",
        NOOP,
        handler(|_ctx, call| {
            Box::pin(async move { Ok(call.get("value").cloned().unwrap_or(Value::Null)) })
        }),
    );
    let actions: Vec<Action> = (0..n)
        .map(|i| Action::new("WR_noop").arg(json!(-(i as i64))))
        .collect();
    // Warm-up.
    rt.block_on(async {
        ex.run_actions("warmup", actions[..n.min(1000)].to_vec())
            .await;
    });
    let mut ex2 = Executor::new();
    std::mem::swap(ex.registry_mut(), ex2.registry_mut());
    let t = std::time::Instant::now();
    let count = rt.block_on(async { ex2.run_actions("bench", actions).await.len() });
    let dt = t.elapsed();
    assert_eq!(count, n);
    println!("{:.3}", dt.as_secs_f64() / n as f64 * 1e6);
}
