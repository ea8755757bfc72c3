"""Drawing the autograd graph behind a tensor as Graphviz DOT (and SVG/PNG when ``dot`` exists).

Op nodes are the ``grad_fn`` nodes, named as PyTorch names them (``MulBackward0``); leaves are
the tensors gradients accumulate into, labelled with their shape and, when ``params`` maps
names to parameters (``dict(model.named_parameters())``), their name.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from ..tensor import Tensor


def _shape(t: Tensor) -> str:
    return "(" + ", ".join(str(s) for s in t.shape) + ")"


def to_dot(root: Tensor, params: dict | None = None) -> str:
    """The DOT source of the graph that produced ``root``."""
    names = {id(p): n for n, p in (params or {}).items()}
    lines = [
        "digraph autograd {",
        '  graph [rankdir=BT, fontname="Helvetica"];',
        '  node [fontname="Helvetica", fontsize=11, shape=box, style="rounded,filled"];',
    ]
    out_id = f"t{id(root)}"
    lines.append(f'  {out_id} [label="output\\n{_shape(root)}", fillcolor="#c7e9c0"];')
    if root.grad_fn is None:
        lines.append("}")
        return "\n".join(lines)
    seen: set = set()
    stack = [root.grad_fn]
    lines.append(f"  n{id(root.grad_fn)} -> {out_id};")
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        lines.append(f'  n{id(node)} [label="{node.name()}", fillcolor="#dddddd"];')
        if node.inputs is None:
            lines.append(f'  n{id(node)} [label="{node.name()}\\n(freed)"];')
            continue
        for a, need in zip(node.inputs, node.needs_input_grad):
            if not isinstance(a, Tensor) or not need:
                continue
            if a.grad_fn is not None:
                lines.append(f"  n{id(a.grad_fn)} -> n{id(node)};")
                stack.append(a.grad_fn)
            else:
                leaf = f"t{id(a)}"
                name = names.get(id(a))
                label = f"{name}\\n{_shape(a)}" if name else _shape(a)
                if leaf not in seen:
                    seen.add(leaf)
                    lines.append(f'  {leaf} [label="{label}", fillcolor="#9ecae1"];')
                lines.append(f"  {leaf} -> n{id(node)};")
    lines.append("}")
    return "\n".join(lines)


def draw_graph(
    root: Tensor, path: str = "graph", params: dict | None = None, format: str = "svg"
) -> str:
    """Write ``path.dot`` and, when Graphviz's ``dot`` is installed, ``path.<format>``.

    Returns the path of the rendered picture, or of the DOT file when ``dot`` is missing
    (Debian package graphviz provides it).
    """
    src = to_dot(root, params)
    base = os.path.splitext(path)[0] if path.endswith((".dot", ".svg", ".png")) else path
    dot_path = base + ".dot"
    os.makedirs(os.path.dirname(os.path.abspath(dot_path)), exist_ok=True)
    with open(dot_path, "w") as f:
        f.write(src + "\n")
    exe = shutil.which("dot")
    if exe is None:
        return dot_path
    out = f"{base}.{format}"
    subprocess.run(
        [exe, f"-T{format}", dot_path, "-o", out], check=True, capture_output=True, timeout=60
    )
    return out
