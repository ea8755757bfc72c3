# Two interleaving half circles ("moons") classified by a small MLP.
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(42)
rng = np.random.default_rng(0)


def make_moons(n=400, noise=0.1):
    half = n // 2
    t = rng.uniform(0, np.pi, half)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(0, noise, (n, 2))
    y = np.concatenate([np.zeros(half), np.ones(half)])
    return X.astype(np.float32), y.astype(np.int64)


X_np, y_np = make_moons()
X = torch.from_numpy(X_np)
y = torch.from_numpy(y_np)
print("X:", X.shape, X.dtype, "y:", y.shape, y.dtype)


class MLP(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.fc1 = nn.Linear(2, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, 2)
        self.act = nn.ReLU()

    def forward(self, x):
        x = self.act(self.fc1(x))
        x = self.act(self.fc2(x))
        return self.out(x)


model = MLP()
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=0.01)

first_loss = None
for epoch in range(200):
    optimizer.zero_grad()
    logits = model(X)
    loss = criterion(logits, y)
    loss.backward()
    optimizer.step()
    if first_loss is None:
        first_loss = loss.item()
    if epoch % 50 == 0:
        print(f"epoch {epoch} loss {loss.item():.4f}")

with torch.no_grad():
    preds = model(X).argmax(dim=1)
    accuracy = (preds == y).float().mean().item()

print(f"first_loss: {first_loss:.4f}")
print(f"final_loss: {loss.item():.4f}")
print(f"accuracy: {accuracy:.4f}")
