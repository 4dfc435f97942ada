"""FieldSync server: the Flask app, the REST API, the CLI and the composition root."""
