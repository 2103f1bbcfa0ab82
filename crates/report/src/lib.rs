//! Run reports for webrunner: the live dashboard, the self-contained replay studio and JUnit XML.
//!
//! Every report reads the same [`Record`]s, each holding every attempt of its action in its
//! `tries`. The reports are [`RunSink`]s that a run's [`Reporter`] feeds with [`RunEvent`]s:
//!
//! - [`LiveRun`] is the shared live state of a run (clones share it): added to the reporter
//!   as `Box::new(live.clone())`, it follows the plan, the running step and its attempt, and
//!   the records, while [`start_dashboard`] serves it over HTTP as the run goes on.
//! - [`JunitSink`] and [`ReplaySink`] keep the records and, when the reporter finishes, write
//!   JUnit XML ([`write_junit`]) and the replay studio ([`export_replay_studio`]), one HTML
//!   file that works when mailed alone.
//!
//! The HTML (the replay studio, the dashboard page) comes from askama templates
//! (`templates/`), which escape every value they print; the XML (JUnit, and the Python
//! WebRunner's report, [`records_xml`]) is written with `quick-xml`'s writer.
//!
//! The same functions make the reports from saved records ([`load_records`]) after a run,
//! byte for byte the same for JUnit. Every file is written by [`write_file_atomic`]: a fresh
//! temporary file renamed over the target, never written through a planted symlink.
//!
//! [`Record`]: webrunner_record::Record
//! [`RunSink`]: webrunner_record::RunSink
//! [`Reporter`]: webrunner_record::Reporter
//! [`RunEvent`]: webrunner_record::RunEvent
#![forbid(unsafe_code)]

mod dashboard;
mod html;
mod junit;
mod live;
mod python_xml;
mod records_file;
mod replay;
mod screenshots;
mod sinks;
mod write;
mod xml;

pub use dashboard::{start_dashboard, DashboardError, DashboardHandle};
pub use junit::{junit_xml, write_junit, JunitError};
pub use live::LiveRun;
pub use python_xml::records_xml;
pub use records_file::{load_records, parse_records, RecordsError};
pub use replay::{build_replay_html, export_replay_studio, ReplayError};
pub use screenshots::ScreenshotIndex;
pub use sinks::{JunitSink, ReplaySink};
pub use write::write_file_atomic;
