"""A learner's first PyTorch program, after the official quickstart: Fashion-MNIST through
torchvision (download=True), a DataLoader, a Flatten + Linear/ReLU network, a train loop and a
test loop. Trains on a subset so the whole run takes seconds."""

import os

import torch
from torch import nn
from torch.utils.data import DataLoader, Subset
from torchvision import datasets
from torchvision.transforms import ToTensor

torch.manual_seed(0)
here = os.path.dirname(os.path.abspath(__file__))
data_root = os.path.join(here, "data")

train_full = datasets.FashionMNIST(root=data_root, train=True, download=True, transform=ToTensor())
test_full = datasets.FashionMNIST(root=data_root, train=False, download=True, transform=ToTensor())
print("classes:", train_full.classes[:3])

batch_size = 64
train_data = Subset(train_full, range(300 * batch_size))  # 300 batches
test_data = Subset(test_full, range(2000))
train_loader = DataLoader(train_data, batch_size=batch_size, shuffle=True)
test_loader = DataLoader(test_data, batch_size=batch_size)

for X, y in test_loader:
    print(f"Shape of X [N, C, H, W]: {list(X.shape)}")
    print(f"Shape of y: {list(y.shape)} {y.dtype}")
    break


class ClothesNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.layers = nn.Sequential(
            nn.Linear(28 * 28, 256),
            nn.ReLU(),
            nn.Linear(256, 128),
            nn.ReLU(),
            nn.Linear(128, 10),
        )

    def forward(self, x):
        return self.layers(self.flatten(x))


device = "cuda" if torch.cuda.is_available() else "cpu"
model = ClothesNet().to(device)
print(model)

loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)


def evaluate():
    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for X, y in test_loader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            total_loss += loss_fn(pred, y).item() * len(y)
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    return total_loss / len(test_data), correct / len(test_data)


first_loss, _ = evaluate()
model.train()
for batch, (X, y) in enumerate(train_loader):
    X, y = X.to(device), y.to(device)
    loss = loss_fn(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if batch % 100 == 0:
        print(f"loss: {loss.item():>7f}  [{(batch + 1) * len(X):>5d}/{len(train_data):>5d}]")

final_loss, accuracy = evaluate()
print(f"first_loss: {first_loss:.4f}")
print(f"final_loss: {final_loss:.4f}")
print(f"accuracy: {accuracy:.4f}")
