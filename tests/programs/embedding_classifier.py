# A bag-of-embeddings text classifier on toy token ids: mean-pool the embeddings, then Linear.
import torch
import torch.nn as nn

torch.manual_seed(0)
vocab_size, seq_len, n = 50, 12, 400
PAD = 0

# Sentences containing more "positive" tokens (1..9) than "negative" ones (10..19) are class 1.
tokens = torch.randint(20, vocab_size, (n, seq_len))
label = torch.randint(0, 2, (n,))
for i in range(n):
    special = torch.randint(1, 10, (4,)) if label[i] == 1 else torch.randint(10, 20, (4,))
    tokens[i, :4] = special
    tokens[i, -2:] = PAD  # padding at the end
tokens = tokens[:, torch.randperm(seq_len - 2).tolist() + [seq_len - 2, seq_len - 1]]


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab_size, dim, num_classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, dim, padding_idx=PAD)
        self.fc = nn.Linear(dim, num_classes)

    def forward(self, ids):
        emb = self.embedding(ids)  # (batch, seq, dim)
        mask = (ids != PAD).unsqueeze(-1).float()
        pooled = (emb * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
        return self.fc(pooled)


model = BagOfEmbeddings(vocab_size, 16, 2)
print("padding row zero:", model.embedding.weight[PAD].abs().sum().item() == 0)
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
loss_fn = nn.CrossEntropyLoss()

train_ids, train_y = tokens[:320], label[:320]
test_ids, test_y = tokens[320:], label[320:]
for epoch in range(30):
    model.train()
    for i in range(0, 320, 64):
        logits = model(train_ids[i : i + 64])
        loss = loss_fn(logits, train_y[i : i + 64])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if epoch == 0:
        first = loss.item()

model.eval()
with torch.no_grad():
    acc = (model(test_ids).argmax(dim=-1) == test_y).float().mean().item()
print("padding row still zero:", model.embedding.weight[PAD].abs().sum().item() == 0)
print(f"first_loss: {first:.4f}")
print(f"final_loss: {loss.item():.4f}")
print(f"accuracy: {acc:.4f}")
