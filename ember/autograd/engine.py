"""The backward pass: an iterative walk of the graph in dependency order.

Each node runs once, after every consumer of its outputs has sent its gradient, so shared
subexpressions get their gradients summed exactly once. The walk uses explicit stacks, so a
chain of any length backpropagates without RecursionError. Broadcast inputs get their gradient
summed back to their shape here, in one place, and each op's gradients are checked (count,
shape, dtype) with the op named when one is wrong.
"""

from __future__ import annotations

import importlib
import sys
import sysconfig
from heapq import heappop, heappush

import numpy as np

from .._array import broadcastable_to
from . import grad_mode
from .function import _FREED_MESSAGE, _TENSOR_TYPES, edge_of, stand_in

# The module, not ember.tensor the function (which shadows it as an attribute of ember).
_t = importlib.import_module("ember.tensor")

_state = grad_mode.state

getrefcount = sys.getrefcount
# _accumulate's ownership test counts references as CPython 3.11-3.13 with the GIL does (3.14
# may borrow references to locals, free-threaded builds count differently): elsewhere it copies.
_COUNTED_REFS = (
    sys.implementation.name == "cpython"
    and sys.version_info < (3, 14)
    and not sysconfig.get_config_var("Py_GIL_DISABLED")
)

# Non-leaf inputs up to this size stay referenced by a released node (see _walk): freeing them
# would save less memory than the stand-in itself takes.
SMALL_INPUT = 256  # bytes


def backward(tensor, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """``tensor.backward()``: accumulate gradients into the leaves' ``.grad``."""
    run([tensor], [gradient], retain_graph, create_graph, inputs=inputs, accumulate=True)


def run(
    outputs,
    grad_outputs,
    retain_graph,
    create_graph,
    inputs=None,
    accumulate=True,
    allow_unused=False,
):
    """Backpropagate from ``outputs``.

    With ``accumulate`` the leaves' (or ``inputs``') ``.grad`` fields receive the gradients;
    without it the gradients w.r.t. ``inputs`` are returned (``autograd.grad``).
    """

    if retain_graph is None:
        retain_graph = create_graph
    roots = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, _t.Tensor):
            raise TypeError(f"backward expects Tensors, got {type(out).__name__} at index {i}")
        if not out._rg:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            # NOTE: empty + fill: np.ones costs 0.64 us, ones_like 0.8, this 0.24.
            ones = np.empty(out._data.shape, out._data.dtype)
            ones.fill(1)
            g = _t._make(ones)
        elif not isinstance(g, _t.Tensor):
            g = _t._make(np.asarray(g, dtype=out._data.dtype))
        elif g._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {_sz(g._data.shape)} and "
                f"output[{i}] has a shape of {_sz(out._data.shape)}."
            )
        roots.append((out, g))

    capture = None
    if inputs is not None:
        inputs = (inputs,) if isinstance(inputs, _t.Tensor) else tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        capture = {}
        for k, t in enumerate(inputs):
            if not t._rg:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            key = (id(t.grad_fn), t._output_nr) if t.grad_fn is not None else id(t)
            capture.setdefault(key, []).append(k)
    results = [None] * (len(inputs) if inputs is not None else 0)

    prev = _state.enabled
    _state.enabled = bool(create_graph)
    try:
        leaves = _walk(roots, retain_graph, capture, results)
        _deliver(leaves, capture, results, accumulate, create_graph)
    finally:
        _state.enabled = prev

    if accumulate:
        return None
    for k, r in enumerate(results):
        if r is None and not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {k} appears to not have been used in the "
                "graph. Set allow_unused=True if this is the desired behavior."
            )
    return tuple(results)


def _walk(roots, retain_graph, capture, results) -> dict:
    """Run the graph's nodes; returns the leaves' summed gradients, {id(leaf): [leaf, grad]}."""

    # Nodes run newest first (a max-heap on the creation number ``_seq``). Every consumer of a
    # node's outputs was recorded after it, and the walk reaches a node only through consumers
    # it has already run, so by the time a node is popped every gradient it will receive has
    # arrived: dependency order without counting the edges first. NOTE: a counting pass over
    # the graph cost ~0.4 us per node more.
    Tensor = _t.Tensor
    tensor_types = _TENSOR_TYPES
    release = not retain_graph
    buffers: dict = {}  # node -> the gradients of its outputs; a node is queued when added
    heap: list = []
    alive: dict = {}  # node -> its output, until the node has run (see below)
    leaves: dict = {}  # id(leaf) -> [leaf, summed grad]
    for out, g in roots:
        fn = out.grad_fn
        if fn is not None and fn not in buffers:
            buffers[fn] = [None] * fn._n_outputs
            heappush(heap, (-fn._seq, fn))
        _send(out, g, buffers, leaves)
    while heap:
        node = heappop(heap)[1]
        grads = buffers.pop(node)
        if node.inputs is None:
            raise RuntimeError(_FREED_MESSAGE)
        if node._out_hooks or capture is not None:
            grads = _output_hooks(node, grads, capture, results)
        if len(grads) == 1:  # the common node: one output, called without unpacking a list
            g = grads[0]
            in_grads = () if g is None else type(node).backward(node, g)
        else:
            in_grads = _backward_of_several(node, grads)
        if in_grads.__class__ is not tuple:
            in_grads = (in_grads,)
        inputs = node.inputs
        if len(in_grads) != len(inputs):
            in_grads = _one_per_input(node, in_grads, inputs)
        kept = None  # the node's inputs after release, once one of them is swapped out
        for i, (a, need, g) in enumerate(zip(inputs, node.needs_input_grad, in_grads)):
            if not need:
                if release and a.__class__ in tensor_types:
                    if kept is None:
                        kept = list(inputs)
                    kept[i] = None  # no edge: nothing keeps it alive
                continue
            if a._fn_history is None:
                fn, nr = a.grad_fn, a._output_nr
            else:  # modified in place after this node recorded it
                fn, nr = edge_of(node, a)
            if g is not None:
                # The common case inline (a dense tensor of the input's shape and dtype): the
                # full check is a call and several lookups more per edge.
                gd = g._data if g.__class__ is Tensor else None
                if gd is None or gd.shape != a._data.shape or gd.dtype != a._data.dtype:
                    g = _check(node, i, a, g)
                if fn is None:  # _send_edge inline, both branches: one call less per edge
                    entry = leaves.get(id(a))
                    if entry is None:
                        leaves[id(a)] = [a, g]
                    else:
                        entry[1] = entry[1] + g
                else:
                    buf = buffers.get(fn)
                    if buf is None:
                        buf = buffers[fn] = [None] * fn._n_outputs
                        heappush(heap, (-fn._seq, fn))
                    buf[nr] = g if buf[nr] is None else buf[nr] + g
            if fn is not None:
                if g is None and fn not in buffers:  # no gradient, but the node still runs
                    buffers[fn] = [None] * fn._n_outputs
                    heappush(heap, (-fn._seq, fn))
                if release:
                    if fn._out_ref is not None:
                        # The producer keeps its output weakly (saves_output): this node's
                        # edge may be the last strong link, which release() below drops.
                        alive[fn] = a
                    # A non-leaf input gives way to a stand-in that holds no memory (see
                    # Function.release). NOTE: done here, on the pass over the edges that
                    # backward makes anyway, and not for small inputs (a few hundred bytes,
                    # no view of a larger array): release() walking the inputs again cost
                    # 0.9 us per node, 4.3 of 47 us on the tiny-op chain.
                    arr = a._data
                    if arr.nbytes > SMALL_INPUT or arr.base is not None:
                        if kept is None:
                            kept = list(inputs)
                        kept[i] = stand_in(a, fn, nr)
        if release:
            if alive:
                alive.pop(node, None)
            node.release(kept)

    return leaves


def _deliver(leaves, capture, results, accumulate, create_graph) -> None:
    """Leaves last: hooks see the summed gradient, then it accumulates (or is returned)."""
    for entry in leaves.values():
        leaf, g = entry
        entry[1] = None  # the engine's other reference: see _accumulate
        if leaf._hooks:
            for hook in list(leaf._hooks):
                r = hook(g)
                if r is not None:
                    g = r
        if capture is not None:
            ks = capture.get(id(leaf))
            if ks is not None:
                for k in ks:
                    results[k] = g
            if not accumulate or ks is None:
                continue
        if accumulate:
            _accumulate(leaf, g, create_graph)


def _backward_of_several(node, grads) -> tuple:
    """Run the backward of a node with several outputs (or ``()`` if none got a gradient)."""
    # NOTE: no `None in grads`: `in` would call Tensor.__eq__ on every gradient.
    nones = [g is None for g in grads]
    if all(nones):
        return ()
    if any(nones) and node._materialize_grads:
        grads = _zeros_for(node, grads)
    return type(node).backward(node, *grads)


def _one_per_input(node, in_grads, inputs) -> tuple:
    """``in_grads`` padded to one gradient per input, or PyTorch's error for a wrong count."""
    if not in_grads:
        return (None,) * len(inputs)
    # Built-in ops may omit trailing Nones for non-tensor arguments.
    if len(in_grads) < len(inputs) and not any(node.needs_input_grad[len(in_grads) :]):
        return in_grads + (None,) * (len(inputs) - len(in_grads))
    raise RuntimeError(
        f"function {node.name()} returned an incorrect number of gradients "
        f"(expected {len(inputs)}, got {len(in_grads)})"
    )


def _send(t, g, buffers, leaves):
    _send_edge(t, t.grad_fn, t._output_nr, g, buffers, leaves)


def _send_edge(t, fn, k, g, buffers, leaves):
    if fn is None:
        entry = leaves.get(id(t))
        if entry is None:
            leaves[id(t)] = [t, g]
        else:
            entry[1] = entry[1] + g
        return
    buf = buffers.get(fn)
    if buf is None:
        buf = buffers[fn] = [None] * fn._n_outputs
    buf[k] = g if buf[k] is None else buf[k] + g


def _check(node, i, a, g):
    """Validate one gradient an op returned: sum broadcast dims back, fix a dtype."""

    if type(g) is not _t.Tensor:
        if isinstance(g, _t.Tensor):
            pass
        elif isinstance(g, np.ndarray):
            g = _t._make(g)
        else:
            raise TypeError(
                f"function {node.name()} returned a gradient of type {type(g).__name__} at "
                f"index {i}; expected a Tensor or None"
            )
    if g.is_sparse:  # Embedding(sparse=True): a SparseTensor keeps its own layout
        return g
    shape = a._data.shape
    if g._data.shape != shape:
        if not broadcastable_to(shape, g._data.shape):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got "
                f"{list(g._data.shape)} but expected shape compatible with {list(shape)}"
            )
        g = _sum_to(g, shape)
    if g._data.dtype != a._data.dtype:
        g = g.to(a.dtype)
    return g


def _sum_to(g, shape):
    from ..ops.reduction import sum_to_size

    return sum_to_size(g, shape)


def _zeros_for(node, grads):
    """Gradients of unused outputs are zeros (PyTorch materializes them for backward)."""

    # Outputs that are not tensors (a custom Function may return any object) get None.
    meta = node._out_meta
    return [
        _t._make(np.zeros(*meta[k])) if g is None and meta[k] is not None else g
        for k, g in enumerate(grads)
    ]


def _output_hooks(node, grads, capture, results):
    """Run hooks registered on this node's outputs (``register_hook``, ``retain_grad``)."""
    grads = list(grads)
    hooks = node._out_hooks or {}
    for k in range(len(grads)):
        g = grads[k]
        if g is None:
            continue
        later = []
        for hook in hooks.get(k, ()):
            if getattr(hook, "retains", False):
                later.append(hook)  # retain_grad sees the gradient after other hooks
                continue
            r = hook(g)
            if r is not None:
                g = r
        for hook in later:
            hook(g)
        grads[k] = g
        if capture is not None:
            for j in capture.get((id(node), k), ()):
                results[j] = g
    return grads


def _accumulate(leaf, g, create_graph):

    if g.is_sparse or (leaf._grad is not None and leaf._grad.is_sparse):
        from ..sparse import accumulate

        leaf._grad = accumulate(leaf._grad, g)
        return
    if leaf._grad is None:
        if create_graph:
            leaf._grad = g
            return
        gd = g._data
        # The leaf takes the gradient's array when nothing else can see it, as PyTorch's
        # AccumulateGrad does; otherwise a copy: add's backward hands one tensor to both of its
        # inputs, a hook or the caller may keep the tensor or its array, a view shares memory.
        # Sole ownership, counted: g is held by _deliver's local and this parameter, its array
        # by g and the local gd (each count is one more: getrefcount's argument); base None: it
        # views nothing (and a view of it would hold it as its base). NOTE: the copies took an
        # MLP training step (784-512-256-10, B=64, zero_grad() to None) from 2.35 to 2.52 ms.
        if (
            _COUNTED_REFS
            and getrefcount(g) == 3
            and getrefcount(gd) == 3
            and g.__class__ is _t.Tensor
            and gd.base is None
            and gd.flags.writeable
        ):
            leaf._grad = _t._make(gd)
        else:
            leaf._grad = _t._make(np.array(gd, copy=True))
    elif create_graph:
        leaf._grad = leaf._grad + g
    else:
        gd = leaf._grad._data
        np.add(gd, g._data, out=gd)
        leaf._grad._vc[0] += 1


def _sz(shape) -> str:
    return f"torch.Size([{', '.join(str(s) for s in shape)}])"
