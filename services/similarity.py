"""Similar open problems: jieba segmentation, TF-IDF weights, cosine similarity; same category weighs in."""

from __future__ import annotations

import math
import re
from collections import Counter

import jieba
from sqlalchemy import select

from services.actors import Actor, enterprise_clause
from services.db import db
from services.errors import NotFound
from services.models import Problem
from services.models.problems import OPEN

CATEGORY_BONUS = 0.15
MAX_CANDIDATES = 2000
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
STOPWORDS = frozenset("的 了 和 与 及 或 在 是 有 对 为 等 将 把 被 从 向 也 都 就 请 并 其 该 已 仍 又 需 要 我 我们 企业 公司 问题 情况".split())

jieba.setLogLevel(60)


def tokens(text: str) -> list[str]:
    """The words of a text that count for similarity (jieba's search segmentation, stopwords dropped)."""
    return [w for w in jieba.lcut_for_search(text or "") if _WORD.search(w) and w not in STOPWORDS]


def _vectors(documents: list[list[str]]) -> list[dict[str, float]]:
    df = Counter(word for doc in documents for word in set(doc))
    n = len(documents)
    out = []
    for doc in documents:
        tf = Counter(doc)
        vector = {w: (c / len(doc)) * (math.log((1 + n) / (1 + df[w])) + 1) for w, c in tf.items()} if doc else {}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        out.append({w: v / norm for w, v in vector.items()})
    return out


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def similar(*, actor: Actor, problem_id: int, limit: int = 10) -> list[dict]:
    """The open problems in the actor's scope most like this one, best first, scored 0–1.
    Raises NotFound (out of scope)."""
    visible = enterprise_clause(actor, Problem.enterprise_id)
    target = db.session.scalar(select(Problem).where(Problem.id == problem_id, visible))
    if target is None:
        raise NotFound("问题不存在")
    candidates = list(db.session.scalars(select(Problem).where(
        visible, Problem.status.in_(OPEN), Problem.id != target.id).order_by(Problem.id.desc()).limit(MAX_CANDIDATES)))
    documents = [tokens(f"{p.title} {p.title} {p.description}") for p in [target, *candidates]]
    vectors = _vectors(documents)
    scored = []
    for problem, vector in zip(candidates, vectors[1:], strict=True):
        score = _cosine(vectors[0], vector)
        if score <= 0:
            continue
        if problem.category == target.category:
            score += CATEGORY_BONUS
        scored.append({"problem": problem, "score": round(min(score, 1.0), 4)})
    scored.sort(key=lambda item: (-item["score"], -item["problem"].id))
    return scored[:limit]
