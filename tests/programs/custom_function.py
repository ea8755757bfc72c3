# A custom autograd.Function: a clamp whose backward passes the gradient straight through.
import torch


class StraightThroughClamp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        return x.clamp(low, high)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        # Straight-through: ignore the clamp, only zero the gradient where x is NaN.
        grad = grad_output.clone()
        grad[torch.isnan(x)] = 0
        return grad, None, None


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g


st_clamp = StraightThroughClamp.apply

x = torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0], requires_grad=True)
y = st_clamp(x, -1.0, 1.0)
print("forward:", y.tolist())
print("grad_fn is custom:", "StraightThroughClamp" in type(y.grad_fn).__name__)
(y * torch.arange(1.0, 6.0)).sum().backward()
print("straight-through grad:", x.grad.tolist())

x2 = torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0], requires_grad=True)
(x2.clamp(-1.0, 1.0) * torch.arange(1.0, 6.0)).sum().backward()
print("ordinary clamp grad:", x2.grad.tolist())

z = torch.tensor([1.5, -3.0], requires_grad=True)
Square.apply(z).sum().backward()
print("square grad:", z.grad.tolist())

inp = torch.randn(4, dtype=torch.double, requires_grad=True)
print("gradcheck:", torch.autograd.gradcheck(Square.apply, (inp,)))

# Learn a weight through the straight-through clamp: the target needs w outside [-1, 1]
# before clamping, which only the straight-through gradient can push it towards.
torch.manual_seed(0)
w = torch.zeros(3, requires_grad=True)
target = torch.tensor([1.0, -1.0, 0.5])
opt = torch.optim.SGD([w], lr=0.5)
for step in range(50):
    opt.zero_grad()
    loss = ((st_clamp(w, -1.0, 1.0) - target) ** 2).sum()
    loss.backward()
    opt.step()
print("learned clamped:", [round(v, 4) for v in st_clamp(w, -1.0, 1.0).tolist()])
print(f"final_loss: {loss.item():.6f}")
