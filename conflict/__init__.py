"""FieldSync conflicts: per-type policies for conflicting revisions and their resolution."""
