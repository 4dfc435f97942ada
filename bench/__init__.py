"""FieldSync benchmarks: `make bench` prints each figure as `name: value`."""
