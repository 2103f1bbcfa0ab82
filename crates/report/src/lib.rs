//! Run reports for webrunner: the live dashboard, the self-contained replay studio and JUnit XML.
//!
//! Every report reads the same [`Record`]s. [`LiveRun`] is the shared live state of a run: it
//! implements [`RunObserver`], so an executor feeds it action by action, and
//! [`start_dashboard`] serves it over HTTP while the run goes on. After the run,
//! [`export_replay_studio`] writes one HTML file that works when mailed alone, and
//! [`write_junit`] writes JUnit XML that CI systems read.
//!
//! [`Record`]: webrunner_record::Record
//! [`RunObserver`]: webrunner_record::RunObserver
#![forbid(unsafe_code)]

mod dashboard;
pub mod escape;
mod junit;
mod live;
mod records_file;
mod replay;
mod screenshots;

pub use dashboard::{start_dashboard, DashboardError, DashboardHandle};
pub use junit::{junit_xml, write_junit, write_junit_with_attempts, AttemptLog, JunitError};
pub use live::LiveRun;
pub use records_file::{load_records, parse_records, RecordsError};
pub use replay::{build_replay_html, export_replay_studio, ReplayError};
pub use screenshots::ScreenshotIndex;
