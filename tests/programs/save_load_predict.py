# Train, save only the state_dict, load it into a new instance and predict in eval mode.
import os
import tempfile

import torch
import torch.nn as nn

torch.manual_seed(3)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 16)
        self.bn = nn.BatchNorm1d(16)
        self.drop = nn.Dropout(0.2)
        self.out = nn.Linear(16, 3)

    def forward(self, x):
        return self.out(self.drop(torch.relu(self.bn(self.hidden(x)))))


# Class = index of the largest feature.
X = torch.randn(300, 3)
y = X.argmax(dim=1)
model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
for epoch in range(100):
    loss = nn.functional.cross_entropy(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

path = os.path.join(tempfile.mkdtemp(), "model.pt")
torch.save(model.state_dict(), path)
print("state_dict keys:", list(model.state_dict().keys()))

loaded = Net()
result = loaded.load_state_dict(torch.load(path, weights_only=True))
print("load result:", result)
loaded.eval()
model.eval()

test = torch.tensor([[3.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 3.0], [1.0, 2.0, 0.5]])
with torch.no_grad():
    probs = torch.softmax(loaded(test), dim=1)
    same = torch.equal(loaded(test), model(test))
print("predictions:", probs.argmax(dim=1).tolist())
print("rows sum to one:", torch.allclose(probs.sum(dim=1), torch.ones(4)))
print("same as trained model:", same)
print("num_batches_tracked:", loaded.bn.num_batches_tracked.item())
with torch.no_grad():
    acc = (loaded(X).argmax(1) == y).float().mean().item()
print(f"final_loss: {loss.item():.4f}")
print(f"accuracy: {acc:.4f}")
