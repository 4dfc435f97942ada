"""FieldSync sync: the documents, the phones' gateway, the store adapter and the worker."""
