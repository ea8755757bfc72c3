# A small CNN on random 1x28x28 "images" whose label is which half (top/bottom) is brighter.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
images = torch.rand(256, 1, 28, 28)
images[:128, :, :14] += 0.3
images[128:, :, 14:] += 0.3
labels = torch.cat([torch.zeros(128), torch.ones(128)]).long()


class SmallCNN(nn.Module):
    def __init__(self, num_classes=2):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(2, 2)
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(16 * 7 * 7, 32)
        self.fc2 = nn.Linear(32, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))  # 8 x 14 x 14
        x = self.pool(F.relu(self.bn2(self.conv2(x))))  # 16 x 7 x 7
        x = x.view(x.size(0), -1)
        x = self.dropout(F.relu(self.fc1(x)))
        return self.fc2(x)


model = SmallCNN()
print(model)
n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
print("trainable params:", n_params)
print("output shape:", tuple(model(images[:4]).shape))

optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
criterion = nn.CrossEntropyLoss()
for epoch in range(3):
    perm = torch.randperm(256)
    total = 0.0
    for i in range(0, 256, 32):
        idx = perm[i : i + 32]
        optimizer.zero_grad()
        loss = criterion(model(images[idx]), labels[idx])
        loss.backward()
        optimizer.step()
        total += loss.item()
    if epoch == 0:
        first = total / 8
    print(f"epoch {epoch} loss {total / 8:.4f}")

model.eval()
with torch.no_grad():
    acc = (model(images).argmax(1) == labels).float().mean().item()
print(f"first_loss: {first:.4f}")
print(f"final_loss: {total / 8:.4f}")
print(f"accuracy: {acc:.4f}")
