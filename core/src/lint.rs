//! Core lint. (Being written.)
