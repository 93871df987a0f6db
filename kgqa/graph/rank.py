"""Personalised PageRank on the seeds' neighbourhood: the cost per question is bounded, whatever the graph's size.

The walk is networkx's ``pagerank`` on the undirected weighted concept graph (follow an edge with probability
``damping``, in proportion to its weight; else restart at a seed). ``Walk`` holds the graph as one sparse matrix,
built once per loaded graph; ``rank`` runs the power iteration on the ``max_nodes`` concepts nearest the seeds
(breadth first), with each row still divided by the concept's weighted degree in the *whole* graph, so a walk
that steps outside the neighbourhood is dropped rather than folded back. When the seeds' component has at most
``max_nodes`` concepts the neighbourhood is the component and the ranks are networkx's; beyond, they are
networkx's minus the walks that leave the neighbourhood and come back, which are the longest and weakest.

>>> walk = Walk(["a", "b", "c", "d"], [("a", "b", 1.0), ("b", "c", 1.0), ("c", "d", 1.0)])
>>> r = walk.rank(["a"], damping=0.85, max_nodes=100)
>>> [k for k, _ in sorted(r.items(), key=lambda x: -x[1])]
['b', 'a', 'c', 'd']
>>> round(sum(r.values()), 6)
1.0
>>> sorted(walk.rank(["a"], damping=0.85, max_nodes=2))  # the two concepts nearest the seed
['a', 'b']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

MAX_ITER = 200
TOL = 1e-10  # networkx's default stopping rule: summed change below size x tol


class Walk:
    def __init__(self, nodes: Sequence[str], pairs: Sequence[tuple[str, str, float]]) -> None:
        """``pairs`` are undirected weighted edges; parallel ones (either direction) add up."""
        self.nodes = sorted(nodes)
        self.index = {n: i for i, n in enumerate(self.nodes)}
        rows, cols, vals = [], [], []
        for a, b, w in pairs:
            i, j = self.index[a], self.index[b]
            rows += [i, j] if i != j else [i]
            cols += [j, i] if i != j else [i]
            vals += [w, w] if i != j else [w]
        n = len(self.nodes)
        self.matrix = sp.csr_array((np.array(vals, dtype=float), (rows, cols)), shape=(n, n))
        self.matrix.sum_duplicates()
        self.degree = np.asarray(self.matrix.sum(axis=1)).ravel()

    def neighbourhood(self, seeds: Sequence[int], max_nodes: int) -> np.ndarray:
        """Up to ``max_nodes`` node indices, breadth first from the seeds (each level in index order)."""
        seen = np.zeros(len(self.nodes), dtype=bool)
        frontier = np.unique(np.array(seeds, dtype=np.int64))
        seen[frontier] = True
        order = [frontier]
        count = len(frontier)
        while len(frontier) and count < max_nodes:
            reached = np.unique(self.matrix[frontier].indices)
            frontier = reached[~seen[reached]][: max_nodes - count]
            seen[frontier] = True
            order.append(frontier)
            count += len(frontier)
        return np.concatenate(order)

    def rank(self, seeds: Sequence[str], damping: float, max_nodes: int) -> dict[str, float]:
        """Personalised PageRank (uniform restart over ``seeds``) of the concepts near the seeds."""
        if not 0.0 < damping < 1.0 or max_nodes < 1:
            raise ValueError(f"damping must be in (0, 1) and max_nodes >= 1, got {damping}, {max_nodes}")
        local = self.neighbourhood([self.index[s] for s in seeds], max(max_nodes, len(seeds)))
        sub = self.matrix[local][:, local]
        deg = self.degree[local]
        inv = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg != 0)
        step = sp.csr_array((sp.diags(inv) @ sub).T)  # transposed once: x @ P is P.T @ x
        restart = np.isin(local, [self.index[s] for s in seeds]).astype(float)
        restart /= restart.sum()
        dangling = np.flatnonzero(deg == 0)  # a concept without edges sends its walk back to the seeds
        x = restart.copy()
        for _ in range(MAX_ITER):
            last = x
            x = damping * (step @ x + x[dangling].sum() * restart) + (1.0 - damping) * restart
            if np.abs(x - last).sum() < len(local) * TOL:
                break
        return {self.nodes[i]: float(v) for i, v in zip(local.tolist(), x.tolist(), strict=True)}
