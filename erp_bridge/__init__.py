"""FieldSync ERP bridge: orders out to SAP, Oracle and ERPNext exactly once, master data in."""
