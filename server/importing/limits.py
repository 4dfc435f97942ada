"""The caps an import file must stay within, from the settings (FIELDSYNC_IMPORT_*)."""

from __future__ import annotations

from dataclasses import dataclass

from server.config import Settings

MB = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    """What one import file may hold; each cap is checked while the file is read."""

    max_rows: int = 50_000
    max_columns: int = 100
    max_upload_bytes: int = 10 * MB
    max_unzipped_bytes: int = 64 * MB

    @classmethod
    def from_settings(cls, settings: Settings) -> ImportLimits:
        return cls(settings.import_max_rows, settings.import_max_columns,
                   settings.import_max_upload_bytes, settings.import_max_unzipped_bytes)


def megabytes(size: int) -> str:
    """2.5 MB, 64 MB: sizes as people read them in a refusal."""
    return f"{size / MB:.1f}".removesuffix(".0") + " MB"
