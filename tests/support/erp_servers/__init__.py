"""Local HTTP servers that follow the SAP, Oracle and ERPNext contracts, with switchable faults."""
