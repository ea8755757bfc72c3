"""``summary(model, input_size)``: the per-layer table of the ``torchsummary`` package.

The tutorials print it with ``from torchsummary import summary``; under ``ember run`` that
import resolves to this module. The table, its totals and its memory estimate follow
torchsummary 1.5.1 number for number, quirks included, because readers compare them with the
tutorial's printed output:

- a row for every module that runs, in the order their forwards finish, except the model
  itself, Sequential and ModuleList (so a custom block gets a row after its children's rows);
- "Param #" counts only a module's own ``weight`` and ``bias`` attributes, and a row is
  trainable when its ``weight`` requires grad; non-trainable = total - trainable;
- the output shape puts ``batch_size`` first (-1 by default); a tuple output lists each
  element's shape with -1 first;
- sizes assume 4 bytes a number; the forward/backward estimate is twice the outputs' sizes.

It runs one forward pass on ``rand(2, *input_size)`` (a batch of 2, for BatchNorm), with the
side effects torchsummary's pass has: the random generator advances, and BatchNorm layers in
training mode update their running statistics.
"""

from __future__ import annotations

import math
from collections import OrderedDict

from .. import creation
from ..device import device as _Device
from ..dtypes import dtype as _DType
from ..dtypes import to_dtype
from ..tensor import Tensor

_RULE = "-" * 64
_DOUBLE_RULE = "=" * 64
_ROW = "{:>20}  {:>25} {:>15}"
_MB = 1024.0**2


def _class_name(module) -> str:
    return type(module).__qualname__.rsplit(".", 1)[-1]


def _output_shape(output, batch_size: int):
    if isinstance(output, list | tuple):
        return [_output_shape(o, -1) for o in output]
    if isinstance(output, Tensor):
        shape = list(output.shape)
        if shape:
            shape[0] = batch_size
        return shape
    return []  # not a tensor: nothing to show (torchsummary would fail here)


def _numbers(shape) -> list:
    """The ints of a possibly nested shape list, flattened (what np.prod multiplies)."""
    if isinstance(shape, list):
        return [n for s in shape for n in _numbers(s)]
    return [shape]


def _own_params(module) -> tuple[int, bool | None]:
    """(count of ``weight`` and ``bias`` elements, whether ``weight`` requires grad or None)."""
    count, trainable = 0, None
    weight = getattr(module, "weight", None)
    if hasattr(weight, "size"):
        count += math.prod(weight.size())
        trainable = bool(weight.requires_grad)
    bias = getattr(module, "bias", None)
    if hasattr(bias, "size"):
        count += math.prod(bias.size())
    return count, trainable


def _input_shapes(input_size) -> list[tuple]:
    if isinstance(input_size, tuple):
        return [input_size]
    if isinstance(input_size, list) and all(isinstance(n, int) for n in input_size):
        return [tuple(input_size)]  # a list of ints is one shape (torchsummary would fail)
    return [tuple(s) for s in input_size]


def _check_device(device) -> None:
    name = device.type if isinstance(device, _Device) else str(device).lower()
    # 'cuda' is accepted and, with no GPU, runs on the CPU, as torchsummary does.
    assert name.split(":")[0] in ("cuda", "cpu"), (
        "Input device is not valid, please specify 'cuda' or 'cpu'"
    )


def summary_string(
    model, input_size, batch_size: int = -1, device="cpu", dtypes=None
) -> tuple[str, tuple[int, int]]:
    """The table as a string, and ``(total_params, trainable_params)``."""
    from ..nn.modules.container import ModuleList, Sequential

    _check_device(device)
    shapes = _input_shapes(input_size)
    kinds = [None] * len(shapes) if dtypes is None else list(dtypes)
    inputs = [_random_input(shape, kind) for shape, kind in zip(shapes, kinds)]

    rows: OrderedDict = OrderedDict()

    def hook(module, args, output):
        key = f"{_class_name(module)}-{len(rows) + 1}"
        count, trainable = _own_params(module)
        rows[key] = (_output_shape(output, batch_size), count, trainable)

    handles = []

    def register(m) -> None:
        if not isinstance(m, Sequential | ModuleList) and m is not model:
            handles.append(m.register_forward_hook(hook))

    model.apply(register)
    try:
        model(*inputs)
    finally:
        for h in handles:
            h.remove()

    lines = [_RULE, _ROW.format("Layer (type)", "Output Shape", "Param #"), _DOUBLE_RULE]
    total_params = trainable_params = total_output = 0
    for key, (shape, count, trainable) in rows.items():
        lines.append(_ROW.format(key, str(shape), f"{count:,}"))
        total_params += count
        total_output += math.prod(_numbers(shape))
        if trainable:
            trainable_params += count
    # Batch -1 makes these products negative; torchsummary takes the absolute value at the end.
    input_mb = abs(math.prod(_numbers([list(s) for s in shapes])) * batch_size * 4.0 / _MB)
    output_mb = abs(2.0 * total_output * 4.0 / _MB)  # x2: gradients as large as outputs
    params_mb = abs(total_params * 4.0 / _MB)
    lines += [
        _DOUBLE_RULE,
        f"Total params: {total_params:,}",
        f"Trainable params: {trainable_params:,}",
        f"Non-trainable params: {total_params - trainable_params:,}",
        _RULE,
        f"Input size (MB): {input_mb:0.2f}",
        f"Forward/backward pass size (MB): {output_mb:0.2f}",
        f"Params size (MB): {params_mb:0.2f}",
        f"Estimated Total Size (MB): {params_mb + output_mb + input_mb:0.2f}",
        _RULE,
    ]
    return "\n".join(lines) + "\n", (total_params, trainable_params)


def _random_input(shape: tuple, kind) -> Tensor:
    x = creation.rand(2, *shape)
    if kind is None:
        return x
    # A dtype, or a legacy type such as ember.LongTensor, which carries its dtype.
    d = kind if isinstance(kind, _DType) else getattr(kind, "dtype", None)
    return x.to(d if isinstance(d, _DType) else to_dtype(kind))


def summary(model, input_size, batch_size: int = -1, device="cpu", dtypes=None) -> None:
    """Print the per-layer table of ``model`` run on a random batch, as torchsummary does.

    Args:
        model: an ``nn.Module``.
        input_size: the shape of one input without the batch dimension, e.g. ``(1, 28, 28)``,
            or a list of such shapes for a model taking several inputs.
        batch_size: shown as the first dimension of each output shape (default -1).
        device: ``'cpu'`` or ``'cuda'`` (which runs on the CPU: ember has no GPU backend).
        dtypes: the dtype of each input (default float32).

    Returns:
        None, like torchsummary (so ``print(summary(...))`` prints the table, then None).

    Example:
        >>> summary(nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1)), (2,))
        ----------------------------------------------------------------
                Layer (type)               Output Shape         Param #
        ================================================================
                    Linear-1                    [-1, 8]              24
        ...
    """
    text, _ = summary_string(model, input_size, batch_size, device, dtypes)
    print(text, end="")
