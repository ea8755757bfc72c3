"""``nn.functional``: the stateless math behind the layers (``import ember.nn.functional as F``).

Modules keep state (weights, running statistics, flags) and call these; the primitives live in
``ember.ops`` (loss.py, activation.py, normalization.py ...).
"""

from __future__ import annotations
