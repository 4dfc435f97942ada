"""Worker state: engineer databases, the dirty set, checkpoints, document status and rejections."""

from __future__ import annotations
