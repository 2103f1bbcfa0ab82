//! Unit tests of the bundle builder, reader and the Python-style JSON.
