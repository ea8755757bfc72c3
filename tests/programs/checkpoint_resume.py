# Save a training checkpoint (model + optimizer + epoch), then resume from it in a fresh model.
import os
import tempfile

import torch
import torch.nn as nn

torch.manual_seed(7)
X = torch.randn(200, 5)
y = (X[:, 0] - 2 * X[:, 1] + X[:, 2] * X[:, 3]).unsqueeze(1)


def make_model():
    return nn.Sequential(nn.Linear(5, 32), nn.ReLU(), nn.Linear(32, 1))


def train(model, optimizer, epochs):
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(X), y)
        loss.backward()
        optimizer.step()
    return loss.item()


model = make_model()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
with torch.no_grad():
    start_loss = nn.functional.mse_loss(model(X), y).item()
loss = train(model, optimizer, 50)
print(f"loss after 50 epochs: {loss:.4f}")

path = os.path.join(tempfile.mkdtemp(), "checkpoint.pth")
torch.save(
    {
        "epoch": 50,
        "model_state_dict": model.state_dict(),
        "optimizer_state_dict": optimizer.state_dict(),
        "loss": loss,
    },
    path,
)

# Continue the original for 50 more epochs, as the reference.
reference = train(model, optimizer, 50)

# Resume in fresh objects.
new_model = make_model()
new_optimizer = torch.optim.Adam(new_model.parameters(), lr=0.01)
checkpoint = torch.load(path)
new_model.load_state_dict(checkpoint["model_state_dict"])
new_optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
start_epoch = checkpoint["epoch"]
print("resumed_epoch:", start_epoch, "saved loss:", round(checkpoint["loss"], 4))
print(
    "optimizer state steps:", [int(s["step"]) for s in new_optimizer.state_dict()["state"].values()]
)
new_model.train()
resumed = train(new_model, new_optimizer, 50)

print("keys:", sorted(checkpoint.keys()))
print("resume matches:", abs(resumed - reference) < 1e-5)
print(f"first_loss: {start_loss:.4f}")
print(f"final_loss: {resumed:.4f}")
