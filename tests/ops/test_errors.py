"""Bad input to the core ops and autograd raises PyTorch's exception class with PyTorch's
message facts (the protocol of tests/error_cases.py).
"""

from __future__ import annotations

from error_cases import Case, error_tests


def _grad_after_inplace(T):
    x = T.ones(3, requires_grad=True)
    y = x * 2
    z = y * y  # saves y
    y.add_(1)
    z.sum().backward()


def _saved_output_modified(T):
    x = T.ones(3, requires_grad=True)
    y = (x * 2).exp()  # exp's backward needs its own output
    y.mul_(2)
    y.sum().backward()


def _backward_twice(T):
    x = T.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _setitem_leaf(T):
    x = T.ones(3, requires_grad=True)
    x[0] = 2.0


def _setitem_shape(T):
    y = T.ones(3, 4)
    y[0] = T.ones(5)


def _setitem_mask_values(T):
    y = T.ones(3, 4)
    y[y > 0] = T.ones(5)


BROADCAST = (
    "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}"
)
LEAF = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF = "a view of a leaf Variable that requires grad is being used in an in-place operation."

CASES = [
    # -- binary ops on shapes that do not broadcast (NumPy's ValueError must not leak)
    Case("add", lambda T: T.ones(2, 3) + T.ones(2, 4), RuntimeError, ("(3)", "(4)", "dimension 1")),
    Case("add_last_dim_first", lambda T: T.ones(2, 3) + T.ones(4, 5), RuntimeError, ("(3)", "(5)")),
    Case("sub_1d", lambda T: T.ones(3) - T.ones(4), RuntimeError, ("dimension 0",)),
    Case("mul_3d", lambda T: T.ones(2, 3, 4) * T.ones(5, 4), RuntimeError, ("(3)", "(5)")),
    Case("div", lambda T: T.ones(2, 3) / T.ones(3, 2), RuntimeError, ("(3)", "(2)")),
    Case("pow", lambda T: T.ones(2, 3) ** T.ones(4), RuntimeError, ("(3)", "(4)")),
    Case("maximum", lambda T: T.maximum(T.ones(2, 3), T.ones(4)), RuntimeError, ("(4)",)),
    Case("lt", lambda T: T.ones(2, 3) < T.ones(4), RuntimeError, ("(3)", "(4)")),
    Case("floor_divide", lambda T: T.ones(2, 3) // T.ones(4), RuntimeError, ("(4)",)),
    Case(
        "where",
        lambda T: T.where(T.ones(2, 3) > 0, T.ones(4), T.ones(3)),
        RuntimeError,
        ("(3)", "(4)", "dimension 1"),
    ),
    Case(
        "add_grad",
        lambda T: T.ones(2, 3, requires_grad=True) + T.ones(2, 4),
        RuntimeError,
        ("(3)", "(4)"),
    ),
    Case(
        "inplace_output_shape",
        lambda T: T.ones(3).add_(T.ones(2, 3)),
        RuntimeError,
        ("output with shape [3] doesn't match the broadcast shape [2, 3]",),
    ),
    Case("inplace_mismatch", lambda T: T.ones(3).mul_(T.ones(4)), RuntimeError, ("(3)", "(4)")),
    Case("copy_mismatch", lambda T: T.ones(2, 3).copy_(T.ones(4)), RuntimeError, ("(3)", "(4)")),
    Case("copy_larger", lambda T: T.ones(3).copy_(T.ones(2, 3)), RuntimeError, ("[2, 3]",)),
    Case(
        "masked_select",
        lambda T: T.ones(3, 4).masked_select(T.tensor([True, False, True])),
        RuntimeError,
        ("(3)", "(4)"),
    ),
    # -- shapes: reshape, view, expand, cat, stack, split ...
    Case(
        "reshape_size",
        lambda T: T.ones(6).reshape(4, 2),
        RuntimeError,
        ("shape '[4, 2]' is invalid for input of size 6",),
    ),
    Case("view_size", lambda T: T.ones(2, 3).view(4, -1), RuntimeError, ("[4, -1]", "size 6")),
    Case("two_inferred", lambda T: T.ones(6).view(-1, -1), RuntimeError, ("only one dimension",)),
    Case("negative_dim", lambda T: T.ones(6).view(-2, 3), RuntimeError, ("-2", "index 0")),
    Case("reshape_zero_numel", lambda T: T.ones(0, 3).reshape(0, -1), RuntimeError, ("ambiguous",)),
    Case(
        "view_noncontiguous",
        lambda T: T.ones(3, 4).t().view(12),
        RuntimeError,
        ("view size is not compatible with input tensor's size and stride", "reshape"),
    ),
    Case("expand", lambda T: T.ones(2, 3).expand(4, 3), RuntimeError, ("(4)", "(2)", "[4, 3]")),
    Case("expand_fewer", lambda T: T.ones(2, 3).expand(3), RuntimeError, ("(1)", "(2)"), False),
    Case("cat_sizes", lambda T: T.cat([T.ones(2, 3), T.ones(3, 2)]), RuntimeError, ("size 3",)),
    Case("cat_dims", lambda T: T.cat([T.ones(2, 3), T.ones(2, 3, 1)]), RuntimeError, ("2 and 3",)),
    Case("cat_empty", lambda T: T.cat([]), ValueError, ("non-empty",)),
    Case("cat_scalars", lambda T: T.cat([T.ones(()), T.ones(())]), RuntimeError, ("zero-dim",)),
    Case("stack_sizes", lambda T: T.stack([T.ones(2, 3), T.ones(3, 2)]), RuntimeError, ("[3, 2]",)),
    Case("split_zero", lambda T: T.ones(5, 2).split(0), RuntimeError, ("dimension size of 5",)),
    Case("split_negative", lambda T: T.ones(5, 2).split(-1), RuntimeError, ("split_size=-1",)),
    Case("split_sizes", lambda T: T.ones(5, 2).split([2, 2]), RuntimeError, ("sum exactly to 5",)),
    Case("chunk_zero", lambda T: T.ones(5, 2).chunk(0), RuntimeError, ("got: 0",)),
    Case("unbind_scalar", lambda T: T.ones(()).unbind(0), IndexError, ("no dimensions",)),
    Case("unbind_dim", lambda T: T.ones(5, 2).unbind(2), IndexError, ("[-2, 1]", "got 2")),
    Case("squeeze_dim", lambda T: T.ones(2, 3).squeeze(5), IndexError, ("got 5",)),
    Case("permute_len", lambda T: T.ones(2, 3).permute(0), RuntimeError, ("= 2", "= 1")),
    Case("permute_dup", lambda T: T.ones(2, 3).permute(0, 0), RuntimeError, ("duplicate",)),
    Case("narrow_range", lambda T: T.ones(2, 3).narrow(1, 2, 2), RuntimeError, ("(3)",)),
    Case("unflatten", lambda T: T.ones(2, 3).unflatten(1, (2, 2)), RuntimeError, ("[2, 2]",)),
    Case("flip_dup", lambda T: T.ones(2, 3).flip([0, 0]), RuntimeError, ("dim 0 appears",)),
    Case(
        "roll_align", lambda T: T.ones(2, 3).roll(1, (0, 1)), RuntimeError, ("shifts: 1, dims:2",)
    ),
    Case("repeat_fewer", lambda T: T.ones(2, 3).repeat(2), RuntimeError, ("can not be smaller",)),
    Case("repeat_negative", lambda T: T.ones(2, 3).repeat(-1, 1), RuntimeError, ("-2",)),
    # -- indexing
    Case("index_row", lambda T: T.ones(3, 4)[3], IndexError, ("index 3", "dimension 0", "size 3")),
    Case("index_col", lambda T: T.ones(3, 4)[:, 5], IndexError, ("index 5", "dimension 1")),
    Case("index_negative", lambda T: T.ones(3, 4)[-4], IndexError, ("index -4",)),
    Case("index_tensor", lambda T: T.ones(3, 4)[T.tensor([0, 5])], IndexError, ("index 5",)),
    Case("index_too_many", lambda T: T.ones(3, 4)[0, 0, 0], IndexError, ("dimension 2",)),
    Case("index_scalar", lambda T: T.ones(())[0], IndexError, ("0-dim",)),
    Case("index_float", lambda T: T.ones(3, 4)[1.5], IndexError, ("(got float)",)),
    Case("index_float_tensor", lambda T: T.ones(3)[T.tensor([0.0])], IndexError, ("long",)),
    Case(
        "index_mask_shape",
        lambda T: T.ones(3, 4)[T.tensor([True, False])],
        IndexError,
        ("mask [2]", "[3, 4]"),
    ),
    Case(
        "index_broadcast",
        lambda T: T.ones(3, 4)[T.tensor([0, 1]), T.tensor([0, 1, 2])],
        IndexError,
        ("[2], [3]",),
    ),
    Case("setitem_shape", _setitem_shape, RuntimeError, ("(4)", "(5)")),
    Case("setitem_mask_values", _setitem_mask_values, RuntimeError, ("[5]", "[12]")),
    Case(
        "gather_bounds",
        lambda T: T.ones(2, 2).gather(1, T.tensor([[2], [1]])),
        RuntimeError,
        ("index 2",),
    ),
    Case(
        "gather_negative",
        lambda T: T.ones(2, 2).gather(1, T.tensor([[-1], [1]])),
        RuntimeError,
        ("-1",),
    ),
    Case(
        "gather_dtype",
        lambda T: T.ones(2, 2).gather(1, T.tensor([[0]], dtype=T.int16)),
        RuntimeError,
        ("int32/int64",),
    ),
    Case(
        "gather_size",
        lambda T: T.ones(2, 2).gather(1, T.zeros(3, 1).long()),
        RuntimeError,
        ("[3, 1]",),
    ),
    Case(
        "scatter_bounds",
        lambda T: T.zeros(3, 4).scatter(1, T.tensor([[0, 5]]), 1.0),
        RuntimeError,
        ("index 5",),
    ),
    Case(
        "scatter_src_dtype",
        lambda T: T.zeros(3, 4).scatter(1, T.tensor([[0, 1]]), T.ones(1, 2, dtype=T.float64)),
        RuntimeError,
        ("self.dtype", "src.dtype"),
    ),
    Case(
        "scatter_reduce",
        lambda T: T.zeros(3, 4).scatter(1, T.tensor([[0]]), 2.0, reduce="mean"),
        RuntimeError,
        ("add or multiply",),
    ),
    Case(
        "index_select_range",
        lambda T: T.ones(3, 4).index_select(0, T.tensor([5])),
        IndexError,
        ("out of range",),
    ),
    Case(
        "index_select_dtype",
        lambda T: T.ones(3).index_select(0, T.tensor([1.0])),
        RuntimeError,
        ("int64",),
    ),
    Case(
        "masked_fill_dtype",
        lambda T: T.ones(4).masked_fill(T.tensor([1, 0, 1, 0]), 2),
        RuntimeError,
        ("boolean masks",),
    ),
    Case(
        "one_hot_large",
        lambda T: T.nn.functional.one_hot(T.tensor([0, 2]), 2),
        RuntimeError,
        ("smaller than num_classes",),
    ),
    Case(
        "one_hot_negative",
        lambda T: T.nn.functional.one_hot(T.tensor([0, -1]), 3),
        RuntimeError,
        ("non-negative",),
    ),
    Case(
        "one_hot_dtype",
        lambda T: T.nn.functional.one_hot(T.tensor([0.0])),
        RuntimeError,
        ("LongTensor",),
    ),
    # -- nested lists and scalars
    Case("ragged", lambda T: T.tensor([[1, 2], [3]]), ValueError, ("length 2 at dim 1 (got 1)",)),
    Case(
        "ragged_deep",
        lambda T: T.tensor([[[1, 2], [3, 4]], [[1, 2], [3]]]),
        ValueError,
        ("at dim 2",),
    ),
    Case("ragged_mixed", lambda T: T.tensor([1, [2]]), TypeError, (), False),
    Case(
        "item_many",
        lambda T: T.ones(3).item(),
        RuntimeError,
        ("a Tensor with 3 elements cannot be converted to Scalar",),
    ),
    Case("item_empty", lambda T: T.ones(0).item(), RuntimeError, ("0 elements",)),
    Case("bool_many", lambda T: bool(T.ones(3)), RuntimeError, ("ambiguous",)),
    Case(
        "int_requires_grad",
        lambda T: T.ones(3, dtype=T.int64).requires_grad_(),
        RuntimeError,
        ("floating point",),
    ),
    # -- linear algebra
    Case(
        "mm_shapes",
        lambda T: T.ones(64, 1000).mm(T.ones(100, 10)),
        RuntimeError,
        ("mat1 and mat2 shapes cannot be multiplied (64x1000 and 100x10)",),
    ),
    Case(
        "matmul_shapes",
        lambda T: T.ones(64, 1000) @ T.ones(100, 10),
        RuntimeError,
        ("(64x1000 and 100x10)",),
    ),
    Case("matmul_vec_left", lambda T: T.ones(5) @ T.ones(4, 3), RuntimeError, ("(1x5 and 4x3)",)),
    Case(
        "matmul_folded", lambda T: T.ones(2, 3, 4) @ T.ones(5, 2), RuntimeError, ("(6x4 and 5x2)",)
    ),
    Case("mv_shapes", lambda T: T.ones(3, 4) @ T.ones(5), RuntimeError, ("mat (3x4), vec (5)",)),
    Case(
        "bmm_shapes",
        lambda T: T.ones(2, 3, 4).bmm(T.ones(2, 5, 2)),
        RuntimeError,
        ("[2, 4]", "[2, 5]"),
    ),
    Case("matmul_batch", lambda T: T.ones(2, 3, 4) @ T.ones(3, 4, 2), RuntimeError, ("(2)", "(3)")),
    Case("bmm_rank", lambda T: T.ones(2, 3).bmm(T.ones(2, 3, 4)), RuntimeError, ("batch1",)),
    Case(
        "mm_rank",
        lambda T: T.ones(2, 3, 4).mm(T.ones(4, 2)),
        RuntimeError,
        ("self must be a matrix",),
    ),
    Case("matmul_0d", lambda T: T.ones(()) @ T.ones(3), RuntimeError, ("0D and 1D",)),
    Case("dot_sizes", lambda T: T.ones(4).dot(T.ones(5)), RuntimeError, ("[4]", "[5]")),
    Case("dot_rank", lambda T: T.ones(4, 1).dot(T.ones(4)), RuntimeError, ("2D and 1D",)),
    Case("outer_rank", lambda T: T.ones(4, 2).outer(T.ones(5)), RuntimeError, ("self", "2-D")),
    Case(
        "mm_dtype",
        lambda T: T.ones(3, 4).mm(T.ones(4, 2, dtype=T.float64)),
        RuntimeError,
        ("expected m1 and m2 to have the same dtype, but got: float != double",),
    ),
    Case(
        "matmul_dtype",
        lambda T: T.ones(3, 4) @ T.ones(4, 2, dtype=T.float64),
        RuntimeError,
        ("float != double",),
    ),
    Case(
        "matmul_int_float",
        lambda T: T.ones(2, 3).long() @ T.ones(3, 2),
        RuntimeError,
        ("long int != float",),
    ),
    Case(
        "bmm_dtype",
        lambda T: T.ones(2, 3, 4).bmm(T.ones(2, 4, 2).double()),
        RuntimeError,
        ("Float", "Double"),
    ),
    Case(
        "dot_dtype", lambda T: T.ones(4) @ T.ones(4).double(), RuntimeError, ("Float and Double",)
    ),
    Case(
        "mv_dtype",
        lambda T: T.ones(3, 4) @ T.ones(4).double(),
        RuntimeError,
        ("Double, Float, and Double",),
    ),
    Case(
        "einsum_sizes",
        lambda T: T.einsum("ij,jk", T.ones(2, 3), T.ones(4, 4)),
        RuntimeError,
        ("subscript j", "size 4"),
    ),
    Case("einsum_rank", lambda T: T.einsum("ij", T.ones(2, 3, 4)), RuntimeError, ("(2)", "(3)")),
    Case(
        "einsum_operands",
        lambda T: T.einsum("ij,jk", T.ones(2, 3)),
        RuntimeError,
        ("fewer operands",),
    ),
    Case(
        "einsum_output", lambda T: T.einsum("ij->k", T.ones(2, 3)), RuntimeError, ("subscript k",)
    ),
    Case(
        "einsum_dtype",
        lambda T: T.einsum("i,i", T.ones(2), T.ones(2).double()),
        RuntimeError,
        ("Float", "Double"),
    ),
    # -- reductions
    Case("sum_dim", lambda T: T.ones(2, 3).sum(2), IndexError, ("[-2, 1]", "got 2")),
    Case("softmax_dim", lambda T: T.ones(2, 3).softmax(5), IndexError, ("got 5",)),
    Case("sum_dup_dims", lambda T: T.ones(2, 3).sum((0, 0)), RuntimeError, ("dim 0 appears",)),
    Case("amax_dup_dims", lambda T: T.ones(2, 3).amax((1, -1)), RuntimeError, ("dim 1 appears",)),
    Case("max_tuple_dim", lambda T: T.ones(2, 3).max((0, 1)), TypeError, ("(tuple)",), False),
    Case("scalar_dim", lambda T: T.ones(()).sum(1), IndexError, ("[-1, 0]", "got 1")),
    Case("max_empty", lambda T: T.ones(0).max(), RuntimeError, ("numel() == 0",)),
    Case("max_empty_dim", lambda T: T.ones(2, 0).max(1), IndexError, ("dim 1", "non-zero size")),
    Case("argmax_empty", lambda T: T.ones(0).argmax(), IndexError, ("numel() == 0",)),
    Case("var_int", lambda T: T.tensor([1, 2, 3]).var(), RuntimeError, ("floating point",)),
    Case("norm_int", lambda T: T.tensor([1, 2, 3]).norm(), RuntimeError, ("Long",)),
    Case("mean_int", lambda T: T.tensor([1, 2, 3]).mean(), RuntimeError, ("Long",)),
    Case("softmax_int", lambda T: T.tensor([1, 2, 3]).softmax(0), NotImplementedError, ("Long",)),
    Case(
        "topk_k", lambda T: T.ones(2, 3).topk(4), RuntimeError, ("selected index k out of range",)
    ),
    Case("sort_dim", lambda T: T.ones(2, 3).sort(2), IndexError, ("got 2",)),
    Case("cumsum_dim", lambda T: T.ones(3).cumsum(1), IndexError, ("got 1",)),
    # -- in-place ops and the version counter
    Case("inplace_leaf", lambda T: T.ones(3, requires_grad=True).add_(1), RuntimeError, (LEAF,)),
    Case("fill_leaf", lambda T: T.ones(3, requires_grad=True).fill_(1), RuntimeError, (LEAF,)),
    Case("zero_leaf", lambda T: T.ones(3, requires_grad=True).zero_(), RuntimeError, (LEAF,)),
    Case("setitem_leaf", _setitem_leaf, RuntimeError, (VIEW_LEAF,)),
    Case(
        "inplace_view_leaf",
        lambda T: T.ones(3, requires_grad=True)[1:].mul_(2),
        RuntimeError,
        (VIEW_LEAF,),
    ),
    Case(
        "inplace_cast",
        lambda T: T.arange(3).add_(1.5),
        RuntimeError,
        ("result type Float can't be cast to the desired output type Long",),
    ),
    Case("inplace_div_int", lambda T: T.arange(3).div_(2), RuntimeError, ("Float", "Long")),
    Case("inplace_exp_int", lambda T: T.arange(3).exp_(), RuntimeError, ("Float", "Long")),
    Case(
        "inplace_cast_tensor",
        lambda T: T.arange(3).mul_(T.ones(3)),
        RuntimeError,
        ("Float", "Long"),
    ),
    Case("inplace_bool", lambda T: T.tensor([True]).add_(1), RuntimeError, ("Long", "Bool")),
    Case(
        "inplace_clamp_int",
        lambda T: T.arange(3).clamp_(0.5, 1.5),
        RuntimeError,
        ("result type Float can't be cast to the desired output type",),
        False,
    ),
    Case(
        "modified_saved",
        _grad_after_inplace,
        RuntimeError,
        ("modified by an inplace operation", "[3]", "version 1; expected version 0"),
        False,
    ),
    Case(
        "modified_saved_output",
        _saved_output_modified,
        RuntimeError,
        ("modified by an inplace operation", "expected version 0"),
        False,
    ),
    Case("backward_twice", _backward_twice, RuntimeError, ("second time", "retain_graph=True")),
]

test_ember_raises, test_torch_agrees = error_tests(CASES)
