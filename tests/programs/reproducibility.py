# torch.manual_seed makes runs repeatable within one library (not across libraries).
import torch
import torch.nn as nn

torch.manual_seed(42)
a = torch.randn(3, 4)
torch.manual_seed(42)
b = torch.randn(3, 4)
print("same randn after reseed:", torch.equal(a, b))
print("different draws without reseed:", not torch.equal(torch.randn(3, 4), torch.randn(3, 4)))

torch.manual_seed(0)
m1 = nn.Linear(10, 5)
torch.manual_seed(0)
m2 = nn.Linear(10, 5)
print("same init:", torch.equal(m1.weight, m2.weight) and torch.equal(m1.bias, m2.bias))

g = torch.Generator().manual_seed(123)
r1 = torch.rand(5, generator=g)
g = torch.Generator().manual_seed(123)
r2 = torch.rand(5, generator=g)
print("generator repeatable:", torch.equal(r1, r2))

state = torch.get_rng_state()
c = torch.randint(0, 10, (6,))
torch.set_rng_state(state)
d = torch.randint(0, 10, (6,))
print("rng state restore:", torch.equal(c, d))

torch.manual_seed(5)
p1 = torch.randperm(10)
torch.manual_seed(5)
p2 = torch.randperm(10)
print("randperm:", torch.equal(p1, p2), sorted(p1.tolist()) == list(range(10)))
print("initial seed:", torch.initial_seed())

# Statistics do hold across libraries.
torch.manual_seed(1)
big = torch.randn(100000)
print(
    "mean near 0:", abs(big.mean().item()) < 0.02, "std near 1:", abs(big.std().item() - 1) < 0.02
)
u = torch.rand(100000)
print("uniform range:", bool(u.min() >= 0) and bool(u.max() < 1), abs(u.mean().item() - 0.5) < 0.01)
ints = torch.randint(3, 7, (1000,))
print("randint range:", ints.min().item(), ints.max().item(), ints.dtype)
drop = nn.Dropout(0.5)
kept = (drop(torch.ones(10000)) != 0).float().mean().item()
print("dropout keeps half:", abs(kept - 0.5) < 0.03)
