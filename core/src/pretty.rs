//! Core pretty-printer. (Being written.)
