"""Fit what is fitted, on the fit fold only, and report fit-fold, held-out-fold figures side by side.

    python -m eval.fit                 # fit the fusion weights and the scope model, print the figures
    python -m eval.fit --write         # ... and write the scope model (data/models/scope_classifier.json)

The development files are split into folds (the ``fold`` field; the older dev files in tests/data are
all "fit"). Nothing here ever reads a held-out item's label before the fit is done: the held-out fold
is scored once, with what the fit fold chose.

- **Fusion weights** of the four ranked lists (assistant.retrieval.LISTS): a grid search (step 0.1, the
  weights summing to 1) maximising the mean reciprocal rank of a clause holding the gold evidence.
- **Scope model**: logistic regression (scikit-learn) over assistant.scope.FEATURES, standardised,
  class-balanced, 5-fold cross-validated on the fit fold; the threshold is the one that maximises the
  out-of-scope F1 on the cross-validated probabilities.
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.condense import condense
from assistant.retrieval import LISTS
from assistant.extractive import EVIDENCE_FEATURES
from assistant.scope import FEATURES, ScopeModel
from assistant.text import squash
from eval.dataset import load_dataset
from index.config import PROJECT_ROOT

DEV_DIR = PROJECT_ROOT / "tests" / "data"
# The blind residents' files: each item's ``fold`` says whether it is fitted on or held out.
RESIDENTS = tuple(PROJECT_ROOT / "eval" / "datasets" / f"{name}.jsonl"
                  for name in ("residents", "residents2", "residents3", "residents4"))
SCOPE_DEV = DEV_DIR / "dev_scope.jsonl"
GRID_STEP = 0.1
CV_FOLDS = 5
SEED = 0


@dataclass
class DevQuestion:
    text: str  # the standalone query (a follow-up condensed)
    own: str  # the question's own words
    fold: str
    in_scope: bool
    gold: frozenset[str] = frozenset()  # clause ids that answer it ('' set: no retrieval label)


def _gold_clauses(tree, ids=(), hints=()) -> frozenset[str]:
    found = set(ids)
    for h in hints:
        h = squash(h)
        found |= {c.clause_id for c in tree.clauses if h and h in squash(c.text)}
    return frozenset(found)


def _dev_rows() -> list[dict]:
    """The rows of the development question files in tests/data (all of them fit fold)."""
    return [json.loads(line) for path in sorted(DEV_DIR.glob("dev_questions*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def dev_questions(tree, own_names: frozenset[str] = frozenset()) -> list[DevQuestion]:
    """Every development question with its fold, scope label and gold clauses; follow-ups condensed as
    the assistant condenses them (``own_names``: the plan profile's region and period names)."""
    out: list[DevQuestion] = []
    for row in _dev_rows():
        c = condense(row["question"], row.get("history") or [], own_names)
        gold = _gold_clauses(tree, row.get("clause_ids") or (), [row["clause_hint"]] if row.get("clause_hint") else ())
        out.append(DevQuestion(c.search_text, row["question"], "fit", True,
                               gold if row.get("answerable", True) else frozenset()))
    for item in (item for path in RESIDENTS for item in load_dataset(path)):
        c = condense(item.question, item.history, own_names)
        out.append(DevQuestion(c.search_text, item.question, item.fold, item.category != "off_topic",
                               _gold_clauses(tree, hints=item.evidence) if item.answerable else frozenset()))
    for line in SCOPE_DEV.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append(DevQuestion(row["question"], row["question"], row["fold"], bool(row["in_scope"])))
    return out


# -- fusion weights ---------------------------------------------------------------------------------
def mrr(retriever, lists_per_q, golds, weights) -> tuple[float, float, float]:
    """Mean reciprocal rank, recall@1 and recall@5 of the gold clauses under these weights."""
    rr, r1, r5 = [], [], []
    for lists, gold in zip(lists_per_q, golds):
        fused = retriever.fuse(lists, weights)
        order = [c for c, _ in sorted(fused.items(), key=lambda kv: -kv[1])]
        rank = next((i for i, c in enumerate(order, 1) if c in gold), None)
        rr.append(1.0 / rank if rank else 0.0)
        r1.append(rank == 1)
        r5.append(bool(rank and rank <= 5))
    return float(np.mean(rr)), float(np.mean(r1)), float(np.mean(r5))


def fit_fusion(bot, questions: list[DevQuestion], vectors: dict[str, np.ndarray]) -> tuple[float, ...]:
    retr = bot.retriever
    labelled = [q for q in questions if q.gold]
    by_fold = {f: [q for q in labelled if q.fold == f] for f in ("fit", "held")}
    lists = {f: [retr.ranked_lists(q.text, vectors[q.text]) for q in qs] for f, qs in by_fold.items()}
    golds = {f: [q.gold for q in qs] for f, qs in by_fold.items()}
    steps = int(round(1 / GRID_STEP))
    grid = [tuple(i * GRID_STEP for i in w) for w in itertools.product(range(steps + 1), repeat=len(LISTS))
            if sum(w) == steps]
    best = max(grid, key=lambda w: (mrr(retr, lists["fit"], golds["fit"], w)[0], -abs(w[0] - 0.5)))
    print(f"fusion weights {dict(zip(LISTS, best))} (grid of {len(grid)}, fitted on {len(golds['fit'])} "
          f"fit-fold questions)")
    print(f"{'weights':32s} {'fold':5s} {'n':>4s} {'MRR':>6s} {'R@1':>6s} {'R@5':>6s}")
    for name, w in (("before: bm25 0.8, dense 0.2", (0.8, 0.2, 0.0, 0.0)), ("settings now", retr.weights),
                    ("fitted", best)):
        for f in ("fit", "held"):
            m = mrr(retr, lists[f], golds[f], w)
            print(f"{name:32s} {f:5s} {len(golds[f]):4d} {m[0]:6.3f} {m[1]:6.3f} {m[2]:6.3f}")
    return best


# -- scope model ------------------------------------------------------------------------------------
def cross_validated(x_fit: np.ndarray, y_fit: np.ndarray):
    """A standardised, class-balanced logistic regression and its out-of-fold probabilities on the fit fold
    (CV_FOLDS stratified folds): thresholds are chosen on these, never on the held-out fold."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=1000))
    cv = StratifiedKFold(CV_FOLDS, shuffle=True, random_state=SEED)
    return model, cross_val_predict(model, x_fit, y_fit, cv=cv, method="predict_proba")[:, 1]


def fit_scope(bot, questions: list[DevQuestion], vectors: dict[str, np.ndarray]) -> ScopeModel:
    from sklearn.metrics import precision_recall_fscore_support

    retr = bot.retriever

    def matrix(qs):
        rows = [retr.scope_features(q.own, vectors[q.own], retr.bm25_scores(q.own)) for q in qs]
        return np.array([[r[f] for f in FEATURES] for r in rows]), np.array([q.in_scope for q in qs], dtype=int)

    fit = [q for q in questions if q.fold == "fit"]
    held = [q for q in questions if q.fold == "held"]
    x_fit, y_fit = matrix(fit)
    x_held, y_held = matrix(held)
    model, p_cv = cross_validated(x_fit, y_fit)

    def out_prf(y, p, t):  # out of scope is the positive class
        pr, rc, f1, _ = precision_recall_fscore_support(1 - y, (p < t).astype(int), average="binary",
                                                        zero_division=0)
        return pr, rc, f1

    threshold = max(np.arange(0.05, 0.96, 0.01), key=lambda t: (out_prf(y_fit, p_cv, t)[2], -abs(t - 0.5)))
    model.fit(x_fit, y_fit)
    scaler, lr = model.named_steps["standardscaler"], model.named_steps["logisticregression"]
    p_held = model.predict_proba(x_held)[:, 1]
    cv_f = out_prf(y_fit, p_cv, threshold)
    held_f = out_prf(y_held, p_held, threshold)
    summary = (f"fit fold {len(fit)} ({int((1 - y_fit).sum())} out of scope): {CV_FOLDS}-fold CV "
               f"precision {cv_f[0]:.3f} recall {cv_f[1]:.3f}; held-out fold {len(held)} "
               f"({int((1 - y_held).sum())} out of scope): precision {held_f[0]:.3f} recall {held_f[1]:.3f}")
    print("scope model:", summary)
    print("  weights (standardised):", {f: round(float(w), 3) for f, w in zip(FEATURES, lr.coef_[0])},
          "intercept", round(float(lr.intercept_[0]), 3), "threshold", round(float(threshold), 2))
    for q, p in zip(held, p_held):
        if (p >= threshold) != q.in_scope:
            print(f"  held-out miss: p(in)={p:.2f} in_scope={q.in_scope} {q.own[:50]}")
    return ScopeModel(mean=tuple(map(float, scaler.mean_)), scale=tuple(map(float, scaler.scale_)),
                      coef=tuple(map(float, lr.coef_[0])), intercept=float(lr.intercept_[0]),
                      threshold=round(float(threshold), 2), fitted_on=summary)


# -- evidence model ---------------------------------------------------------------------------------
NATIONAL = PROJECT_ROOT / "eval" / "datasets" / "national.jsonl"


@dataclass
class EvidenceCase:
    """One sentence the literal gate turned down for a figure/date/person question: would it answer?"""

    fold: str
    question: str
    answerable: bool
    sentence: str
    score: float  # the answerer's ranking score: of the sentences accepted, the best-ranked answers
    features: dict[str, float]
    answers: bool  # it holds a key fact or evidence string of an answerable question


def evidence_cases(bot) -> list[EvidenceCase]:
    """Ask every development question (off-topic ones aside) with the engines collecting, instead of
    deciding, each sentence that passed every check but the question's own words."""
    # fold, question, history, answerable, facts
    items: list[tuple[str, str, list, bool, list[str]]] = [
        ("fit", row["question"], row.get("history") or [], row.get("answerable", True), list(row.get("key_facts") or []))
        for row in _dev_rows()]
    for path in (*RESIDENTS, NATIONAL):
        for item in load_dataset(path):
            if item.category != "off_topic":
                items.append((item.fold, item.question, list(item.history), item.answerable,
                              [*item.key_facts, *item.evidence]))
    engines = [bot.engine(pid) for pid in bot.plans.ids]
    cases: list[EvidenceCase] = []
    for fold, question, history, answerable, facts in items:
        for engine in engines:
            engine.extractive.evidence_log = []
        bot.ask(question, history=history)
        seen = set()
        for engine in engines:
            for ask_text, sentence, score, features in engine.extractive.evidence_log:
                if (ask_text, sentence) in seen:
                    continue
                seen.add((ask_text, sentence))
                holds = answerable and any(squash(f) and squash(f) in squash(sentence) for f in facts)
                cases.append(EvidenceCase(fold, question, answerable, sentence, score, features, holds))
    for engine in engines:
        engine.extractive.evidence_log = None
    return cases


def fit_evidence(cases: list[EvidenceCase]) -> ScopeModel:
    """Logistic regression over EVIDENCE_FEATURES, class-balanced, cross-validated on the fit fold. The
    threshold is chosen for questions, not sentences: of a question's sentences the model accepts, the
    answerer quotes the best-ranked; the threshold maximises the fit-fold questions then answered right
    (that sentence holds the answer) or rightly declined (none accepted for a question the plan does
    not answer), on the cross-validated probabilities."""
    from sklearn.metrics import precision_recall_fscore_support

    def matrix(cs):
        return (np.array([[c.features[f] for f in EVIDENCE_FEATURES] for c in cs]),
                np.array([c.answers for c in cs], dtype=int))

    fit = [c for c in cases if c.fold == "fit"]
    held = [c for c in cases if c.fold == "held"]
    x_fit, y_fit = matrix(fit)
    x_held, y_held = matrix(held)
    model, p_cv = cross_validated(x_fit, y_fit)

    def prf(y, p, t):
        pr, rc, f1, _ = precision_recall_fscore_support(y, (p >= t).astype(int), average="binary", zero_division=0)
        return pr, rc, f1

    def questions_right(cs, p, t) -> tuple[int, int]:
        by_question: dict[str, list[tuple[EvidenceCase, float]]] = {}
        for c, prob in zip(cs, p):
            by_question.setdefault(c.question, []).append((c, prob))
        right = 0
        for rows in by_question.values():
            accepted = [c for c, prob in rows if prob >= t]
            # (an answerable question none of whose sentences holds the answer is wrong whatever the threshold)
            right += (max(accepted, key=lambda c: c.score).answers if accepted else not rows[0][0].answerable)
        return right, len(by_question)

    threshold = max(np.arange(0.05, 0.96, 0.01), key=lambda t: (questions_right(fit, p_cv, t)[0], -abs(t - 0.5)))
    model.fit(x_fit, y_fit)
    scaler, lr = model.named_steps["standardscaler"], model.named_steps["logisticregression"]
    p_held = model.predict_proba(x_held)[:, 1] if len(held) else np.array([])
    cv_f, held_f = prf(y_fit, p_cv, threshold), prf(y_held, p_held, threshold)
    cv_q, held_q = questions_right(fit, p_cv, threshold), questions_right(held, p_held, threshold)
    summary = (f"fit fold {len(fit)} sentences ({int(y_fit.sum())} answer) of {cv_q[1]} questions: {CV_FOLDS}-fold "
               f"CV precision {cv_f[0]:.3f} recall {cv_f[1]:.3f}, questions right {cv_q[0]}/{cv_q[1]}; held-out fold "
               f"{len(held)} ({int(y_held.sum())} answer) of {held_q[1]} questions: precision {held_f[0]:.3f} recall "
               f"{held_f[1]:.3f}, questions right {held_q[0]}/{held_q[1]}")
    print("evidence model:", summary)
    print("  weights (standardised):", {f: round(float(w), 3) for f, w in zip(EVIDENCE_FEATURES, lr.coef_[0])},
          "intercept", round(float(lr.intercept_[0]), 3), "threshold", round(float(threshold), 2))
    return ScopeModel(mean=tuple(map(float, scaler.mean_)), scale=tuple(map(float, scaler.scale_)),
                      coef=tuple(map(float, lr.coef_[0])), intercept=float(lr.intercept_[0]),
                      threshold=round(float(threshold), 2), features=EVIDENCE_FEATURES, fitted_on=summary)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.fit", description=__doc__.splitlines()[0])
    p.add_argument("--write", action="store_true", help="write the fitted models to their settings paths")
    p.add_argument("--skip-evidence", action="store_true", help="do not fit the evidence model (it asks every "
                   "development question: a few minutes)")
    args = p.parse_args(argv)
    from assistant import Assistant

    # fitted here: the old models (maybe stale) are not read
    bot = Assistant.load(scope_model_path="", evidence_model_path="")
    questions = dev_questions(bot.tree, bot.profile.own_names)
    texts = sorted({q.text for q in questions} | {q.own for q in questions})
    print(f"{len(questions)} development questions; embedding {len(texts)} texts ...", file=sys.stderr)
    vectors = dict(zip(texts, bot.retriever.embeddings.embed_queries_array(texts, progress=lambda d, t: None)))
    fit_fusion(bot, questions, vectors)
    models = {"scope_model_path": fit_scope(bot, questions, vectors)}
    if not args.skip_evidence:
        print("asking the development questions for the evidence model ...", file=sys.stderr)
        models["evidence_model_path"] = fit_evidence(evidence_cases(bot))
    if args.write:
        from index.config import get_settings

        for setting, model in models.items():
            path = Path(getattr(get_settings(), setting))
            path.parent.mkdir(parents=True, exist_ok=True)
            model.save(path)
            print(f"model written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
