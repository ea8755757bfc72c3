# Logistic regression on two Gaussian blobs with BCEWithLogitsLoss, losses plotted at the end.
import matplotlib.pyplot as plt
import torch
import torch.nn as nn

torch.manual_seed(0)

n = 200
pos = torch.randn(n, 2) + torch.tensor([2.0, 2.0])
neg = torch.randn(n, 2) + torch.tensor([-2.0, -2.0])
X = torch.cat([pos, neg], dim=0)
y = torch.cat([torch.ones(n), torch.zeros(n)]).unsqueeze(1)


class LogisticRegression(nn.Module):
    def __init__(self, in_features):
        super().__init__()
        self.linear = nn.Linear(in_features, 1)

    def forward(self, x):
        return self.linear(x)  # raw logits, the loss applies the sigmoid


model = LogisticRegression(2)
loss_fn = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

losses = []
for epoch in range(100):
    logits = model(X)
    loss = loss_fn(logits, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())

with torch.no_grad():
    probs = torch.sigmoid(model(X))
    predicted = (probs > 0.5).float()
    acc = (predicted == y).sum().item() / y.shape[0]

w, b = model.linear.weight.detach(), model.linear.bias.detach()
print("weight shape:", tuple(w.shape), "bias shape:", tuple(b.shape))
print(f"first_loss: {losses[0]:.4f}")
print(f"final_loss: {losses[-1]:.4f}")
print(f"accuracy: {acc:.4f}")
print("both weights positive:", bool((w > 0).all()))

plt.figure(figsize=(6, 4))
plt.plot(losses, label="train loss")
plt.xlabel("epoch")
plt.ylabel("BCE loss")
plt.title("Logistic regression")
plt.legend()
plt.show()
