"""Pure analytics over canonical Polars frames: no I/O, no storage, no presentation."""
