//! `records.json` as a journal: the file is a valid JSON list at every moment of a run and
//! holds every finished action as soon as it finished, so a killed process or a dead browser
//! loses nothing that finished. Each record is one positioned write that replaces the list's
//! closing bracket with `,` + the record + `]`; at the end the file is byte for byte what
//! `serde_json::to_vec_pretty` gives for the whole list.

use std::fs::File;
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use webrunner_record::{Record, RunEvent, RunSink, SinkError};

/// The records journal sink; see the module documentation.
pub struct RecordsJournal {
    path: PathBuf,
    file: File,
    len: u64,
    count: usize,
}

impl RecordsJournal {
    /// Starts `path` as an empty list (replacing a previous run's file without following a
    /// symlink planted there). Fails, naming the file, when it cannot be written.
    pub fn create(path: &Path) -> io::Result<RecordsJournal> {
        let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        webrunner_report::write_file_atomic(path, b"[]")?;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
            .map_err(named)?;
        Ok(RecordsJournal {
            path: path.to_path_buf(),
            file,
            len: 2,
            count: 0,
        })
    }

    /// Appends one record to the list on disk.
    pub fn append(&mut self, record: &Record) -> io::Result<()> {
        let pretty = serde_json::to_string_pretty(record)?;
        let mut chunk = String::with_capacity(pretty.len() + pretty.len() / 16 + 8);
        chunk.push_str(if self.count == 0 { "\n" } else { ",\n" });
        for (i, line) in pretty.lines().enumerate() {
            if i > 0 {
                chunk.push('\n');
            }
            chunk.push_str("  ");
            chunk.push_str(line);
        }
        chunk.push_str("\n]");
        // The list ends in `]` (empty) or `\n]`; the chunk overwrites that ending.
        let at = if self.count == 0 { 1 } else { self.len - 2 };
        self.file
            .write_all_at(chunk.as_bytes(), at)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", self.path.display())))?;
        self.len = at + chunk.len() as u64;
        self.count += 1;
        Ok(())
    }
}

impl RunSink for RecordsJournal {
    fn name(&self) -> String {
        self.path.display().to_string()
    }

    fn event(&mut self, event: &RunEvent) -> Result<(), SinkError> {
        if let RunEvent::ActionFinished { record } = event {
            self.append(record)?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        self.file.sync_all()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use webrunner_record::{Status, Try};

    fn record(index: usize) -> Record {
        let t = Try {
            attempt: 1,
            started_at: "2026-12-07T00:00:00Z".into(),
            duration_ms: 1.5,
            status: Status::Failed,
            error: Some("boom \"quoted\"\nline".into()),
            artifacts: Default::default(),
        };
        Record::from_tries(index, "WR_x", vec![], Default::default(), vec![t])
    }

    #[test]
    fn the_file_is_a_valid_list_after_every_record_and_ends_as_pretty_json() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.json");
        let mut j = RecordsJournal::create(&path).unwrap();
        let empty: Vec<Record> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert!(empty.is_empty());
        let mut all = Vec::new();
        for i in 0..3 {
            all.push(record(i));
            j.append(&all[i]).unwrap();
            let back: Vec<Record> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            assert_eq!(back, all);
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            serde_json::to_vec_pretty(&all).unwrap()
        );
    }

    #[test]
    fn a_symlink_planted_as_records_json_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "keep").unwrap();
        let path = dir.path().join("records.json");
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        let mut j = RecordsJournal::create(&path).unwrap();
        j.append(&record(0)).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert!(!std::fs::symlink_metadata(&path).unwrap().is_symlink());
    }
}
