"""The sync gateway: the only door for phones, speaking the CouchDB replication protocol."""
