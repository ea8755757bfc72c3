# Custom weight initialisation with model.apply(), checked against the formulas.
import math

import torch
import torch.nn as nn

torch.manual_seed(0)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)
    elif isinstance(m, nn.Conv2d):
        nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        if m.bias is not None:
            nn.init.constant_(m.bias, 0.1)


model = nn.Sequential(
    nn.Conv2d(3, 64, 3),
    nn.ReLU(),
    nn.Flatten(),
    nn.Linear(64 * 4 * 4, 256),
    nn.ReLU(),
    nn.Linear(256, 10),
)
model.apply(init_weights)

for name, p in model.named_parameters():
    print(name, tuple(p.shape))

w = model[3].weight
bound = math.sqrt(6 / (w.shape[0] + w.shape[1]))
print("linear bias all zero:", bool((model[3].bias == 0).all()))
print("xavier within bound:", bool(w.abs().max() <= bound))
print("xavier spread ok:", abs(w.std().item() - bound / math.sqrt(3)) < 0.05 * bound)
conv = model[0].weight
expected_std = math.sqrt(2 / (64 * 3 * 3))
print("kaiming std ok:", abs(conv.std().item() - expected_std) < 0.1 * expected_std)
print("conv bias:", model[0].bias[:3].tolist())

# Other initialisers tutorials use.
layer = nn.Linear(5, 5)
nn.init.ones_(layer.weight)
print("ones sum:", layer.weight.sum().item())
nn.init.eye_(layer.weight)
print("eye trace:", layer.weight.trace().item())
nn.init.normal_(layer.weight, mean=0.0, std=0.02)
nn.init.uniform_(layer.bias, -0.1, 0.1)
print("uniform in range:", bool((layer.bias.abs() <= 0.1).all()))
print("requires_grad kept:", layer.weight.requires_grad, layer.weight.grad is None)
gain = nn.init.calculate_gain("relu")
print("relu gain:", round(gain, 6))
print("tanh gain:", round(nn.init.calculate_gain("tanh"), 6))
