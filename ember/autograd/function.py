"""Function: the one protocol for differentiable operations, built-in and user-defined.

A Function's ``forward(ctx, *args)`` computes the result (returning a Tensor, a NumPy array or
a tuple of them) and ``backward(ctx, *grad_outputs)`` returns one gradient per positional
argument of forward (None where an argument needs none). Backward is written with ember's own
ops, so with ``create_graph=True`` it records a graph and higher-order gradients work.

``ctx`` is the graph node itself: ``Function.apply`` makes one per call, and the outputs point
at it through ``grad_fn``. The node keeps its inputs (the edges of the graph) and what forward
saved; the engine frees both after backward unless the graph is retained.
"""

from __future__ import annotations

import importlib
import itertools
import weakref

import numpy as np

from .._array import broadcast_error
from . import grad_mode

_state = grad_mode.state
_next_seq = itertools.count().__next__
_new = object.__new__


class Function:
    """Subclass with static ``forward(ctx, ...)`` and ``backward(ctx, ...)``; call ``apply``."""

    # Per instance: the graph edges and what backward needs. ``inputs`` stays None when nothing
    # is recorded, so forward can skip saving what only backward would use. NOTE: slots for
    # what every recorded node sets (a slot store is cheaper than a dict store, and a node of
    # mul or matmul then never builds its __dict__); ops and user Functions keep the __dict__
    # for their own fields (ctx.mask = ...).
    __slots__ = ("inputs", "needs_input_grad", "_seq", "_saved", "_saved_versions", "__dict__")
    inputs: tuple | None
    needs_input_grad: tuple
    _saved: tuple
    _saved_versions: tuple
    _n_outputs: int
    _out_hooks: dict | None
    _out_ref: weakref.ref | None
    _materialize_grads: bool
    _dirty: tuple

    # Class-level defaults, so that recording a node sets only what differs (each instance
    # attribute written costs a dict store on the per-op path).
    _dirty = ()
    _out_hooks = None
    _out_ref = None
    _materialize_grads = True
    _n_outputs = 1
    _non_differentiable = ()

    # Built-in ops whose backward uses their own result set this; the node then keeps a weak
    # link to the output (a strong one would be a reference cycle).
    saves_output = False

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must implement forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(f"{type(ctx).__name__} does not implement backward")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # PyTorch 2's style: forward(*args) without ctx, then setup_context(ctx, inputs, output)
        # fills ctx. Adapted here once per class, so apply keeps a single calling convention.
        fwd = cls.__dict__.get("forward")
        if fwd is not None and cls.setup_context is not Function.setup_context:
            user_forward, setup = cls.forward, cls.setup_context

            def forward(ctx, *args, **kwargs):
                out = user_forward(*args, **kwargs)
                setup(ctx, args, out)
                return out

            cls.forward = staticmethod(forward)

    @classmethod
    def apply(cls, *args, **kwargs):
        # NOTE: a try block costs nothing until something raises (Python 3.11+); NumPy's
        # ValueError for shapes that do not broadcast becomes PyTorch's RuntimeError here, in
        # one place for every op.
        try:
            if _state.enabled:
                for a in args:
                    if a.__class__ in _TENSOR_TYPES and a._rg:
                        return _new(cls)._record(args, kwargs)
            ctx = _new(cls)
            ctx.inputs = None
            raw = cls.forward(ctx, *args, **kwargs)
        except ValueError as e:
            err = broadcast_error(e, args)
            if err is None:
                raise
            raise err from None
        if raw.__class__ is np.ndarray:
            return _make(raw)
        return _wrap_outputs(raw)

    def _record(self, args, kwargs):
        self.inputs = args
        self._saved = ()
        self._seq = _next_seq()  # creation order: see edge_of
        types = _TENSOR_TYPES
        # NOTE: the common arities spelled out: a list comprehension costs ~0.4 us to set up.
        if len(args) == 2:
            a, b = args
            self.needs_input_grad = (a.__class__ in types and a._rg, b.__class__ in types and b._rg)
        elif len(args) == 1:
            self.needs_input_grad = (True,)  # apply records only when an input needs grad
        else:
            self.needs_input_grad = tuple([a.__class__ in types and a._rg for a in args])
        # Ops inside forward are not recorded: this node stands for all of them.
        _state.enabled = False
        try:
            raw = type(self).forward(self, *args, **kwargs)
        finally:
            _state.enabled = True
        if raw.__class__ is np.ndarray and not self._dirty:
            # The common case, every built-in op: one fresh array, so one new output tensor
            # that cannot alias an input. NOTE: _make inline, each field stored once.
            out = _new(_Tensor)
            out._data = raw
            out._vc = [0]
            if raw.dtype.kind == "f" and not self._non_differentiable:
                out.grad_fn = self
                out._rg = True
            else:
                out.grad_fn = None
                out._rg = False
            if self.saves_output:
                self.save_output(out)
            return out
        return self._record_outputs(args, _wrap_outputs(raw))

    def _record_outputs(self, args, outs):
        """Attach the outputs of a custom Function (tensors, tuples, in-place results)."""
        if self._dirty:
            self.inputs = _rebase_dirty(self._dirty, args)
        single = not isinstance(outs, tuple)
        seq = (outs,) if single else outs
        if not self._dirty and any(o is a for o in seq for a in args):
            # An input returned unchanged becomes a new tensor sharing its storage, so that
            # the input keeps its own place in the graph (PyTorch returns a view).
            seq = tuple(_alias(o) if any(o is a for a in args) else o for o in seq)
            outs = seq[0] if single else seq
        self._n_outputs = len(seq)
        if self.saves_output:
            self.save_output(seq[0])
        if len(seq) > 1:
            self._out_meta = [
                (t._data.shape, t._data.dtype) if isinstance(t, _t.Tensor) else None for t in seq
            ]
        skip = self._non_differentiable
        for i, t in enumerate(seq):
            if isinstance(t, _t.Tensor) and t._data.dtype.kind == "f":
                if skip and any(t is s for s in skip):
                    continue
                t.grad_fn = self
                t._rg = True
                t._output_nr = i
        return outs

    # -- what forward calls on ctx ---------------------------------------------------------

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors for backward; using one after an in-place change raises."""
        self._saved = tensors
        if len(tensors) == 2:  # the common case spelled out (see _record)
            a, b = tensors
            self._saved_versions = (
                None if a is None else a._vc[0],
                None if b is None else b._vc[0],
            )
        else:
            self._saved_versions = [None if t is None else t._vc[0] for t in tensors]

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED_MESSAGE)
        if len(saved) == 2:  # the common case spelled out (see _record)
            a, b = saved
            va, vb = self._saved_versions
            if (a is None or a._vc[0] == va) and (b is None or b._vc[0] == vb):
                return saved
        for t, v in zip(saved, self._saved_versions):
            if t is not None and t._vc[0] != v:
                _raise_modified(self, t, v)
        return saved

    def mark_dirty(self, *tensors) -> None:
        """Declare inputs that forward modified in place."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        """Declare outputs that get no gradient (indices, masks)."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize_grads = value

    def save_output(self, out) -> None:
        """Save this op's own output for backward without a reference cycle (a weak link).

        The output is alive whenever this node runs: a consumer's node, or the caller of
        backward, holds it.
        """
        self._out_ref = weakref.ref(out)
        self._out_version = out._vc[0]

    def output(self):
        out = self._out_ref()
        if out is None:  # released after a backward (the output itself is alive while we run)
            raise RuntimeError(_FREED_MESSAGE)
        if out._vc[0] != self._out_version:
            _raise_modified(self, out, self._out_version, output_of=self)
        return out

    # -- node interface for the engine and for users ---------------------------------------

    def name(self) -> str:
        return type(self).__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"

    @property
    def next_functions(self) -> tuple:

        if self.inputs is None:
            return ()
        out = []
        for a, need in zip(self.inputs, self.needs_input_grad):
            if not isinstance(a, _t.Tensor):
                out.append((None, 0))
            elif need and edge_of(self, a)[0] is not None:
                out.append(edge_of(self, a))
            elif need:
                out.append((AccumulateGrad(a), 0))
            else:
                out.append((None, 0))
        return tuple(out)

    def register_hook(self, hook):
        raise NotImplementedError(
            "hooks on graph nodes are not supported; use Tensor.register_hook"
        )

    def add_output_hook(self, output_nr: int, hook):

        if self._out_hooks is None:
            self._out_hooks = {}
        return _t._Handle(self._out_hooks.setdefault(output_nr, []), hook)

    def add_retain_grad(self, tensor) -> None:
        ref = weakref.ref(tensor)
        self.add_output_hook(tensor._output_nr, _RetainGrad(ref))

    def release(self, inputs=None) -> None:
        """Free what backward saved once it has run (the graph is not retained).

        The edges stay, as in PyTorch, so a second backward through nodes that saved nothing
        works and one that needs a freed value raises. ``inputs`` replaces the node's inputs
        when the engine swapped some for memory-free stand-ins (``stand_in``) on its pass over
        the edges, so the activations are freed even while the output (the loss) is still
        referenced.
        """
        self._saved = None
        if self._out_ref is not None:
            self._out_ref = _dead_ref
        if inputs is not None:
            self.inputs = tuple(inputs)


class Op(Function):
    """Base of ember's built-in primitives; their grad_fn names match PyTorch's."""

    # PyTorch's name where it is not the class name + "Backward0": set on a class, or on one
    # node by ``named`` when the name depends on the caller (a Reshape made by view()).
    _name = None

    def name(self) -> str:
        return self._name or type(self).__name__ + "Backward0"


def named(out, name: str):
    """Give ``out``'s node PyTorch's name for this use of the op; returns ``out``."""
    fn = out.grad_fn
    if fn is not None:
        fn._name = name
    return out


class AccumulateGrad:
    """Stands for a leaf in ``next_functions``, as PyTorch shows it."""

    def __init__(self, variable):
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    next_functions = ()

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


class _RetainGrad:
    """The hook behind ``retain_grad``: stores the gradient on the (weakly held) tensor."""

    retains = True

    def __init__(self, ref):
        self.ref = ref

    def __call__(self, grad):
        t = self.ref()
        if t is not None:
            if t._grad is None:
                t._grad = grad.detach() if not grad_mode.state.enabled else grad
                t._grad._data = t._grad._data.copy()
            else:
                t._grad = t._grad + grad
        return None


_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors after calling "
    "backward."
)


def _dead_ref():
    return None


def _raise_modified(node, t, expected, output_of=None) -> None:
    """PyTorch's error for a saved tensor changed in place since it was saved.

    It names the node that made the tensor: the saving node itself for a saved output, the
    tensor's current grad_fn for a saved input, none for a leaf; without the "Backward0".
    """
    fn = output_of if output_of is not None else t.grad_fn
    which = ""
    if fn is not None:
        name = fn.name()
        cut = name.rfind("Backward")
        which = f", which is output {t._output_nr} of {name[:cut] if cut > 0 else name},"
    shape = ", ".join(str(s) for s in t._data.shape)
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{_type_name(t)} [{shape}]]{which} is at version {t._vc[0]}; "
        f"expected version {expected} instead. Hint: enable anomaly detection to find the "
        "operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


def _type_name(t) -> str:
    from ..dtypes import legacy_type_name

    return legacy_type_name(t.dtype).removeprefix("torch.")


def _wrap_outputs(raw):

    t = type(raw)
    if t is np.ndarray:
        return _make(raw)
    if t in _TENSOR_TYPES:
        return raw
    if t is tuple or t is list:
        return tuple(_wrap_outputs(r) for r in raw)
    if isinstance(raw, np.generic):
        return _make(np.asarray(raw))
    if raw is None:
        return None

    # Anything else (a number, a string) is passed through, as PyTorch allows: it gets no
    # place in the graph.
    return raw


def _alias(t):
    out = _make(t._data)
    out._vc = t._vc
    return out


_ZERO_STRIDES = [(0,) * n for n in range(65)]
_BYTES = bytes(16)


_META: dict = {}  # (shape, dtype) -> a read-only zero-stride array standing for that layout
_NO_VERSION = [0]


def stand_in(t, fn, nr):
    """A memory-free stand-in for a non-leaf input ``t`` once its consumer has run.

    It keeps ``t``'s place in the graph (``fn``, output ``nr``), shape and dtype. Its storage is
    one shared zero-stride array per shape and dtype (training repeats the same shapes), so
    making one costs a dictionary lookup, not an allocation.
    """
    arr = t._data
    key = (arr.shape, arr.dtype)
    meta = _META.get(key)
    if meta is None:
        if len(_META) > 4096:  # shapes that keep changing: start over rather than grow
            _META.clear()
        meta = np.ndarray(arr.shape, arr.dtype, _BYTES, 0, _ZERO_STRIDES[arr.ndim])
        meta.flags.writeable = False
        _META[key] = meta
    s = _new(_t.Tensor)
    s._data = meta
    s._rg = True
    s.grad_fn = fn
    s._vc = _NO_VERSION
    if nr:
        s._output_nr = nr
    return s


def edge_of(node, a) -> tuple:
    """``(grad_fn, output_nr)`` of input ``a`` as it was when ``node`` recorded it.

    A node keeps its inputs as tensor objects, and an in-place op later gives such an object a
    new history (``y.mul_(2)`` makes y the output of the Mul). Nodes recorded before that must
    still reach y's old history, so the in-place op logs the replaced edge with a sequence
    number (``push_history``) and nodes older than it read the log.
    """
    log = a._fn_history
    if log is not None:
        seq = node._seq
        for changed_at, fn, nr in log:
            if changed_at > seq:
                return fn, nr
    return a.grad_fn, a._output_nr


def push_history(t) -> None:
    """Log ``t``'s current edge before an in-place op replaces it (see edge_of)."""
    entry = (_next_seq(), t.grad_fn, t._output_nr)
    t._fn_history = (entry,) if t._fn_history is None else t._fn_history + (entry,)


def _rebase_dirty(dirty, args) -> tuple:
    """The node's inputs when forward modified some of them in place (``mark_dirty``).

    The modified tensor objects are about to become this node's outputs, so the node's edges
    point at stand-ins that keep their old history; their version counters are bumped so saved
    copies of the old values are caught.
    """
    new = []
    for a in args:
        if any(a is d for d in dirty):
            if a._rg and a.grad_fn is None:
                raise RuntimeError(
                    "a leaf Variable that requires grad has been used in an in-place operation."
                )
            a = snapshot(a)
        new.append(a)
    for d in dirty:
        push_history(d)
        d._vc[0] += 1
    return tuple(new)


def check_inplace_allowed(t) -> None:
    if t._rg and t.grad_fn is None and _state.enabled:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )


def snapshot(t):
    """A stand-in for ``t``'s current place in the graph, sharing its storage and version."""

    s = _make(t._data)
    s._vc = t._vc
    s._rg = t._rg
    s.grad_fn = t.grad_fn
    s._output_nr = t._output_nr
    return s


# Filled in by ember.tensor once Tensor and its subclasses exist: type() lookups are cheaper than
# isinstance on the hot path, and a module global is cheaper than ``_t._make``.
_TENSOR_TYPES: set = set()
_make = None
_Tensor = None

# Last: ember.tensor imports this module, and the ops it loads need Op defined above.
_t = importlib.import_module("ember.tensor")
