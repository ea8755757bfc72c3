"""``torch.backends.cuda`` without CUDA: the cuBLAS and SDPA switches, settable and inert."""

from __future__ import annotations


class _Matmul:
    """``torch.backends.cuda.matmul``: precision switches that only a GPU would read."""

    def __init__(self):
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _Matmul()


def is_built() -> bool:
    return False


def flash_sdp_enabled() -> bool:
    return True


def enable_flash_sdp(enabled: bool) -> None:
    pass


def mem_efficient_sdp_enabled() -> bool:
    return True


def enable_mem_efficient_sdp(enabled: bool) -> None:
    pass


def math_sdp_enabled() -> bool:
    return True


def enable_math_sdp(enabled: bool) -> None:
    pass
