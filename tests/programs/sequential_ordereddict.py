# nn.Sequential built from an OrderedDict, its printout, names and parameter counts.
from collections import OrderedDict

import torch
import torch.nn as nn

model = nn.Sequential(
    OrderedDict(
        [
            ("fc1", nn.Linear(784, 128)),
            ("relu1", nn.ReLU()),
            ("drop", nn.Dropout(p=0.2)),
            ("fc2", nn.Linear(128, 64)),
            ("relu2", nn.ReLU()),
            ("output", nn.Linear(64, 10)),
            ("softmax", nn.LogSoftmax(dim=1)),
        ]
    )
)
print(model)
print("fc1 by name:", model.fc1)
print("index 3:", model[3])
print("len:", len(model))

for name, param in model.named_parameters():
    print(f"{name:15s} {str(tuple(param.shape)):12s} {param.numel()}")

total = sum(p.numel() for p in model.parameters())
trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
print("total params:", total)
for p in model.fc1.parameters():
    p.requires_grad = False
frozen = sum(p.numel() for p in model.parameters() if p.requires_grad)
print("trainable after freezing fc1:", frozen, "of", trainable)
print("children:", [name for name, _ in model.named_children()])
print("modules:", len(list(model.modules())))
print("state_dict keys:", list(model.state_dict().keys()))

out = model(torch.randn(5, 784))
print(
    "output:",
    out.shape,
    "probabilities sum to one:",
    torch.allclose(out.exp().sum(1), torch.ones(5)),
)

model.add_module("extra", nn.Identity())
print("after add_module:", len(model), list(dict(model.named_children()))[-1])
small = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
small.append(nn.Linear(3, 1))
print(small)
print("sliced:", small[:2])
