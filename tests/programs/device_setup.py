# The device boilerplate at the top of most training scripts.
import random

import numpy as np
import torch
import torch.nn as nn


def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


set_seed(123)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("device:", device)
print("cuda available:", torch.cuda.is_available())
print("gpu count:", torch.cuda.device_count())
print("mps available:", torch.backends.mps.is_available())
print("cudnn deterministic:", torch.backends.cudnn.deterministic)
print("cudnn benchmark:", torch.backends.cudnn.benchmark)
if torch.cuda.is_available():
    print("gpu:", torch.cuda.get_device_name(0))

model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1)).to(device)
print("model on:", next(model.parameters()).device)

X = torch.randn(64, 4).to(device)
true_w = torch.tensor([[1.0], [-2.0], [0.5], [3.0]], device=device)
y = X @ true_w
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
# Mixed precision only on a GPU; on the CPU both objects are pass-through.
use_amp = device.type == "cuda"
scaler = torch.amp.GradScaler(device.type, enabled=use_amp)
print("amp enabled:", scaler.is_enabled())
for step in range(150):
    xb, yb = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
    with torch.autocast(device_type=device.type, dtype=torch.float16, enabled=use_amp):
        loss = nn.functional.mse_loss(model(xb), yb)
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    if step == 0:
        first = loss.item()

print("loss on:", loss.device)
result = loss.detach().cpu().numpy()
print("numpy type:", type(result).__name__, result.dtype)
print(f"first_loss: {first:.4f}")
print(f"final_loss: {loss.item():.4f}")
