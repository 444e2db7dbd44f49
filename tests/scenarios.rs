//! Cross-tool scenarios.
