"""A file upload field that says nothing about sizes until a file is chosen.

Quasar's uploader header shows "0.0B / 0.00%" from the start, which reads like an error to a
person who has not picked a file yet; this header shows size and progress once there is one.
"""

from __future__ import annotations

import html
from typing import Any

from nicegui import ui

HEADER = """
<div class="q-uploader__header-content column">
  <div class="flex flex-center no-wrap q-gutter-xs">
    <div class="col column justify-center">
      <div class="q-uploader__title">{label}</div>
      <div v-if="props.files.length" class="q-uploader__subtitle">
        {{{{ props.uploadSizeLabel }}}} / {{{{ props.uploadProgressLabel }}}}
      </div>
    </div>
    <q-spinner v-if="props.isUploading" class="q-uploader__spinner" />
    <q-btn v-if="props.canAddFiles" type="a" href="#" icon="add_box" aria-label="Choose a file"
      flat round dense>
      <q-uploader-add-trigger />
    </q-btn>
  </div>
</div>
"""


def file_upload(label: str, **kwargs: Any) -> ui.upload:
    """`ui.upload(label=label, **kwargs)` with the quiet header."""
    upload = ui.upload(label=label, **kwargs)
    upload.add_slot("header", HEADER.format(label=html.escape(label)))
    return upload
