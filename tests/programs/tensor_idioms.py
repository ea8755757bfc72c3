# Everyday tensor manipulation on fixed data: every line must print the same under any library.
import numpy as np
import torch
import torch.nn.functional as F

a = torch.arange(12, dtype=torch.float32).reshape(3, 4)
b = torch.ones(3, 4)
print("cat0:", torch.cat([a, b], dim=0).shape)
print("cat1:", torch.cat((a, b), 1).shape)
print("stack:", torch.stack([a, b]).shape, torch.stack([a, b], dim=2).shape)
print("argmax:", a.argmax().item(), a.argmax(dim=1).tolist(), torch.argmax(a, 0).tolist())

scores = torch.tensor([[0.1, 0.7, 0.2, 0.9], [0.5, 0.3, 0.8, 0.0]])
values, indices = torch.topk(scores, k=2, dim=1)
print("topk values:", values.tolist())
print("topk indices:", indices.tolist())
print("max:", scores.max(dim=1).values.tolist(), scores.max(dim=1)[1].tolist())

mask = torch.tensor([[True, False, True, False], [False, False, True, True]])
print("masked_fill:", scores.masked_fill(mask, -1.0).tolist())
probs = scores.masked_fill(~mask, float("-inf")).softmax(dim=-1)
print("masked_fill inf:", torch.round(probs, decimals=4).tolist())

idx = torch.tensor([[3], [2]])
print("gather:", scores.gather(1, idx).squeeze(1).tolist())
labels = torch.tensor([0, 2, 1, 2])
oh = F.one_hot(labels, num_classes=3)
print("one_hot:", oh.tolist(), oh.dtype)
print("one_hot inferred:", F.one_hot(torch.tensor([1, 3])).shape)

x = torch.tensor([-1.5, 0.0, 2.5, -0.5])
print("where:", torch.where(x > 0, x, torch.zeros_like(x)).tolist())
print("where scalar:", torch.where(x < 0, -1.0, 1.0).tolist())
print("nonzero where:", torch.where(x != 0)[0].tolist())
print("bool index:", x[x < 0].tolist(), a[a[:, 0] > 2].tolist())
a2 = a.clone()
a2[a2 > 8] = 0
print("bool assign:", a2.tolist())
print("item:", a.sum().item(), type(a.sum().item()).__name__, type(labels[1].item()).__name__)
print("tolist:", a[0].tolist(), a[1, 2].tolist())

n = a.numpy()
print("numpy:", type(n).__name__, n.dtype, n.shape)
n[0, 0] = 100.0
print("shares memory:", a[0, 0].item())
t = torch.from_numpy(np.array([1, 2, 3]))
print("from_numpy:", t.dtype, torch.tensor(np.array([1.0, 2.0])).dtype)

print("view/permute:", a.view(2, 6).shape, a.permute(1, 0).shape, a.t().is_contiguous())
print("unsqueeze:", a.unsqueeze(0).shape, a[None, :, None].shape, a.flatten().shape)
print("split:", [s.shape[1] for s in a.split(3, dim=1)], [c.shape[0] for c in a.chunk(2)])
print("sum keepdim:", a.sum(dim=1, keepdim=True).tolist())
print("mean:", a.mean().item(), a.mean(dim=0).tolist())
print("sort:", torch.sort(x, descending=True).values.tolist(), x.argsort().tolist())
print("unique:", torch.unique(torch.tensor([3, 1, 3, 2, 1])).tolist())
print("clamp:", x.clamp(min=0).tolist(), x.abs().tolist())
print("eq:", (labels == 2).sum().item(), torch.eq(labels, 2).tolist())
print("repr:", torch.tensor([[1.0, 2.5], [3.0, 4.0]]))
print("int repr:", labels, labels.float().mean())
print("dtype:", a.dtype, labels.dtype, mask.dtype, (a > 1).dtype, (labels / 2).dtype)
print("type:", labels.type(torch.FloatTensor).dtype, a.type(torch.LongTensor).dtype, a.type())
print("linspace:", torch.linspace(0, 1, 5).tolist(), torch.arange(0, 1, 0.25).tolist())
print(
    "expand:", torch.tensor([1, 2]).expand(3, 2).tolist(), torch.tensor([1, 2]).repeat(2).tolist()
)
