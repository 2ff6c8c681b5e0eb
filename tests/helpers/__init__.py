"""What tests and benchmarks share: `git` (real repositories made with the git binary)."""
