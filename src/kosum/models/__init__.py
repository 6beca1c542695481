"""Building, loading, prompting and training models.

Importing kosum.models silences one bitsandbytes warning before bitsandbytes loads (peft imports it): on CPUs with
AVX512-BF16 it reports a failed lookup of a hub kernel ("Failed to load CPU gemm_4bit_forward from kernels-community",
asking to `pip install kernels`). That kernel serves only the packed CPU layout, which kosum turns off
(`kosum.models.loading.keep_standard_4bit_layout`), so the lookup's outcome cannot change a result and the advice misleads.
"""

import logging

logging.getLogger("bitsandbytes.backends.cpu.ops").addFilter(
    lambda record: "gemm_4bit_forward from kernels-community" not in record.getMessage()
)
