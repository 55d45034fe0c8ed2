#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Prints the PyTorch reference values used by tests/test-optim.c.
import torch

for name, mk in [('adam', lambda p: torch.optim.Adam([p], lr=0.1, weight_decay=0.05)),
                 ('adamw', lambda p: torch.optim.AdamW([p], lr=0.1, weight_decay=0.1)),
                 ('sgd', lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)),
                 ('nesterov', lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True))]:
    p = torch.tensor([1.0, -2.0], requires_grad=True)
    o = mk(p)
    for g in [[0.5, 0.1], [0.5, -0.3], [-0.2, 0.7]]:
        p.grad = torch.tensor(g)
        o.step()
    print(name, p.detach().numpy().tolist())
z = torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]], requires_grad=True)
l = torch.nn.functional.cross_entropy(z, torch.tensor([1, 2])); l.backward()
print('cross-entropy', l.item(), z.grad.numpy().tolist())
z = torch.tensor([0.3, -1.2, 2.0], requires_grad=True)
l = torch.nn.functional.binary_cross_entropy_with_logits(z, torch.tensor([1.0, 0.0, 1.0])); l.backward()
print('bce', l.item(), z.grad.numpy().tolist())
z = torch.tensor([0.3, -1.2, 2.0], requires_grad=True)
l = torch.nn.functional.huber_loss(z, torch.tensor([1.0, 0.0, -1.0]), delta=1.0); l.backward()
print('huber', l.item(), z.grad.numpy().tolist())
