"""What FieldSync refuses: one module per area."""
