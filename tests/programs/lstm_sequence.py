# An LSTM learns to continue sine waves: given 30 samples, predict the next one.
import math

import torch
import torch.nn as nn

torch.manual_seed(0)
seq_len, batch = 30, 32


def make_batch(n):
    phase = torch.rand(n, 1) * 2 * math.pi
    freq = 0.5 + torch.rand(n, 1)
    t = torch.arange(seq_len + 1).float() * 0.3
    wave = torch.sin(freq * t + phase)  # (n, seq_len + 1)
    return wave[:, :-1].unsqueeze(-1), wave[:, -1:]  # inputs (n, seq_len, 1), targets (n, 1)


class SinePredictor(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(input_size=1, hidden_size=hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, (h_n, c_n) = self.lstm(x)
        return self.head(out[:, -1, :])  # the last time step


model = SinePredictor()
print(model)
print("state_dict keys:", list(model.state_dict().keys())[:4])
x, y = make_batch(4)
out, (h_n, c_n) = model.lstm(x)
print("output shape:", tuple(out.shape), "h_n shape:", tuple(h_n.shape))

optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.MSELoss()
test_x, test_y = make_batch(200)
with torch.no_grad():
    first = loss_fn(model(test_x), test_y).item()
for step in range(150):
    x, y = make_batch(batch)
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()

model.eval()
with torch.no_grad():
    final = loss_fn(model(test_x), test_y).item()
    # A GRU cell stepped by hand gives the same shapes as a layer would.
    cell = nn.GRUCell(1, 8)
    h = torch.zeros(3, 8)
    for t in range(5):
        h = cell(test_x[:3, t], h)
print("gru cell state shape:", tuple(h.shape))
print(f"first_loss: {first:.4f}")
print(f"final_loss: {final:.4f}")
