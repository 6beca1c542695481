"""The data's tags: speaker tags (`#Person1#`) and masks (`#PhoneNumber#`, `#Address#`), one token each to the
tokenizers and one word to the metric."""

from __future__ import annotations

import re

TAG = re.compile(r"#[A-Za-z][A-Za-z0-9]*#")
SPEAKER = r"#Person\d+#"  # a speaker tag, as a pattern to build on (a turn starts `#Person1#: `)
