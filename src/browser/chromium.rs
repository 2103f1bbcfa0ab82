//! The Chromium process: launched with a temporary profile and driven through chromiumoxide
//! over its DevTools connection; watched so that its death is noticed at once, and killed
//! (and its profile removed) on close or drop, however it is doing.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::browser::CloseParams;
use chromiumoxide::cdp::browser_protocol::target::{
    CreateBrowserContextParams, CreateTargetParams, DisposeBrowserContextParams,
};
use chromiumoxide::error::CdpError;
use chromiumoxide::handler::HandlerConfig;
use futures::StreamExt;
use tokio::io::{AsyncBufReadExt, BufReader};

use super::cdp::Session;
use super::health::{FatalCell, SessionState, CALL_LIMIT};
use super::process::{
    adopt_orphans, devtools_url, end_watchdog, family, kill_and_reap, remove_profile,
    spawn_watchdog,
};
use super::{find_chromium, BrowserError};

/// How long opening a tab (its context, its target) may take.
const SETUP_LIMIT: Duration = Duration::from_secs(20);
/// How long [`Browser::close`] waits for Chromium to shut down by itself before killing it.
const GRACEFUL_LIMIT: Duration = Duration::from_secs(3);
/// How often the process is checked for having exited.
const EXIT_POLL: Duration = Duration::from_millis(250);

/// How to launch Chromium.
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    /// Show a window instead of running headless.
    pub headed: bool,
    /// The binary; found with [`find_chromium`] when `None`.
    pub executable: Option<PathBuf>,
    /// Initial window size in CSS pixels.
    pub window_size: (u32, u32),
    /// Extra command-line switches, e.g. `--lang=de`.
    pub args: Vec<String>,
    /// How long Chromium may take to start.
    pub launch_timeout: Duration,
    /// Records every raw DevTools call the sessions make (`run --cdp-record`).
    pub cdp_record: Option<Arc<webrunner_bus::CdpRecorder>>,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        BrowserOptions {
            headed: false,
            executable: None,
            window_size: (1280, 800),
            args: Vec::new(),
            launch_timeout: Duration::from_secs(30),
            cdp_record: None,
        }
    }
}

/// What the browser shares with its sessions: the DevTools connection and whether it ended.
#[derive(Debug)]
pub(super) struct Core {
    pub(super) cdp: chromiumoxide::Browser,
    pub(super) closed: Arc<FatalCell>,
    /// Where the sessions' raw calls are recorded, when they are.
    pub(super) tap: Option<Arc<webrunner_bus::CdpRecorder>>,
}

/// A running Chromium with its own temporary profile; closed by [`Browser::close`] or on drop.
pub struct Browser {
    core: Arc<Core>,
    child: Arc<Mutex<tokio::process::Child>>,
    pid: Option<u32>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    profile_dir: PathBuf,
    profile: Option<tempfile::TempDir>,
    watchdog: Option<u32>,
    /// Chromium's helper processes, as seen when it was asked to close.
    family: Vec<u32>,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser")
            .field("pid", &self.pid)
            .field("profile_dir", &self.profile_dir)
            .finish_non_exhaustive()
    }
}

fn lock(child: &Mutex<tokio::process::Child>) -> MutexGuard<'_, tokio::process::Child> {
    child
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Browser {
    /// Starts Chromium. Fails when no binary is found or it does not start in time.
    pub async fn launch(options: BrowserOptions) -> Result<Browser, BrowserError> {
        let executable = match &options.executable {
            Some(p) => p.clone(),
            None => find_chromium()?,
        };
        let launch_err = |message: String| BrowserError::Launch {
            path: executable.display().to_string(),
            message,
        };
        let profile = tempfile::Builder::new()
            .prefix("webrunner-profile-")
            .tempdir()
            .map_err(|e| launch_err(format!("cannot create a profile folder: {e}")))?;
        let (w, h) = options.window_size;
        let mut builder = chromiumoxide::BrowserConfig::builder()
            .chrome_executable(&executable)
            .user_data_dir(profile.path())
            .viewport(None)
            .window_size(w, h)
            .no_sandbox()
            // chromiumoxide's own defaults are replaced by this list, which holds them all
            // but one switch repeated (Chromium would keep only one `disable-features`).
            .disable_default_args()
            // chromiumoxide writes the leading `--` itself.
            .args([
                "disable-background-networking",
                "enable-features=NetworkService,NetworkServiceInProcess",
                "disable-background-timer-throttling",
                "disable-backgrounding-occluded-windows",
                "disable-breakpad",
                "disable-client-side-phishing-detection",
                "disable-component-extensions-with-background-pages",
                "disable-default-apps",
                "disable-dev-shm-usage",
                "disable-hang-monitor",
                "disable-ipc-flooding-protection",
                "disable-popup-blocking",
                "disable-prompt-on-repost",
                "disable-renderer-backgrounding",
                "disable-sync",
                "force-color-profile=srgb",
                "metrics-recording-only",
                "no-first-run",
                "enable-automation",
                "password-store=basic",
                "use-mock-keychain",
                // `Element.computedRole` / `computedName` for role locators.
                "enable-blink-features=IdleDetection,ComputedAccessibilityInfo",
                "lang=en_US",
                "disable-gpu",
                "disable-quic",
                "disable-component-update",
                "hide-scrollbars",
                "mute-audio",
                // Every frame in the page's own renderer, so that cross-origin frames are
                // reached through the page's session like same-origin ones (without these,
                // Chromium puts a cross-site frame in a process of its own, an `iframe`
                // target); no back-forward cache, so that going back loads a document whose
                // load can be awaited.
                "disable-site-isolation-trials",
                "disable-features=IsolateOrigins,site-per-process,BackForwardCache,TranslateUI",
            ])
            .args(options.args.iter().map(|a| a.trim_start_matches('-')));
        builder = if options.headed {
            builder.with_head()
        } else {
            builder.new_headless_mode()
        };
        let config = builder.build().map_err(launch_err)?;
        // The process is ours (not chromiumoxide's) so that it can be killed and reaped
        // while sessions still hold the DevTools connection.
        adopt_orphans();
        let mut spawned = config
            .launch()
            .map_err(|e| launch_err(format!("cannot run it: {e}")))?;
        let stderr = spawned.stderr.take().map(|s| s.inner);
        let mut child = spawned.into_inner();
        let pid = child.id();
        let watchdog = pid.and_then(|pid| spawn_watchdog(pid, profile.path()));
        let Some(stderr) = stderr else {
            kill_and_reap(&mut child, pid, &[]);
            end_watchdog(watchdog);
            return Err(launch_err("its output cannot be read".into()));
        };
        let mut lines = BufReader::new(stderr).lines();
        let found = tokio::time::timeout(options.launch_timeout, devtools_url(&mut lines)).await;
        let url = match found {
            Ok(Ok(url)) => url,
            Ok(Err(output)) => {
                kill_and_reap(&mut child, pid, &[]);
                end_watchdog(watchdog);
                return Err(launch_err(format!("it exited at start: {output}")));
            }
            Err(_) => {
                kill_and_reap(&mut child, pid, &[]);
                end_watchdog(watchdog);
                return Err(launch_err(format!(
                    "it did not start within {:.0}s",
                    options.launch_timeout.as_secs_f64()
                )));
            }
        };
        // Chromium keeps writing to stderr; reading it keeps it from ever blocking.
        let drain = tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let handler_config = HandlerConfig {
            ignore_https_errors: true,
            ignore_invalid_messages: true,
            viewport: None,
            context_ids: Vec::new(),
            // Above the sessions' own bound, so that theirs is the one callers see.
            request_timeout: CALL_LIMIT + Duration::from_secs(10),
            request_intercept: false,
            cache_enabled: true,
        };
        let connected = chromiumoxide::Browser::connect_with_config(url, handler_config).await;
        let (cdp, handler) = match connected {
            Ok(c) => c,
            Err(e) => {
                drain.abort();
                kill_and_reap(&mut child, pid, &[]);
                end_watchdog(watchdog);
                return Err(launch_err(format!("cannot connect to it: {e}")));
            }
        };
        let closed = Arc::new(FatalCell::new());
        let child = Arc::new(Mutex::new(child));
        let tasks = vec![
            drain,
            tokio::spawn(drive(handler, closed.clone())),
            tokio::spawn(watch_exit(child.clone(), closed.clone())),
        ];
        Ok(Browser {
            core: Arc::new(Core {
                cdp,
                closed,
                tap: options.cdp_record.clone(),
            }),
            child,
            pid,
            tasks,
            profile_dir: profile.path().to_path_buf(),
            profile: Some(profile),
            watchdog,
            family: Vec::new(),
        })
    }

    /// Opens a new tab in a fresh browser context of its own, so that no cookies, storage,
    /// cache or permissions of another session are visible to it.
    pub async fn new_session(&self) -> Result<Session, BrowserError> {
        let context = self
            .bounded(
                "a browser context to be created",
                self.core
                    .cdp
                    .create_browser_context(CreateBrowserContextParams::default()),
            )
            .await?;
        let params = CreateTargetParams::builder()
            .url("about:blank")
            .browser_context_id(context.clone())
            .build()
            .map_err(BrowserError::Cdp)?;
        let page = match self
            .bounded("a tab to open", self.core.cdp.new_page(params))
            .await
        {
            Ok(page) => page,
            Err(e) => {
                let dispose = self
                    .core
                    .cdp
                    .execute(DisposeBrowserContextParams::new(context));
                let _ = tokio::time::timeout(Duration::from_secs(3), dispose).await;
                return Err(e);
            }
        };
        let state = SessionState::start(self.core.clone(), page, Some(context), None).await?;
        Ok(Session::new(state))
    }

    /// Runs a browser-level call, failing at once when the browser is gone and after
    /// [`SETUP_LIMIT`] at the latest.
    async fn bounded<T>(
        &self,
        what: &str,
        call: impl std::future::Future<Output = Result<T, CdpError>>,
    ) -> Result<T, BrowserError> {
        if let Some(e) = self.core.closed.get() {
            return Err(e);
        }
        tokio::select! {
            e = self.core.closed.wait() => Err(e),
            r = tokio::time::timeout(SETUP_LIMIT, call) => match r {
                Ok(Ok(v)) => Ok(v),
                Ok(Err(e)) => Err(self.core.closed.get().unwrap_or(BrowserError::Cdp(e.to_string()))),
                Err(_) => Err(BrowserError::Timeout { what: what.into(), seconds: SETUP_LIMIT.as_secs_f64() }),
            },
        }
    }

    /// The browser's product and version, e.g. `Chrome/156.0.8078.73`.
    pub async fn version(&self) -> Result<String, BrowserError> {
        let version = self
            .bounded("the browser's version", self.core.cdp.version())
            .await?;
        Ok(version.product)
    }

    /// Whether Chromium is still running and connected. When false, nothing of this browser
    /// works any more and a new one has to be launched.
    pub fn is_alive(&self) -> bool {
        if self.core.closed.get().is_some() {
            return false;
        }
        match lock(&self.child).try_wait() {
            Ok(None) => true,
            Ok(Some(status)) => {
                self.core.closed.set(BrowserError::BrowserClosed(format!(
                    "Chromium exited ({status})"
                )));
                false
            }
            Err(_) => false,
        }
    }

    /// Chromium's process id (of its main process).
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// The temporary profile folder; removed when the browser is closed or dropped.
    pub fn profile_dir(&self) -> &Path {
        &self.profile_dir
    }

    /// Closes Chromium (asking it first, killing it when it does not go in time), waits for
    /// its process to end and removes its profile folder.
    pub async fn close(mut self) {
        let deadline = Instant::now() + GRACEFUL_LIMIT;
        self.family = family(self.pid);
        if self.core.closed.get().is_none() {
            let ask = self.core.cdp.execute(CloseParams::default());
            let _ = tokio::time::timeout_at(deadline.into(), ask).await;
        }
        self.core
            .closed
            .set(BrowserError::BrowserClosed("it was shut down".into()));
        while !self.exited() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.shut_down();
    }

    fn exited(&self) -> bool {
        !matches!(lock(&self.child).try_wait(), Ok(None))
    }

    /// Kills what is left of Chromium, reaps it and removes the profile; never blocks for
    /// long, so it also serves `Drop`.
    fn shut_down(&mut self) {
        self.core
            .closed
            .set(BrowserError::BrowserClosed("it was shut down".into()));
        kill_and_reap(&mut lock(&self.child), self.pid, &self.family);
        end_watchdog(self.watchdog.take());
        for task in &self.tasks {
            task.abort();
        }
        if let Some(profile) = self.profile.take() {
            remove_profile(profile);
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Drives the DevTools connection; when it ends (Chromium exited, was killed or closed the
/// socket) the browser is marked closed before anything waiting on it is released.
async fn drive(mut handler: chromiumoxide::Handler, closed: Arc<FatalCell>) {
    let reason = loop {
        match handler.next().await {
            None => break "the DevTools connection ended".to_string(),
            // Messages chromiumoxide cannot decode do not end the connection.
            Some(Ok(())) => {}
            Some(Err(CdpError::InvalidMessage(text, _))) => {
                super::csp::rescue(&text);
                super::tracing_end::rescue(&text);
            }
            Some(Err(e @ CdpError::Ws(_))) => {
                break format!("the DevTools connection failed ({e})")
            }
            Some(Err(e)) => tracing::debug!("DevTools connection: {e}"),
        }
    };
    closed.set(BrowserError::BrowserClosed(reason));
    drop(handler);
}

/// Marks the browser closed as soon as its process has exited.
async fn watch_exit(child: Arc<Mutex<tokio::process::Child>>, closed: Arc<FatalCell>) {
    loop {
        let status = lock(&child).try_wait();
        match status {
            Ok(None) => {}
            Ok(Some(status)) => {
                closed.set(BrowserError::BrowserClosed(format!(
                    "Chromium exited ({status})"
                )));
                return;
            }
            Err(e) => {
                closed.set(BrowserError::BrowserClosed(format!(
                    "Chromium cannot be watched: {e}"
                )));
                return;
            }
        }
        if closed.get().is_some() {
            return;
        }
        tokio::time::sleep(EXIT_POLL).await;
    }
}
