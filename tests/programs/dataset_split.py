# A custom Dataset, random_split into train/val, DataLoaders and a train/eval loop.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset, random_split

torch.manual_seed(1)


class CirclesDataset(Dataset):
    """Points inside the unit circle are class 1, outside class 0."""

    def __init__(self, n):
        self.x = torch.rand(n, 2) * 4 - 2
        self.y = (self.x.pow(2).sum(dim=1) < 1.0).long()

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]


dataset = CirclesDataset(1000)
train_set, val_set = random_split(dataset, [800, 200])
print("sizes:", len(dataset), len(train_set), len(val_set))

train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
val_loader = DataLoader(val_set, batch_size=64, shuffle=False)
print("batches:", len(train_loader), len(val_loader))

model = nn.Sequential(
    nn.Linear(2, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2)
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)


def evaluate(loader):
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            loss_sum += criterion(out, yb).item() * xb.size(0)
            correct += (out.argmax(1) == yb).sum().item()
            total += yb.size(0)
    return loss_sum / total, correct / total


for epoch in range(15):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * xb.size(0)
    val_loss, val_acc = evaluate(val_loader)
    if epoch == 0:
        first_val_loss = val_loss
    print(f"epoch {epoch} train_loss {running / len(train_set):.4f} val_loss {val_loss:.4f}")

print("training mode after eval:", model.training)
print(f"first_loss: {first_val_loss:.4f}")
print(f"final_loss: {val_loss:.4f}")
print(f"accuracy: {val_acc:.4f}")
