"""``nn.functional``: the stateless math behind the layers (``import ember.nn.functional as F``).

Modules keep state (weights, running statistics, flags) and call these; the primitives live in
``ember.ops`` (loss.py, activation.py, normalization.py ...).
"""

from __future__ import annotations

# Re-exported: the convolution and pooling primitives live in ember.ops.
from ..ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d  # noqa: F401
from ..ops.pooling import (  # noqa: F401
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
    max_pool2d_with_indices,
)
