# StepLR during training, then ReduceLROnPlateau driven by a validation loss.
import torch
import torch.nn as nn
from torch.optim.lr_scheduler import ReduceLROnPlateau, StepLR

torch.manual_seed(0)
X = torch.randn(128, 3)
y = X @ torch.tensor([[2.0], [-1.0], [0.5]]) + 0.3

model = nn.Linear(3, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = StepLR(optimizer, step_size=5, gamma=0.5)

for epoch in range(15):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(X), y)
    loss.backward()
    optimizer.step()
    scheduler.step()
    if epoch == 0:
        first = loss.item()
    print(f"epoch {epoch} lr {optimizer.param_groups[0]['lr']:.6f}")
print("last lr:", scheduler.get_last_lr())
print(f"first_loss: {first:.4f}")
print(f"final_loss: {loss.item():.4f}")

# A validation loss that improves, then stalls: the plateau scheduler halves the lr.
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
plateau = ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=2)
val_losses = [1.0, 0.8, 0.7, 0.69, 0.7, 0.71, 0.7, 0.72, 0.69, 0.7, 0.71, 0.73]
for epoch, val_loss in enumerate(val_losses):
    plateau.step(val_loss)
    print(f"plateau epoch {epoch} val {val_loss} lr {optimizer.param_groups[0]['lr']:.6f}")
