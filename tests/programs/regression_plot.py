# Fit a noisy sine with an MLP and plot the data, the fit and the loss curve side by side.
import matplotlib.pyplot as plt
import torch
import torch.nn as nn

torch.manual_seed(0)
x = torch.linspace(-3, 3, 200).unsqueeze(1)
y = torch.sin(x) + 0.1 * torch.randn(x.size())

net = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
loss_func = nn.MSELoss()

history = []
for t in range(300):
    prediction = net(x)
    loss = loss_func(prediction, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    history.append(loss.item())

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
ax1.scatter(x.numpy(), y.numpy(), s=5, label="data")
ax1.plot(x.numpy(), net(x).detach().numpy(), "r-", lw=2, label="fit")
ax1.legend()
ax2.plot(history)
ax2.set_yscale("log")
ax2.set_title("loss")
plt.tight_layout()
plt.show()

plt.plot(range(len(history)), torch.tensor(history))
plt.show()

print(f"first_loss: {history[0]:.4f}")
print(f"final_loss: {history[-1]:.4f}")
