# Gradient clipping: clip_grad_norm_ and clip_grad_value_ on a regression with large targets.
import torch
import torch.nn as nn

# Fixed data and weights so that every number printed here is deterministic.
X = torch.linspace(-1, 1, 40).reshape(20, 2)
y = X[:, :1] * 30 - X[:, 1:] * 10 + 5

model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape) * (i + 1))

loss_fn = nn.MSELoss()
loss = loss_fn(model(X), y)
loss.backward()

norms = [p.grad.norm().item() for p in model.parameters()]
print("grad norms before:", [round(n, 3) for n in norms])
total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
print(f"total_norm: {total.item():.4f}")
after = torch.sqrt(sum((p.grad**2).sum() for p in model.parameters()))
print(f"norm_after_clip: {after.item():.4f}")

model.zero_grad()
loss_fn(model(X), y).backward()
nn.utils.clip_grad_value_(model.parameters(), clip_value=0.5)
biggest = max(p.grad.abs().max().item() for p in model.parameters())
print(f"max_abs_grad_after_value_clip: {biggest:.4f}")

# Training with clipping stays stable even with a large learning rate.
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
first = None
for step in range(300):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0, norm_type=2)
    optimizer.step()
    if first is None:
        first = loss.item()
print(f"first_loss: {first:.4f}")
print(f"final_loss: {loss.item():.4f}")

vec = nn.utils.parameters_to_vector(model.parameters())
print("num params as vector:", vec.numel())
