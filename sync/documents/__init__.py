"""The documents phones write: their shapes, migrations and the rules they must satisfy."""
